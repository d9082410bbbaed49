/**
 * Per-environment tuning of a rule pack, as pure functions: `tuneRules(pack, tuning)` returns new rule
 * definitions (the pack is never mutated); `cloudSiemPropsFromTuning(pack, tuning)` gives everything
 * `CloudSiemRules` needs. Errors name the tuning field, the value and what is allowed.
 */
import type { Severity } from "../../lib/rules/matchable";
import { SEVERITIES } from "./allowed-values";
import type { CloudSiemRulesProps } from "./cloud-siem-rules";
import { didYouMean } from "../../lib/did-you-mean";
import { Problem, Problems, throwProblems } from "../../lib/problem";
import { singleThreshold, withThreshold } from "../../lib/rules/condition";
import { lintQuery } from "./query-lint";
import { DEFAULT_IDENTITY_ATTRIBUTE, IdentityAttribute, identityAttributeProblem, otherIdentityProblem, withIdentityAttribute } from "./identity";
import { DetectionRuleProps, notificationHandleProblem, severityNotificationProblems } from "./rule-model";
import { podExecNewUserRule } from "../../pack/rules/pod-exec-new-user";
import { SecurityNotificationRuleProps, SuppressionProps } from "./suppressions";

/** Tuning of one rule of the pack. */
export interface RuleTuning {
  /**
   * Enable or disable the rule (a disabled rule stays in Terraform with `enabled = false`).
   * @default - the pack's setting (true)
   */
  readonly enabled?: boolean;
  /**
   * Severity of every case of the rule.
   * @default - the pack's severity
   */
  readonly severity?: Severity;
  /**
   * Threshold rules with a single `<query> > <n>` case: the new `n`.
   * @default - the pack's threshold
   */
  readonly threshold?: number;
  /**
   * Threshold rules: evaluation window in seconds (keep-alive and max signal duration are raised to match when
   * they would be shorter and are not tuned themselves).
   * @default - the pack's window
   */
  readonly evaluationWindowSeconds?: number;
  /**
   * Keep-alive in seconds.
   * @default - the pack's keep-alive (or the evaluation window, when larger)
   */
  readonly keepAliveSeconds?: number;
  /**
   * Maximum signal duration in seconds.
   * @default - the pack's value (or the keep-alive, when larger)
   */
  readonly maxSignalDurationSeconds?: number;
  /**
   * Log query of benign activity excluded from this rule, appended to each of its queries as `-(...)`.
   * @default - no extra exclusion
   */
  readonly exclusionQuery?: string;
  /**
   * Handles notified for this rule in addition to the per-severity targets.
   * @default []
   */
  readonly notifications?: readonly string[];
}

/** How per-severity notification targets are delivered. */
export type NotificationDelivery = "case" | "notification_rule";

/** Per-environment tuning of the Cloud SIEM rule pack. */
export interface CloudSiemTuning {
  /**
   * Per-rule tuning, by rule id.
   * @default {}
   */
  readonly rules?: Readonly<Record<string, RuleTuning>>;
  /**
   * Log query of benign activity excluded from every rule (appended to every query as `-(...)`).
   * @default - no extra exclusion
   */
  readonly exclusionQuery?: string;
  /**
   * Notification targets per severity, e.g. `{ high: ["@pagerduty-eks"], medium: ["@slack-sec-alerts"] }`.
   * @default {}
   */
  readonly notifications?: Readonly<Partial<Record<Severity, readonly string[]>>>;
  /**
   * `case`: targets go into each rule case's `notifications`; `notification_rule`: one
   * `datadog_security_notification_rule` per severity instead (also routes Datadog's built-in Kubernetes rules).
   * @default "case"
   */
  readonly notificationDelivery?: NotificationDelivery;
  /**
   * Suppressions of known-benign activity.
   * @default []
   */
  readonly suppressions?: readonly SuppressionProps[];
  /**
   * Additional notification rules.
   * @default []
   */
  readonly securityNotificationRules?: readonly SecurityNotificationRuleProps[];
  /**
   * Tags added to every rule, e.g. `env:prod`.
   * @default []
   */
  readonly ruleTags?: readonly string[];
  /**
   * The user attribute every rule groups, excludes and reports on (see `docs/cloud-siem.md`, "Identity attribute").
   * Rules pinned to an attribute (the guide's exec rule, `guideExecRule`) keep theirs.
   * @default "@usr.id" - what Datadog's current built-in Kubernetes rules use
   */
  readonly identityAttribute?: IdentityAttribute;
  /**
   * Deploy `pod-exec-new-user` exactly as the Datadog guide writes it (verb `create` only, `@usr.name`) instead of
   * the pack's version (verbs `create` and `get`: kubectl >= 1.30 execs over WebSockets with verb `get`).
   * @default false
   */
  readonly guideExecRule?: boolean;
}

/** The rule `guideExecRule` swaps for the guide's version. */
const GUIDE_EXEC_RULE_ID = "pod-exec-new-user";
const NOTIFICATION_DELIVERIES: readonly NotificationDelivery[] = ["case", "notification_rule"];
const RULE_TUNING_KEYS: readonly string[] = [
  "enabled",
  "severity",
  "threshold",
  "evaluationWindowSeconds",
  "keepAliveSeconds",
  "maxSignalDurationSeconds",
  "exclusionQuery",
  "notifications",
];

function appendExclusion(query: string, exclusion: string | undefined): string {
  return exclusion === undefined ? query : `${query} -(${exclusion})`;
}

/** Problems of the tuning itself (unknown ids, bad values), in the tuning's field names. Empty when valid. */
export function tuningProblems(pack: readonly DetectionRuleProps[], tuning: CloudSiemTuning): Problem[] {
  const p = new Problems();
  const ids = pack.map((r) => r.id);
  const identity = tuning.identityAttribute ?? DEFAULT_IDENTITY_ATTRIBUTE;
  const validIdentity = identityAttributeProblem(identity) === undefined;
  const checkIdentity = (field: string, query: string | undefined, attribute: IdentityAttribute = identity): void => {
    const o = query === undefined || !validIdentity ? undefined : otherIdentityProblem(query, attribute);
    if (o !== undefined) p.addAll([o], field);
  };
  if (tuning.exclusionQuery !== undefined) p.addAll(lintQuery(tuning.exclusionQuery), "exclusionQuery");
  checkIdentity("exclusionQuery", tuning.exclusionQuery);
  for (const [id, t] of Object.entries(tuning.rules ?? {})) {
    const f = `rules.${id}`;
    const rule = pack.find((r) => r.id === id);
    if (rule === undefined) {
      p.add(f, t, `rule ids of the pack: ${ids.join(", ")}`, `no such rule in the pack${didYouMean(id, ids)}`);
      continue;
    }
    for (const key of Object.keys(t ?? {})) {
      if (!RULE_TUNING_KEYS.includes(key))
        p.add(
          `${f}.${key}`,
          (t as Record<string, unknown>)[key],
          `the tuning options ${RULE_TUNING_KEYS.join(", ")}`,
          `no such option${didYouMean(key, RULE_TUNING_KEYS)}`,
        );
    }
    if (t.enabled !== undefined && typeof t.enabled !== "boolean") p.add(`${f}.enabled`, t.enabled, "true, false");
    if (t.severity !== undefined && !SEVERITIES.includes(t.severity)) p.add(`${f}.severity`, t.severity, SEVERITIES.join(", "));
    if (t.threshold !== undefined) {
      const simple = rule.detectionMethod === "threshold" && rule.cases.length === 1 && singleThreshold(rule.cases[0].condition ?? "") !== undefined;
      if (!simple) {
        p.add(
          `${f}.threshold`,
          t.threshold,
          'only for threshold rules with one case "<query> > <n>"',
          `the rule is ${rule.detectionMethod === "threshold" ? `a threshold rule with cases ${JSON.stringify(rule.cases.map((c) => c.condition))}` : `a ${rule.detectionMethod} rule`}`,
        );
      } else if (!Number.isInteger(t.threshold) || t.threshold < 0) {
        p.add(`${f}.threshold`, t.threshold, "a whole number >= 0");
      }
    }
    if (t.evaluationWindowSeconds !== undefined && rule.detectionMethod !== "threshold")
      p.add(`${f}.evaluationWindowSeconds`, t.evaluationWindowSeconds, "only for threshold rules", `the rule is a ${rule.detectionMethod} rule`);
    if (t.exclusionQuery !== undefined) p.addAll(lintQuery(t.exclusionQuery), `${f}.exclusionQuery`);
    // The guide's exec rule, when chosen, keeps the guide's @usr.name.
    checkIdentity(`${f}.exclusionQuery`, t.exclusionQuery, id === GUIDE_EXEC_RULE_ID && tuning.guideExecRule === true ? "@usr.name" : identity);
    (t.notifications ?? []).forEach((handle, i) => {
      const o = notificationHandleProblem(handle);
      if (o !== undefined) p.addAll([o], `${f}.notifications[${i}]`);
    });
  }
  p.addAll(severityNotificationProblems("notifications", tuning.notifications));
  if (tuning.identityAttribute !== undefined) {
    const o = identityAttributeProblem(tuning.identityAttribute);
    if (o !== undefined) p.addAll([o], "identityAttribute");
  }
  if (tuning.guideExecRule !== undefined && typeof tuning.guideExecRule !== "boolean") p.add("guideExecRule", tuning.guideExecRule, "true, false");
  if (tuning.guideExecRule === true && !ids.includes(GUIDE_EXEC_RULE_ID))
    p.add("guideExecRule", true, "false for this pack", `the pack has no rule "${GUIDE_EXEC_RULE_ID}"`);
  const delivery = tuning.notificationDelivery ?? "case";
  if (!NOTIFICATION_DELIVERIES.includes(delivery)) p.add("notificationDelivery", delivery, NOTIFICATION_DELIVERIES.join(", "));
  return p.list;
}

/** The pack with the tuning applied (new objects; the pack is not modified). Throws on invalid tuning. */
export function tuneRules(pack: readonly DetectionRuleProps[], tuning: CloudSiemTuning = {}): DetectionRuleProps[] {
  throwProblems("cloud siem tuning", tuningProblems(pack, tuning));
  const perCase = (tuning.notificationDelivery ?? "case") === "case";
  const identity = tuning.identityAttribute ?? DEFAULT_IDENTITY_ATTRIBUTE;
  return pack.map((packRule) => {
    const chosen = tuning.guideExecRule === true && packRule.id === GUIDE_EXEC_RULE_ID ? podExecNewUserRule({ guide: true }) : packRule;
    const rule = withIdentityAttribute(chosen, identity);
    const t: RuleTuning = tuning.rules?.[rule.id] ?? {};
    const window = t.evaluationWindowSeconds ?? rule.evaluationWindowSeconds;
    const keepAlive = t.keepAliveSeconds ?? (window !== undefined ? Math.max(rule.keepAliveSeconds ?? 3600, window) : rule.keepAliveSeconds);
    const maxDuration =
      t.maxSignalDurationSeconds ??
      (keepAlive !== undefined ? Math.max(rule.maxSignalDurationSeconds ?? 86400, keepAlive) : rule.maxSignalDurationSeconds);
    return {
      ...rule,
      enabled: t.enabled ?? rule.enabled ?? true,
      queries: rule.queries.map((q) => ({ ...q, query: appendExclusion(appendExclusion(q.query, tuning.exclusionQuery), t.exclusionQuery) })),
      cases: rule.cases.map((c) => {
        const status = t.severity ?? c.status;
        const condition = t.threshold === undefined || c.condition === undefined ? c.condition : withThreshold(c.condition, t.threshold);
        const notifications = [...(c.notifications ?? [])];
        for (const handle of [...(perCase ? (tuning.notifications?.[status] ?? []) : []), ...(t.notifications ?? [])]) {
          if (!notifications.includes(handle)) notifications.push(handle);
        }
        return { ...c, status, ...(condition === undefined ? {} : { condition }), notifications };
      }),
      ...(window === undefined ? {} : { evaluationWindowSeconds: window }),
      ...(keepAlive === undefined ? {} : { keepAliveSeconds: keepAlive }),
      ...(maxDuration === undefined ? {} : { maxSignalDurationSeconds: maxDuration }),
    };
  });
}

/** Everything `CloudSiemRules` needs from a pack and an environment's tuning. */
export function cloudSiemPropsFromTuning(pack: readonly DetectionRuleProps[], tuning: CloudSiemTuning = {}): CloudSiemRulesProps {
  const rules = tuneRules(pack, tuning);
  const notificationRules: SecurityNotificationRuleProps[] = [];
  if ((tuning.notificationDelivery ?? "case") === "notification_rule") {
    for (const severity of [...SEVERITIES].reverse()) {
      const targets = tuning.notifications?.[severity] ?? [];
      if (targets.length > 0) {
        notificationRules.push({
          name: `EKS audit: ${severity} Kubernetes signals`,
          targets,
          severities: [severity],
          ruleTypes: ["log_detection"],
          query: "source:kubernetes",
        });
      }
    }
  }
  return {
    rules,
    suppressions: tuning.suppressions ?? [],
    securityNotificationRules: [...notificationRules, ...(tuning.securityNotificationRules ?? [])],
    ruleTags: tuning.ruleTags ?? [],
  };
}
