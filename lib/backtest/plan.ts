/**
 * The backtest of a rule set as DuckDB SQL: two scans (the first keeps the lines that could match some query, by each
 * query's cheap conjuncts; the second evaluates every query of every rule on those lines) into a temporary table
 * (`bt_m`, one row per line), then per rule the numbers of `rules match --summary` (`tools/rules-signals.ts` is the
 * reference): events matched, distinct values of the rule's fields, and signals from window functions.
 *
 * Order: DuckDB keeps the scan's order in `bt_m` (`preserve_insertion_order`, the default), so `rowid` is the line
 * order of the inputs (files in the order given) and the per-event state of the Node engine (the previous event's
 * time for an event without one, the open bucket of a group, the last time a New Value was seen) is reproduced with
 * window functions over `rowid`, also for events out of time order.
 */
import { parseQuery, type QueryNode } from "../query";
import { parseCondition, type ConditionNode } from "../rules/condition";
import type { CompiledRule } from "../../tools/rules-compile";
import { newSummary } from "../../tools/rules-signals";
import { eventsSql, MACROS_SQL, SqlCompiler, sqlString } from "./sql";

const DAY_MS = 86_400_000;

/** Whether a query node reads no long path into `requestObject` (only such paths are left to the second scan). */
function isCheap(node: QueryNode): boolean {
  switch (node.kind) {
    case "all":
      return true;
    case "term":
      // Long paths into request bodies are the expensive ones; other attributes are mostly absent or short.
      return node.field.kind !== "attribute" || node.field.path.length <= 2 || node.field.path[0] !== "requestObject";
    case "not":
      return isCheap(node.child);
    case "and":
    case "or":
      return node.children.every(isCheap);
  }
}

/** What the plan computes for one rule, and how it was estimated (the text of `rules match --summary`). */
export interface RulePlan {
  readonly compiled: CompiledRule;
  /** Column names of the rule's queries in `bt_m`. */
  readonly queryColumns: readonly string[];
  /** `distinct.fields` of the summary (empty: none). */
  readonly distinctFields: readonly string[];
  /** The summary's `estimate` text. */
  readonly estimate: string;
  /** SQL giving the rule's estimated signals over `bt_e` (one row, column `signals`), or undefined when not estimated. */
  readonly signalsSql?: string;
}

export interface BacktestPlan {
  readonly macros: readonly string[];
  /** `CREATE TEMP TABLE bt_m AS ...` given the SQL of a relation with a VARCHAR column `line`. */
  readonly scanSql: (lines: string) => string;
  /** `bt_e`: the events of `bt_m` (a view), `bt_timeless` (how many have no time) and `bt_first` (the first event's time). */
  readonly eventsViewSql: string;
  /** Replaces `bt_e` by a table whose missing times are filled as the Node engine fills them (the previous event's). */
  readonly eventsFillSql: string;
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

/** `Number(text)` for a metric value as the Node engine reads it (`""` is 0); NULL for NaN. */
function metricNumber(text: string): string {
  return `CASE WHEN trim(${text}) = '' THEN 0::DOUBLE ELSE TRY_CAST(trim(${text}) AS DOUBLE) END`;
}

/**
 * Builds the plan for compiled rules (from `compileRules` of `tools/rules-compile.ts`, so the Node engine and this
 * one evaluate the same rule set).
 */
export function planBacktest(rules: readonly CompiledRule[]): BacktestPlan {
  const sql = new SqlCompiler();
  // Query columns are computed in an inner SELECT, the keys (read only for matched events) in the outer one.
  const queryColumns: string[] = [];
  const columns: string[] = [];
  const plans: RulePlan[] = [];
  rules.forEach((compiled, r) => {
    const rule = compiled.rule;
    const names = rule.queries.map((q, k) => {
      const name = `q_${r}_${k}`;
      queryColumns.push(`${sql.query(parseQuery(q.query))} AS ${name}`);
      return name;
    });
    const any = `(${names.join(" OR ")})`;
    // The summary model of rules-signals.ts decides what is estimated and how it is described.
    const summary = newSummary(compiled, () => 0);
    summary.finish();
    const estimated = summary.estimatedSignals !== null;
    if (summary.distinctFields.length > 0) columns.push(`CASE WHEN ${any} THEN ${sql.key(summary.distinctFields)} END AS d_${r}`);
    let signalsSql: string | undefined;
    const first = rule.queries[0];
    if (estimated && rule.detectionMethod === "new_value") {
      columns.push(`CASE WHEN ${names[0]} THEN ${sql.key([...first.groupByFields, ...first.metrics])} END AS nv_${r}`);
      const learning = (rule.newValueOptions?.learningDurationDays ?? 0) * DAY_MS;
      const forget = rule.newValueOptions?.forgetAfterDays;
      // rules-signals.ts: a value is new when first seen after the learning period, or seen again after
      // forgetAfterDays of absence; "last seen" is the latest time seen so far in line order.
      signalsSql = `SELECT count(*) AS signals FROM (
        SELECT ts, max(ts) OVER (PARTITION BY nv_${r} ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
        FROM bt_e WHERE nv_${r} IS NOT NULL)
        WHERE NOT (ts < (SELECT first_ts FROM bt_first) + ${learning})
          AND (prev IS NULL${forget === undefined ? "" : ` OR ts - prev > ${forget * DAY_MS}`})`;
    } else if (estimated) {
      columns.push(`CASE WHEN ${any} THEN coalesce(${first.groupByFields.length === 0 ? "''" : sql.key(first.groupByFields)}, '') END AS g_${r}`);
      const aggs = rule.queries.map((q, k) => {
        const matched = names[k];
        // ONE REQUEST COUNTED ONCE: a query that counts requests (lib/rules/count-requests.ts on the detection
        // branch) is `cardinality` over `@auditID`, i.e. count(DISTINCT auditID) per group and window below; no other
        // step of this plan dedupes requests.
        if (q.aggregation === "cardinality") {
          columns.push(`CASE WHEN ${matched} THEN ${sql.key(q.distinctFields)} END AS c_${r}_${k}`);
          return `count(DISTINCT c_${r}_${k}) FILTER (WHERE ${matched}) AS v_${k}`;
        }
        if (q.aggregation === "sum" || q.aggregation === "max") {
          columns.push(
            `CASE WHEN ${matched} THEN ${q.metrics.length > 0 ? metricNumber(sql.field(q.metrics[0])) : "NULL::DOUBLE"} END AS m_${r}_${k}`,
          );
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
          SELECT *, max(floor(ts / ${windowMs})) OVER (PARTITION BY g_${r} ORDER BY rowid ROWS UNBOUNDED PRECEDING) AS win
          FROM bt_e WHERE ${any})
        GROUP BY g_${r}, win)
        WHERE ${conditions.join(" OR ")}`;
    }
    plans.push({ compiled, queryColumns: names, distinctFields: summary.distinctFields, estimate: summary.estimate, signalsSql });
  });
  // Two scans. The first reads every line with only the cheap conjuncts of each query (short paths, reserved
  // attributes: a necessary condition, as the Node engine's query-set index uses required values) and keeps the lines
  // that could match some query; the second evaluates the full queries on those lines only.
  const cheap = new SqlCompiler();
  const candidates = plans.flatMap((p) =>
    p.compiled.rule.queries.map((q) => {
      const node = parseQuery(q.query);
      const conjuncts = (node.kind === "and" ? node.children : [node]).filter(isCheap);
      return conjuncts.length === 0 ? "true" : cheap.query(conjuncts.length === 1 ? conjuncts[0] : { kind: "and", children: conjuncts });
    }),
  );
  // Nested CASE: a line stops being tested once it is a candidate of one query.
  const candidate =
    candidates.includes("true") || candidates.length === 0
      ? "true"
      : candidates.reduceRight((rest, c) => `CASE WHEN ${c} THEN true ELSE ${rest} END`);
  const select = (cols: readonly string[], from: string) => `SELECT *${cols.map((c) => ",\n  " + c).join("")}\nFROM ${from}`;
  const layers = (c: SqlCompiler, cols: readonly string[]) =>
    select(cols, `(${select(c.leafScalarColumns(), `(${select(c.leafColumns(), `(${select(c.rootColumns(), "bt_events")})`)})`)})`);
  const queryNames = queryColumns.map((c) => c.slice(c.lastIndexOf(" AS ") + 4));
  const keyNames = columns.map((c) => c.slice(c.lastIndexOf(" AS ") + 4));
  const scanSql = (lines: string): string =>
    [
      `CREATE OR REPLACE TEMP TABLE bt_all AS WITH bt_lines AS (SELECT line, NULL::BIGINT AS rid FROM (${lines})), ${eventsSql("bt_lines", cheap.tops, cheap.topDotted)}
SELECT kind, ts, CASE WHEN kind <> 'error' AND (${candidate}) THEN text END AS line FROM (${layers(cheap, [])})`,
      `CREATE OR REPLACE TEMP TABLE bt_q AS WITH bt_lines AS (SELECT line, rowid AS rid FROM bt_all WHERE line IS NOT NULL), ${eventsSql("bt_lines", sql.tops, sql.topDotted)}
SELECT rid${[...queryNames, ...columns].map((c) => ",\n  " + c).join("")}
FROM (${layers(sql, queryColumns)})`,
      `CREATE OR REPLACE TEMP TABLE bt_m AS SELECT a.kind, a.ts${[...queryNames.map((c) => `coalesce(q.${c}, false) AS ${c}`), ...keyNames.map((c) => `q.${c}`)].map((c) => ",\n  " + c).join("")}
FROM bt_all a LEFT JOIN bt_q q ON q.rid = a.rowid ORDER BY a.rowid`,
      "DROP TABLE bt_q",
      "DROP TABLE bt_all",
    ].join(";\n");
  // rules match: `ts = log.timestampMs ?? lastTs` (the previous event's, 0 before any).
  // Only when some event has no time is a window (a sort of every event) needed; otherwise `bt_e` is a view.
  const eventsViewSql = `CREATE OR REPLACE TEMP VIEW bt_e AS SELECT * EXCLUDE (ts), rowid, ts FROM bt_m WHERE kind <> 'error';
CREATE OR REPLACE TEMP TABLE bt_timeless AS SELECT count(*) AS n FROM bt_m WHERE kind <> 'error' AND ts IS NULL;
CREATE OR REPLACE TEMP TABLE bt_first AS SELECT coalesce((SELECT coalesce(ts, 0) FROM bt_m WHERE kind <> 'error' ORDER BY rowid LIMIT 1), 0) AS first_ts`;
  const eventsFillSql = `DROP VIEW bt_e;
CREATE OR REPLACE TEMP TABLE bt_e AS
SELECT * EXCLUDE (ts), rowid, coalesce(ts, last_value(ts IGNORE NULLS) OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ts
FROM bt_m WHERE kind <> 'error' ORDER BY rowid`;
  const statsSql = `SELECT count(*) AS lines, count(*) FILTER (WHERE kind <> 'error') AS events, count(*) FILTER (WHERE kind = 'error') AS errors,
  (SELECT count(DISTINCT floor(ts / ${DAY_MS})) FROM bt_e) AS days FROM bt_m`;
  const counts = plans.flatMap((p, r) => {
    const any = `(${p.queryColumns.join(" OR ")})`;
    const out = [`count(*) FILTER (WHERE ${any}) AS matched_${r}`];
    if (p.distinctFields.length > 0) out.push(`count(DISTINCT d_${r}) AS distinct_${r}`);
    return out;
  });
  const countsSql = `SELECT ${counts.length > 0 ? counts.join(", ") : "0 AS none"} FROM bt_e`;
  return { macros: MACROS_SQL, scanSql, eventsViewSql, eventsFillSql, rules: plans, statsSql, countsSql };
}

export { sqlString };
