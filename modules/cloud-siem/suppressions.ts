/**
 * `datadog_security_monitoring_suppression` (DataDog/terraform-provider-datadog@v3.82.0 `docs/resources/security_monitoring_suppression.md`) and
 * `datadog_security_notification_rule` (`docs/resources/security_notification_rule.md`)
 * definitions and their validation.
 */
import type { Severity } from "../../lib/rules/matchable";
import { NOTIFICATION_RULE_TYPES, SEVERITIES } from "./allowed-values";
import { didYouMean } from "../../lib/did-you-mean";
import { Problem, Problems } from "../../lib/problem";
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
   * Signal query: signals matching it are suppressed (e.g. `@usr.id:"system:serviceaccount:ci:deployer"`, on the identity attribute of its rules).
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

/** Problems of keys that are not options (typos in a config file), field `<prefix><key>`. */
export function unknownKeyProblems(value: object, allowedKeys: readonly string[], prefix = ""): Problem[] {
  const p = new Problems();
  for (const [key, v] of Object.entries(value)) {
    if (!allowedKeys.includes(key))
      p.add(`${prefix}${key}`, v, `the options ${allowedKeys.join(", ")}`, `no such option${didYouMean(key, allowedKeys)}`);
  }
  return p.list;
}

/** Problems of a suppression, in the API's field names; `ruleIds` are checked against `knownRuleIds`. */
export function suppressionProblems(s: SuppressionProps, knownRuleIds: readonly string[]): Problem[] {
  const p = new Problems();
  p.addAll(unknownKeyProblems(s, SUPPRESSION_KEYS));
  if (typeof s.name !== "string" || slug(s.name) === "") p.add("name", s.name, "a non-empty name with letters or digits");
  const ids = s.ruleIds ?? [];
  if (ids.length === 0 && (s.ruleQuery === undefined || s.ruleQuery.trim() === ""))
    p.add("rule_query", s.ruleQuery, "ruleIds naming rules of the pack, or a ruleQuery, or both");
  ids.forEach((id, i) => {
    if (!knownRuleIds.includes(id))
      p.add(`ruleIds[${i}]`, id, knownRuleIds.join(", "), `not a rule of this construct${didYouMean(id, knownRuleIds)}`);
  });
  if ((s.suppressionQuery ?? "").trim() === "" && (s.dataExclusionQuery ?? "").trim() === "")
    p.add("suppression_query", s.suppressionQuery, "a suppressionQuery, a dataExclusionQuery, or both");
  if (s.dataExclusionQuery !== undefined) p.addAll(lintQuery(s.dataExclusionQuery), "data_exclusion_query");
  for (const [field, value] of [
    ["start_date", s.startDate],
    ["expiration_date", s.expirationDate],
  ] as const) {
    if (value !== undefined && !isRealRfc3339(value)) p.add(field, value, "an RFC3339 date-time that exists, e.g. 2027-01-31T00:00:00Z");
  }
  if (s.startDate !== undefined && s.expirationDate !== undefined && isRealRfc3339(s.startDate) && isRealRfc3339(s.expirationDate)) {
    if (Date.parse(s.expirationDate) <= Date.parse(s.startDate))
      p.add("expiration_date", s.expirationDate, "a date-time after start_date", `not after start_date ${JSON.stringify(s.startDate)}`);
  }
  return p.list;
}

/** Problems of a notification rule, in the API's field names. */
export function notificationRuleProblems(n: SecurityNotificationRuleProps): Problem[] {
  const p = new Problems();
  p.addAll(unknownKeyProblems(n, NOTIFICATION_RULE_KEYS));
  if (typeof n.name !== "string" || slug(n.name) === "") p.add("name", n.name, "a non-empty name with letters or digits");
  const targets = n.targets ?? [];
  if (targets.length === 0) p.add("targets", targets, "at least one handle");
  targets.forEach((t, i) => {
    const problem = notificationHandleProblem(t);
    if (problem !== undefined) p.addAll([problem], `targets[${i}]`);
  });
  (n.severities ?? []).forEach((s, i) => {
    if (!SEVERITIES.includes(s)) p.add(`selectors.severities[${i}]`, s, SEVERITIES.join(", "));
  });
  (n.ruleTypes ?? []).forEach((t, i) => {
    if (!NOTIFICATION_RULE_TYPES.includes(t))
      p.add(`selectors.rule_types[${i}]`, t, NOTIFICATION_RULE_TYPES.join(", "), `not a rule type${didYouMean(t, NOTIFICATION_RULE_TYPES)}`);
  });
  const agg = n.timeAggregationSeconds ?? 0;
  if (!Number.isInteger(agg) || agg < 0) p.add("time_aggregation", agg, "a whole number of seconds >= 0");
  return p.list;
}
