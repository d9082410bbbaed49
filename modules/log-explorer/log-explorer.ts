import { DEFAULT_IDENTITY_ATTRIBUTE, IdentityAttribute } from "../../lib/datadog-identity";
import { DashboardJson } from "@cdktf/provider-datadog/lib/dashboard-json";
import { LogsIndex } from "@cdktf/provider-datadog/lib/logs-index";
import { LogsIndexOrder } from "@cdktf/provider-datadog/lib/logs-index-order";
import { LogsIntegrationPipeline } from "@cdktf/provider-datadog/lib/logs-integration-pipeline";
import { Monitor } from "@cdktf/provider-datadog/lib/monitor";
import { TerraformOutput, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { throwProblems } from "../../lib/problem";
import { auditDashboard } from "./dashboard";
import {
  AUDIT_LOG_SOURCE,
  ClusterScopeAttribute,
  EXCLUSION_PRESETS,
  exclusionPresetQuery,
  EXCLUSION_PRESET_NAMES,
  ExclusionPreset,
  auditLogScopeQuery,
  logCountBelowOneQuery,
} from "./queries";
import { datadogAppHost, logExplorerUrl } from "./sites";
import { DEFAULT_AUDIT_LOG_SILENCE_IN_MINUTES, DEFAULT_INDEX_RETENTION_IN_DAYS, defaultIndexName, logExplorerProblems } from "./validation";
import { readableAddress } from "../../lib/addresses";
import { importExisting } from "../../lib/terraform-floor";

/** One EKS cluster whose audit logs this module makes usable. */
export interface LogExplorerCluster {
  /** The EKS cluster name. */
  readonly name: string;
  /** The AWS region of the cluster, e.g. `eu-west-1`. */
  readonly region: string;
  /** The cluster's CloudWatch log group, `/aws/eks/<name>/cluster` (e.g. `EksAuditLogging.auditLogGroupName`). */
  readonly auditLogGroupName: string;
}

/** An opt-in exclusion preset of the dedicated index (see {@link EXCLUSION_PRESETS} and docs/log-explorer.md). */
export interface ExclusionPresetSelection {
  /** Which preset. */
  readonly preset: ExclusionPreset;
  /**
   * The fraction of matching logs excluded from the index (0 to 1).
   * @default 1
   */
  readonly sampleRate?: number;
}

/** A custom exclusion filter of the dedicated index. */
export interface AuditExclusionFilter {
  /** The filter's name in Datadog; unique among the index's exclusion filters. */
  readonly name: string;
  /** Log search query, evaluated only on logs that match the index filter. */
  readonly query: string;
  /**
   * The fraction of matching logs excluded from the index (0 to 1).
   * @default 1
   */
  readonly sampleRate?: number;
  /**
   * Whether the filter is active.
   * @default true
   */
  readonly enabled?: boolean;
}

/** Props of {@link LogExplorer}. */
export interface LogExplorerProps {
  /** The environment name, used in titles, the default index name, monitor names and tags. */
  readonly environment: string;
  /** The Datadog site parameter of the organization, e.g. `datadoghq.com` or `datadoghq.eu` (for links). */
  readonly datadogSite: string;
  /** The environment's clusters. At least one; names and log groups unique. */
  readonly clusters: readonly LogExplorerCluster[];
  /**
   * Datadog notification handles put in the health monitors' messages, e.g. `@slack-secops`, `@pagerduty-eks`.
   * @default - none (the monitors alert in Datadog only)
   */
  readonly notificationTargets?: readonly string[];
  /**
   * The log attribute that tells the clusters' audit logs apart.
   * @default ClusterScopeAttribute.LOG_GROUP
   */
  readonly clusterScopeAttribute?: ClusterScopeAttribute;
  /**
   * The attribute that names the user in the `system-read-only` exclusion preset and the dashboard's user toplist and
   * columns: the detection rules' `identityAttribute` (one setting; docs/cloud-siem.md "Identity attribute").
   * @default "@usr.id"
   */
  readonly identityAttribute?: IdentityAttribute;

  /**
   * Create a dedicated `datadog_logs_index` for the environment's audit logs. Off by default: with Cloud SIEM
   * Standalone the audit logs belong in the Cloud SIEM index (see docs/log-explorer.md before turning this on).
   * @default false
   */
  readonly createIndex?: boolean;
  /**
   * The dedicated index's name (createIndex only). Cannot be changed in place, and a deleted index's name can never
   * be used again.
   * @default `eks-audit-<environment>`
   */
  readonly indexName?: string;
  /**
   * An existing index that holds the audit logs (no index resource is created); monitor and dashboard queries
   * search only this index.
   * @default - no index named: queries search all indexes (`*`)
   */
  readonly existingIndexName?: string;
  /**
   * Standard-tier retention of the dedicated index, in days (3, 7, 15, 30, 45, 60, 90, 180, 360).
   * @default 15
   */
  readonly indexRetentionInDays?: number;
  /**
   * Daily quota of the dedicated index, in log events per day.
   * @default - no daily quota (`disable_daily_limit = true`)
   */
  readonly indexDailyLimit?: number;
  /**
   * Percentage of the daily quota (50 to 99.99) at which Datadog emits a warning event.
   * @default - Datadog's default
   */
  readonly indexDailyLimitWarningThresholdPercentage?: number;
  /**
   * Time of day the daily quota resets, `HH:00`; set together with indexDailyLimitResetUtcOffset.
   * @default - Datadog's default reset time (14:00 UTC)
   */
  readonly indexDailyLimitResetTime?: string;
  /**
   * UTC offset of indexDailyLimitResetTime, `+HH:00` or `-HH:00`.
   * @default - Datadog's default reset time (14:00 UTC)
   */
  readonly indexDailyLimitResetUtcOffset?: string;
  /**
   * Opt-in exclusion presets of the dedicated index, applied in the order of {@link EXCLUSION_PRESET_NAMES}.
   * @default - none
   */
  readonly indexExclusionPresets?: readonly ExclusionPresetSelection[];
  /**
   * Custom exclusion filters of the dedicated index, applied after the presets, in this order.
   * @default - none
   */
  readonly indexExclusionFilters?: readonly AuditExclusionFilter[];
  /**
   * `lifecycle.prevent_destroy` on the dedicated index (a deleted index's name cannot be reused).
   * @default true
   */
  readonly indexPreventDestroy?: boolean;
  /**
   * Manage the organization's whole index order (`datadog_logs_index_order`) with these index names, first match
   * wins. It must list every index of the org, including the dedicated or existing one; only one stack per Datadog
   * organization may set it.
   * @default - the index order is not managed
   */
  readonly indexOrder?: readonly string[];

  /**
   * ID of the organization's `kubernetes.audit` integration pipeline. When set, the pipeline is imported
   * (`datadog_logs_integration_pipeline`, which cannot be created) and kept enabled: it remaps the attributes every
   * query of this module and of the detection rules relies on (`@http.method`, `@usr.name`, ...).
   * @default - the integration pipeline is not managed
   */
  readonly integrationPipelineId?: string;

  /**
   * Create the "EKS audit — <environment>" dashboard.
   * @default true
   */
  readonly createDashboard?: boolean;

  /**
   * Create one "audit logs stopped arriving" log monitor per cluster.
   * @default true
   */
  readonly createHealthMonitors?: boolean;
  /**
   * Minutes without a single indexed audit log from a cluster before its monitor alerts (5 to 2880).
   * @default 30
   */
  readonly auditLogSilenceInMinutes?: number;
  /**
   * Extra tags on the health monitors, e.g. `team:security`.
   * @default - only the module's tags (`env:<environment>`, `eks_cluster:<name>`, `managed-by:eks-audit-siem`)
   */
  readonly monitorTags?: readonly string[];
  /**
   * The Datadog provider of the resources.
   * @default - the stack's default Datadog provider
   */
  readonly datadogProvider?: TerraformProvider;
}

/**
 * Makes `source:kubernetes.audit` usable, affordable and watched for one environment (guide section "Log Explorer"):
 * an optional dedicated log index with retention, quota and exclusion filters (and optionally the org's index order),
 * an "EKS audit — <environment>" dashboard, Log Explorer deep links per cluster as Terraform outputs, and one log
 * monitor per cluster that alerts when the cluster's audit logs stop arriving.
 *
 * Terraform outputs are named `log_explorer_url_<cluster>` and `eks_audit_dashboard_url`; use one LogExplorer per
 * stack.
 */
export class LogExplorer extends Construct {
  /** The search query that selects the environment's audit logs. */
  public readonly auditLogQuery: string;
  /** The search query of each cluster's audit logs, by cluster name. */
  public readonly auditLogQueryByCluster: Readonly<Record<string, string>>;
  /** Log Explorer link for the whole environment. */
  public readonly logExplorerUrl: string;
  /** Log Explorer link for each cluster, by cluster name. */
  public readonly logExplorerUrlByCluster: Readonly<Record<string, string>>;
  /** Name of the index the audit logs are expected in (dedicated or existing), or undefined when not named. */
  public readonly logsIndexName?: string;
  /** The dedicated index, when createIndex is true. */
  public readonly logsIndex?: LogsIndex;
  /** The org-wide index order, when indexOrder is set. */
  public readonly logsIndexOrder?: LogsIndexOrder;
  /** The imported integration pipeline, when integrationPipelineId is set. */
  public readonly integrationPipeline?: LogsIntegrationPipeline;
  /** The dashboard, when createDashboard is true. */
  public readonly dashboard?: DashboardJson;
  /** The health monitors by cluster name (empty when createHealthMonitors is false). */
  public readonly healthMonitors: Readonly<Record<string, Monitor>>;

  constructor(scope: Construct, id: string, props: LogExplorerProps) {
    super(scope, id);
    throwProblems(`log explorer "${this.node.path}"`, logExplorerProblems(props));
    const attribute = props.clusterScopeAttribute ?? ClusterScopeAttribute.LOG_GROUP;
    this.auditLogQuery = auditLogScopeQuery(
      props.clusters.map((c) => c.auditLogGroupName),
      attribute,
    );
    const byCluster: Record<string, string> = {};
    const urls: Record<string, string> = {};
    for (const c of props.clusters) {
      byCluster[c.name] = auditLogScopeQuery([c.auditLogGroupName], attribute);
      urls[c.name] = logExplorerUrl(props.datadogSite, byCluster[c.name]);
    }
    this.auditLogQueryByCluster = byCluster;
    this.logExplorerUrlByCluster = urls;
    this.logExplorerUrl = logExplorerUrl(props.datadogSite, this.auditLogQuery);

    // Index and cost controls.
    this.logsIndex = (props.createIndex ?? false) ? this.auditIndex(props) : undefined;
    this.logsIndexName = this.logsIndex !== undefined ? (props.indexName ?? defaultIndexName(props.environment)) : props.existingIndexName;
    this.logsIndexOrder = props.indexOrder !== undefined ? this.indexOrder(props, props.indexOrder) : undefined;
    if (props.integrationPipelineId !== undefined) this.integrationPipeline = this.importedPipeline(props, props.integrationPipelineId);
    // Views and pipeline health.
    if (props.createDashboard ?? true) this.dashboard = this.auditDashboard(props, attribute);
    this.linkOutputs(props);
    this.healthMonitors = (props.createHealthMonitors ?? true) ? this.silenceMonitors(props) : {};
  }

  /** The index the monitors and dashboard search: the dedicated or existing one, else all (`*`). */
  private get searchedIndex(): string {
    return this.logsIndexName ?? "*";
  }

  /** The dedicated `datadog_logs_index`: the environment's audit logs, retention, quota and exclusion filters. */
  private auditIndex(props: LogExplorerProps): LogsIndex {
    const limit = props.indexDailyLimit;
    const index = new LogsIndex(this, "AuditIndex", {
      provider: props.datadogProvider,
      name: props.indexName ?? defaultIndexName(props.environment),
      filter: { query: this.auditLogQuery },
      retentionDays: props.indexRetentionInDays ?? DEFAULT_INDEX_RETENTION_IN_DAYS,
      // Explicit, so removing a quota later really removes it (provider 3.x keeps the old quota when daily_limit
      // is just dropped: DataDog/terraform-provider-datadog#3191).
      disableDailyLimit: limit === undefined,
      dailyLimit: limit,
      dailyLimitWarningThresholdPercentage: props.indexDailyLimitWarningThresholdPercentage,
      dailyLimitReset:
        props.indexDailyLimitResetTime !== undefined && props.indexDailyLimitResetUtcOffset !== undefined
          ? { resetTime: props.indexDailyLimitResetTime, resetUtcOffset: props.indexDailyLimitResetUtcOffset }
          : undefined,
      exclusionFilter: exclusionFilters(props),
      lifecycle: { preventDestroy: props.indexPreventDestroy ?? true },
    });
    return readableAddress(index, "eks_audit");
  }

  /** The organization's whole index order; the dedicated index is referenced (not named) so it is created first. */
  private indexOrder(props: LogExplorerProps, order: readonly string[]): LogsIndexOrder {
    const ownIndex = this.logsIndex;
    const indexOrder = new LogsIndexOrder(this, "IndexOrder", {
      provider: props.datadogProvider,
      name: "logs_index_order",
      indexes: order.map((n) => (ownIndex !== undefined && n === this.logsIndexName ? ownIndex.name : n)),
    });
    return readableAddress(indexOrder, "logs_index_order");
  }

  /**
   * The `kubernetes.audit` integration pipeline, kept enabled. It cannot be created, only imported (provider: "cannot
   * create an integration pipeline, please import it first to make changes"); the import block is a no-op once it is
   * in state.
   */
  private importedPipeline(props: LogExplorerProps, pipelineId: string): LogsIntegrationPipeline {
    const pipeline = new LogsIntegrationPipeline(this, "IntegrationPipeline", { provider: props.datadogProvider, isEnabled: true });
    readableAddress(pipeline, "kubernetes_audit");
    importExisting(pipeline, pipelineId, props.datadogProvider);
    return pipeline;
  }

  /** The "EKS audit — <environment>" dashboard and its URL as the output `eks_audit_dashboard_url`. */
  private auditDashboard(props: LogExplorerProps, attribute: ClusterScopeAttribute): DashboardJson {
    const json = auditDashboard({
      environment: props.environment,
      scopeQuery: this.auditLogQuery,
      clusterScopeAttribute: attribute,
      identityAttribute: props.identityAttribute ?? DEFAULT_IDENTITY_ATTRIBUTE,
      indexes: [this.searchedIndex],
      clusters: props.clusters.map((c) => ({
        name: c.name,
        region: c.region,
        logGroupName: c.auditLogGroupName,
        logExplorerUrl: this.logExplorerUrlByCluster[c.name],
      })),
    });
    const dashboard = readableAddress(
      new DashboardJson(this, "Dashboard", { provider: props.datadogProvider, dashboard: JSON.stringify(json) }),
      "eks_audit",
    );
    new TerraformOutput(this, "DashboardUrl", {
      value: `https://${datadogAppHost(props.datadogSite)}${dashboard.url}`,
      description: `Datadog dashboard "EKS audit — ${props.environment}"`,
    }).overrideLogicalId("eks_audit_dashboard_url");
    return dashboard;
  }

  /** One Log Explorer deep link per cluster, as the output `log_explorer_url_<cluster>`. */
  private linkOutputs(props: LogExplorerProps): void {
    for (const c of props.clusters) {
      new TerraformOutput(this, `LogExplorerUrl-${c.name}`, {
        value: this.logExplorerUrlByCluster[c.name],
        description: `Datadog Log Explorer: ${AUDIT_LOG_SOURCE} logs of EKS cluster ${c.name} (${c.region})`,
      }).overrideLogicalId(`log_explorer_url_${c.name}`);
    }
  }

  /** One "audit logs stopped arriving" log monitor per cluster, by cluster name. */
  private silenceMonitors(props: LogExplorerProps): Record<string, Monitor> {
    const minutes = props.auditLogSilenceInMinutes ?? DEFAULT_AUDIT_LOG_SILENCE_IN_MINUTES;
    const group = new Construct(this, "HealthMonitors");
    const monitors: Record<string, Monitor> = {};
    for (const c of props.clusters) {
      monitors[c.name] = readableAddress(
        new Monitor(group, c.name, {
          provider: props.datadogProvider,
          name: `[${props.environment}] EKS audit logs stopped arriving from ${c.name} (${c.region})`,
          type: "log alert",
          query: logCountBelowOneQuery(this.auditLogQueryByCluster[c.name], this.searchedIndex, minutes),
          message: healthMonitorMessage(props, c, minutes, this.logExplorerUrlByCluster[c.name]),
          monitorThresholds: { critical: "1" },
          // Count query: an evaluation without logs is treated as 0, so "< 1" alerts (see docs/log-explorer.md).
          onMissingData: "default",
          requireFullWindow: false,
          includeTags: true,
          tags: [
            `env:${props.environment}`,
            `eks_cluster:${c.name}`,
            `region:${c.region}`,
            "source:kubernetes.audit",
            "managed-by:eks-audit-siem",
            ...(props.monitorTags ?? []),
          ].map((t) => t.toLowerCase()),
        }),
        "audit_logs_stopped",
        c.name,
      );
    }
    return monitors;
  }
}

function exclusionFilters(props: LogExplorerProps) {
  const selected = new Map((props.indexExclusionPresets ?? []).map((s) => [s.preset, s.sampleRate ?? 1] as const));
  const presets = EXCLUSION_PRESET_NAMES.filter((name) => selected.has(name)).map((name) => ({
    name: EXCLUSION_PRESETS[name].filterName,
    isEnabled: true,
    filter: [{ query: exclusionPresetQuery(name, props.identityAttribute), sampleRate: selected.get(name) }],
  }));
  const custom = (props.indexExclusionFilters ?? []).map((x) => ({
    name: x.name,
    isEnabled: x.enabled ?? true,
    filter: [{ query: x.query, sampleRate: x.sampleRate ?? 1 }],
  }));
  return [...presets, ...custom];
}

function healthMonitorMessage(props: LogExplorerProps, c: LogExplorerCluster, minutes: number, url: string): string {
  const lines = [
    "{{#is_alert}}",
    `No Amazon EKS audit log (source:${AUDIT_LOG_SOURCE}) from cluster ${c.name} (${c.region}, log group ${c.auditLogGroupName}) was indexed in Datadog in the last ${minutes} minutes (environment ${props.environment}). Cloud SIEM detection rules see nothing from this cluster while this lasts.`,
    "",
    "Runbook, in order:",
    `1. Audit logging turned off: \`aws eks describe-cluster --region ${c.region} --name ${c.name} --query cluster.logging\` must list "audit" as enabled. Re-apply this stack to turn it back on.`,
    `2. Subscription filter removed or changed: \`aws logs describe-subscription-filters --region ${c.region} --log-group-name ${c.auditLogGroupName}\` must show the Datadog Forwarder as destination. Re-apply this stack to restore it.`,
    "3. Forwarder failing: check the Datadog Forwarder Lambda's Errors and Throttles metrics and its own CloudWatch logs (API key secret readable? Datadog site right?).",
    "4. Logs arrive but are not indexed: the index's daily quota was reached, an exclusion filter drops everything, or another index now matches the logs first (index order).",
    `Log Explorer: ${url}`,
    "{{/is_alert}}",
    "{{#is_recovery}}",
    `EKS audit logs from cluster ${c.name} (${c.region}) are arriving again.`,
    "{{/is_recovery}}",
  ];
  const targets = props.notificationTargets ?? [];
  if (targets.length > 0) lines.push("", targets.join(" "));
  return lines.join("\n");
}
