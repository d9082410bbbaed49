/**
 * Config sections of the ingestion path (Datadog AWS integration, Forwarder) and Log Explorer.
 * Defaults mirror the constructs' documented defaults; the constructs re-check what needs the whole picture.
 */
import { LOG_RETENTION_DAYS } from "../lib/aws";
import { arr, bool, int, literal, num, obj, optional, record, required, str, withDefault } from "./dsl";

/** A Datadog tag as this project writes them: lowercase `key:value`. Shared by every config section. */
export const datadogTag = str({ pattern: /^[a-z][a-z0-9_.:/-]{0,199}$/, format: "a lowercase Datadog tag key:value (letters, digits, _ - : . /)" });
const regionCode = str({ pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d$/, format: "an AWS region code" });
const awsRegionList = arr(regionCode, { minItems: 1, unique: true });

export const integrationSection = obj({
  create: withDefault(bool().describe("false: the integration already exists in Datadog; only the role (if asked) is created."), true),
  externalId: optional(
    str({ pattern: /^[A-Za-z0-9]{16,64}$/, format: "the integration's external ID" }).describe("Only with create: false and role.create: true. Default: read with the datadog_integration_aws_external_id data source."),
  ),
  role: withDefault(
    obj({
      create: withDefault(bool().describe("false: the role already exists (by name); no role or policies are created."), true),
      name: withDefault(str({ pattern: /^[\w+=,.@-]{1,64}$/, format: "an IAM role name" }), "DatadogIntegrationRole"),
      path: withDefault(str({ pattern: /^\/([\x21-\x7e]{0,510}\/)?$/, format: "an IAM path such as / or /datadog/" }), "/"),
      permissionsBoundaryArn: optional(str({ pattern: /^arn:aws(-us-gov|-cn)?:iam::(\d{12}|aws):policy\/[\w+=,.@/-]+$/, format: "an IAM policy ARN" })),
      securityAudit: withDefault(bool().describe("Attach the AWS-managed SecurityAudit policy."), true),
    }),
    { create: true, name: "DatadogIntegrationRole", path: "/", securityAudit: true },
  ),
  regions: optional(awsRegionList.describe("Regions Datadog collects from. Default: all regions.")),
  accountTags: withDefault(arr(datadogTag, { unique: true }), []),
  metrics: withDefault(
    obj({
      enabled: withDefault(bool(), true),
      automute: withDefault(bool(), true),
      collectCloudwatchAlarms: withDefault(bool(), false),
      collectCustomMetrics: withDefault(bool(), false),
      excludeNamespaces: optional(arr(str({ pattern: /^[A-Za-z0-9/_.-]+$/, format: "a CloudWatch namespace such as AWS/SQS" }), { unique: true }).describe("Default: AWS/SQS, AWS/ElasticMapReduce, AWS/Usage.")),
      includeNamespaces: optional(arr(str({ pattern: /^[A-Za-z0-9/_.-]+$/, format: "a CloudWatch namespace such as AWS/EKS" }), { minItems: 1, unique: true })),
    }).refine((m, path, ctx) => {
      if (m.excludeNamespaces !== undefined && m.includeNamespaces !== undefined) {
        ctx.issue(`${path}.includeNamespaces`, m.includeNamespaces, "absent when excludeNamespaces is set (choose one)");
      }
    }),
    { enabled: true, automute: true, collectCloudwatchAlarms: false, collectCustomMetrics: false },
  ),
  resources: withDefault(
    obj({
      extendedCollection: withDefault(bool(), true),
      cspmCollection: withDefault(bool().describe("Cloud Security Posture Management; needs extendedCollection."), false),
    }).refine((r, path, ctx) => {
      if (r.cspmCollection && !r.extendedCollection) ctx.issue(`${path}.cspmCollection`, true, "false when extendedCollection is false (CSPM needs extended resource collection)");
    }),
    { extendedCollection: true, cspmCollection: false },
  ),
  xrayServices: withDefault(arr(str({ pattern: /^[A-Za-z0-9_.:/-]+$/, format: "an X-Ray service name" }), { unique: true }).describe("X-Ray services to collect traces from. Default: none."), []),
});

export const SUBSCRIPTION_FILTERS = ["all", "drop-health-checks", "drop-health-checks-and-system-reads", "custom"] as const;

export const forwarderSection = obj({
  version: withDefault(
    str({ pattern: /^\d+\.\d+\.\d+$/, format: 'a released Forwarder version such as "5.4.14" (never "latest")' }).describe("Pinned Datadog Forwarder release; read its CHANGELOG before changing."),
    "5.4.14",
  ),
  functionName: withDefault(str({ pattern: /^(?!DatadogForwarder$)[A-Za-z0-9_-]{1,64}$/, format: 'a Lambda function name other than "DatadogForwarder"' }).describe("Never change it once deployed."), "datadog-forwarder"),
  stackName: withDefault(str({ pattern: /^[A-Za-z][A-Za-z0-9-]{0,127}$/, format: "a CloudFormation stack name" }), "datadog-forwarder"),
  apiKeySecretArns: withDefault(
    record(regionCode, str({ pattern: /^arn:aws(-us-gov|-cn)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, format: "a Secrets Manager secret ARN" })).describe(
      "Existing plaintext secrets holding the Datadog API key, by region. Regions not listed get a secret created by the stack, whose value comes from the variable datadog_api_key (TF_VAR_datadog_api_key), needed by both terraform plan and terraform apply.",
    ),
    {},
  ),
  apiKeySecretWriteOnly: withDefault(
    bool().describe("Store the key of a created secret with secret_string_wo from an ephemeral variable, so it never enters a saved plan or Terraform state (Terraform >= 1.11). false: secret_string from a sensitive variable: the saved plan and the state then hold the key."),
    true,
  ),
  memorySizeMiB: optional(int({ minimum: 128, maximum: 3008 })),
  timeoutSeconds: optional(int({ minimum: 1, maximum: 900 })),
  reservedConcurrency: optional(int({ minimum: 0, maximum: 10000 }).describe("Datadog recommends at least 10.")),
  logRetentionInDays: withDefault(int({ enum: LOG_RETENTION_DAYS }).describe("Retention of the Forwarder's own log group."), 90),
  tags: withDefault(arr(datadogTag, { unique: true }).describe("Extra Datadog tags on every forwarded log (DdTags), besides env:<environment>."), []),
  subscription: withDefault(
    obj({
      filterName: withDefault(str({ pattern: /^[^:*]{1,512}$/, format: "a subscription filter name (no : or *)" }), "datadog-forwarder-eks-audit"),
      filter: withDefault(literal(SUBSCRIPTION_FILTERS).describe("Which audit events to send; see the README for what each preset drops."), "all"),
      pattern: optional(str({ minLength: 1, maxLength: 1024, format: "a CloudWatch Logs filter pattern" }).describe("Only with filter: custom.")),
      filtersPerLogGroup: withDefault(int({ minimum: 1, maximum: 5 }).describe("CloudWatch's quota of subscription filters per log group (AWS documents 2)."), 2),
      grantInvokePermission: withDefault(bool().describe("Add an explicit aws_lambda_permission per log group (the Datadog template already grants it)."), false),
    }).refine((s, path, ctx) => {
      if (s.filter === "custom" && s.pattern === undefined) ctx.issue(`${path}.pattern`, undefined, "a CloudWatch Logs filter pattern (required when filter is custom)");
      if (s.filter !== "custom" && s.pattern !== undefined) ctx.issue(`${path}.pattern`, s.pattern, "absent unless filter is custom");
    }),
    { filterName: "datadog-forwarder-eks-audit", filter: "all" as const, filtersPerLogGroup: 2, grantInvokePermission: false },
  ),
});

export const EXCLUSION_PRESET_NAMES = ["health-endpoints", "system-read-only"] as const;
const sampleRate = withDefault(num({ minimum: 0, maximum: 1 }).describe("Share of matching logs excluded from the index (1 = all)."), 1);

export const logExplorerSection = obj({
  index: optional(
    obj({
      create: withDefault(bool().describe("Create a dedicated index for this environment's audit logs. Read the README's index section first (Cloud SIEM Standalone)."), true),
      name: optional(str({ pattern: /^[a-z][a-z0-9-]{0,99}$/, format: "a Datadog index name (lowercase letters, digits, hyphens)" }).describe("Default: eks-audit-<environment>.")),
      existing: optional(str({ pattern: /^[a-z][a-z0-9-]{0,99}$/, format: "an existing Datadog index name" }).describe("Search this index instead (with create: false).")),
      retentionInDays: withDefault(int({ enum: [3, 7, 15, 30, 45, 60, 90, 180, 360] }), 15),
      dailyLimit: optional(int({ minimum: 1 })),
      preventDestroy: withDefault(bool(), true),
      exclusionPresets: withDefault(arr(obj({ preset: required(literal(EXCLUSION_PRESET_NAMES)), sampleRate }), { unique: true }), []),
      exclusionFilters: withDefault(
        arr(
          obj({
            name: required(str({ minLength: 1, maxLength: 100, format: "a filter name" })),
            query: required(str({ minLength: 1, maxLength: 2000, format: "a Datadog log query" })),
            sampleRate,
            enabled: withDefault(bool(), true),
          }),
        ),
        [],
      ),
      order: optional(arr(str({ pattern: /^[a-z][a-z0-9-]{0,99}$/, format: "a Datadog index name" }), { minItems: 1, unique: true }).describe("Manage the WHOLE index order of the Datadog org (one environment per org).")),
    }),
  ),
  integrationPipelineId: optional(str({ pattern: /^[A-Za-z0-9_-]{1,64}$/, format: "a Datadog pipeline ID" }).describe("Adopt (import) the kubernetes.audit integration pipeline and keep it enabled.")),
  dashboard: withDefault(bool().describe('The "EKS audit — <environment>" dashboard.'), true),
  healthMonitor: withDefault(
    obj({
      enabled: withDefault(bool(), true),
      silenceMinutes: withDefault(int({ minimum: 5, maximum: 2880 }).describe("Alert when a cluster sends no audit log for this long."), 30),
      tags: withDefault(arr(datadogTag, { unique: true }), []),
    }),
    { enabled: true, silenceMinutes: 30, tags: [] },
  ),
});
