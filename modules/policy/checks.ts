import { ALL_DATADOG_AWS_ACCOUNT_IDS } from "../datadog-aws-integration/datadog-accounts";

/**
 * Policy checks over a synthesized stack (the JSON cdktf writes to `cdk.tf.json`, or `stack.toTerraform()`).
 * Each rule is a pure function returning violations; {@link checkSynthesizedStack} runs them all.
 */

/** One broken rule, with the Terraform address it was found at. */
export interface PolicyViolation {
  /** Rule id, e.g. `datadog-trust-external-id`. */
  readonly rule: string;
  /** Terraform address, e.g. `aws_iam_role.x` or `data.aws_iam_policy_document.y`. */
  readonly address: string;
  /** Lowercase, one-paragraph explanation naming the value received and what is allowed. */
  readonly message: string;
}

/** A synthesized stack: the parts the checks read. */
export interface SynthesizedStack {
  readonly resource?: { [type: string]: { [name: string]: { [attribute: string]: unknown } } };
  readonly data?: { [type: string]: { [name: string]: { [attribute: string]: unknown } } };
  readonly [key: string]: unknown;
}

interface Block {
  readonly address: string;
  readonly type: string;
  readonly values: { [attribute: string]: unknown };
}

function blocks(stack: SynthesizedStack, kind: "resource" | "data"): Block[] {
  const section = stack[kind] ?? {};
  return Object.entries(section).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, values]) => ({
      address: `${kind === "data" ? "data." : ""}${type}.${name}`,
      type,
      values,
    })),
  );
}

function parsePolicy(text: unknown): { Statement?: unknown } | undefined {
  if (typeof text !== "string" || !text.trimStart().startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && "Statement" in parsed ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function statementsOf(policy: { Statement?: unknown }): { [key: string]: unknown }[] {
  const s = policy.Statement;
  const list = Array.isArray(s) ? s : s === undefined ? [] : [s];
  return list.filter((x): x is { [key: string]: unknown } => typeof x === "object" && x !== null);
}

function principalValues(principal: unknown): string[] {
  if (typeof principal === "string") return [principal];
  if (Array.isArray(principal)) return principal.flatMap(principalValues);
  if (typeof principal === "object" && principal !== null) return Object.values(principal).flatMap(principalValues);
  return [];
}

/** Every string attribute (at any depth) of a block, with its path, for policy-looking values. */
function stringAttributes(value: unknown, path: string): { path: string; text: string }[] {
  if (typeof value === "string") return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringAttributes(v, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => stringAttributes(v, path === "" ? k : `${path}.${k}`));
  }
  return [];
}

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
      violations.push({
        rule,
        address: role.address,
        message: `${role.address}: the trust policy names a Datadog account but is not a plain JSON policy document, so its sts:ExternalId condition cannot be verified; allowed: a JSON document (as DatadogAwsIntegration writes it)`,
      });
      continue;
    }
    for (const statement of statementsOf(policy)) {
      const datadogPrincipals = principalValues(statement.Principal).filter((p) => DATADOG_PRINCIPAL.test(p));
      if (datadogPrincipals.length === 0 || statement.Effect !== "Allow") continue;
      const condition = statement.Condition as { StringEquals?: { [key: string]: unknown } } | undefined;
      const externalId = condition?.StringEquals?.["sts:ExternalId"];
      const ok = (typeof externalId === "string" && externalId.length > 0) || (Array.isArray(externalId) && externalId.length > 0);
      if (!ok) {
        violations.push({
          rule,
          address: role.address,
          message: `${role.address}: the trust policy lets ${datadogPrincipals.join(", ")} assume the role without a StringEquals sts:ExternalId condition (received condition ${JSON.stringify(statement.Condition ?? null)}); allowed: only with the integration's external ID`,
        });
      }
    }
  }
  return violations;
}

/**
 * Rule `no-wildcard-principal`: no policy document anywhere in the stack (trust, resource or identity policy in
 * any string attribute, `aws_iam_policy_document` data sources, `aws_lambda_permission.principal`) grants to `*`.
 */
export function checkNoWildcardPrincipal(stack: SynthesizedStack): PolicyViolation[] {
  const rule = "no-wildcard-principal";
  const violations: PolicyViolation[] = [];
  for (const block of [...blocks(stack, "resource"), ...blocks(stack, "data")]) {
    if (block.type === "aws_lambda_permission" && block.values.principal === "*") {
      violations.push({
        rule,
        address: block.address,
        message: `${block.address}: principal is "*"; allowed: a specific service or account principal`,
      });
    }
    if (block.type === "aws_iam_policy_document") {
      const statements = Array.isArray(block.values.statement) ? block.values.statement : [];
      statements.forEach((statement: { principals?: { identifiers?: unknown }[]; effect?: unknown }, i: number) => {
        if (statement.effect === "Deny") return;
        for (const principals of statement.principals ?? []) {
          if (principalValues(principals.identifiers).includes("*")) {
            violations.push({
              rule,
              address: block.address,
              message: `${block.address}: statement[${i}] has principal identifiers "*"; allowed: specific principals`,
            });
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
          violations.push({
            rule,
            address: block.address,
            message: `${block.address}: ${path} statement[${i}] has Principal ${JSON.stringify(statement.Principal)}; allowed: specific principals (a "*" principal opens the resource to everyone)`,
          });
        }
      });
    }
  }
  return violations;
}

/**
 * Rule `log-group-retention`: every `aws_cloudwatch_log_group` has a finite `retention_in_days` (a positive
 * literal number; 0 or absent means "never expire").
 */
export function checkLogGroupRetention(stack: SynthesizedStack): PolicyViolation[] {
  const rule = "log-group-retention";
  return blocks(stack, "resource")
    .filter((b) => b.type === "aws_cloudwatch_log_group")
    .filter((b) => !(typeof b.values.retention_in_days === "number" && b.values.retention_in_days > 0))
    .map((b) => ({
      rule,
      address: b.address,
      message: `${b.address}: retention_in_days is ${JSON.stringify(b.values.retention_in_days ?? null)}; allowed: a positive number of days (absent or 0 keeps logs forever)`,
    }));
}

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

/** All rules, in a stable order. */
export const POLICY_CHECKS: readonly ((stack: SynthesizedStack) => PolicyViolation[])[] = [
  checkDatadogTrustExternalId,
  checkNoWildcardPrincipal,
  checkLogGroupRetention,
  checkNoDdApiKeyParameter,
];

/** Runs every rule over a synthesized stack. */
export function checkSynthesizedStack(stack: SynthesizedStack): PolicyViolation[] {
  return POLICY_CHECKS.flatMap((check) => check(stack));
}
