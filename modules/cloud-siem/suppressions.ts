/**
 * `datadog_security_monitoring_suppression` (DataDog/terraform-provider-datadog@v3.82.0 `docs/resources/security_monitoring_suppression.md`) and
 * `datadog_security_notification_rule` (`docs/resources/security_notification_rule.md`)
 * definitions and their validation.
 */
import type { Severity } from "../../lib/rules/matchable";
import { NOTIFICATION_RULE_TYPES, SEVERITIES } from "./allowed-values";
import { didYouMean } from "../../lib/did-you-mean";
import { notificationHandleProblem } from "./rule-model";
import { lintQuery } from "./query-lint";

/** A suppression for known-benign activity. */
export interface SuppressionProps {
  /** Suppression name (unique; also gives the construct ID). */
  readonly name: string;
  /**
   * Why the activity is benign, who approved it.
   * @default - no description
   */
  readonly description?: string;
  /**
   * Whether the suppression is active.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Rule ids of this construct whose signals are suppressed (turned into `rule_query` through the
   * `eks_audit_siem_rule:<id>` tag every rule carries).
   * @default - none; then `ruleQuery` is required
   */
  readonly ruleIds?: readonly string[];
  /**
   * Detection-rule search query selecting the rules (e.g. `source:kubernetes severity:low`); combined with
   * `ruleIds` by AND when both are set.
   * @default - none; then `ruleIds` is required
   */
  readonly ruleQuery?: string;
  /**
   * Signal query: signals matching it are suppressed (e.g. `@usr.name:"system:serviceaccount:ci:deployer"`).
   * @default - none; then `dataExclusionQuery` is required
   */
  readonly suppressionQuery?: string;
  /**
   * Log query: matching logs are dropped before the rules evaluate them.
   * @default - none; then `suppressionQuery` is required
   */
  readonly dataExclusionQuery?: string;
  /**
   * RFC3339 date-time from which the suppression applies.
   * @default - immediately
   */
  readonly startDate?: string;
  /**
   * RFC3339 date-time after which the suppression no longer applies (recommended: every exception expires).
   * @default - never expires
   */
  readonly expirationDate?: string;
}

/** A `datadog_security_notification_rule`: routes signals by severity instead of per-case notifications. */
export interface SecurityNotificationRuleProps {
  /** Notification rule name (unique; also gives the construct ID). */
  readonly name: string;
  /** Handles notified (`@slack-...`, `@pagerduty-...`, e-mail). */
  readonly targets: readonly string[];
  /**
   * Severities that trigger it.
   * @default - all five severities
   */
  readonly severities?: readonly Severity[];
  /**
   * Rule types that trigger it.
   * @default ["log_detection"]
   */
  readonly ruleTypes?: readonly string[];
  /**
   * Signal query narrowing it further (e.g. `source:kubernetes`).
   * @default "source:kubernetes"
   */
  readonly query?: string;
  /**
   * Seconds during which further notifications of the same signal are aggregated.
   * @default 0
   */
  readonly timeAggregationSeconds?: number;
  /**
   * Whether it is enabled.
   * @default true
   */
  readonly enabled?: boolean;
}

/** The tag the construct puts on every rule so suppressions can select rules by id. */
export const RULE_ID_TAG_KEY = "eks_audit_siem_rule";

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

/** Whether `value` is an RFC3339 date-time that exists on the calendar (no clock involved). */
export function isRealRfc3339(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const m = RFC3339.exec(value);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const offsetOk = m[8] === "Z" || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth[month - 1] && hour <= 23 && minute <= 59 && second <= 59 && offsetOk;
}

/** Slug used as construct ID: lowercase, non-alphanumerics collapsed to `-`. */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * What every `ruleIds` selection starts with: the rule type and `source:` tag, the two selectors Datadog's own
 * examples use in `rule_query` (API reference "Create a suppression rule": `type:log_detection source:cloudtrail`;
 * provider docs `datadog_security_monitoring_suppression`: `severity:low source:cloudtrail`). Every pack rule is a
 * `log_detection` rule tagged `source:kubernetes`.
 */
export const PACK_RULE_SELECTOR = "type:log_detection source:kubernetes";

/**
 * The detection-rule search query of a suppression: for `ruleIds`, the documented selectors narrowed by the rule-id
 * tag every rule carries (`eks_audit_siem_rule:<id>`, the same `key:value` tag form as `source:`); AND-ed with
 * `ruleQuery` when both are set. How to confirm the selection in an organization before applying: docs/cloud-siem.md
 * ("Suppressions").
 */
export function suppressionRuleQuery(s: SuppressionProps): string {
  const parts: string[] = [];
  const ids = s.ruleIds ?? [];
  if (ids.length > 0) {
    parts.push(PACK_RULE_SELECTOR);
    parts.push(ids.length === 1 ? `${RULE_ID_TAG_KEY}:${ids[0]}` : `(${ids.map((id) => `${RULE_ID_TAG_KEY}:${id}`).join(" OR ")})`);
  }
  if (s.ruleQuery !== undefined) parts.push(ids.length > 0 ? `(${s.ruleQuery})` : s.ruleQuery);
  return parts.join(" ");
}

const SUPPRESSION_KEYS: readonly string[] = [
  "name",
  "description",
  "enabled",
  "ruleIds",
  "ruleQuery",
  "suppressionQuery",
  "dataExclusionQuery",
  "startDate",
  "expirationDate",
];
const NOTIFICATION_RULE_KEYS: readonly string[] = ["name", "targets", "severities", "ruleTypes", "query", "timeAggregationSeconds", "enabled"];

/** Problems of keys that are not options (typos in a config file), each `<key> <problem>`. */
export function unknownKeyProblems(value: object, allowedKeys: readonly string[], prefix = ""): string[] {
  return Object.keys(value)
    .filter((key) => !allowedKeys.includes(key))
    .map((key) => `${prefix}${key} is not an option${didYouMean(key, allowedKeys)} (allowed: ${allowedKeys.join(", ")})`);
}

/** Problems of a suppression, each `<field> <problem>`; `ruleIds` are checked against `knownRuleIds`. */
export function suppressionProblems(s: SuppressionProps, knownRuleIds: readonly string[]): string[] {
  const problems: string[] = unknownKeyProblems(s, SUPPRESSION_KEYS);
  const p = (field: string, problem: string) => problems.push(`${field} ${problem}`);
  if (typeof s.name !== "string" || slug(s.name) === "") p("name", `is ${JSON.stringify(s.name)} (allowed: a non-empty name with letters or digits)`);
  const ids = s.ruleIds ?? [];
  if (ids.length === 0 && (s.ruleQuery === undefined || s.ruleQuery.trim() === ""))
    p("rule_query", "is missing (allowed: ruleIds naming rules of the pack, or a ruleQuery, or both)");
  ids.forEach((id, i) => {
    if (!knownRuleIds.includes(id))
      p(
        `ruleIds[${i}]`,
        `is ${JSON.stringify(id)}, which is not a rule of this construct${didYouMean(id, knownRuleIds)} (allowed: ${knownRuleIds.join(", ")})`,
      );
  });
  if ((s.suppressionQuery ?? "").trim() === "" && (s.dataExclusionQuery ?? "").trim() === "") {
    p("suppression_query", "is missing (allowed: a suppressionQuery, a dataExclusionQuery, or both)");
  }
  if (s.dataExclusionQuery !== undefined) for (const problem of lintQuery(s.dataExclusionQuery)) p("data_exclusion_query", problem);
  for (const [field, value] of [
    ["start_date", s.startDate],
    ["expiration_date", s.expirationDate],
  ] as const) {
    if (value !== undefined && !isRealRfc3339(value))
      p(field, `is ${JSON.stringify(value)} (allowed: an RFC3339 date-time that exists, e.g. 2027-01-31T00:00:00Z)`);
  }
  if (s.startDate !== undefined && s.expirationDate !== undefined && isRealRfc3339(s.startDate) && isRealRfc3339(s.expirationDate)) {
    if (Date.parse(s.expirationDate) <= Date.parse(s.startDate))
      p(
        "expiration_date",
        `is ${JSON.stringify(s.expirationDate)}, not after start_date ${JSON.stringify(s.startDate)} (allowed: a date-time after start_date)`,
      );
  }
  return problems;
}

/** Problems of a notification rule, each `<field> <problem>`. */
export function notificationRuleProblems(n: SecurityNotificationRuleProps): string[] {
  const problems: string[] = unknownKeyProblems(n, NOTIFICATION_RULE_KEYS);
  const p = (field: string, problem: string) => problems.push(`${field} ${problem}`);
  if (typeof n.name !== "string" || slug(n.name) === "") p("name", `is ${JSON.stringify(n.name)} (allowed: a non-empty name with letters or digits)`);
  const targets = n.targets ?? [];
  if (targets.length === 0) p("targets", "is empty (allowed: at least one handle)");
  targets.forEach((t, i) => {
    const problem = notificationHandleProblem(t);
    if (problem !== undefined) p(`targets[${i}]`, problem);
  });
  (n.severities ?? []).forEach((s, i) => {
    if (!SEVERITIES.includes(s)) p(`selectors.severities[${i}]`, `is ${JSON.stringify(s)} (allowed: ${SEVERITIES.join(", ")})`);
  });
  (n.ruleTypes ?? []).forEach((t, i) => {
    if (!NOTIFICATION_RULE_TYPES.includes(t))
      p(
        `selectors.rule_types[${i}]`,
        `is ${JSON.stringify(t)}${didYouMean(t, NOTIFICATION_RULE_TYPES)} (allowed: ${NOTIFICATION_RULE_TYPES.join(", ")})`,
      );
  });
  const agg = n.timeAggregationSeconds ?? 0;
  if (!Number.isInteger(agg) || agg < 0) p("time_aggregation", `is ${JSON.stringify(agg)} (allowed: a whole number of seconds >= 0)`);
  return problems;
}
