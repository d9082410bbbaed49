import { ALL_DATADOG_AWS_ACCOUNT_IDS } from "../datadog-accounts";
import { PolicyViolation, SynthesizedStack, blocks, parsePolicy, principalValues, statementsOf, violation } from "./policy-document";
import { PolicyRule } from "./policy-rule";

const DATADOG_PRINCIPAL = new RegExp(`^arn:aws(-us-gov|-cn)?:iam::(${ALL_DATADOG_AWS_ACCOUNT_IDS.join("|")}):root$`);

/**
 * Rule `datadog-trust-external-id`: every IAM role whose trust policy names a Datadog AWS account allows it only
 * with a non-empty `StringEquals` `sts:ExternalId` condition (confused-deputy protection).
 */
export function checkDatadogTrustExternalId(stack: SynthesizedStack): PolicyViolation[] {
  const rule = "datadog-trust-external-id";
  const violations: PolicyViolation[] = [];
  for (const role of blocks(stack, "resource").filter((b) => b.type === "aws_iam_role")) {
    const text = role.values.assume_role_policy;
    const mentionsDatadog = typeof text === "string" && ALL_DATADOG_AWS_ACCOUNT_IDS.some((id) => text.includes(id));
    if (!mentionsDatadog) continue;
    const policy = parsePolicy(text);
    if (policy === undefined) {
      violations.push(
        violation(
          rule,
          role.address,
          "assume_role_policy",
          "a trust policy naming a Datadog account that is not a plain JSON policy document",
          "a JSON document (as DatadogAwsIntegration writes it)",
          "its sts:ExternalId condition cannot be verified",
        ),
      );
      continue;
    }
    for (const statement of statementsOf(policy)) {
      const datadogPrincipals = principalValues(statement.Principal).filter((p) => DATADOG_PRINCIPAL.test(p));
      if (datadogPrincipals.length === 0 || statement.Effect !== "Allow") continue;
      const condition = statement.Condition as { StringEquals?: { [key: string]: unknown } } | undefined;
      const externalId = condition?.StringEquals?.["sts:ExternalId"];
      const ok = (typeof externalId === "string" && externalId.length > 0) || (Array.isArray(externalId) && externalId.length > 0);
      if (!ok) {
        violations.push(
          violation(
            rule,
            role.address,
            "assume_role_policy",
            `condition ${JSON.stringify(statement.Condition ?? null)}`,
            "a StringEquals sts:ExternalId condition with the integration's external ID",
            `it lets ${datadogPrincipals.join(", ")} assume the role`,
          ),
        );
      }
    }
  }
  return violations;
}

/** Rule `datadog-trust-external-id` as an aspect: reports each finding as an error annotation on the element. */
export class DatadogTrustExternalId extends PolicyRule {
  public readonly id = "datadog-trust-external-id";
  protected readonly resourceTypes = ["aws_iam_role"];
  protected check(fragment: SynthesizedStack): PolicyViolation[] {
    return checkDatadogTrustExternalId(fragment);
  }
}
