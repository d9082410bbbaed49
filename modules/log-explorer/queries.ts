/**
 * Log search queries for EKS audit logs in Datadog, and the index exclusion presets.
 *
 * Attribute names follow the Datadog `kubernetes.audit` integration pipeline as evidenced by Datadog's own detection
 * rules (see docs/detection-testing.md#attribute-mapping-kubernetesaudit-pipeline for the evidence): `verb` -> `@http.method`,
 * `responseStatus.code` -> `@http.status_code`, `requestURI` -> `@http.url_details.path`, `user.username` ->
 * `@usr.id` / `@usr.name` (one setting, `IdentityAttribute`, lib/datadog-identity.ts); `objectRef.*` and
 * `responseStatus.reason` are kept as they are.
 */
import { DEFAULT_IDENTITY_ATTRIBUTE, IdentityAttribute } from "../../lib/datadog-identity";

/** The source the Datadog logs backend gives EKS audit logs (Datadog guide "Log Collection for Amazon EKS Audit Logs"). */
export const AUDIT_LOG_SOURCE = "kubernetes.audit";

/**
 * Which log attribute identifies the cluster an audit log came from. Both are set by the Datadog Forwarder from the
 * CloudWatch Logs subscription payload (forwarder `aws_attributes.py`; `host` is the log group name).
 */
export enum ClusterScopeAttribute {
  /** `@aws.awslogs.logGroup`, the CloudWatch log group the event was read from (`/aws/eks/<cluster>/cluster`). */
  LOG_GROUP = "@aws.awslogs.logGroup",
  /** `host`, which the Forwarder sets to the log group name. */
  HOST = "host",
}

/** The characters of a CloudWatch Logs log group name (CreateLogGroup API: `[\.\-_/#A-Za-z0-9]+`, 1-512). */
export const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/**
 * The search clause that selects one or more log groups, e.g. `@aws.awslogs.logGroup:"/aws/eks/a/cluster"` or
 * `@aws.awslogs.logGroup:("/aws/eks/a/cluster" OR "/aws/eks/b/cluster")`. Values are quoted because `/` is a special
 * character of the log search syntax (docs.datadoghq.com/logs/explorer/search_syntax/); log group names cannot contain
 * a quote or a backslash, so quoting needs no escaping.
 */
export function logGroupClause(logGroups: readonly string[], attribute: ClusterScopeAttribute = ClusterScopeAttribute.LOG_GROUP): string {
  const values = logGroups.map((g) => `"${g}"`);
  return values.length === 1 ? `${attribute}:${values[0]}` : `${attribute}:(${values.join(" OR ")})`;
}

/** `source:kubernetes.audit <log group clause>`: the audit logs of the given log groups. */
export function auditLogScopeQuery(logGroups: readonly string[], attribute: ClusterScopeAttribute = ClusterScopeAttribute.LOG_GROUP): string {
  return `source:${AUDIT_LOG_SOURCE} ${logGroupClause(logGroups, attribute)}`;
}

/**
 * The query of a log monitor that is true when fewer than one log matched in the last `minutes` minutes:
 * `logs("<query>").index("<index>").rollup("count").last("<N>m") < 1` (monitor API, "Log Alert Query";
 * `time_window` `#m` between 1 and 2880). The search query is a JSON string, so inner quotes become `\"`, as in
 * Datadog's own examples.
 */
export function logCountBelowOneQuery(searchQuery: string, indexName: string, minutes: number): string {
  return `logs(${JSON.stringify(searchQuery)}).index(${JSON.stringify(indexName)}).rollup("count").last("${minutes}m") < 1`;
}

/** The opt-in exclusion filter presets for an audit log index. */
export enum ExclusionPreset {
  /** Successful `get` requests to the API server's health, liveness, readiness and metrics endpoints. */
  HEALTH_ENDPOINTS = "health-endpoints",
  /** Successful read-only requests (`get`, `list`, `watch`) made by Kubernetes system and EKS identities. */
  SYSTEM_READ_ONLY = "system-read-only",
}

/** What a preset excludes. */
export interface ExclusionPresetDefinition {
  /** The exclusion filter's name in Datadog. */
  readonly filterName: string;
  /** The exclusion filter's query (evaluated only on logs that already match the index filter). */
  readonly query: string;
  /** What is excluded and why it is noise, and what is kept (Markdown; docs/log-explorer.md's table is generated from it). */
  readonly description: string;
}

/** Identities the `system-read-only` preset treats as system identities (user names, escaped for the search syntax). */
export const SYSTEM_IDENTITIES: readonly string[] = [
  "system\\:kube-controller-manager",
  "system\\:kube-scheduler",
  "system\\:kube-proxy",
  "system\\:apiserver",
  "system\\:node\\:*",
  "system\\:serviceaccount\\:kube-system\\:*",
  "eks\\:*",
];

/** The `system-read-only` preset's query on the given identity attribute. */
export function systemReadOnlyQuery(identity: IdentityAttribute): string {
  return `@http.method:(get OR list OR watch) @http.status_code:[200 TO 299] ${identity}:(${SYSTEM_IDENTITIES.join(" OR ")})`;
}

/** The presets, keyed by {@link ExclusionPreset} value. Order of application is the order of this object. */
export const EXCLUSION_PRESETS: Readonly<Record<ExclusionPreset, ExclusionPresetDefinition>> = {
  [ExclusionPreset.HEALTH_ENDPOINTS]: {
    filterName: "eks-audit: health and readiness endpoints",
    query: '@http.method:get @http.url_details.path:("/livez" OR "/readyz" OR "/metrics")',
    description:
      "API server liveness, readiness and metrics probes (`get` on `/livez`, `/readyz`, `/metrics`) from load balancers, kubelets and monitoring, repeated every few seconds, changing nothing. Exact paths only (sub-checks such as `/readyz/etcd` stay). `/healthz` is not listed: EKS never logs it (its audit policy sets level None for `/healthz*`, `/version` and `/swagger*`).",
  },
  [ExclusionPreset.SYSTEM_READ_ONLY]: {
    filterName: "eks-audit: read-only requests from system identities",
    query: systemReadOnlyQuery(DEFAULT_IDENTITY_ATTRIBUTE),
    description:
      "Successful reads (`get`, `list`, `watch`) by the control plane (controller manager, scheduler, kube-proxy, API server), kubelets (`system:node:*`), kube-system service accounts and EKS-managed identities (`eks:*`): the informer/watch traffic that makes up most of an idle cluster's audit volume (see Kubernetes' [Auditing](https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/) on audit policy levels). Kept: every write, every denied (non-2xx) request, every read by a human or workload identity.",
  },
};

/** The preset names, in application order. */
export const EXCLUSION_PRESET_NAMES: readonly ExclusionPreset[] = Object.keys(EXCLUSION_PRESETS) as ExclusionPreset[];

/** A preset's exclusion query on the given identity attribute (the presets' `query` uses the default, `@usr.id`). */
export function exclusionPresetQuery(preset: ExclusionPreset, identity: IdentityAttribute = DEFAULT_IDENTITY_ATTRIBUTE): string {
  return preset === ExclusionPreset.SYSTEM_READ_ONLY ? systemReadOnlyQuery(identity) : EXCLUSION_PRESETS[preset].query;
}
