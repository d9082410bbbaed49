/**
 * What the policy rules read in a synthesized stack (the JSON cdktf writes to `cdk.tf.json`, or one element's part
 * of it): its resource and data blocks, the IAM policy documents in their string attributes, and principals.
 */

import { Problem, problemText } from "../problem";

/**
 * One broken rule: a {@link Problem} (the one problem model, lib/problem.ts) located by the Terraform address it was
 * found at (its `field` is the address, then the attribute), with the rule's id.
 */
export interface PolicyViolation extends Problem {
  /** Rule id, e.g. `datadog-trust-external-id`. */
  readonly rule: string;
  /** Terraform address, e.g. `aws_iam_role.x` or `data.aws_iam_policy_document.y`. */
  readonly address: string;
}

/** A violation of `rule` at `address`, its `field` the address and `attribute` (e.g. `retention_in_days`). */
export function violation(rule: string, address: string, attribute: string, received: string, allowed: string, why?: string): PolicyViolation {
  return { rule, address, field: `${address}.${attribute}`, received, allowed, ...(why === undefined ? {} : { why }) };
}

/** The one rendering of a finding, as annotations and synth errors show it: `[rule] <problem>`. */
export function violationText(v: PolicyViolation): string {
  return `[${v.rule}] ${problemText(v)}`;
}

/** A synthesized stack: the parts the checks read. */
export interface SynthesizedStack {
  readonly resource?: { [type: string]: { [name: string]: { [attribute: string]: unknown } } };
  readonly data?: { [type: string]: { [name: string]: { [attribute: string]: unknown } } };
  readonly [key: string]: unknown;
}

export interface Block {
  readonly address: string;
  readonly type: string;
  readonly values: { [attribute: string]: unknown };
}

export function blocks(stack: SynthesizedStack, kind: "resource" | "data"): Block[] {
  const section = stack[kind] ?? {};
  return Object.entries(section).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, values]) => ({
      address: `${kind === "data" ? "data." : ""}${type}.${name}`,
      type,
      values,
    })),
  );
}

export function parsePolicy(text: unknown): { Statement?: unknown } | undefined {
  if (typeof text !== "string" || !text.trimStart().startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && "Statement" in parsed ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function statementsOf(policy: { Statement?: unknown }): { [key: string]: unknown }[] {
  const s = policy.Statement;
  const list = Array.isArray(s) ? s : s === undefined ? [] : [s];
  return list.filter((x): x is { [key: string]: unknown } => typeof x === "object" && x !== null);
}

export function principalValues(principal: unknown): string[] {
  if (typeof principal === "string") return [principal];
  if (Array.isArray(principal)) return principal.flatMap(principalValues);
  if (typeof principal === "object" && principal !== null) return Object.values(principal).flatMap(principalValues);
  return [];
}

/** Every string attribute (at any depth) of a block, with its path, for policy-looking values. */
export function stringAttributes(value: unknown, path: string): { path: string; text: string }[] {
  if (typeof value === "string") return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringAttributes(v, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => stringAttributes(v, path === "" ? k : `${path}.${k}`));
  }
  return [];
}
