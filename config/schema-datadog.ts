/**
 * Config sections of the ingestion path (Datadog AWS integration, Forwarder) and Log Explorer.
 * Patterns, ranges and defaults are imported from the modules that own them (and lib/aws.ts), so the config and the
 * constructs cannot disagree; a rule between fields that a construct states too is the module's, called here with
 * the config's field names (lib/problem.ts `FieldNames`).
 */
import { DATADOG_TAG, DATADOG_TAG_ALLOWED } from "../lib/datadog-tags";
import {
  AWS_REGION_CODE,
  DEFAULT_LOG_RETENTION_IN_DAYS,
  IAM_PATH,
  IAM_PATH_ALLOWED,
  IAM_POLICY_ARN,
  IAM_POLICY_ARN_ALLOWED,
  IAM_ROLE_NAME,
  IAM_ROLE_NAME_ALLOWED,
  LOG_RETENTION_DAYS,
  SECRETS_MANAGER_SECRET_ARN,
  SECRETS_MANAGER_SECRET_ARN_ALLOWED,
} from "../lib/aws";
import {
  DATADOG_DEFAULT_EXCLUDED_NAMESPACES,
  DATADOG_INTEGRATION_DEFAULT_ROLE_NAME,
  DATADOG_INTEGRATION_DEFAULT_ROLE_PATH,
  integrationChoiceProblems,
} from "../modules/datadog-aws-integration/datadog-aws-integration";
import {
  AUDIT_LOG_FILTER_NAMES,
  DEFAULT_SUBSCRIPTION_FILTERS_PER_LOG_GROUP,
  DEFAULT_SUBSCRIPTION_FILTER_NAME,
  FILTER_PATTERN_MAX_LENGTH,
  auditLogFilterProblems,
  SUBSCRIPTION_FILTER_NAME,
  SUBSCRIPTION_FILTER_NAME_ALLOWED,
} from "../modules/datadog-forwarder/filter-patterns";
import {
  CLOUDFORMATION_STACK_NAME,
  CLOUDFORMATION_STACK_NAME_ALLOWED,
  DATADOG_FORWARDER_DEFAULT_NAME,
  DATADOG_FORWARDER_DEFAULT_VERSION,
  FORWARDER_FUNCTION_NAME,
  FORWARDER_FUNCTION_NAME_ALLOWED,
  FORWARDER_MEMORY_SIZE_MIB,
  FORWARDER_TIMEOUT_SECONDS,
  TEMPLATE_BASE_URL,
  TEMPLATE_BASE_URL_ALLOWED,
} from "../modules/datadog-forwarder/forwarder-template";
import { EXCLUSION_PRESET_NAMES } from "../modules/log-explorer/queries";
import {
  DEFAULT_AUDIT_LOG_SILENCE_IN_MINUTES,
  DEFAULT_INDEX_RETENTION_IN_DAYS,
  INDEX_NAME,
  INDEX_RETENTION_DAYS,
  PIPELINE_ID,
  SILENCE_MINUTES_MAX,
  SILENCE_MINUTES_MIN,
} from "../modules/log-explorer/validation";
import { arr, bool, configNames, int, literal, num, obj, optional, record, required, str, withDefault, withSectionDefault } from "./dsl";

/** A Datadog tag as this project writes them: lowercase `key:value`. Shared by every config section. */
export const datadogTag = str({ pattern: DATADOG_TAG, format: DATADOG_TAG_ALLOWED });
const regionCode = str({ pattern: AWS_REGION_CODE, format: "an AWS region code" });
const awsRegionList = arr(regionCode, { minItems: 1, unique: true });

/** The integration props the config sets, by their names in the `datadog.integration` section. */
const INTEGRATION_CONFIG_NAMES: Readonly<Record<string, string>> = {
  externalId: "externalId",
  createIntegration: "create",
  createRole: "role.create",
  rolePermissionsBoundaryArn: "role.permissionsBoundaryArn",
  metricsExcludeOnlyNamespaces: "metrics.excludeNamespaces",
  metricsIncludeOnlyNamespaces: "metrics.includeNamespaces",
  resourcesCspmCollection: "resources.cspmCollection",
  resourcesExtendedCollection: "resources.extendedCollection",
};

export const integrationSection = obj({
  create: withDefault(bool().describe("false: the integration already exists in Datadog; only the role (if asked) is created."), true),
  externalId: optional(
    str({ pattern: /^[A-Za-z0-9]{16,64}$/, format: "the integration's external ID" }).describe(
      "Only with create: false and role.create: true. Default: read with the datadog_integration_aws_external_id data source.",
    ),
  ),
  role: withSectionDefault(
    obj({
      create: withDefault(bool().describe("false: the role already exists (by name); no role or policies are created."), true),
      name: withDefault(str({ pattern: IAM_ROLE_NAME, format: IAM_ROLE_NAME_ALLOWED }), DATADOG_INTEGRATION_DEFAULT_ROLE_NAME),
      path: withDefault(str({ pattern: IAM_PATH, format: IAM_PATH_ALLOWED }), DATADOG_INTEGRATION_DEFAULT_ROLE_PATH),
      permissionsBoundaryArn: optional(str({ pattern: IAM_POLICY_ARN, format: IAM_POLICY_ARN_ALLOWED })),
      securityAudit: withDefault(bool().describe("Attach the AWS-managed SecurityAudit policy."), true),
    }),
  ),
  regions: optional(awsRegionList.describe("Regions Datadog collects from. Default: all regions.")),
  accountTags: withDefault(arr(datadogTag, { unique: true }), []),
  metrics: withSectionDefault(
    obj({
      enabled: withDefault(bool(), true),
      automute: withDefault(bool(), true),
      collectCloudwatchAlarms: withDefault(bool(), false),
      collectCustomMetrics: withDefault(bool(), false),
      excludeNamespaces: optional(
        arr(str({ pattern: /^[A-Za-z0-9/_.-]+$/, format: "a CloudWatch namespace such as AWS/SQS" }), { unique: true }).describe(
          `Default: ${DATADOG_DEFAULT_EXCLUDED_NAMESPACES.join(", ")}.`,
        ),
      ),
      includeNamespaces: optional(
        arr(str({ pattern: /^[A-Za-z0-9/_.-]+$/, format: "a CloudWatch namespace such as AWS/EKS" }), { minItems: 1, unique: true }),
      ),
    }),
  ),
  resources: withSectionDefault(
    obj({
      extendedCollection: withDefault(bool(), true),
      cspmCollection: withDefault(bool().describe("Cloud Security Posture Management; needs extendedCollection."), false),
    }),
  ),
  xrayServices: withDefault(
    arr(str({ pattern: /^[A-Za-z0-9_.:/-]+$/, format: "an X-Ray service name" }), { unique: true }).describe(
      "X-Ray services to collect traces from. Default: none.",
    ),
    [],
  ),
}).refine((i, path, ctx) => {
  // The rules between the integration's choices are the module's (stated once there), in this section's names.
  const props = {
    externalId: i.externalId,
    createIntegration: i.create,
    createRole: i.role.create,
    rolePermissionsBoundaryArn: i.role.permissionsBoundaryArn,
    metricsExcludeOnlyNamespaces: i.metrics.excludeNamespaces,
    metricsIncludeOnlyNamespaces: i.metrics.includeNamespaces,
    resourcesCspmCollection: i.resources.cspmCollection,
    resourcesExtendedCollection: i.resources.extendedCollection,
  };
  ctx.addAll(integrationChoiceProblems(props, configNames(INTEGRATION_CONFIG_NAMES)), path);
});

/** The values of `subscription.filter`: {@link AuditLogFilterPattern}'s presets and `custom`. */
export const SUBSCRIPTION_FILTERS = AUDIT_LOG_FILTER_NAMES;

export const forwarderSection = obj({
  version: withDefault(
    str({
      pattern: /^\d+\.\d+\.\d+$/,
      format: `a released Forwarder version such as "${DATADOG_FORWARDER_DEFAULT_VERSION}" (never "latest")`,
    }).describe("Pinned Datadog Forwarder release; read its CHANGELOG before changing."),
    DATADOG_FORWARDER_DEFAULT_VERSION,
  ),
  templateBaseUrl: optional(
    str({ pattern: TEMPLATE_BASE_URL, format: TEMPLATE_BASE_URL_ALLOWED }).describe(
      "Where the pinned template is read from: a copy of Datadog's bucket, for GovCloud or air-gapped accounts that cannot read it. Default: Datadog's public bucket.",
    ),
  ),
  functionName: withDefault(
    str({ pattern: FORWARDER_FUNCTION_NAME, format: FORWARDER_FUNCTION_NAME_ALLOWED }).describe("Never change it once deployed."),
    DATADOG_FORWARDER_DEFAULT_NAME,
  ),
  stackName: withDefault(str({ pattern: CLOUDFORMATION_STACK_NAME, format: CLOUDFORMATION_STACK_NAME_ALLOWED }), DATADOG_FORWARDER_DEFAULT_NAME),
  apiKeySecretArns: withDefault(
    record(regionCode, str({ pattern: SECRETS_MANAGER_SECRET_ARN, format: SECRETS_MANAGER_SECRET_ARN_ALLOWED })).describe(
      "Existing plaintext secrets holding the Datadog API key, by region. Regions not listed get a secret created by the stack, whose value comes from the variable datadog_api_key (TF_VAR_datadog_api_key), needed by both terraform plan and terraform apply.",
    ),
    {},
  ),
  apiKeySecretWriteOnly: withDefault(
    bool().describe(
      "Store the key of a created secret with secret_string_wo from an ephemeral variable, so it never enters a saved plan or Terraform state (Terraform >= 1.11). false: secret_string from a sensitive variable: the saved plan and the state then hold the key.",
    ),
    true,
  ),
  memorySizeMiB: optional(int(FORWARDER_MEMORY_SIZE_MIB)),
  timeoutSeconds: optional(int(FORWARDER_TIMEOUT_SECONDS)),
  reservedConcurrency: optional(int({ minimum: 0, maximum: 10000 }).describe("Datadog recommends at least 10.")),
  logRetentionInDays: withDefault(
    int({ enum: LOG_RETENTION_DAYS }).describe("Retention of the Forwarder's own log group."),
    DEFAULT_LOG_RETENTION_IN_DAYS,
  ),
  tags: withDefault(arr(datadogTag, { unique: true }).describe("Extra Datadog tags on every forwarded log (DdTags), besides env:<environment>."), []),
  subscription: withSectionDefault(
    obj({
      filterName: withDefault(str({ pattern: SUBSCRIPTION_FILTER_NAME, format: SUBSCRIPTION_FILTER_NAME_ALLOWED }), DEFAULT_SUBSCRIPTION_FILTER_NAME),
      filter: withDefault(literal(SUBSCRIPTION_FILTERS).describe("Which audit events to send; see the README for what each preset drops."), "all"),
      pattern: optional(
        str({ minLength: 1, maxLength: FILTER_PATTERN_MAX_LENGTH, format: "a CloudWatch Logs filter pattern" }).describe("Only with filter: custom."),
      ),
      filtersPerLogGroup: withDefault(
        int({ minimum: 1, maximum: 5 }).describe(
          `CloudWatch's quota of subscription filters per log group (AWS documents ${DEFAULT_SUBSCRIPTION_FILTERS_PER_LOG_GROUP}).`,
        ),
        DEFAULT_SUBSCRIPTION_FILTERS_PER_LOG_GROUP,
      ),
      grantInvokePermission: withDefault(
        bool().describe("Add an explicit aws_lambda_permission per log group (the Datadog template already grants it)."),
        false,
      ),
    }).refine((s, path, ctx) => ctx.addAll(auditLogFilterProblems(s.filter, s.pattern), path)),
  ),
});

export { EXCLUSION_PRESET_NAMES };
const sampleRate = withDefault(num({ minimum: 0, maximum: 1 }).describe("Share of matching logs excluded from the index (1 = all)."), 1);

export const logExplorerSection = obj({
  index: optional(
    obj({
      create: withDefault(
        bool().describe("Create a dedicated index for this environment's audit logs. Read the README's index section first (Cloud SIEM Standalone)."),
        true,
      ),
      name: optional(
        str({ pattern: INDEX_NAME, maxLength: 100, format: "a Datadog index name (lowercase letters, digits, hyphens)" }).describe(
          "Default: eks-audit-<environment>.",
        ),
      ),
      existing: optional(
        str({ pattern: INDEX_NAME, maxLength: 100, format: "an existing Datadog index name" }).describe(
          "Search this index instead (with create: false).",
        ),
      ),
      retentionInDays: withDefault(int({ enum: INDEX_RETENTION_DAYS }), DEFAULT_INDEX_RETENTION_IN_DAYS),
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
      order: optional(
        arr(str({ pattern: INDEX_NAME, maxLength: 100, format: "a Datadog index name" }), { minItems: 1, unique: true }).describe(
          "Manage the WHOLE index order of the Datadog org (one environment per org).",
        ),
      ),
    }),
  ),
  integrationPipelineId: optional(
    str({ pattern: PIPELINE_ID, format: "a Datadog pipeline ID" }).describe(
      "Adopt (import) the kubernetes.audit integration pipeline and keep it enabled.",
    ),
  ),
  dashboard: withDefault(bool().describe('The "EKS audit — <environment>" dashboard.'), true),
  healthMonitor: withSectionDefault(
    obj({
      enabled: withDefault(bool(), true),
      silenceMinutes: withDefault(
        int({ minimum: SILENCE_MINUTES_MIN, maximum: SILENCE_MINUTES_MAX }).describe("Alert when a cluster sends no audit log for this long."),
        DEFAULT_AUDIT_LOG_SILENCE_IN_MINUTES,
      ),
      tags: withDefault(arr(datadogTag, { unique: true }), []),
    }),
  ),
});
