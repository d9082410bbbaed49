import { PolicyViolation, SynthesizedStack, blocks, violation } from "./policy-document";
import { PolicyRule } from "./policy-rule";

/**
 * Rule `no-dd-api-key-parameter`: no `aws_cloudformation_stack` passes the `DdApiKey` parameter (NoEcho: perpetual
 * diff, and the key would sit in the Terraform state and plan); use `DdApiKeySecretArn`.
 */
export function checkNoDdApiKeyParameter(stack: SynthesizedStack): PolicyViolation[] {
  const rule = "no-dd-api-key-parameter";
  return blocks(stack, "resource")
    .filter((b) => b.type === "aws_cloudformation_stack")
    .filter((b) => {
      const parameters = b.values.parameters;
      return typeof parameters === "object" && parameters !== null && "DdApiKey" in parameters;
    })
    .map((b) =>
      violation(
        rule,
        b.address,
        "parameters.DdApiKey",
        "the API key as a template parameter",
        "DdApiKeySecretArn pointing to a Secrets Manager secret",
        "NoEcho: a perpetual diff, and the key in the state and plan",
      ),
    );
}

/** Rule `no-dd-api-key-parameter` as an aspect: reports each finding as an error annotation on the element. */
export class NoDdApiKeyParameter extends PolicyRule {
  public readonly id = "no-dd-api-key-parameter";
  protected readonly resourceTypes = ["aws_cloudformation_stack"];
  protected check(fragment: SynthesizedStack): PolicyViolation[] {
    return checkNoDdApiKeyParameter(fragment);
  }
}
