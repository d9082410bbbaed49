/**
 * The backtest of a rule set in DuckDB: one parallel scan (`scan.ts`) reads every line, classifies it and its time,
 * and keeps the text of the lines it cannot rule out; the reference evaluator (`lib/query`'s `QuerySet`, the one
 * `rules match` runs) evaluates every query on those lines only (`evaluateCandidates` of `duckdb.ts`) and appends the
 * per-line results and keys to `bt_q`; then per rule the numbers of `rules match --summary` (`lib/rules/signals.ts` is
 * the reference): events matched, distinct values of the rule's fields, and signals from window functions.
 *
 * Order: each file is scanned by its own statement, in the order given, and the scan keeps the line order
 * (`compileScan` of scan.ts), so the `rowid` of `bt_all` (`n` in `bt_k`) is the line order of the inputs, and the
 * per-event state of the Node engine (the previous event's time for an event without one, the open bucket of a group,
 * the last time a New Value was seen) is reproduced with window functions over `n`, also for events out of time order.
 */
import { compileFieldReader, parseQuery, type FieldReader, type NormalizedLog, type QueryNode } from "../query";
import { parseCondition, type ConditionNode } from "../rules/condition";
import type { CompiledRule } from "../rules/compile";
import { newSummary, readKey } from "../rules/signals";
import { PREFILTER_MACROS } from "./prefilter";
import { compileScan } from "./scan";
import { MACROS_SQL } from "./sql";

const DAY_MS = 86_400_000;

/** What the plan computes for one rule, and how it was estimated (the text of `rules match --summary`). */
export interface RulePlan {
  readonly compiled: CompiledRule;
  /** Column names of the rule's queries in `bt_q`. */
  readonly queryColumns: readonly string[];
  /** `distinct.fields` of the summary (empty: none). */
  readonly distinctFields: readonly string[];
  /** The summary's `estimate` text. */
  readonly estimate: string;
  /** SQL giving the rule's estimated signals over `bt_e` (one row, column `signals`), or undefined when not estimated. */
  readonly signalsSql?: string;
}

/** A column of `bt_q` and how the evaluator fills it for one candidate line. */
export interface ResultColumn {
  readonly name: string;
  readonly type: "BOOLEAN" | "VARCHAR" | "DOUBLE";
  /** The value for a log, given every query's result (by slot); null for SQL NULL. */
  readonly value: (log: NormalizedLog, results: readonly boolean[]) => boolean | string | number | null;
}

export interface BacktestPlan {
  readonly macros: readonly string[];
  /** The parsed queries, by slot (`CompiledRule.queries[k].slot`). */
  readonly nodes: readonly QueryNode[];
  /** The scan's `SELECT` (`scan.ts`) given the SQL of a relation with a VARCHAR column `line`, in input order. */
  readonly scanSql: (lines: string) => string;
  /**
   * `bt_q`'s columns after `rid` (the line's `bt_all` rowid), `kind` and `ts` (the reference's kind and time of a line
   * the scan left to it, or `error`).
   */
  readonly resultColumns: readonly ResultColumn[];
  /** `CREATE TABLE bt_q (...)`. */
  readonly resultTableSql: string;
  /**
   * `bt_k` (every line: its number `n`, kind, time; the reference's where the scan left a line to it, when `others`),
   * `bt_timeless` (how many events have no time) and `bt_first` (the first event's time).
   */
  readonly linesSql: (others: boolean) => string;
  /** `bt_ev`: the events of `bt_k` (a view), with missing times filled as the Node engine fills them when `fill`. */
  readonly eventsSql: (fill: boolean) => string;
  /** `bt_e`: the evaluated events (`bt_q` rows of events) with their time; what the rules' numbers are computed from. */
  readonly evaluatedSql: string;
  /** Per line in order: kind and every query column (for the differential test). */
  readonly matchRowsSql: string;
  readonly rules: readonly RulePlan[];
  /** One row: lines, events, errors, days (distinct UTC days of the events' times). */
  readonly statsSql: string;
  /** One row per rule: matched_<r>, distinct_<r>. */
  readonly countsSql: string;
}

function conditionSql(node: ConditionNode, column: (query: string) => string): string {
  if (node.kind !== "compare") {
    return `(${conditionSql(node.left, column)} ${node.kind === "and" ? "AND" : "OR"} ${conditionSql(node.right, column)})`;
  }
  const op = node.operator === "==" ? "=" : node.operator === "!=" ? "<>" : node.operator;
  return `(${column(node.query)} ${op} ${node.value})`;
}

/** `readKey` of rules-signals.ts over field names (null when absent). */
function keyOf(fields: readonly string[]): (log: NormalizedLog) => string | null {
  const readers: FieldReader[] = fields.map(compileFieldReader);
  return (log) => readKey(readers, log) ?? null;
}

/**
 * Builds the plan for compiled rules (from `compileRules` of `lib/rules/compile.ts`, so the Node engine and this
 * one evaluate the same rule set). Keys and metrics are read by the reference's own readers (`readKey`,
 * `compileFieldReader`), so the window functions below see what `lib/rules/signals.ts` sees.
 */
export function planBacktest(rules: readonly CompiledRule[]): BacktestPlan {
  const nodes: QueryNode[] = [];
  const resultColumns: ResultColumn[] = [];
  const plans: RulePlan[] = [];
  rules.forEach((compiled, r) => {
    const rule = compiled.rule;
    const slots = compiled.queries.map((q) => q.slot);
    rule.queries.forEach((q, k) => (nodes[slots[k]] = parseQuery(q.query)));
    const names = slots.map((slot, k) => {
      const name = `q_${r}_${k}`;
      resultColumns.push({ name, type: "BOOLEAN", value: (_log, results) => results[slot] });
      return name;
    });
    const matchedAny = (results: readonly boolean[]) => slots.some((slot) => results[slot]);
    const any = `(${names.join(" OR ")})`;
    // The summary model of rules-signals.ts decides what is estimated and how it is described.
    const summary = newSummary(compiled, () => 0);
    summary.finish();
    const estimated = summary.estimatedSignals !== null;
    if (summary.distinctFields.length > 0) {
      const key = keyOf(summary.distinctFields);
      resultColumns.push({ name: `d_${r}`, type: "VARCHAR", value: (log, results) => (matchedAny(results) ? key(log) : null) });
    }
    let signalsSql: string | undefined;
    const first = rule.queries[0];
    if (estimated && rule.detectionMethod === "new_value") {
      const key = keyOf([...first.groupByFields, ...first.metrics]);
      resultColumns.push({ name: `nv_${r}`, type: "VARCHAR", value: (log, results) => (results[slots[0]] ? key(log) : null) });
      const learning = (rule.newValueOptions?.learningDurationDays ?? 0) * DAY_MS;
      const forget = rule.newValueOptions?.forgetAfterDays;
      // rules-signals.ts: a value is new when first seen after the learning period, or seen again after
      // forgetAfterDays of absence; "last seen" is the latest time seen so far in line order.
      signalsSql = `SELECT count(*) AS signals FROM (
        SELECT ts, max(ts) OVER (PARTITION BY nv_${r} ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
        FROM bt_e WHERE nv_${r} IS NOT NULL)
        WHERE NOT (ts < (SELECT first_ts FROM bt_first) + ${learning})
          AND (prev IS NULL${forget === undefined ? "" : ` OR ts - prev > ${forget * DAY_MS}`})`;
    } else if (estimated) {
      // rules-signals.ts: an event without a group-by value is ignored (no bucket); no group-by fields: one group.
      const group = first.groupByFields.length === 0 ? () => "" : keyOf(first.groupByFields);
      resultColumns.push({ name: `g_${r}`, type: "VARCHAR", value: (log, results) => (matchedAny(results) ? group(log) : null) });
      const aggs = rule.queries.map((q, k) => {
        const matched = names[k];
        const slot = slots[k];
        // ONE REQUEST COUNTED ONCE: a query that counts requests (lib/rules/count-requests.ts on the detection
        // branch) is `cardinality` over `@auditID`, i.e. count(DISTINCT auditID) per group and window below; no other
        // step of this plan dedupes requests.
        if (q.aggregation === "cardinality") {
          const key = keyOf(q.distinctFields);
          resultColumns.push({ name: `c_${r}_${k}`, type: "VARCHAR", value: (log, results) => (results[slot] ? key(log) : null) });
          return `count(DISTINCT c_${r}_${k}) FILTER (WHERE ${matched}) AS v_${k}`;
        }
        if (q.aggregation === "sum" || q.aggregation === "max") {
          const metric = q.metrics.length > 0 ? compileFieldReader(q.metrics[0]) : undefined;
          resultColumns.push({
            name: `m_${r}_${k}`,
            type: "DOUBLE",
            value: (log, results) => {
              // rules-signals.ts: `Number(value)`, NaN (absent, not a number) ignored.
              const v = results[slot] && metric !== undefined ? Number(metric(log)) : NaN;
              return Number.isNaN(v) ? null : v;
            },
          });
          return q.aggregation === "sum"
            ? `coalesce(sum(m_${r}_${k}) FILTER (WHERE ${matched}), 0) AS v_${k}`
            : `greatest(0, coalesce(max(m_${r}_${k}) FILTER (WHERE ${matched}), 0)) AS v_${k}`;
        }
        return `count(*) FILTER (WHERE ${matched}) AS v_${k}`;
      });
      const queryNames = rule.queries.map((q) => q.name);
      const conditions = rule.cases
        .filter((c) => c.condition !== undefined && c.condition.trim() !== "")
        .map((c) => conditionSql(parseCondition(c.condition ?? ""), (query) => `v_${queryNames.indexOf(query)}`));
      const windowMs = rule.evaluationWindowSeconds * 1000;
      // rules-signals.ts: tumbling windows per group; an event joins its group's open bucket, which moves on only to
      // a later window (the running maximum of the window number in line order).
      signalsSql = `SELECT count(*) AS signals FROM (
        SELECT ${aggs.join(", ")} FROM (
          SELECT *, max(floor(ts / ${windowMs})) OVER (PARTITION BY g_${r} ORDER BY n ROWS UNBOUNDED PRECEDING) AS win
          FROM bt_e WHERE ${any} AND g_${r} IS NOT NULL)
        GROUP BY g_${r}, win)
        WHERE ${conditions.join(" OR ")}`;
    }
    plans.push({ compiled, queryColumns: names, distinctFields: summary.distinctFields, estimate: summary.estimate, signalsSql });
  });
  const scanSql = compileScan(nodes);
  const resultTableSql = `CREATE OR REPLACE TABLE bt_q (rid BIGINT, kind VARCHAR, ts DOUBLE${resultColumns.map((c) => `, ${c.name} ${c.type}`).join("")})`;
  const queryNames = resultColumns.filter((c) => c.type === "BOOLEAN").map((c) => c.name);
  // The reference's kind and time where the scan left the line to it (`other`), else the scan's.
  const linesSql = (others: boolean): string => `CREATE OR REPLACE TABLE bt_k AS
${
  others
    ? `SELECT a.rowid AS n, coalesce(q.kind, a.kind) AS kind, CASE WHEN a.kind = 'other' THEN q.ts ELSE a.ts END AS ts
FROM bt_all a LEFT JOIN (SELECT rid, kind, ts FROM bt_q WHERE kind IS NOT NULL) q ON q.rid = a.rowid`
    : "SELECT rowid AS n, kind, ts FROM bt_all"
};
DROP TABLE bt_all;
CREATE OR REPLACE TABLE bt_timeless AS SELECT count(*) AS n FROM bt_k WHERE kind <> 'error' AND ts IS NULL;
CREATE OR REPLACE TABLE bt_first AS SELECT coalesce((SELECT coalesce(ts, 0) FROM bt_k WHERE kind <> 'error' ORDER BY n LIMIT 1), 0) AS first_ts`;
  // rules match: `ts = log.timestampMs ?? lastTs` (the previous event's, 0 before any). Only when some event has no
  // time is a window (a sort of every event) needed; otherwise `bt_ev` is a view of `bt_k`.
  const eventsSql = (fill: boolean): string =>
    fill
      ? `CREATE OR REPLACE TABLE bt_evf AS
SELECT n, coalesce(ts, last_value(ts IGNORE NULLS) OVER (ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ts
FROM bt_k WHERE kind <> 'error';
CREATE OR REPLACE VIEW bt_ev AS SELECT n, ts FROM bt_evf`
      : "CREATE OR REPLACE VIEW bt_ev AS SELECT n, ts FROM bt_k WHERE kind <> 'error'";
  const evaluatedSql = `CREATE OR REPLACE TABLE bt_e AS
SELECT q.* EXCLUDE (rid, kind, ts), e.n AS n, e.ts AS ts FROM bt_q q JOIN bt_ev e ON e.n = q.rid`;
  const matchRowsSql = `SELECT k.kind AS kind${queryNames.map((c) => `, coalesce(q.${c}, false) AS ${c}`).join("")}
FROM bt_k k LEFT JOIN bt_q q ON q.rid = k.n ORDER BY k.n`;
  const statsSql = `SELECT count(*) AS lines, count(*) FILTER (WHERE kind <> 'error') AS events, count(*) FILTER (WHERE kind = 'error') AS errors,
  (SELECT count(DISTINCT floor(ts / ${DAY_MS})) FROM bt_ev) AS days FROM bt_k`;
  const counts = plans.flatMap((p, r) => {
    const any = `(${p.queryColumns.join(" OR ")})`;
    const out = [`count(*) FILTER (WHERE ${any}) AS matched_${r}`];
    if (p.distinctFields.length > 0) out.push(`count(DISTINCT d_${r}) AS distinct_${r}`);
    return out;
  });
  const countsSql = `SELECT ${counts.length > 0 ? counts.join(", ") : "0 AS none"} FROM bt_e`;
  return {
    macros: [...MACROS_SQL, ...PREFILTER_MACROS],
    nodes,
    scanSql,
    resultColumns,
    resultTableSql,
    linesSql,
    eventsSql,
    evaluatedSql,
    matchRowsSql,
    rules: plans,
    statsSql,
    countsSql,
  };
}
