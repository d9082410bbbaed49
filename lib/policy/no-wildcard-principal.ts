import {
  PolicyViolation,
  SynthesizedStack,
  blocks,
  parsePolicy,
  principalValues,
  statementsOf,
  stringAttributes,
  violation,
} from "./policy-document";
import { PolicyRule } from "./policy-rule";

/**
 * Rule `no-wildcard-principal`: no policy document anywhere in the stack (trust, resource or identity policy in
 * any string attribute, `aws_iam_policy_document` data sources, `aws_lambda_permission.principal`) grants to `*`.
 */
export function checkNoWildcardPrincipal(stack: SynthesizedStack): PolicyViolation[] {
  const rule = "no-wildcard-principal";
  const violations: PolicyViolation[] = [];
  for (const block of [...blocks(stack, "resource"), ...blocks(stack, "data")]) {
    if (block.type === "aws_lambda_permission" && block.values.principal === "*") {
      violations.push(violation(rule, block.address, "principal", '"*"', "a specific service or account principal"));
    }
    if (block.type === "aws_iam_policy_document") {
      const statements = Array.isArray(block.values.statement) ? block.values.statement : [];
      statements.forEach((statement: { principals?: { identifiers?: unknown }[]; effect?: unknown }, i: number) => {
        if (statement.effect === "Deny") return;
        for (const principals of statement.principals ?? []) {
          if (principalValues(principals.identifiers).includes("*")) {
            violations.push(violation(rule, block.address, `statement[${i}].principals.identifiers`, '"*"', "specific principals"));
          }
        }
      });
    }
    for (const { path, text } of stringAttributes(block.values, "")) {
      const policy = parsePolicy(text);
      if (policy === undefined) continue;
      statementsOf(policy).forEach((statement, i) => {
        if (statement.Effect === "Deny") return;
        if (principalValues(statement.Principal).includes("*")) {
          violations.push(
            violation(
              rule,
              block.address,
              `${path}.Statement[${i}].Principal`,
              JSON.stringify(statement.Principal),
              "specific principals",
              'a "*" principal opens the resource to everyone',
            ),
          );
        }
      });
    }
  }
  return violations;
}

/** Rule `no-wildcard-principal` as an aspect: reports each finding as an error annotation on the element. */
export class NoWildcardPrincipal extends PolicyRule {
  public readonly id = "no-wildcard-principal";
  protected readonly resourceTypes = undefined;
  protected check(fragment: SynthesizedStack): PolicyViolation[] {
    return checkNoWildcardPrincipal(fragment);
  }
}
