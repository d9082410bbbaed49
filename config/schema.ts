/**
 * The config file's schema: the single source of truth for validation (`config/load.ts`) and for the generated
 * JSON Schema (`config/eks-audit-siem.schema.json`, `npm run schema`).
 */
import {
  ALL_REGIONS,
  CLUSTER_LOG_TYPES,
  DEFAULT_LOG_RETENTION_IN_DAYS,
  EKS_CLUSTER_NAME,
  EKS_CLUSTER_NAME_ALLOWED,
  IAM_ROLE_ARN,
  IAM_ROLE_ARN_ALLOWED,
  KMS_KEY_ARN,
  KMS_KEY_ARN_ALLOWED,
  LOG_RETENTION_DAYS,
  PARTITIONS,
  REGIONS_BY_PARTITION,
  partitionOfRegion,
} from "../lib/aws";
import { DATADOG_SITES } from "../lib/datadog-sites";
import { POLICY_RULE_IDS } from "../lib/policy/rule-ids";
import { policySuppressionProblems } from "../lib/policy/suppressions";
import { integrationPartitionProblems } from "../modules/datadog-aws-integration/datadog-aws-integration";
import { subscriptionFilterSlotProblems } from "../modules/datadog-forwarder/datadog-forwarder";
import { eksEndpointProblems } from "../modules/eks-audit-logging/eks-audit-logging";
import { indexModeProblems } from "../modules/log-explorer/validation";
import { cloudSiemSection, notificationHandle } from "./schema-cloud-siem";
import { forwarderSection, integrationSection, logExplorerSection } from "./schema-datadog";
import {
  Context,
  absent,
  configNames,
  Infer,
  arr,
  bool,
  int,
  join,
  literal,
  obj,
  optional,
  record,
  required,
  str,
  taggedUnion,
  valid,
  withDefault,
  withSectionDefault,
  whole,
} from "./dsl";

const accountId = str({ pattern: /^[0-9]{12}$/, format: "a 12-digit AWS account ID in quotes" });
const region = literal(ALL_REGIONS).describe("AWS region code, e.g. us-east-1.");
const kmsKeyArn = str({ pattern: KMS_KEY_ARN, format: KMS_KEY_ARN_ALLOWED });
/** A path that stays inside the project folder: relative (no leading `/` or `\`, no drive letter) with no `..` segment. */
const relativePath = str({
  pattern: /^(?![/\\])(?![A-Za-z]:)(?!(?:.*[/\\])?\.\.(?:[/\\]|$))[^\0]+$/,
  format: "a relative path inside the project folder (no leading / or drive letter, no .. segment)",
});

const tagKey = str({ pattern: /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+@-]{1,128}$/u, format: "an AWS tag key (1-128 characters, not starting with aws:)" });
const tagValue = str({ pattern: /^[\p{L}\p{Z}\p{N}_.:/=+@-]{0,256}$/u, format: "an AWS tag value (0-256 characters)" });

const localBackend = obj({
  type: required(literal(["local"])),
  path: optional(relativePath.describe("State file path, relative to the project folder. Default: terraform.<environment>.tfstate.")),
});

const s3Backend = obj({
  type: required(literal(["s3"])),
  bucket: required(str({ pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, format: "an S3 bucket name" })),
  key: optional(
    str({ pattern: /^[^/].{0,1023}$/, format: "an S3 object key not starting with /" }).describe("Default: eks-audit-siem/<environment>.tfstate."),
  ),
  region: required(region),
  encrypt: withDefault(bool(), true),
  useLockfile: withDefault(bool().describe("S3-native state locking (Terraform >= 1.10)."), true),
  dynamodbTable: optional(str({ pattern: /^[A-Za-z0-9_.-]{3,255}$/, format: "a DynamoDB table name" }).describe("Legacy DynamoDB state locking.")),
});

/** The fields of a cluster of one mode, in the documented order; `modeFields` are the mode's own. */
function clusterFields<M extends string, R, S, K>(mode: M, modeFields: { roleArn: R; subnetIds: S; kubernetesVersion: K }) {
  return {
    name: required(str({ pattern: EKS_CLUSTER_NAME, format: EKS_CLUSTER_NAME_ALLOWED })),
    region: optional(region.describe("Region of the cluster. Default: the environment's aws.region.")),
    mode: required(literal([mode]).describe("new: this stack creates the cluster; existing: adopt a cluster to turn on audit logging only.")),
    additionalLogTypes: withDefault(
      arr(literal(CLUSTER_LOG_TYPES.filter((t) => t !== "audit")), { unique: true }).describe(
        "Control-plane log types to enable besides audit (which is always on). For an existing cluster, list every type already on, or the first apply turns it off.",
      ),
      [],
    ),
    logRetentionInDays: withDefault(
      int({ enum: LOG_RETENTION_DAYS }).describe("CloudWatch retention of the audit log group. 0 (never expire) is not allowed."),
      DEFAULT_LOG_RETENTION_IN_DAYS,
    ),
    kmsKeyArn: optional(kmsKeyArn.describe("KMS key to encrypt the log group; its key policy must allow logs.<region>.amazonaws.com.")),
    logGroupExists: withDefault(
      bool().describe(
        "existing mode only: the /aws/eks/<name>/cluster log group already exists (logging was on before) and is imported; false: it is created.",
      ),
      false,
    ),
    preventDestroy: withDefault(bool().describe("new mode only: lifecycle.prevent_destroy on the cluster. Adopted clusters always have it."), true),
    roleArn: modeFields.roleArn,
    subnetIds: modeFields.subnetIds,
    securityGroupIds: withDefault(
      arr(str({ pattern: /^sg-[0-9a-f]{8,17}$/, format: "a security group ID (sg-...)" }), { maxItems: 5, unique: true }),
      [],
    ),
    kubernetesVersion: modeFields.kubernetesVersion,
    endpointPrivateAccess: withDefault(bool(), true),
    endpointPublicAccess: withDefault(bool(), false),
    publicAccessCidrs: withDefault(arr(str({ pattern: /^([0-9]{1,3}\.){3}[0-9]{1,3}\/[0-9]{1,2}$/, format: "an IPv4 CIDR" }), { unique: true }), []),
    authenticationMode: withDefault(literal(["API", "API_AND_CONFIG_MAP", "CONFIG_MAP"]), "API_AND_CONFIG_MAP"),
    existingSubscriptionFilters: withDefault(
      int({ minimum: 0, maximum: 4 }).describe(
        "Subscription filters other tools already put on this cluster's log group (they count toward CloudWatch's limit).",
      ),
      0,
    ),
  };
}

const roleArn = str({ pattern: IAM_ROLE_ARN, format: IAM_ROLE_ARN_ALLOWED });
const subnetIds = arr(str({ pattern: /^subnet-[0-9a-f]{8,17}$/, format: "a subnet ID (subnet-...)" }), { minItems: 2, maxItems: 16, unique: true });
const kubernetesVersion = str({ pattern: /^1\.[0-9]{2}$/, format: 'a Kubernetes minor version such as "1.33"' });
const NOT_ADOPTED = "absent when mode is existing (an adopted cluster's settings are never changed)";

/** A cluster: `mode: new` (this stack creates it: role and subnets required) or `mode: existing` (adopted for logging only). */
const cluster = taggedUnion("mode", {
  new: obj(
    clusterFields("new", {
      roleArn: required(roleArn.describe("The cluster service role.")),
      subnetIds: required(subnetIds),
      kubernetesVersion: optional(kubernetesVersion.describe("Default: EKS's default version.")),
    }),
  ),
  existing: obj(clusterFields("existing", { roleArn: absent(NOT_ADOPTED), subnetIds: absent(NOT_ADOPTED), kubernetesVersion: absent(NOT_ADOPTED) })),
});

/** One organisation-policy finding excused in this environment, by the Terraform address the finding names. */
const policySuppression = obj({
  rule: required(literal(POLICY_RULE_IDS).describe("The policy rule to suppress (lib/policy).")),
  address: required(
    str({
      pattern: /^(data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*$/,
      format: "a Terraform address as the finding names it, e.g. aws_cloudwatch_log_group.audit_log_group_checkout-us",
      maxLength: 512,
    }).describe("The resource or data source the suppression covers, as the policy finding names it."),
  ),
  reason: required(str({ maxLength: 1000 }).describe("Why it may break the rule, in words a reviewer can check (at least 10 characters).")),
}).refine((suppression, path, ctx) => ctx.addAll(policySuppressionProblems(suppression, suppression.address), path));

const environment = obj({
  name: required(
    str({ pattern: /^[a-z][a-z0-9-]{0,30}$/, format: "a lowercase name of 1-31 letters, digits and hyphens, starting with a letter" }).describe(
      "Environment name; also the cdktf stack name.",
    ),
  ),
  aws: required(
    obj({
      accountId: required(accountId),
      partition: withDefault(literal(PARTITIONS), "aws"),
      region: required(region.describe("Primary region: the default AWS provider, and the default region of clusters.")),
    }),
  ),
  datadog: required(
    obj({
      site: required(literal(DATADOG_SITES).describe("Datadog site of the organization, e.g. datadoghq.com or datadoghq.eu.")),
      integration: withSectionDefault(integrationSection),
      forwarder: withSectionDefault(forwarderSection),
    }),
  ),
  backend: withDefault(taggedUnion("type", { local: localBackend, s3: s3Backend }).describe("Terraform state backend. Default: local."), {
    type: "local" as const,
  }),
  tags: withDefault(record(tagKey, tagValue, 50).describe("Tags on every AWS resource this stack creates (provider default_tags)."), {}),
  clusters: required(arr(cluster, { minItems: 1 })),
  notificationTargets: withDefault(
    arr(notificationHandle, { unique: true }).describe(
      "Who hears about this environment's pipeline-health alerts (and, unless cloudSiem says otherwise, its signals).",
    ),
    [],
  ),
  logExplorer: withSectionDefault(logExplorerSection),
  cloudSiem: withSectionDefault(cloudSiemSection),
  policySuppressions: withDefault(
    arr(policySuppression, { maxItems: 100 }).describe(
      "Organisation-policy findings this environment excuses, each with a written reason (the stack's policy aspects skip them).",
    ),
    [],
  ),
}).refineLoose((loose, path, ctx) => {
  // Runs in the same pass as the checks of the fields: each check below runs when its own inputs are valid.
  if (!valid(loose)) return;
  const clusters = valid(loose.clusters) ? loose.clusters.map((c) => whole(c)) : [];
  clusters.forEach((c, i) => c !== undefined && checkClusterAlone(c, join(join(path, "clusters"), i), ctx));
  const seen = new Map<string, number>();
  clusters.forEach((c, i) => {
    if (c === undefined) return;
    const first = seen.get(c.name);
    const cp = join(join(path, "clusters"), i);
    if (first !== undefined)
      ctx.add(join(cp, "name"), c.name, `a name not already used in this environment (it repeats ${join(join(path, "clusters"), first)}.name)`);
    seen.set(c.name, i);
  });
  const forwarder = valid(loose.datadog) ? whole(loose.datadog.forwarder) : undefined;
  if (forwarder !== undefined) {
    const names = configNames({
      existingSubscriptionFilterCount: "existingSubscriptionFilters",
      subscriptionFiltersPerLogGroup: "datadog.forwarder.subscription.filtersPerLogGroup",
    });
    clusters.forEach((c, i) => {
      if (c === undefined) return;
      const props = {
        existingSubscriptionFilterCount: c.existingSubscriptionFilters,
        subscriptionFiltersPerLogGroup: forwarder.subscription.filtersPerLogGroup,
      };
      ctx.addAll(subscriptionFilterSlotProblems(props, names), join(join(path, "clusters"), i));
    });
  }
  const backend = whole(loose.backend);
  if (backend?.type === "s3" && backend.dynamodbTable !== undefined && backend.useLockfile) {
    ctx.add(join(join(path, "backend"), "dynamodbTable"), backend.dynamodbTable, "absent when useLockfile is true (choose one locking method)");
  }
  const logExplorer = whole(loose.logExplorer);
  if (logExplorer !== undefined) checkLogExplorerIndex(logExplorer, path, ctx);
  const integration = valid(loose.datadog) ? whole(loose.datadog.integration) : undefined;

  // What needs the account: partition, regions, account ID.
  const aws = whole(loose.aws);
  if (aws === undefined) return;
  const partitionRegions = REGIONS_BY_PARTITION[aws.partition];
  const checkRegion = (p: string, r: string): void => {
    if (!partitionRegions.includes(r)) ctx.add(p, r, `a region of partition ${aws.partition} (${partitionRegions.join(", ")})`);
  };
  checkRegion(join(join(path, "aws"), "region"), aws.region);
  // The site, the partition and the integration's regions: the integration module's rule, in the config's names.
  const site = valid(loose.datadog) && valid(loose.datadog.site) ? loose.datadog.site : undefined;
  if (site !== undefined) {
    const names = configNames({ datadogSite: "datadog.site", awsPartition: "aws.partition", regions: "datadog.integration.regions" });
    const props = { datadogSite: site, awsPartition: aws.partition, regions: integration?.regions };
    ctx.addAll(integrationPartitionProblems(props, names), path);
  }
  if (backend?.type === "s3" && partitionOfRegion(backend.region) !== aws.partition)
    checkRegion(join(join(path, "backend"), "region"), backend.region);
  clusters.forEach((c, i) => {
    if (c === undefined) return;
    const cp = join(join(path, "clusters"), i);
    const clusterRegion = c.region ?? aws.region;
    if (c.region !== undefined) checkRegion(join(cp, "region"), c.region);
    if (c.kmsKeyArn !== undefined) {
      const [, , , keyRegion, keyAccount] = c.kmsKeyArn.split(":");
      if (keyRegion !== clusterRegion || keyAccount !== aws.accountId) {
        ctx.add(join(cp, "kmsKeyArn"), c.kmsKeyArn, `a KMS key in the cluster's account ${aws.accountId} and region ${clusterRegion}`);
      }
    }
    for (const arn of [c.roleArn, c.kmsKeyArn]) {
      if (arn !== undefined && arn.split(":")[1] !== aws.partition) {
        ctx.add(join(cp, arn === c.roleArn ? "roleArn" : "kmsKeyArn"), arn, `an ARN in partition ${aws.partition}`);
      }
    }
  });
  // The API-key secrets need every cluster's region: skipped while a cluster is invalid.
  const validClusters = clusters.filter((c) => c !== undefined);
  if (forwarder !== undefined && validClusters.length === clusters.length) {
    const clusterRegions = new Set(validClusters.map((c) => c.region ?? aws.region));
    const fp = join(join(join(path, "datadog"), "forwarder"), "apiKeySecretArns");
    for (const [region, arn] of Object.entries(forwarder.apiKeySecretArns)) {
      const [, partition, , arnRegion, account] = arn.split(":");
      if (!clusterRegions.has(region))
        ctx.add(join(fp, region), arn, `a region with clusters in this environment (${[...clusterRegions].join(", ")})`);
      else if (arnRegion !== region || account !== aws.accountId || partition !== aws.partition) {
        ctx.add(
          join(fp, region),
          arn,
          `a secret in account ${aws.accountId}, region ${region}, partition ${aws.partition} (a forwarder reads its key in its own region)`,
        );
      }
    }
  }
});

/** The checks of one cluster that need nothing but the cluster. */
function checkClusterAlone(c: Infer<typeof cluster>, cp: string, ctx: Context): void {
  if (c.mode !== "new") return;
  if (c.logGroupExists)
    ctx.add(join(cp, "logGroupExists"), true, "false or absent when mode is new (the stack creates the log group before the cluster)");
  // The endpoint rules are the EKS module's (the config's names are the props names).
  ctx.addAll(eksEndpointProblems(c), cp);
}

/** The index modes: the Log Explorer module's rule, in the config's names. */
function checkLogExplorerIndex(logExplorer: Infer<typeof logExplorerSection>, path: string, ctx: Context): void {
  const index = logExplorer.index;
  if (index === undefined) return;
  const props = {
    createIndex: index.create,
    existingIndexName: index.existing,
    indexName: index.name,
    indexExclusionPresets: index.exclusionPresets,
    indexExclusionFilters: index.exclusionFilters,
  };
  const names = configNames({
    createIndex: "create",
    existingIndexName: "existing",
    indexName: "name",
    indexExclusionPresets: "exclusionPresets",
    indexExclusionFilters: "exclusionFilters",
  });
  ctx.addAll(indexModeProblems(props, names), join(join(path, "logExplorer"), "index"));
}

export const configSchema = obj({
  environments: required(arr(environment, { minItems: 1 })),
}).refineLoose((config, path, ctx) => {
  // Runs in the same pass as every other check: an environment or cluster whose own fields are invalid is skipped
  // here, the others are compared.
  if (!valid(config) || !valid(config.environments)) return;
  const names = new Map<string, number>();
  const clusters = new Map<string, { env: number; at: string }>();
  config.environments.forEach((env, i) => {
    if (!valid(env)) return;
    const ep = join(join(path, "environments"), i);
    if (valid(env.name)) {
      const first = names.get(env.name);
      if (first !== undefined) ctx.add(join(ep, "name"), env.name, `a name not already used (it repeats environments[${first}].name)`);
      names.set(env.name, i);
    }
    if (!valid(env.aws) || !valid(env.aws.accountId) || !valid(env.aws.region) || !valid(env.clusters)) return;
    const { accountId, region: primaryRegion } = env.aws;
    env.clusters.forEach((c, j) => {
      if (!valid(c) || !valid(c.name) || !valid(c.region)) return;
      const region = c.region ?? primaryRegion;
      const key = `${accountId}/${region}/${c.name}`;
      const owner = clusters.get(key);
      const here = join(join(ep, "clusters"), j);
      // A repeat inside one environment is that environment's own check.
      if (owner !== undefined && owner.env !== i) {
        ctx.add(
          join(here, "name"),
          c.name,
          `a cluster no other environment manages (account ${accountId}, region ${region} is already managed at ${owner.at})`,
        );
      }
      if (owner === undefined) clusters.set(key, { env: i, at: here });
    });
  });
});

export type AppConfig = Infer<typeof configSchema>;
export type EnvironmentConfig = AppConfig["environments"][number];
export type ClusterConfig = EnvironmentConfig["clusters"][number];
