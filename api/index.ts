// Only re-exports: the package's public API is what this file lists (recorded in api-report/; see CHANGELOG.md).
/**
 * The constructs of the chain "Amazon EKS audit logs -> Datadog Cloud SIEM", one per section of Datadog's guide,
 * for a team that composes its own cdktf stacks; the config-driven environment stack and its config loader; and the
 * base stack every stack of this project extends (`SiemStack`: literal text, Terraform floor, self-contained check,
 * HCL output and the organisation policies as aspects, each suppressible with a written reason).
 *
 * `import { EksAuditLogging, DatadogForwarder, EksCloudSiem } from "eks-audit-siem";`
 *
 * @packageDocumentation
 */
export * from "../modules/eks-audit-logging";
export * from "../modules/datadog-aws-integration";
export * from "../modules/datadog-forwarder";
export * from "../modules/log-explorer";
export * from "../modules/cloud-siem";
export * from "../lib/policy";
export { SiemStack } from "../lib/siem-stack";
export type { StackJson } from "../lib/siem-stack";
export { readableAddress, terraformName } from "../lib/addresses";
export { importExisting, TERRAFORM_FEATURES } from "../lib/terraform-floor";
export type { TerraformFeature } from "../lib/terraform-floor";
export { EnvironmentStack, DATADOG_API_KEY_VARIABLE, defaultLocalStatePath, defaultS3StateKey } from "../stacks/environment-stack";
export { ConfigError, loadConfigFile, validateConfig, parseConfigText, DEFAULT_CONFIG_PATH, CONFIG_ENV_VAR } from "../config/load";
export type { AppConfig, EnvironmentConfig, ClusterConfig } from "../config/schema";
export type { Problem } from "../lib/problem";
export type { DatadogSite } from "../lib/datadog-sites";
export type { ClusterLogType, Partition } from "../lib/aws";
export type { MatchableRule, MatchableRuleCase, MatchableRuleQuery } from "../lib/rules/matchable";
