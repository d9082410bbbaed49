/**
 * Offline checks of {@link LogExplorerProps} against what the Datadog API and provider 3.82 accept, so that a bad
 * value fails at synth time with a message naming the field instead of at apply time.
 */
import { DEFAULT_IDENTITY_ATTRIBUTE, IDENTITY_ATTRIBUTES, otherIdentityProblem } from "../../lib/datadog-identity";
import { Token } from "cdktf";
import { AWS_REGION_CODE, EKS_CLUSTER_NAME, EKS_CLUSTER_NAME_ALLOWED } from "../../lib/aws";
import { NOTIFICATION_HANDLE, NOTIFICATION_HANDLE_ALLOWED } from "../../lib/datadog-notifications";
import { EXCLUSION_PRESETS, EXCLUSION_PRESET_NAMES, ClusterScopeAttribute, LOG_GROUP_NAME } from "./queries";
import { KNOWN_DATADOG_SITES } from "./sites";
import type { LogExplorerProps } from "./log-explorer";
import { FieldNames, Problem, Problems, propsNames, show } from "../../lib/problem";

/**
 * Standard-tier retention periods of a log index, in days. 3, 7, 15, 30, 45 and 60 are the periods any org can pick
 * ("out-of-contract retention periods", docs.datadoghq.com/account_management/org_settings/); 90, 180 and 360 are
 * the longer periods Datadog sells by contract. The index docs say "you can set the retention to any value allowed
 * in your account configuration" (docs.datadoghq.com/logs/log_configuration/indexes/#update-log-retention), so a
 * value in this list can still be refused by the API for an org whose contract lacks it.
 */
export const INDEX_RETENTION_DAYS = [3, 7, 15, 30, 45, 60, 90, 180, 360] as const;

/** Default of {@link LogExplorerProps.indexRetentionInDays}: the retention of Datadog's default index. */
export const DEFAULT_INDEX_RETENTION_IN_DAYS = 15;

/** Default of {@link LogExplorerProps.auditLogSilenceInMinutes}. */
export const DEFAULT_AUDIT_LOG_SILENCE_IN_MINUTES = 30;

/** Index names: "must start with a letter and can only contain lowercase letters, numbers, or the '-' character" (indexes docs). */
export const INDEX_NAME = /^[a-z][a-z0-9-]*$/;

export { EKS_CLUSTER_NAME } from "../../lib/aws";

/** AWS region codes, e.g. us-east-1, us-gov-west-1, ap-southeast-4. */
export const AWS_REGION = AWS_REGION_CODE;

/** `daily_limit_reset.reset_time` (provider 3.82 validation): `HH:00`, 00-23. */
export const RESET_TIME = /^([0-1][0-9]|2[0-3]):00$/;

/** `daily_limit_reset.reset_utc_offset` (provider 3.82 validation): `+HH:00` / `-HH:00`, -12 to +14. */
export const RESET_UTC_OFFSET = /^(-(0[0-9]|1[0-2])|\+(0[0-9]|1[0-4])):00$/;

export { NOTIFICATION_HANDLE } from "../../lib/datadog-notifications";

/** A logs pipeline ID as returned by the Logs Pipelines API (e.g. `abc-123-def` or a 22-character base62 ID). */
export const PIPELINE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Monitor tags `key:value` or `key` (no whitespace, no comma). */
export const MONITOR_TAG = /^(?![^]*[$%]\{)[^\s,]+$/;

/** Log monitor time window bounds in minutes: the API allows `#m` from 1 to 2880 (2 days, the log monitor maximum). */
export const SILENCE_MINUTES_MAX = 2880;
/**
 * The smallest silence window this module accepts. CloudWatch Logs -> subscription -> Forwarder Lambda -> intake
 * adds minutes of delivery latency, so shorter windows page on normal delay.
 */
export const SILENCE_MINUTES_MIN = 5;

/** `daily_limit_warning_threshold_percentage` (provider 3.82 validation `FloatBetween(50, 99.99)`). */
export const WARNING_THRESHOLD_MIN = 50;
export const WARNING_THRESHOLD_MAX = 99.99;

/** The Cloud SIEM Standalone index, created by Cloud SIEM as `cloud-siem-xxxx`. */
export const CLOUD_SIEM_INDEX_PREFIX = "cloud-siem-";

function unresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/** The default name of the dedicated index of an environment. */
export function defaultIndexName(environment: string): string {
  return `eks-audit-${environment}`;
}

/**
 * Every problem with the props (empty when they are valid). Values that are unresolved tokens are not checked.
 */
export function logExplorerProblems(props: LogExplorerProps): Problem[] {
  const problems = new Problems();
  const p = (field: string, value: unknown, allowed: string): void => problems.add(field, value, allowed);

  if (!unresolved(props.environment) && (typeof props.environment !== "string" || props.environment.trim() === "")) {
    p("environment", props.environment, "a non-empty environment name");
  }
  if (!unresolved(props.datadogSite) && !KNOWN_DATADOG_SITES.includes(props.datadogSite)) {
    p("datadogSite", props.datadogSite, KNOWN_DATADOG_SITES.join(", "));
  }

  // Clusters.
  const clusters = props.clusters ?? [];
  if (clusters.length === 0) p("clusters", clusters, "at least one cluster");
  const names = new Map<string, number>();
  const groups = new Map<string, number>();
  clusters.forEach((c, i) => {
    const f = `clusters[${i}]`;
    if (!unresolved(c.name) && !EKS_CLUSTER_NAME.test(c.name ?? "")) {
      p(`${f}.name`, c.name, EKS_CLUSTER_NAME_ALLOWED);
    } else if (names.has(c.name)) {
      p(`${f}.name`, c.name, `a name not already used by clusters[${names.get(c.name)}]`);
    }
    names.set(c.name, names.get(c.name) ?? i);
    if (!unresolved(c.region) && !AWS_REGION.test(c.region ?? "")) p(`${f}.region`, c.region, "an AWS region code such as us-east-1");
    if (unresolved(c.auditLogGroupName)) {
      p(`${f}.auditLogGroupName`, "<unresolved token>", "a literal log group name (it is written into queries, links and the index filter)");
    } else if (!LOG_GROUP_NAME.test(c.auditLogGroupName ?? "")) {
      p(`${f}.auditLogGroupName`, c.auditLogGroupName, "a CloudWatch log group name of 1-512 characters from a-z A-Z 0-9 . - _ / #");
    } else if (groups.has(c.auditLogGroupName)) {
      p(
        `${f}.auditLogGroupName`,
        c.auditLogGroupName,
        `a log group not already used by clusters[${groups.get(c.auditLogGroupName)}] (audit logs are told apart by log group, so two clusters cannot share one)`,
      );
    }
    groups.set(c.auditLogGroupName, groups.get(c.auditLogGroupName) ?? i);
  });

  const scopeAttribute = props.clusterScopeAttribute ?? ClusterScopeAttribute.LOG_GROUP;
  const attributes = Object.values(ClusterScopeAttribute) as string[];
  if (!attributes.includes(scopeAttribute)) p("clusterScopeAttribute", scopeAttribute, attributes.join(", "));
  if (props.identityAttribute !== undefined && !IDENTITY_ATTRIBUTES.includes(props.identityAttribute))
    p("identityAttribute", props.identityAttribute, IDENTITY_ATTRIBUTES.join(", "));

  // Index.
  const createIndex = props.createIndex ?? false;
  problems.addAll(indexModeProblems(props));
  if (props.existingIndexName !== undefined && !unresolved(props.existingIndexName) && !INDEX_NAME.test(props.existingIndexName)) {
    p("existingIndexName", props.existingIndexName, "an index name: a lowercase letter, then lowercase letters, digits and -");
  }
  const presets = props.indexExclusionPresets ?? [];
  const customFilters = props.indexExclusionFilters ?? [];
  if (createIndex) {
    const indexName = props.indexName ?? defaultIndexName(props.environment);
    if (!unresolved(indexName) && !INDEX_NAME.test(indexName)) {
      p(
        "indexName",
        indexName,
        "an index name: a lowercase letter, then lowercase letters, digits and - (set indexName when the environment name does not fit)",
      );
    }
    const retention = props.indexRetentionInDays;
    if (retention !== undefined && !unresolved(retention) && !(INDEX_RETENTION_DAYS as readonly number[]).includes(retention)) {
      p("indexRetentionInDays", retention, INDEX_RETENTION_DAYS.join(", "));
    }
    const limit = props.indexDailyLimit;
    if (limit !== undefined && !unresolved(limit) && !(Number.isInteger(limit) && limit >= 1)) {
      p("indexDailyLimit", limit, "an integer number of log events per day, at least 1");
    }
    const threshold = props.indexDailyLimitWarningThresholdPercentage;
    if (threshold !== undefined && !unresolved(threshold)) {
      if (limit === undefined) {
        p("indexDailyLimitWarningThresholdPercentage", threshold, "absent when indexDailyLimit is not set");
      } else if (!(typeof threshold === "number" && threshold >= WARNING_THRESHOLD_MIN && threshold <= WARNING_THRESHOLD_MAX)) {
        p("indexDailyLimitWarningThresholdPercentage", threshold, `a number from ${WARNING_THRESHOLD_MIN} to ${WARNING_THRESHOLD_MAX}`);
      }
    }
    const resetTime = props.indexDailyLimitResetTime;
    const resetOffset = props.indexDailyLimitResetUtcOffset;
    if (resetTime !== undefined || resetOffset !== undefined) {
      if (limit === undefined) {
        p(
          resetTime !== undefined ? "indexDailyLimitResetTime" : "indexDailyLimitResetUtcOffset",
          resetTime ?? resetOffset,
          "absent when indexDailyLimit is not set",
        );
      } else {
        if (resetTime === undefined) p("indexDailyLimitResetTime", resetTime, "HH:00 (00-23), required with indexDailyLimitResetUtcOffset");
        else if (!unresolved(resetTime) && !RESET_TIME.test(resetTime)) p("indexDailyLimitResetTime", resetTime, "HH:00 with HH from 00 to 23");
        if (resetOffset === undefined)
          p("indexDailyLimitResetUtcOffset", resetOffset, "+HH:00 or -HH:00 (-12 to +14), required with indexDailyLimitResetTime");
        else if (!unresolved(resetOffset) && !RESET_UTC_OFFSET.test(resetOffset))
          p("indexDailyLimitResetUtcOffset", resetOffset, "+HH:00 or -HH:00 with hours from -12 to +14");
      }
    }

    // Exclusion filters.
    const selected = new Map<string, string>();
    const filterNames = new Map<string, string>();
    presets.forEach((sel, i) => {
      const f = `indexExclusionPresets[${i}]`;
      if (!(EXCLUSION_PRESET_NAMES as readonly string[]).includes(sel.preset)) {
        p(`${f}.preset`, sel.preset, EXCLUSION_PRESET_NAMES.join(", "));
      } else if (selected.has(sel.preset)) {
        p(`${f}.preset`, sel.preset, `a preset not already selected by ${selected.get(sel.preset)}`);
      } else {
        selected.set(sel.preset, f);
        filterNames.set(EXCLUSION_PRESETS[sel.preset].filterName, f);
      }
      checkSampleRate(`${f}.sampleRate`, sel.sampleRate);
    });
    customFilters.forEach((x, i) => {
      const f = `indexExclusionFilters[${i}]`;
      if (typeof x.name !== "string" || x.name.trim() === "") {
        p(`${f}.name`, x.name, "a non-empty name");
      } else if (filterNames.has(x.name)) {
        p(`${f}.name`, x.name, `a name not already used by ${filterNames.get(x.name)}`);
      } else {
        filterNames.set(x.name, f);
      }
      const otherIdentity =
        typeof x.query === "string" ? otherIdentityProblem(x.query, props.identityAttribute ?? DEFAULT_IDENTITY_ATTRIBUTE) : undefined;
      if (otherIdentity !== undefined) problems.addAll([otherIdentity], `${f}.query`);
      if (typeof x.query !== "string" || x.query.trim() === "") p(`${f}.query`, x.query, "a non-empty log search query");
      // `${` and `%{` are text like any other: the stack writes them escaped (lib/literal-text.ts).
      checkSampleRate(`${f}.sampleRate`, x.sampleRate);
      const everything = typeof x.query === "string" && x.query.trim() === "*";
      if (everything && (x.sampleRate ?? 1) === 1 && (x.enabled ?? true) && (props.createHealthMonitors ?? true)) {
        p(
          `${f}.query`,
          x.query,
          "a query narrower than * while the health monitors are on (excluding 100% of the index leaves nothing indexed, and log monitors only count indexed logs, so every cluster would look silent)",
        );
      }
    });
  }

  // Index order (org-wide).
  if (props.indexOrder !== undefined) {
    const order = props.indexOrder;
    const seen = new Map<string, number>();
    order.forEach((name, i) => {
      const f = `indexOrder[${i}]`;
      if (unresolved(name)) return;
      if (!INDEX_NAME.test(name)) p(f, name, "an index name: a lowercase letter, then lowercase letters, digits and -");
      else if (seen.has(name)) p(f, name, `an index not already listed at indexOrder[${seen.get(name)}]`);
      seen.set(name, seen.get(name) ?? i);
      if (name.startsWith(CLOUD_SIEM_INDEX_PREFIX) && i !== 0) {
        p(
          f,
          name,
          'position 0: the Cloud SIEM index must come first, or logs other indexes match first never reach Cloud SIEM (docs.datadoghq.com/getting_started/cloud_siem/, "Reorder the Cloud SIEM index")',
        );
      }
    });
    const own = createIndex ? (props.indexName ?? defaultIndexName(props.environment)) : props.existingIndexName;
    if (own !== undefined && !unresolved(own) && !order.includes(own)) {
      p(
        "indexOrder",
        [...order],
        `a list that contains ${show(own)} (the order resource replaces the whole org order, so every index must be listed)`,
      );
    }
    if (order.length === 0) p("indexOrder", [], "every index of the Datadog organization, in order");
  }

  const pipeline = props.integrationPipelineId;
  if (pipeline !== undefined && !unresolved(pipeline) && !PIPELINE_ID.test(pipeline)) {
    p("integrationPipelineId", pipeline, "a logs pipeline ID (letters, digits, - and _), as listed by GET /api/v1/logs/config/pipelines");
  }

  // Health monitors and notifications.
  const minutes = props.auditLogSilenceInMinutes;
  if (
    minutes !== undefined &&
    !unresolved(minutes) &&
    !(Number.isInteger(minutes) && minutes >= SILENCE_MINUTES_MIN && minutes <= SILENCE_MINUTES_MAX)
  ) {
    p("auditLogSilenceInMinutes", minutes, `an integer from ${SILENCE_MINUTES_MIN} to ${SILENCE_MINUTES_MAX}`);
  }
  const handles = new Map<string, number>();
  (props.notificationTargets ?? []).forEach((h, i) => {
    const f = `notificationTargets[${i}]`;
    if (unresolved(h)) return;
    if (typeof h !== "string" || !NOTIFICATION_HANDLE.test(h)) p(f, h, NOTIFICATION_HANDLE_ALLOWED);
    else if (handles.has(h)) p(f, h, `a handle not already listed at notificationTargets[${handles.get(h)}]`);
    handles.set(h, handles.get(h) ?? i);
  });
  (props.monitorTags ?? []).forEach((t, i) => {
    if (!unresolved(t) && (typeof t !== "string" || !MONITOR_TAG.test(t)))
      p(`monitorTags[${i}]`, t, "a tag such as team:security (no spaces or commas)");
  });

  return problems.list;

  function checkSampleRate(field: string, rate: number | undefined): void {
    if (rate === undefined || unresolved(rate)) return;
    if (!(typeof rate === "number" && Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
      p(field, rate, "a number from 0 to 1 (the fraction of matching logs excluded)");
    }
  }
}

/** The props that configure the dedicated index, refused when `createIndex` is false. */
const INDEX_ONLY = [
  "indexName",
  "indexRetentionInDays",
  "indexDailyLimit",
  "indexDailyLimitWarningThresholdPercentage",
  "indexDailyLimitResetTime",
  "indexDailyLimitResetUtcOffset",
  "indexPreventDestroy",
] as const;

/**
 * The rule between the two index modes, stated once for the construct and the config (which passes its own field
 * names): a dedicated index (`createIndex`) is configured by the index props and owns its exclusion filters; an
 * existing index (`existingIndexName`) is only searched.
 */
export function indexModeProblems(
  props: Pick<
    LogExplorerProps,
    "createIndex" | "existingIndexName" | "indexExclusionPresets" | "indexExclusionFilters" | (typeof INDEX_ONLY)[number]
  >,
  names: FieldNames = propsNames,
): Problem[] {
  const p = new Problems();
  const createIndex = props.createIndex ?? false;
  if (createIndex && props.existingIndexName !== undefined) {
    p.add(
      names("existingIndexName"),
      props.existingIndexName,
      `absent when ${names("createIndex")} is true (either create a dedicated index or name an existing one)`,
    );
  }
  if (createIndex) return p.list;
  for (const field of INDEX_ONLY) {
    const value = props[field];
    if (value !== undefined) p.add(names(field), value, `absent when ${names("createIndex")} is false (it configures the dedicated index)`);
  }
  const presets = props.indexExclusionPresets ?? [];
  const customFilters = props.indexExclusionFilters ?? [];
  if (presets.length > 0 || customFilters.length > 0) {
    p.add(
      names(presets.length > 0 ? "indexExclusionPresets" : "indexExclusionFilters"),
      presets.length > 0 ? presets.map((s) => s.preset) : customFilters.map((x) => x.name),
      `empty when ${names("createIndex")} is false (exclusion filters are part of the datadog_logs_index resource, which replaces the whole list on every update, so they cannot be added to an index this module does not own)`,
    );
  }
  return p.list;
}
