/**
 * What `review` knows about each resource type: the link of the chain it belongs to, its human name, and which of
 * its arguments force replacement (destroy, then create) when they change.
 */
import { templateParts } from "../../lib/terraform-template";
import { JsonObject, asArray, asObject, asString } from "../../lib/json";
import { codeSpan, inline } from "./markdown";

export const LINKS = ["Audit logging", "Ingestion", "Log Explorer", "Cloud SIEM", "Other"] as const;
export type Link = (typeof LINKS)[number];

export function linkOf(type: string): Link {
  if (type === "aws_eks_cluster" || type === "aws_cloudwatch_log_group") return "Audit logging";
  if (
    /^aws_(cloudformation_stack|cloudwatch_log_subscription_filter|lambda_permission|secretsmanager_|iam_)/.test(type) ||
    type.startsWith("datadog_integration_aws")
  )
    return "Ingestion";
  if (type.startsWith("datadog_logs_") || type === "datadog_dashboard_json" || type === "datadog_monitor") return "Log Explorer";
  if (type.startsWith("datadog_security_")) return "Cloud SIEM";
  return "Other";
}

/**
 * Arguments whose change forces replacement, per type, as the providers declare them (`ForceNew` in the schema).
 * Sources: hashicorp/terraform-provider-aws v5.100.0 `internal/service/eks/cluster.go`,
 * `internal/service/logs/group.go`, `internal/service/logs/subscription_filter.go`,
 * `internal/service/cloudformation/stack.go`, `internal/service/iam/role.go`, `internal/service/iam/policy.go`,
 * `internal/service/iam/role_policy_attachment.go`, `internal/service/secretsmanager/secret.go`,
 * `internal/service/secretsmanager/secret_version.go`, `internal/service/lambda/permission.go`;
 * DataDog/terraform-provider-datadog v3.82.0 `datadog/resource_datadog_logs_index.go` (name) and
 * `datadog/fwprovider/resource_datadog_integration_aws_account.go` (aws_account_id, aws_partition use
 * RequiresReplace). Paths are attribute paths of the synthesized JSON (nested blocks by their argument name).
 */
export const FORCES_REPLACEMENT: Readonly<Record<string, readonly string[]>> = {
  aws_eks_cluster: [
    "name",
    "role_arn",
    "vpc_config.subnet_ids",
    "vpc_config.security_group_ids",
    "kubernetes_network_config",
    "encryption_config",
    "outpost_config",
    "bootstrap_self_managed_addons",
    "access_config.bootstrap_cluster_creator_admin_permissions",
  ],
  aws_cloudwatch_log_group: ["name", "name_prefix", "log_group_class"],
  aws_cloudwatch_log_subscription_filter: ["name", "log_group_name"],
  aws_cloudformation_stack: ["name"],
  aws_iam_role: ["name", "name_prefix", "path"],
  aws_iam_policy: ["name", "name_prefix", "path", "description"],
  aws_iam_role_policy_attachment: ["role", "policy_arn"],
  aws_secretsmanager_secret: ["name", "name_prefix"],
  aws_secretsmanager_secret_version: ["secret_id"],
  aws_lambda_permission: ["action", "function_name", "principal", "source_arn", "source_account", "statement_id", "qualifier"],
  datadog_logs_index: ["name"],
  datadog_integration_aws_account: ["aws_account_id", "aws_partition"],
};

/** Whether a change at `changedPath` (dotted, array keys in brackets) forces replacement of a `type`. */
export function forcesReplacement(type: string, changedPath: string): string | undefined {
  const plain = changedPath.replace(/\[[^\]]*\]/g, "");
  return (FORCES_REPLACEMENT[type] ?? []).find((p) => plain === p || plain.startsWith(`${p}.`));
}

/**
 * A string of the stack as a reviewer reads it: a reference written by cdktf (`${aws_iam_role.x.name}`) as the
 * address it points at, and escaped text (`$${`, `%%{`, which the synth writes for every `${`/`%{` a user typed) as
 * the text Terraform deploys (lib/terraform-template.ts).
 */
export function referenceText(value: string): string {
  if (!value.includes("{")) return value;
  return templateParts(value)
    .map((part) => {
      if ("literal" in part) return part.literal;
      const reference = /^([a-z0-9_]+\.[A-Za-z0-9_-]+)(\.[^}]*)?$/.exec(part.expression);
      if (part.start === "${" && part.terminated && reference !== null) return reference[1];
      return `${part.start}${part.expression}${part.terminated ? "}" : ""}`;
    })
    .join("");
}

/** A value of a resource as part of its name, inert in Markdown (see tools/review/markdown.ts). */
/**
 * A value as a reviewer reads it: strings exactly as deployed in code spans that nothing in them can end (see
 * tools/review/markdown.ts), references as the address they point at.
 */
export function show(value: unknown): string {
  if (value === undefined) return "(unset)";
  if (typeof value === "string") return codeSpan(referenceText(value));
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.map(show).join(", ");
  return codeSpan(JSON.stringify(value));
}

const str = (v: unknown): string => inline(typeof v === "string" ? referenceText(v) : (JSON.stringify(v) ?? "(unset)"));

/**
 * The name a reviewer knows a resource by, e.g. `EKS cluster staging-apps`; every part that comes from the config
 * is inert Markdown (plain when it is a plain word, else a code span).
 */
export function humanName(type: string, rawName: string, body: JsonObject, region?: string): string {
  const name = inline(rawName);
  const at = region !== undefined ? ` (${inline(region)})` : "";
  switch (type) {
    case "aws_eks_cluster":
      return `EKS cluster ${str(body.name)}${at}`;
    case "aws_cloudwatch_log_group":
      return `CloudWatch log group ${str(body.name)}${at}`;
    case "aws_cloudformation_stack":
      return `Datadog Forwarder stack ${str(body.name)}${at}`;
    case "aws_cloudwatch_log_subscription_filter":
      return `subscription filter ${str(body.name)} on ${str(body.log_group_name)}${at}`;
    case "aws_lambda_permission":
      return `Forwarder invoke permission ${str(body.statement_id)}${at}`;
    case "aws_secretsmanager_secret":
      return `API key secret ${str(body.name)}${at}`;
    case "aws_secretsmanager_secret_version":
      return `API key secret value ${name}${at}`;
    case "aws_iam_role":
      return `IAM role ${str(body.name)}`;
    case "aws_iam_policy":
      return `IAM policy ${str(body.name)}`;
    case "aws_iam_role_policy_attachment":
      return `attachment of ${str(body.policy_arn)} to ${str(body.role)}`;
    case "datadog_integration_aws_account":
      return `Datadog AWS integration of account ${str(body.aws_account_id)}`;
    case "datadog_integration_aws_external_id":
      return `Datadog AWS integration external ID ${name}`;
    case "datadog_security_monitoring_rule":
      return `Cloud SIEM rule ${name} (${str(body.name)})`;
    case "datadog_security_monitoring_default_rule":
      return `built-in rule review ${name}`;
    case "datadog_security_monitoring_suppression":
      return `suppression ${str(body.name)}`;
    case "datadog_security_notification_rule":
      return `notification rule ${str(body.name)}`;
    case "datadog_monitor":
      return `monitor ${str(body.name)}`;
    case "datadog_dashboard_json":
      return `dashboard ${name}`;
    case "datadog_logs_index":
      return `log index ${str(body.name)}`;
    case "datadog_logs_index_order":
      return `log index order`;
    case "datadog_logs_integration_pipeline":
      return `integration pipeline ${name}`;
    default:
      return inline(`${type}.${rawName}`);
  }
}

/** Region of a resource from its `provider` (`aws.<alias>`) and the stack's AWS provider blocks. */
export function regionOf(stack: JsonObject, body: JsonObject): string | undefined {
  const providers = asArray(asObject(stack.provider).aws).map(asObject);
  if (providers.length === 0) return undefined;
  const ref = typeof body.provider === "string" ? body.provider : "aws";
  if (!ref.startsWith("aws")) return undefined;
  const alias = ref.includes(".") ? ref.split(".")[1] : undefined;
  return asString(providers.find((p) => p.alias === alias)?.region);
}
