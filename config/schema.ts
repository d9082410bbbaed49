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
import { DATADOG_SITES, GOVERNMENT_SITES } from "../lib/datadog-sites";
import { cloudSiemSection, notificationHandle } from "./schema-cloud-siem";
import { forwarderSection, integrationSection, logExplorerSection } from "./schema-datadog";
import {
  Context,
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
  absent,
} from "./dsl";

const accountId = str({ pattern: /^[0-9]{12}$/, format: "a 12-digit AWS account ID in quotes" });
const region = literal(ALL_REGIONS).describe("AWS region code, e.g. us-east-1.");
const kmsKeyArn = str({ pattern: KMS_KEY_ARN, format: KMS_KEY_ARN_ALLOWED });
const relativePath = str({
  pattern: /^(?![/\\])(?![A-Za-z]:)[^\0]+$/,
  format: "a relative path (relative to the project folder)",
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
  key: optional(str({ pattern: /^[^/].{0,1023}$/, format: "an S3 object key not starting with /" }).describe("Default: eks-audit-siem/<environment>.tfstate.")),
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
      bool().describe("existing mode only: the /aws/eks/<name>/cluster log group already exists (logging was on before) and is imported; false: it is created."),
      false,
    ),
    preventDestroy: withDefault(bool().describe("new mode only: lifecycle.prevent_destroy on the cluster. Adopted clusters always have it."), true),
    roleArn: modeFields.roleArn,
    subnetIds: modeFields.subnetIds,
    securityGroupIds: withDefault(arr(str({ pattern: /^sg-[0-9a-f]{8,17}$/, format: "a security group ID (sg-...)" }), { maxItems: 5, unique: true }), []),
    kubernetesVersion: modeFields.kubernetesVersion,
    endpointPrivateAccess: withDefault(bool(), true),
    endpointPublicAccess: withDefault(bool(), false),
    publicAccessCidrs: withDefault(arr(str({ pattern: /^([0-9]{1,3}\.){3}[0-9]{1,3}\/[0-9]{1,2}$/, format: "an IPv4 CIDR" }), { unique: true }), []),
    authenticationMode: withDefault(literal(["API", "API_AND_CONFIG_MAP", "CONFIG_MAP"]), "API_AND_CONFIG_MAP"),
    existingSubscriptionFilters: withDefault(
      int({ minimum: 0, maximum: 4 }).describe("Subscription filters other tools already put on this cluster's log group (they count toward CloudWatch's limit)."),
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
    arr(notificationHandle, { unique: true }).describe("Who hears about this environment's pipeline-health alerts (and, unless cloudSiem says otherwise, its signals)."),
    [],
  ),
  logExplorer: withSectionDefault(logExplorerSection),
  cloudSiem: withSectionDefault(cloudSiemSection),
}).refine((env, path, ctx) => {
  const partitionRegions = REGIONS_BY_PARTITION[env.aws.partition];
  const checkRegion = (p: string, r: string): void => {
    if (!partitionRegions.includes(r)) {
      ctx.issue(p, r, `a region of partition ${env.aws.partition} (${partitionRegions.join(", ")})`);
    }
  };
  checkRegion(join(join(path, "aws"), "region"), env.aws.region);
  if (env.aws.partition === "aws-cn") {
    ctx.issue(join(join(path, "aws"), "partition"), env.aws.partition, "aws or aws-us-gov (the Datadog AWS integration and Forwarder do not serve aws-cn)");
  }
  const gov = GOVERNMENT_SITES.includes(env.datadog.site);
  if (env.aws.partition === "aws-us-gov" && !gov) {
    ctx.issue(join(join(path, "datadog"), "site"), env.datadog.site, `a Datadog for Government site for partition aws-us-gov (${GOVERNMENT_SITES.join(", ")})`);
  }
  if (env.backend.type === "s3") {
    const backendRegion = env.backend.region;
    if (partitionOfRegion(backendRegion) !== env.aws.partition) checkRegion(join(join(path, "backend"), "region"), backendRegion);
    if (env.backend.dynamodbTable !== undefined && env.backend.useLockfile) {
      ctx.issue(join(join(path, "backend"), "dynamodbTable"), env.backend.dynamodbTable, "absent when useLockfile is true (choose one locking method)");
    }
  }
  checkDatadogSections(env, path, ctx, partitionRegions);
  const seen = new Map<string, number>();
  env.clusters.forEach((c, i) => {
    const cp = join(join(path, "clusters"), i);
    const first = seen.get(c.name);
    if (first !== undefined) ctx.issue(join(cp, "name"), c.name, `a name not already used in this environment (it repeats ${join(join(path, "clusters"), first)}.name)`);
    seen.set(c.name, i);
    const clusterRegion = c.region ?? env.aws.region;
    const slots = env.datadog.forwarder.subscription.filtersPerLogGroup;
    if (c.existingSubscriptionFilters + 1 > slots) {
      ctx.issue(
        join(cp, "existingSubscriptionFilters"),
        c.existingSubscriptionFilters,
        `at most ${slots - 1} (CloudWatch allows ${slots} subscription filters per log group and this stack adds one; raise datadog.forwarder.subscription.filtersPerLogGroup only if your account's quota is higher)`,
      );
    }
    if (c.region !== undefined) checkRegion(join(cp, "region"), c.region);
    if (c.kmsKeyArn !== undefined) {
      const [, , , keyRegion, keyAccount] = c.kmsKeyArn.split(":");
      if (keyRegion !== clusterRegion || keyAccount !== env.aws.accountId) {
        ctx.issue(join(cp, "kmsKeyArn"), c.kmsKeyArn, `a KMS key in the cluster's account ${env.aws.accountId} and region ${clusterRegion}`);
      }
    }
    for (const arn of [c.roleArn, c.kmsKeyArn]) {
      if (arn !== undefined && arn.split(":")[1] !== env.aws.partition) {
        ctx.issue(join(cp, arn === c.roleArn ? "roleArn" : "kmsKeyArn"), arn, `an ARN in partition ${env.aws.partition}`);
      }
    }
    if (c.mode === "new") {
      if (c.logGroupExists) ctx.issue(join(cp, "logGroupExists"), true, "false or absent when mode is new (the stack creates the log group before the cluster)");
      if (!c.endpointPrivateAccess && !c.endpointPublicAccess) {
        ctx.issue(join(cp, "endpointPublicAccess"), false, "true when endpointPrivateAccess is false (the API server needs an endpoint)");
      }
      if (c.publicAccessCidrs.length > 0 && !c.endpointPublicAccess) {
        ctx.issue(join(cp, "publicAccessCidrs"), c.publicAccessCidrs, "empty when endpointPublicAccess is false");
      }
    }
  });
});

type EnvironmentValue = { aws: { accountId: string; partition: string; region: string }; clusters: { region?: string }[] } & {
  datadog: { integration: Infer<typeof integrationSection>; forwarder: Infer<typeof forwarderSection> };
  logExplorer: Infer<typeof logExplorerSection>;
};

function checkDatadogSections(env: EnvironmentValue, path: string, ctx: Context, partitionRegions: readonly string[]): void {
  const integration = env.datadog.integration;
  const ip = join(join(path, "datadog"), "integration");
  if (integration.externalId !== undefined && (integration.create || !integration.role.create)) {
    ctx.issue(join(ip, "externalId"), integration.externalId, "absent unless create is false and role.create is true (a new integration generates its own)");
  }
  (integration.regions ?? []).forEach((r, i) => {
    if (!partitionRegions.includes(r)) ctx.issue(join(join(ip, "regions"), i), r, `a region of partition ${env.aws.partition}`);
  });
  const clusterRegions = new Set(env.clusters.map((c) => c.region ?? env.aws.region));
  const fp = join(join(join(path, "datadog"), "forwarder"), "apiKeySecretArns");
  for (const [region, arn] of Object.entries(env.datadog.forwarder.apiKeySecretArns)) {
    const [, partition, , arnRegion, account] = arn.split(":");
    if (!clusterRegions.has(region)) ctx.issue(join(fp, region), arn, `a region with clusters in this environment (${[...clusterRegions].join(", ")})`);
    else if (arnRegion !== region || account !== env.aws.accountId || partition !== env.aws.partition) {
      ctx.issue(join(fp, region), arn, `a secret in account ${env.aws.accountId}, region ${region}, partition ${env.aws.partition} (a forwarder reads its key in its own region)`);
    }
  }
  const index = env.logExplorer.index;
  const xp = join(join(path, "logExplorer"), "index");
  if (index !== undefined) {
    if (index.create && index.existing !== undefined) ctx.issue(join(xp, "existing"), index.existing, "absent when create is true");
    if (!index.create && index.name !== undefined) ctx.issue(join(xp, "name"), index.name, "absent when create is false (use existing)");
    if (!index.create && (index.exclusionPresets.length > 0 || index.exclusionFilters.length > 0)) {
      ctx.issue(join(xp, index.exclusionPresets.length > 0 ? "exclusionPresets" : "exclusionFilters"), "(set)", "empty when create is false (an index's exclusion filters belong to the index resource)");
    }
  }
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
      if (first !== undefined) ctx.issue(join(ep, "name"), env.name, `a name not already used (it repeats environments[${first}].name)`);
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
        ctx.issue(join(here, "name"), c.name, `a cluster no other environment manages (account ${accountId}, region ${region} is already managed at ${owner.at})`);
      }
      if (owner === undefined) clusters.set(key, { env: i, at: here });
    });
  });
});

export type AppConfig = Infer<typeof configSchema>;
export type EnvironmentConfig = AppConfig["environments"][number];
export type ClusterConfig = EnvironmentConfig["clusters"][number];
