import { PolicyViolation, SynthesizedStack, blocks, violation } from "./policy-document";
import { PolicyRule } from "./policy-rule";

/**
 * Rule `log-group-retention`: every `aws_cloudwatch_log_group` has a finite `retention_in_days` (a positive
 * literal number; 0 or absent means "never expire").
 */
export function checkLogGroupRetention(stack: SynthesizedStack): PolicyViolation[] {
  const rule = "log-group-retention";
  return blocks(stack, "resource")
    .filter((b) => b.type === "aws_cloudwatch_log_group")
    .filter((b) => !(typeof b.values.retention_in_days === "number" && b.values.retention_in_days > 0))
    .map((b) =>
      violation(
        rule,
        b.address,
        "retention_in_days",
        JSON.stringify(b.values.retention_in_days ?? null),
        "a positive number of days",
        "absent or 0 keeps logs forever",
      ),
    );
}

/** Rule `log-group-retention` as an aspect: reports each finding as an error annotation on the element. */
export class LogGroupRetention extends PolicyRule {
  public readonly id = "log-group-retention";
  protected readonly resourceTypes = ["aws_cloudwatch_log_group"];
  protected check(fragment: SynthesizedStack): PolicyViolation[] {
    return checkLogGroupRetention(fragment);
  }
}
