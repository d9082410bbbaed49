/**
 * The contract between the Cloud SIEM rule model (`modules/cloud-siem`) and the offline detection engine
 * (`lib/query`, `rules match`). A rule definition exposes at least this shape, so the engine can evaluate
 * it without knowing about cdktf.
 */

/** Signal severities, as Datadog names them (`case.status`). */
export type Severity = "info" | "low" | "medium" | "high" | "critical";

/** One query of a detection rule (`datadog_security_monitoring_rule.query`). */
export interface MatchableRuleQuery {
  /** Query name used in case conditions (`a`, `b`, ... when unnamed in Datadog). */
  readonly name: string;
  /** Datadog log search query, e.g. `source:kubernetes.audit @objectRef.subresource:exec`. */
  readonly query: string;
  /** `count`, `cardinality`, `sum`, `max`, `new_value`, `geo_data`, `event_count`, `none`. */
  readonly aggregation: string;
  readonly groupByFields: readonly string[];
  readonly distinctFields: readonly string[];
  /** For `new_value`: the field(s) whose new values are detected, e.g. `@usr.name`. */
  readonly metrics: readonly string[];
}

/** One case (`datadog_security_monitoring_rule.case`). New Value rules have no condition. */
export interface MatchableRuleCase {
  readonly status: Severity;
  readonly condition?: string;
  readonly name?: string;
}

/** A sample audit event that documents (and tests) what a rule must or must not match. */
export interface SampleEvent {
  /** Why this event should (not) match, e.g. "same exec by an excluded eks: identity". */
  readonly description: string;
  /** A raw `audit.k8s.io/v1` Event as EKS writes it to CloudWatch. */
  readonly event: Record<string, unknown>;
}

export interface MatchableRule {
  /**
   * Stable rule id, as used in config files and rule tables (e.g. `pod-exec-new-user`).
   * @default - none (the rule is known by its name only)
   */
  readonly id?: string;
  /** Unique rule name (the Datadog rule name). */
  readonly name: string;
  /** Severity of the first case (what a match would raise). */
  readonly severity: Severity;
  readonly tags: readonly string[];
  readonly enabled: boolean;
  /** `threshold`, `new_value`, ... */
  readonly detectionMethod: string;
  readonly queries: readonly MatchableRuleQuery[];
  readonly cases: readonly MatchableRuleCase[];
  /** Seconds; 0 for New Value rules. */
  readonly evaluationWindowSeconds: number;
  /** New Value options, for `new_value` rules. */
  readonly newValueOptions?: {
    readonly forgetAfterDays: number;
    readonly learningDurationDays: number;
  };
  /** Events the rule must match (at least one) and must not match (at least one). */
  readonly samples: {
    readonly positive: readonly SampleEvent[];
    readonly negative: readonly SampleEvent[];
  };
}
