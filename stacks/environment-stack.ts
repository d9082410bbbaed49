import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { LocalBackend, S3Backend, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { ClusterConfig, EnvironmentConfig } from "../config/schema";
import { datadogApiUrl } from "../lib/datadog-sites";
import { EksCloudSiem } from "../modules/cloud-siem";
import { DatadogAwsIntegration } from "../modules/datadog-aws-integration";
import { AuditLogFilterPattern, AuditLogGroup, DatadogForwarder, ForwarderApiKey } from "../modules/datadog-forwarder";
import { EksAuditLogging, EksClusterSource } from "../modules/eks-audit-logging";
import { LogExplorer } from "../modules/log-explorer";
import { SiemStack } from "../lib/siem-stack";
import { Problems, throwProblems } from "../lib/problem";
import { elementsByAddress, suppressPolicy } from "../lib/policy/suppressions";

/** The stack variable that carries the Datadog API key into a secret the stack creates (TF_VAR_datadog_api_key). */
export const DATADOG_API_KEY_VARIABLE = "datadog_api_key";

/** The state file of a local backend, relative to the project folder. */
export function defaultLocalStatePath(environment: string): string {
  return `terraform.${environment}.tfstate`;
}

/** Default S3 state key. */
export function defaultS3StateKey(environment: string): string {
  return `eks-audit-siem/${environment}.tfstate`;
}

/** Props of {@link EnvironmentStack}. */
export interface EnvironmentStackProps {
  /** The environment: one validated entry of the config file's `environments` (`validateConfig(...).environments`). */
  readonly environment: EnvironmentConfig;
}

/**
 * One environment: its backend, providers (one AWS provider per region, aliased by region name except the
 * primary) and the modules of the chain. Composition only: every resource lives in a module.
 *
 * The stack's Terraform JSON is `cdktf.out/stacks/<id>/cdk.tf.json`; the config path passes the environment name as
 * the id (`new EnvironmentStack(app, env.name, { environment: env })`). The base stack (lib/siem-stack.ts) keeps every
 * text literal, states the Terraform floor, checks that the stack is self-contained and runs the organisation policies.
 */
export class EnvironmentStack extends SiemStack {
  public readonly environment: EnvironmentConfig;
  /** Audit logging per cluster, in config order. */
  public readonly clusters: readonly EksAuditLogging[];
  /** One Datadog Forwarder per region that has clusters, in config order of first appearance. */
  public readonly forwarders: readonly DatadogForwarder[];
  public readonly integration: DatadogAwsIntegration;
  public readonly logExplorer: LogExplorer;
  /** The tuned EKS rule pack and the built-in rule review; undefined when `cloudSiem.enabled` is false. */
  public readonly cloudSiem?: EksCloudSiem;
  private readonly awsProviders = new Map<string, AwsProvider>();

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const env = props.environment;
    this.environment = env;

    this.configureBackend(env);
    this.awsProviders.set(env.aws.region, this.newAwsProvider(env.aws.region, undefined));
    new DatadogProvider(this, "datadog", {
      // Keys come from DD_API_KEY / DD_APP_KEY at plan/apply time, never from the config or cdktf.out/.
      apiUrl: datadogApiUrl(env.datadog.site),
    });

    this.clusters = env.clusters.map((c) => this.auditLogging(c));
    this.forwarders = this.clusterRegions.map((region) => this.forwarder(region));
    this.integration = this.datadogIntegration();
    this.logExplorer = this.logExplorerViews();
    this.cloudSiem = env.cloudSiem.enabled ? this.detectionRules() : undefined;
    this.excusePolicyFindings();
  }

  /** The config's `policySuppressions`: each on the element at its address, which must be in this stack. */
  private excusePolicyFindings(): void {
    const problems = new Problems();
    const byAddress = elementsByAddress(this);
    const found = this.environment.policySuppressions.map((suppression, i) => {
      const element = byAddress.get(suppression.address);
      if (element === undefined) {
        problems.add(
          `policySuppressions[${i}].address`,
          suppression.address,
          "the address of a resource or data source this environment's stack creates (as a policy finding names it)",
        );
      }
      return { element, suppression };
    });
    throwProblems(`environment stack "${this.node.path}"`, problems.list);
    for (const { element, suppression } of found) if (element !== undefined) suppressPolicy(element, suppression);
  }

  /** The guide's "Amazon EKS audit logs" step for one cluster (new or existing). */
  private auditLogging(c: ClusterConfig): EksAuditLogging {
    const env = this.environment;
    return new EksAuditLogging(this, c.name, {
      clusterName: c.name,
      awsProvider: this.awsProvider(this.regionOf(c)),
      awsPartition: env.aws.partition,
      additionalLogTypes: c.additionalLogTypes,
      logRetentionInDays: c.logRetentionInDays,
      kmsKeyArn: c.kmsKeyArn,
      cluster:
        c.mode === "existing"
          ? EksClusterSource.existingCluster({ logGroupExists: c.logGroupExists })
          : EksClusterSource.newCluster({
              roleArn: c.roleArn,
              subnetIds: c.subnetIds,
              securityGroupIds: c.securityGroupIds,
              kubernetesVersion: c.kubernetesVersion,
              endpointPrivateAccess: c.endpointPrivateAccess,
              endpointPublicAccess: c.endpointPublicAccess,
              publicAccessCidrs: c.publicAccessCidrs,
              authenticationMode: c.authenticationMode,
              preventDestroy: c.preventDestroy,
            }),
    });
  }

  /** The guide's "Datadog Forwarder" and "Setup triggers" steps for one region. */
  private forwarder(region: string): DatadogForwarder {
    const env = this.environment;
    const f = env.datadog.forwarder;
    const existingSecret = f.apiKeySecretArns[region];
    return new DatadogForwarder(this, `DatadogForwarder-${region}`, {
      awsProvider: this.awsProvider(region),
      region,
      datadogSite: env.datadog.site,
      environment: env.name,
      forwarderVersion: f.version,
      templateBaseUrl: f.templateBaseUrl,
      functionName: f.functionName,
      stackName: f.stackName,
      apiKey:
        existingSecret !== undefined
          ? ForwarderApiKey.fromSecretArn(existingSecret)
          : ForwarderApiKey.fromSecretValue(this.apiKeyVariable().stringValue, { writeOnlyVersion: f.apiKeySecretWriteOnly ? 1 : undefined }),
      memorySizeMiB: f.memorySizeMiB,
      timeoutSeconds: f.timeoutSeconds,
      reservedConcurrency: f.reservedConcurrency,
      logRetentionInDays: f.logRetentionInDays,
      ddTags: f.tags,
      subscriptionFilterName: f.subscription.filterName,
      filterPattern: AuditLogFilterPattern.fromName(f.subscription.filter, f.subscription.pattern),
      subscriptionFiltersPerLogGroup: f.subscription.filtersPerLogGroup,
      grantInvokePermission: f.subscription.grantInvokePermission,
      auditLogGroups: this.auditLogGroupsIn(region),
    });
  }

  /** The audit log groups of the clusters in a region, for that region's forwarder ("Setup triggers"). */
  private auditLogGroupsIn(region: string): AuditLogGroup[] {
    return this.environment.clusters.flatMap((c, i) =>
      this.regionOf(c) !== region
        ? []
        : [
            {
              clusterName: c.name,
              logGroupName: this.clusters[i].auditLogGroupName,
              logGroupArn: this.clusters[i].auditLogGroupArn,
              existingSubscriptionFilterCount: c.existingSubscriptionFilters,
            },
          ],
    );
  }

  /**
   * The Datadog API key for the secrets the stack creates. With write-only secrets (the default) it is ephemeral:
   * Terraform keeps it out of saved plans and state, and asks for it again at apply. Without, it is only sensitive:
   * it is then stored in the saved plan and, through `secret_string`, in the state.
   */
  private apiKeyVariable(): TerraformVariable {
    const existing = this.node.tryFindChild(DATADOG_API_KEY_VARIABLE);
    if (existing !== undefined) return existing as TerraformVariable;
    const writeOnly = this.environment.datadog.forwarder.apiKeySecretWriteOnly;
    const variable = new TerraformVariable(this, DATADOG_API_KEY_VARIABLE, {
      type: "string",
      sensitive: true,
      nullable: false,
      description: writeOnly
        ? "Datadog API key written to the Forwarder's Secrets Manager secret (write-only). Ephemeral: never stored in a saved plan or state, so both terraform plan and terraform apply need it: TF_VAR_datadog_api_key."
        : "Datadog API key written to the Forwarder's Secrets Manager secret. Needed by terraform plan and terraform apply (TF_VAR_datadog_api_key); stored in the saved plan and in state (apiKeySecretWriteOnly: false).",
    });
    // cdktf 0.21's TerraformVariable has no `ephemeral` (Terraform >= 1.10); an ephemeral value may only feed
    // write-only arguments, so it is set exactly when the secret is written with secret_string_wo.
    if (writeOnly) variable.addOverride("ephemeral", true);
    return variable;
  }

  /** The guide's "Datadog AWS integration" step. */
  private datadogIntegration(): DatadogAwsIntegration {
    const env = this.environment;
    const i = env.datadog.integration;
    return new DatadogAwsIntegration(this, "DatadogIntegration", {
      awsAccountId: env.aws.accountId,
      awsPartition: env.aws.partition,
      datadogSite: env.datadog.site,
      createIntegration: i.create,
      externalId: i.externalId,
      createRole: i.role.create,
      roleName: i.role.name,
      rolePath: i.role.path,
      rolePermissionsBoundaryArn: i.role.permissionsBoundaryArn,
      attachSecurityAuditPolicy: i.role.securityAudit,
      regions: i.regions,
      accountTags: i.accountTags,
      logsForwarderArns: this.forwarders.map((f) => f.forwarderArn),
      metricsEnabled: i.metrics.enabled,
      metricsAutomuteEnabled: i.metrics.automute,
      metricsCollectCloudwatchAlarms: i.metrics.collectCloudwatchAlarms,
      metricsCollectCustomMetrics: i.metrics.collectCustomMetrics,
      metricsExcludeOnlyNamespaces: i.metrics.excludeNamespaces,
      metricsIncludeOnlyNamespaces: i.metrics.includeNamespaces,
      resourcesExtendedCollection: i.resources.extendedCollection,
      resourcesCspmCollection: i.resources.cspmCollection,
      tracesXrayIncludeOnly: i.xrayServices,
    });
  }

  /** The guide's "Cloud SIEM" section: the tuned EKS rule pack, suppressions, notifications, built-in rule review. */
  private detectionRules(): EksCloudSiem {
    const env = this.environment;
    const { enabled: _enabled, notifications, ...tuning } = env.cloudSiem;
    const targets = env.notificationTargets;
    // Without per-severity targets, high and critical signals go to the environment's targets.
    const defaulted = Object.keys(notifications).length > 0 || targets.length === 0 ? notifications : { high: targets, critical: targets };
    // The construct ID is part of every rule's Terraform address: keep it.
    return new EksCloudSiem(this, "cloud-siem", { ...tuning, notifications: defaulted });
  }

  /** The guide's "Log Explorer" section: index and cost filters, dashboard, deep links, health monitors. */
  private logExplorerViews(): LogExplorer {
    const env = this.environment;
    const x = env.logExplorer;
    return new LogExplorer(this, "LogExplorer", {
      environment: env.name,
      datadogSite: env.datadog.site,
      clusters: env.clusters.map((c, i) => ({ name: c.name, region: this.regionOf(c), auditLogGroupName: this.clusters[i].auditLogGroupName })),
      notificationTargets: env.notificationTargets,
      createIndex: x.index?.create ?? false,
      indexName: x.index?.name,
      existingIndexName: x.index?.existing,
      indexRetentionInDays: x.index?.retentionInDays,
      indexDailyLimit: x.index?.dailyLimit,
      indexPreventDestroy: x.index?.preventDestroy,
      indexExclusionPresets: x.index?.exclusionPresets,
      indexExclusionFilters: x.index?.exclusionFilters,
      indexOrder: x.index?.order,
      integrationPipelineId: x.integrationPipelineId,
      createDashboard: x.dashboard,
      createHealthMonitors: x.healthMonitor.enabled,
      auditLogSilenceInMinutes: x.healthMonitor.silenceMinutes,
      monitorTags: x.healthMonitor.tags,
      // One identity setting: the rules' (cloudSiem.identityAttribute) also names the user in the index and dashboard.
      identityAttribute: env.cloudSiem.identityAttribute,
    });
  }

  /** The AWS provider for a region: the default provider for the primary region, an alias for any other. */
  awsProvider(region: string): AwsProvider {
    let provider = this.awsProviders.get(region);
    if (provider === undefined) {
      provider = this.newAwsProvider(region, region);
      this.awsProviders.set(region, provider);
    }
    return provider;
  }

  /** Regions with at least one cluster, in config order. */
  get clusterRegions(): string[] {
    return [...new Set(this.environment.clusters.map((c) => this.regionOf(c)))];
  }

  /** A cluster's region: its own, else the environment's primary region. */
  private regionOf(c: ClusterConfig): string {
    return c.region ?? this.environment.aws.region;
  }

  private newAwsProvider(region: string, alias: string | undefined): AwsProvider {
    const env = this.environment;
    const tags = env.tags;
    return new AwsProvider(this, alias === undefined ? "aws" : `aws_${alias}`, {
      region,
      alias,
      // Refuses to plan or apply with credentials of another account.
      allowedAccountIds: [env.aws.accountId],
      defaultTags: Object.keys(tags).length > 0 ? [{ tags }] : undefined,
    });
  }

  private configureBackend(env: EnvironmentConfig): void {
    const backend = env.backend;
    if (backend.type === "s3") {
      new S3Backend(this, {
        bucket: backend.bucket,
        key: backend.key ?? defaultS3StateKey(env.name),
        region: backend.region,
        encrypt: backend.encrypt,
        dynamodbTable: backend.dynamodbTable,
      });
      // cdktf 0.21's S3Backend has no useLockfile; S3-native locking needs Terraform >= 1.10.
      if (backend.useLockfile) this.addOverride("terraform.backend.s3.use_lockfile", true);
    } else {
      // Terraform runs in cdktf.out/stacks/<environment>; the path below points back to the project folder.
      // Set explicitly: the stock LocalBackend default is an absolute path, which breaks determinism.
      new LocalBackend(this, { path: `../../../${backend.path ?? defaultLocalStatePath(env.name)}` });
    }
  }
}
