/**
 * Signal estimation for `rules match --summary`: per rule, how many signals Datadog would raise for the replayed
 * events (tumbling windows per group for threshold rules, first-seen values for New Value rules), and the distinct
 * values of the fields a rule groups by. See `docs/detection-testing.md` for the model and its limits.
 */
import type { FieldReader, NormalizedLog } from "../query";
import { compileFieldReader } from "../query";
import type { CompiledRule, RuleSet } from "./compile";
import { problemText, under } from "../problem";
import { checkCondition, evaluateCondition, QueryValues } from "./condition";

/** Distinct values are counted exactly up to this many per rule, then reported as a lower bound. */
export const MAX_DISTINCT_VALUES_PER_RULE = 1_000_000;
const DAY_MS = 86_400_000;

type Condition = (values: QueryValues) => boolean;

/**
 * Compiles a case condition (`a > 0`, `access_denied > 10 || gke > 10`) over query names, in the one condition
 * language of `lib/rules/condition.ts` (the rule model accepts the same). Returns a reason string when the condition
 * does not parse or names an unknown query.
 */
export function compileCondition(condition: string, queryNames: readonly string[]): Condition | string {
  const { node, problems } = checkCondition(condition, queryNames);
  if (node === undefined || problems.length > 0) {
    return under("condition", problems).map(problemText).join("; ");
  }
  return (values) => evaluateCondition(node, values);
}

/** Per-rule accumulator for `--summary`. */
export interface RuleSummary {
  readonly compiled: CompiledRule;
  eventsMatched: number;
  readonly distinctFields: readonly string[];
  readonly distinctReaders: readonly FieldReader[];
  readonly distinct: Set<string>;
  distinctCapped: boolean;
  /** Adds a matched event (with the per-query match results) at time `ts`. */
  readonly observe: (log: NormalizedLog, queryMatched: readonly boolean[], ts: number) => void;
  /** Closes open buckets; returns the estimate. */
  readonly finish: () => void;
  estimatedSignals: number | null;
  estimate: string;
}

export function readKey(readers: readonly FieldReader[], log: NormalizedLog): string | undefined {
  if (readers.length === 1) return readers[0](log);
  let key = "";
  for (let k = 0; k < readers.length; k++) {
    const v = readers[k](log);
    if (v === undefined) return undefined;
    key += (k > 0 ? "\u0001" : "") + v;
  }
  return key;
}

/**
 * @param onSignal called with the time of each estimated signal (New Value: the event's time; threshold: the start
 * of the window whose bucket met a condition), e.g. to count signals per day.
 */
export function newSummary(compiled: CompiledRule, firstTs: () => number, onSignal?: (ts: number) => void): RuleSummary {
  const rule = compiled.rule;
  const first = rule.queries[0];
  const isNewValue = rule.detectionMethod === "new_value";
  const distinctFields = isNewValue ? [...(first?.groupByFields ?? []), ...(first?.metrics ?? [])] : [...(first?.groupByFields ?? [])];
  const s: RuleSummary = {
    compiled,
    eventsMatched: 0,
    distinctFields,
    distinctReaders: distinctFields.map(compileFieldReader),
    distinct: new Set<string>(),
    distinctCapped: false,
    observe: () => undefined,
    finish: () => undefined,
    estimatedSignals: null,
    estimate: "",
  };
  const mutable = s as { -readonly [K in keyof RuleSummary]: RuleSummary[K] };
  if (isNewValue) {
    const metrics = first?.metrics ?? [];
    const learningDays = rule.newValueOptions?.learningDurationDays ?? 0;
    const forgetDays = rule.newValueOptions?.forgetAfterDays;
    if (metrics.length === 0) {
      s.estimate = "not estimated: the new_value rule names no field in metrics";
      return s;
    }
    const readers = [...(first?.groupByFields ?? []), ...metrics].map(compileFieldReader);
    const lastSeen = new Map<string, number>();
    let signals = 0;
    mutable.observe = (log, queryMatched, ts) => {
      if (!queryMatched[0]) return;
      const key = readKey(readers, log);
      if (key === undefined) return;
      const prev = lastSeen.get(key);
      const learned = ts < firstTs() + learningDays * DAY_MS;
      const forgotten = prev !== undefined && forgetDays !== undefined && ts - prev > forgetDays * DAY_MS;
      if (!learned && (prev === undefined || forgotten)) {
        signals++;
        onSignal?.(ts);
      }
      if (prev === undefined || ts > prev) lastSeen.set(key, ts);
    };
    mutable.finish = () => {
      s.estimatedSignals = signals;
    };
    s.estimate =
      `values of ${metrics.join(" + ")}${first.groupByFields.length > 0 ? ` per ${first.groupByFields.join(" + ")}` : ""} ` +
      `first seen after the ${learningDays}-day learning period (measured from the first event's timestamp)` +
      (forgetDays !== undefined ? `, or seen again after ${forgetDays} days of absence` : "") +
      "; assumes events are in time order";
    return s;
  }

  // threshold (and anything else with case conditions): tumbling windows per group
  const windowMs = rule.evaluationWindowSeconds * 1000;
  const names = rule.queries.map((q) => q.name);
  const conditions: Condition[] = [];
  for (const c of rule.cases) {
    if (c.condition === undefined || c.condition.trim() === "") continue;
    const compiledCondition = compileCondition(c.condition, names);
    if (typeof compiledCondition === "string") {
      s.estimate = `not estimated: ${compiledCondition}`;
      return s;
    }
    conditions.push(compiledCondition);
  }
  if (conditions.length === 0 || windowMs <= 0) {
    s.estimate = `not estimated: a ${rule.detectionMethod} rule needs case conditions and an evaluation window`;
    return s;
  }
  const unsupported = rule.queries.find((q) => !["count", "cardinality", "sum", "max", "event_count"].includes(q.aggregation));
  if (unsupported !== undefined) {
    s.estimate = `not estimated: aggregation ${JSON.stringify(unsupported.aggregation)} of query ${unsupported.name} is not simulated`;
    return s;
  }
  const groupReaders = (first?.groupByFields ?? []).map(compileFieldReader);
  const aggs = rule.queries.map((q) => ({
    name: q.name,
    aggregation: q.aggregation,
    distinct: q.distinctFields.map(compileFieldReader),
    metric: q.metrics.length > 0 ? compileFieldReader(q.metrics[0]) : undefined,
  }));
  interface Bucket {
    window: number;
    readonly values: Record<string, number>;
    readonly sets: (Set<string> | undefined)[];
  }
  const buckets = new Map<string, Bucket>();
  let signals = 0;
  const close = (b: Bucket): void => {
    for (let k = 0; k < aggs.length; k++) {
      const set = b.sets[k];
      if (set !== undefined) b.values[aggs[k].name] = set.size;
    }
    if (conditions.some((c) => c(b.values))) {
      signals++;
      onSignal?.(b.window * windowMs);
    }
  };
  const reset = (b: Bucket, window: number): void => {
    b.window = window;
    for (const a of aggs) b.values[a.name] = 0;
    for (let k = 0; k < aggs.length; k++) b.sets[k] = aggs[k].aggregation === "cardinality" ? new Set() : undefined;
  };
  mutable.observe = (log, queryMatched, ts) => {
    // Datadog ignores events without a group-by value (`has_optional_group_by_fields` false, the rule model's
    // setting; provider 3.82 docs of datadog_security_monitoring_rule).
    const group = groupReaders.length === 0 ? "" : readKey(groupReaders, log);
    if (group === undefined) return;
    const window = Math.floor(ts / windowMs);
    let b = buckets.get(group);
    if (b === undefined) {
      b = { window, values: {}, sets: [] };
      reset(b, window);
      buckets.set(group, b);
    } else if (window > b.window) {
      close(b);
      reset(b, window);
    }
    for (let k = 0; k < aggs.length; k++) {
      if (!queryMatched[k]) continue;
      const a = aggs[k];
      if (a.aggregation === "cardinality") {
        const v = readKey(a.distinct, log);
        if (v !== undefined) b.sets[k]?.add(v);
      } else if (a.aggregation === "sum" || a.aggregation === "max") {
        const v = a.metric === undefined ? NaN : Number(a.metric(log));
        if (!Number.isNaN(v)) b.values[a.name] = a.aggregation === "sum" ? b.values[a.name] + v : Math.max(b.values[a.name], v);
      } else {
        b.values[a.name]++;
      }
    }
  };
  mutable.finish = () => {
    for (const b of buckets.values()) close(b);
    s.estimatedSignals = signals;
  };
  s.estimate =
    `(group, ${rule.evaluationWindowSeconds}s window) buckets where a case condition holds` +
    `${groupReaders.length > 0 ? `, grouped by ${first.groupByFields.join(" + ")}` : ""}; ` +
    "tumbling windows aligned to the epoch, without keep-alive merging (Datadog may merge several into one signal)";
  return s;
}

/**
 * The `--summary` model over a stream of events, shared by `rules match --summary` and the Node backtest engine: each
 * event's time (an event without one takes the previous event's), the rules whose queries it matches, their distinct
 * values and estimated signals.
 */
export class SummaryRun {
  public readonly summaries: RuleSummary[];
  private firstTs: number | undefined;
  private lastTs = 0;
  private readonly matched: boolean[][];
  private readonly results: boolean[];

  public constructor(private readonly ruleSet: RuleSet) {
    this.summaries = ruleSet.rules.map((c) => newSummary(c, () => this.firstTs ?? 0));
    this.matched = ruleSet.rules.map((c) => c.queries.map(() => false));
    this.results = new Array<boolean>(ruleSet.queries.size).fill(false);
  }

  /** Replays one event through every rule; returns the time it was counted at. */
  public observe(log: NormalizedLog): number {
    const ts = log.timestampMs ?? this.lastTs;
    if (this.firstTs === undefined) this.firstTs = ts;
    this.lastTs = ts;
    if (this.ruleSet.queries.evaluate(log, this.results) === 0) return ts;
    for (let r = 0; r < this.summaries.length; r++) {
      const s = this.summaries[r];
      const qs = s.compiled.queries;
      const matched = this.matched[r];
      let any = false;
      for (let k = 0; k < qs.length; k++) {
        matched[k] = this.results[qs[k].slot];
        any = any || matched[k];
      }
      if (!any) continue;
      s.eventsMatched++;
      if (s.distinctReaders.length > 0 && !s.distinctCapped) {
        const key = readKey(s.distinctReaders, log);
        if (key !== undefined) {
          s.distinct.add(key);
          if (s.distinct.size >= MAX_DISTINCT_VALUES_PER_RULE) s.distinctCapped = true;
        }
      }
      s.observe(log, matched, ts);
    }
    return ts;
  }

  /** Closes every rule's open buckets (their estimates are final afterwards). */
  public finish(): readonly RuleSummary[] {
    for (const s of this.summaries) s.finish();
    return this.summaries;
  }
}
