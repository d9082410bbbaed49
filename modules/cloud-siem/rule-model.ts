/**
 * The typed model of a Cloud SIEM log detection rule. `defineRule(props)` validates a definition against
 * everything the Datadog API or provider 3.82 would reject at apply time and returns a normalized
 * `DetectionRule`: explicit timing options, the Datadog tag convention, and the shape the offline engine reads
 * (`MatchableRule`, `lib/rules/matchable.ts`).
 *
 * Sources: DataDog/terraform-provider-datadog@v3.82.0 `docs/resources/security_monitoring_rule.md` and its test
 * cassette `TestAccDatadogSecurityMonitoringRule_CreateInvalidRule.yaml` ("Max signal duration must be greater than or
 * equal to keep alive"); Datadog docs "Log Detection Rules"
 * (https://docs.datadoghq.com/security/cloud_siem/detect_and_monitor/custom_detection_rules/) and the tag convention of
 * Datadog's own rules (`tactic:TAxxxx-name`, `technique:Txxxx-name`; https://docs.datadoghq.com/security/default_rules/).
 */
import type { MatchableRule, MatchableRuleCase, MatchableRuleQuery, SampleEvent, Severity } from "../../lib/rules/matchable";
import {
  AGGREGATIONS,
  DETECTION_METHODS,
  DetectionMethod,
  MAX_CASES,
  MAX_NEW_VALUE_FIELDS,
  MITRE_TACTICS,
  MITRE_TECHNIQUES,
  NEW_VALUE_FORGET_AFTER_DAYS,
  NEW_VALUE_LEARNING_DURATION_DAYS,
  NEW_VALUE_LEARNING_METHODS,
  NEW_VALUE_LEARNING_THRESHOLDS,
  RULE_WINDOWS_SECONDS,
  SEVERITIES,
  THRESHOLD_AGGREGATIONS,
} from "./allowed-values";
import { checkCondition, ConditionNode } from "../../lib/rules/condition";
import { COUNT_EVENTS_WHY, COUNT_REQUESTS_ALLOWED } from "../../lib/rules/count-requests";
import { Problem, Problems, show, throwProblems } from "../../lib/problem";
import { DATADOG_TAG, DATADOG_TAG_ALLOWED } from "../../lib/datadog-tags";
import { lintQuery } from "./query-lint";
import { didYouMean } from "../../lib/did-you-mean";
import { NOTIFICATION_HANDLE, NOTIFICATION_HANDLE_ALLOWED } from "../../lib/datadog-notifications";

/**
 * `Token.isUnresolved` of cdktf, loaded only for strings that carry a token marker (`${TfToken[`, `#{TfToken[`,
 * `&{TfToken[`): the offline tools (`rules match`, `eval:corpus`) validate rules without loading cdktf.
 */
function isUnresolvedToken(value: unknown): boolean {
  if (typeof value !== "string" || !value.includes("{TfToken[")) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("cdktf") as typeof import("cdktf")).Token.isUnresolved(value);
}

export type { Severity, SampleEvent };

/** One query of a rule. */
export interface RuleQueryProps {
  /**
   * Query name used in case conditions: lowercase ASCII letters, digits and `_`, starting with a letter.
   * @default - `a`, `b`, ... by position (Datadog's names for unnamed queries)
   */
  readonly name?: string;
  /** Datadog Log Explorer query, e.g. `source:kubernetes.audit @objectRef.subresource:exec`. */
  readonly query: string;
  /**
   * `count`, `cardinality`, `sum` or `max` for threshold rules; New Value rules always use `new_value`.
   * @default - `count` for threshold rules, `new_value` for New Value rules
   */
  readonly aggregation?: string;
  /**
   * Fields the query groups by (one signal per group).
   * @default []
   */
  readonly groupByFields?: readonly string[];
  /**
   * Fields whose distinct values are counted (`cardinality` aggregation only, where at least one is required).
   * @default []
   */
  readonly distinctFields?: readonly string[];
  /**
   * The field(s) a New Value rule watches (1 to 5, e.g. `@usr.name`), or the one field `sum`/`max` aggregate.
   * @default []
   */
  readonly metrics?: readonly string[];
}

/** One case of a rule. The first case whose condition holds generates the signal. */
export interface RuleCaseProps {
  /** Severity of the signal (`info`, `low`, `medium`, `high`, `critical`). */
  readonly status: Severity;
  /**
   * Condition over query names, e.g. `a > 5` or `execs > 5 && denied > 0` (threshold rules only; New Value cases
   * have no condition).
   * @default - no condition (required for New Value rules)
   */
  readonly condition?: string;
  /**
   * Case name.
   * @default - no name
   */
  readonly name?: string;
  /**
   * Notification handles (`@slack-...`, `@pagerduty-...`, `@user@example.com`).
   * @default []
   */
  readonly notifications?: readonly string[];
}

/** New Value options (`options.new_value_options`). */
export interface NewValueOptionsProps {
  /** Days after which a learned value is forgotten and would alert again: 1, 2, 7, 14, 21 or 28. */
  readonly forgetAfterDays: number;
  /**
   * Days during which values are learned without alerting: 0, 1 or 7 (0 alerts on every new value after the first).
   * @default 1
   */
  readonly learningDurationDays?: number;
  /**
   * `duration` or `threshold`.
   * @default "duration"
   */
  readonly learningMethod?: string;
  /**
   * 0 or 1.
   * @default 0
   */
  readonly learningThreshold?: number;
}

/** A detection rule definition (one file per rule in the pack). */
export interface DetectionRuleProps {
  /** Stable identifier (kebab-case; the rule's file name in the pack, its construct ID and tuning key). */
  readonly id: string;
  /** Datadog rule name (unique within a construct). */
  readonly name: string;
  /** Signal message (Markdown): what happened, why it matters, triage steps. */
  readonly message: string;
  /** `threshold` or `new_value`. */
  readonly detectionMethod: DetectionMethod;
  /** MITRE ATT&CK tactic as Datadog tags it, e.g. `TA0002-execution`. */
  readonly tactic: string;
  /** MITRE ATT&CK technique as Datadog tags it, e.g. `T1609-container-administration-command`. */
  readonly technique: string;
  /** Queries (at least one). */
  readonly queries: readonly RuleQueryProps[];
  /** Cases (1 to 10). New Value rules: exactly one case and no condition. */
  readonly cases: readonly RuleCaseProps[];
  /**
   * Whether the rule is enabled.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Tags added to `source:kubernetes`, `security:attack`, `tactic:...`, `technique:...`.
   * @default []
   */
  readonly extraTags?: readonly string[];
  /**
   * Threshold rules: seconds over which the conditions are evaluated. New Value rules use 0 (and nothing else).
   * @default - 300 for threshold rules, 0 for New Value rules
   */
  readonly evaluationWindowSeconds?: number;
  /**
   * Seconds a signal stays open without new matches (>= the evaluation window).
   * @default 3600
   */
  readonly keepAliveSeconds?: number;
  /**
   * Maximum lifetime of a signal in seconds (>= keep-alive).
   * @default 86400
   */
  readonly maxSignalDurationSeconds?: number;
  /**
   * New Value options; required for New Value rules, not allowed for threshold rules.
   * @default - none
   */
  readonly newValueOptions?: NewValueOptionsProps;
  /**
   * Include the group-by values in notification titles.
   * @default true
   */
  readonly hasExtendedTitle?: boolean;
  /**
   * Lower the severity one level for signals whose `env` tag starts with `staging`, `test` or `dev`.
   * @default false
   */
  readonly decreaseCriticalityBasedOnEnv?: boolean;
  /**
   * Additional signal grouping; must be a subset of the group-by fields of every query.
   * @default []
   */
  readonly groupSignalsBy?: readonly string[];
  /**
   * The identity attribute this rule is pinned to, whatever the pack's `identityAttribute` setting (the Datadog
   * guide's exec rule keeps the guide's `@usr.name`). Rule files write `@usr.name`; `withIdentityAttribute` rewrites it.
   * @default - the pack's setting
   */
  readonly identityAttribute?: "@usr.id" | "@usr.name";
  /**
   * Sample audit events the rule must (positive) and must not (negative) match.
   * @default - no samples (the pack requires at least one of each)
   */
  readonly samples?: { readonly positive: readonly SampleEvent[]; readonly negative: readonly SampleEvent[] };
}

/** A validated rule: every option explicit, tags computed. Satisfies the offline engine's `MatchableRule`. */
export interface DetectionRule extends MatchableRule {
  readonly id: string;
  readonly message: string;
  readonly detectionMethod: DetectionMethod;
  readonly tactic: string;
  readonly technique: string;
  readonly extraTags: readonly string[];
  readonly queries: readonly (MatchableRuleQuery & { readonly aggregation: string })[];
  readonly cases: readonly (MatchableRuleCase & { readonly notifications: readonly string[] })[];
  readonly keepAliveSeconds: number;
  readonly maxSignalDurationSeconds: number;
  /** @default - absent for threshold rules */
  readonly newValueOptions?: {
    readonly forgetAfterDays: number;
    readonly learningDurationDays: number;
    readonly learningMethod: string;
    readonly learningThreshold: number;
  };
  readonly hasExtendedTitle: boolean;
  readonly decreaseCriticalityBasedOnEnv: boolean;
  readonly groupSignalsBy: readonly string[];
  readonly samples: { readonly positive: readonly SampleEvent[]; readonly negative: readonly SampleEvent[] };
}

/** The tags Datadog's convention requires on every attack rule (the tags of Datadog's own rules: https://docs.datadoghq.com/security/default_rules/). */
export const BASE_RULE_TAGS: readonly string[] = ["source:kubernetes", "security:attack"];

const RULE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const QUERY_NAME = /^[a-z][a-z0-9_]*$/;
const TACTIC = /^(TA\d{4})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;
const TECHNIQUE = /^(T\d{4}(?:\.\d{3})?)-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

/**
 * Notification handles Datadog understands: integration handles (`@slack-<channel>`, `@pagerduty-<service>`,
 * `@opsgenie-`, `@webhook-`, `@teams-`, `@jira-`, `@servicenow-`, `@workflow-`) and e-mail handles
 * (`@user@example.com`).
 */
export { NOTIFICATION_HANDLE, NOTIFICATION_HANDLE_ALLOWED };

/** The problem of a notification handle (located at the handle, field `""`), or undefined when it is valid. */
export function notificationHandleProblem(handle: unknown): Problem | undefined {
  if (typeof handle === "string" && (NOTIFICATION_HANDLE.test(handle) || isUnresolvedToken(handle))) return undefined;
  return { field: "", received: show(handle), allowed: NOTIFICATION_HANDLE_ALLOWED };
}

/**
 * Problems of notification handles by severity (`{ high: ["@pagerduty-eks"] }`) under `field`: keys that are not
 * severities, and handles Datadog does not understand.
 */
export function severityNotificationProblems(field: string, map: Readonly<Partial<Record<Severity, readonly string[]>>> | undefined): Problem[] {
  const p = new Problems();
  for (const [severity, handles] of Object.entries(map ?? {})) {
    if (!SEVERITIES.includes(severity as Severity)) {
      p.add(`${field}.${severity}`, handles, `the severities ${SEVERITIES.join(", ")}`, `not a severity${didYouMean(severity, SEVERITIES)}`);
      continue;
    }
    (handles ?? []).forEach((handle, i) => {
      const problem = notificationHandleProblem(handle);
      if (problem !== undefined) p.addAll([problem], `${field}.${severity}[${i}]`);
    });
  }
  return p.list;
}

/** Every problem of one definition, in the API's field names (`case[0].condition`). Empty when valid. */
export function ruleProblems(props: DetectionRuleProps): Problem[] {
  const p = new Problems();
  const method = props.detectionMethod as string;
  const isNewValue = method === "new_value";

  if (typeof props.id !== "string" || !RULE_ID.test(props.id)) p.add("id", props.id, "kebab-case, e.g. pod-exec");
  if (typeof props.name !== "string" || props.name.trim() === "") p.add("name", props.name, "a non-empty string");
  if (typeof props.message !== "string" || props.message.trim() === "") p.add("message", props.message, "a non-empty Markdown string");
  if (!(DETECTION_METHODS as readonly string[]).includes(method)) p.add("options.detection_method", method, DETECTION_METHODS.join(", "));

  const tactic = TACTIC.exec(props.tactic ?? "");
  if (tactic === null) {
    p.add("tactic", props.tactic, "TAxxxx-<kebab-case name>, e.g. TA0002-execution");
  } else if (MITRE_TACTICS[tactic[1]] !== tactic[2]) {
    const expected = MITRE_TACTICS[tactic[1]];
    p.add(
      "tactic",
      props.tactic,
      expected === undefined
        ? Object.entries(MITRE_TACTICS)
            .map(([k, v]) => `${k}-${v}`)
            .join(", ")
        : `${tactic[1]}-${expected}`,
    );
  }
  const technique = TECHNIQUE.exec(props.technique ?? "");
  if (technique === null) {
    p.add("technique", props.technique, "Txxxx[.yyy]-<kebab-case name>, e.g. T1609-container-administration-command");
  } else if (MITRE_TECHNIQUES[technique[1]] !== technique[2]) {
    const expected = MITRE_TECHNIQUES[technique[1]];
    p.add(
      "technique",
      props.technique,
      expected === undefined
        ? "a technique of MITRE_TECHNIQUES in modules/cloud-siem/allowed-values.ts (add it there with its attack.mitre.org name)"
        : `${technique[1]}-${expected}`,
    );
  }

  // Queries.
  const queries = props.queries ?? [];
  if (queries.length === 0) p.add("query", [], "at least one query");
  const names = queries.map((q, i) => q.name ?? String.fromCharCode(97 + i));
  queries.forEach((q, i) => {
    const f = `query[${i}]`;
    if (q.name !== undefined && !QUERY_NAME.test(q.name)) p.add(`${f}.name`, q.name, "lowercase ASCII letters, digits and _, starting with a letter");
    if (names.indexOf(names[i]) !== i) p.add(`${f}.name`, names[i], "unique query names", `already used by query[${names.indexOf(names[i])}]`);
    // A token (e.g. a TerraformVariable) is only known at plan time: nothing to lint.
    if (!isUnresolvedToken(q.query)) p.addAll(lintQuery(q.query ?? ""), `${f}.query`);
    const aggregation = q.aggregation ?? (isNewValue ? "new_value" : "count");
    const metrics = q.metrics ?? [];
    if (!AGGREGATIONS.includes(aggregation)) {
      p.add(`${f}.aggregation`, aggregation, AGGREGATIONS.join(", "));
    } else if (isNewValue) {
      if (aggregation !== "new_value") p.add(`${f}.aggregation`, aggregation, "new_value, for detection_method new_value");
      if (metrics.length < 1 || metrics.length > MAX_NEW_VALUE_FIELDS)
        p.add(`${f}.metrics`, metrics, `1 to ${MAX_NEW_VALUE_FIELDS} fields whose new values are detected, e.g. ["@usr.name"]`);
    } else if (method === "threshold") {
      if (!THRESHOLD_AGGREGATIONS.includes(aggregation))
        p.add(`${f}.aggregation`, aggregation, `${THRESHOLD_AGGREGATIONS.join(", ")} for detection_method threshold`);
      if (aggregation === "cardinality" && (q.distinctFields ?? []).length === 0)
        p.add(`${f}.distinct_fields`, [], "at least one field for the cardinality aggregation");
      if ((aggregation === "sum" || aggregation === "max") && metrics.length !== 1)
        p.add(`${f}.metrics`, metrics, `exactly one field for the ${aggregation} aggregation`);
      if ((aggregation === "count" || aggregation === "cardinality") && metrics.length > 0)
        p.add(`${f}.metrics`, metrics, `[] for the ${aggregation} aggregation`);
    }
  });
  for (const field of props.groupSignalsBy ?? []) {
    queries.forEach((q, i) => {
      if (!(q.groupByFields ?? []).includes(field))
        p.add(
          "group_signals_by",
          props.groupSignalsBy,
          `a subset of ${show(q.groupByFields ?? [])}`,
          `${show(field)} is not a group-by field of query[${i}]`,
        );
    });
  }

  // Cases.
  const cases = props.cases ?? [];
  /** Query names compared with a threshold above one event, with the first condition that does it. */
  const countedBy = new Map<string, string>();
  if (cases.length === 0) p.add("case", [], `1 to ${MAX_CASES} cases`);
  if (cases.length > MAX_CASES) p.addDescribed("case", `${cases.length} cases`, `at most ${MAX_CASES}`);
  if (isNewValue && cases.length > 1) p.addDescribed("case", `${cases.length} cases`, "exactly 1 for detection_method new_value");
  cases.forEach((c, i) => {
    const f = `case[${i}]`;
    if (!SEVERITIES.includes(c.status)) p.add(`${f}.status`, c.status, SEVERITIES.join(", "));
    if (isNewValue && c.condition !== undefined) {
      p.add(`${f}.condition`, c.condition, "no condition for detection_method new_value");
    } else if (method === "threshold") {
      if (c.condition === undefined || c.condition.trim() === "") {
        p.add(`${f}.condition`, c.condition, `a condition over the query names ${names.join(", ")}, e.g. ${names[0] ?? "a"} > 0`);
      } else {
        const { node, problems } = checkCondition(c.condition, names);
        p.addAll(problems, `${f}.condition`);
        for (const name of node === undefined ? [] : countedAboveOne(node))
          if (!countedBy.has(name)) countedBy.set(name, `${f}.condition ${c.condition}`);
      }
    }
    (c.notifications ?? []).forEach((handle, j) => {
      const problem = notificationHandleProblem(handle);
      if (problem !== undefined) p.addAll([problem], `${f}.notifications[${j}]`);
    });
  });

  // A count compared with more than one counts stages, not requests (lib/rules/count-requests.ts).
  for (const [name, where] of countedBy) {
    const i = names.indexOf(name);
    const aggregation = queries[i]?.aggregation ?? (isNewValue ? "new_value" : "count");
    if (i >= 0 && aggregation === "count") p.add(`query[${i}].aggregation`, aggregation, COUNT_REQUESTS_ALLOWED, `${where}: ${COUNT_EVENTS_WHY}`);
  }

  // Options.
  const window = props.evaluationWindowSeconds ?? (isNewValue ? 0 : 300);
  const keepAlive = props.keepAliveSeconds ?? 3600;
  const maxDuration = props.maxSignalDurationSeconds ?? 86400;
  let timingOk = true;
  for (const [field, value] of [
    ["options.evaluation_window", window],
    ["options.keep_alive", keepAlive],
    ["options.max_signal_duration", maxDuration],
  ] as const) {
    if (!RULE_WINDOWS_SECONDS.includes(value)) {
      p.add(field, value, RULE_WINDOWS_SECONDS.join(", "));
      timingOk = false;
    }
  }
  if (isNewValue && window !== 0) {
    p.add("options.evaluation_window", window, "0 for detection_method new_value, which uses no evaluation window");
  } else if (timingOk && !(window <= keepAlive && keepAlive <= maxDuration)) {
    p.addDescribed(
      "options",
      `evaluation_window ${window}, keep_alive ${keepAlive}, max_signal_duration ${maxDuration}`,
      "evaluation_window <= keep_alive <= max_signal_duration",
      "out of order",
    );
  }
  const nv = props.newValueOptions;
  if (isNewValue) {
    if (nv === undefined) {
      p.add("options.new_value_options.forget_after", undefined, `${NEW_VALUE_FORGET_AFTER_DAYS.join(", ")} days`);
    } else {
      if (!NEW_VALUE_FORGET_AFTER_DAYS.includes(nv.forgetAfterDays))
        p.add("options.new_value_options.forget_after", nv.forgetAfterDays, `${NEW_VALUE_FORGET_AFTER_DAYS.join(", ")} days`);
      const learning = nv.learningDurationDays ?? 1;
      if (!NEW_VALUE_LEARNING_DURATION_DAYS.includes(learning))
        p.add("options.new_value_options.learning_duration", learning, `${NEW_VALUE_LEARNING_DURATION_DAYS.join(", ")} days`);
      const learningMethod = nv.learningMethod ?? "duration";
      if (!NEW_VALUE_LEARNING_METHODS.includes(learningMethod))
        p.add("options.new_value_options.learning_method", learningMethod, NEW_VALUE_LEARNING_METHODS.join(", "));
      const learningThreshold = nv.learningThreshold ?? 0;
      if (!NEW_VALUE_LEARNING_THRESHOLDS.includes(learningThreshold))
        p.add("options.new_value_options.learning_threshold", learningThreshold, NEW_VALUE_LEARNING_THRESHOLDS.join(", "));
    }
  } else if (nv !== undefined && method === "threshold") {
    p.add("options.new_value_options", nv, "only for detection_method new_value");
  }
  (props.extraTags ?? []).forEach((tag, i) => {
    if (typeof tag !== "string" || !DATADOG_TAG.test(tag)) p.add(`tags[${i}]`, tag, DATADOG_TAG_ALLOWED);
  });
  return p.list;
}

/** Query names that a condition compares with a threshold above one event (`a > 5`, `a >= 2`). */
function countedAboveOne(node: ConditionNode): string[] {
  if (node.kind !== "compare") return [...countedAboveOne(node.left), ...countedAboveOne(node.right)];
  const above =
    (node.operator === ">" && node.value >= 1) || (node.operator === ">=" && node.value > 1) || (node.operator === "==" && node.value > 1);
  return above ? [node.query] : [];
}

/** Throws one error listing every problem of the definition. */
export function assertValidRule(props: DetectionRuleProps): void {
  throwProblems(`rule ${show(props.id)}`, ruleProblems(props));
}

/** Validates a definition and returns the normalized rule (every option explicit). */
export function defineRule(props: DetectionRuleProps): DetectionRule {
  assertValidRule(props);
  return normalizeRule(props);
}

/** The normalized rule (every option explicit) of a definition already validated by {@link ruleProblems}. */
export function normalizeRule(props: DetectionRuleProps): DetectionRule {
  const isNewValue = props.detectionMethod === "new_value";
  const extraTags = [...(props.extraTags ?? [])];
  const tags = [...BASE_RULE_TAGS, `tactic:${props.tactic}`, `technique:${props.technique}`];
  for (const tag of extraTags) if (!tags.includes(tag)) tags.push(tag);
  const cases = props.cases.map((c) => ({
    status: c.status,
    ...(c.condition === undefined ? {} : { condition: c.condition }),
    ...(c.name === undefined ? {} : { name: c.name }),
    notifications: [...(c.notifications ?? [])],
  }));
  const nv = props.newValueOptions;
  return {
    id: props.id,
    name: props.name,
    message: props.message,
    severity: cases[0].status,
    tags,
    extraTags,
    enabled: props.enabled ?? true,
    detectionMethod: props.detectionMethod,
    tactic: props.tactic,
    technique: props.technique,
    queries: props.queries.map((q, i) => ({
      name: q.name ?? String.fromCharCode(97 + i),
      query: q.query,
      aggregation: q.aggregation ?? (isNewValue ? "new_value" : "count"),
      groupByFields: [...(q.groupByFields ?? [])],
      distinctFields: [...(q.distinctFields ?? [])],
      metrics: [...(q.metrics ?? [])],
    })),
    cases,
    evaluationWindowSeconds: props.evaluationWindowSeconds ?? (isNewValue ? 0 : 300),
    keepAliveSeconds: props.keepAliveSeconds ?? 3600,
    maxSignalDurationSeconds: props.maxSignalDurationSeconds ?? 86400,
    ...(isNewValue && nv !== undefined
      ? {
          newValueOptions: {
            forgetAfterDays: nv.forgetAfterDays,
            learningDurationDays: nv.learningDurationDays ?? 1,
            learningMethod: nv.learningMethod ?? "duration",
            learningThreshold: nv.learningThreshold ?? 0,
          },
        }
      : {}),
    hasExtendedTitle: props.hasExtendedTitle ?? true,
    decreaseCriticalityBasedOnEnv: props.decreaseCriticalityBasedOnEnv ?? false,
    groupSignalsBy: [...(props.groupSignalsBy ?? [])],
    samples: { positive: [...(props.samples?.positive ?? [])], negative: [...(props.samples?.negative ?? [])] },
  };
}
