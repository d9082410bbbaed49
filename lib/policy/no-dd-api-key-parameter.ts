import { PolicyViolation, SynthesizedStack, blocks } from "./policy-document";
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
    .map((b) => ({
      rule,
      address: b.address,
      message: `${b.address}: parameters has DdApiKey; allowed: DdApiKeySecretArn pointing to a Secrets Manager secret`,
    }));
}

/** Rule `no-dd-api-key-parameter` as an aspect: reports each finding as an error annotation on the element. */
export class NoDdApiKeyParameter extends PolicyRule {
  public readonly id = "no-dd-api-key-parameter";
  protected readonly resourceTypes = ["aws_cloudformation_stack"];
  protected check(fragment: SynthesizedStack): PolicyViolation[] {
    return checkNoDdApiKeyParameter(fragment);
  }
}
