/**
 * What a backtest reports, whichever engine ran it, and its two renderings (JSON lines, Markdown table).
 */
import type { Severity } from "../rules/matchable";

export interface RuleBacktest {
  readonly rule: string;
  readonly id?: string;
  readonly severity: Severity;
  readonly detectionMethod: string;
  readonly eventsMatched: number;
  /** Distinct values of the rule's group-by (and New Value) fields among matched events; null when it has none. */
  readonly distinct: { readonly fields: readonly string[]; readonly count: number; readonly capped: boolean } | null;
  readonly estimatedSignals: number | null;
  /** `estimatedSignals / days`, rounded to 2 decimals; null when not estimated. */
  readonly signalsPerDay: number | null;
  readonly estimate: string;
}

export interface BacktestTotals {
  readonly engine: "duckdb" | "node";
  readonly files: number;
  readonly lines: number;
  readonly events: number;
  readonly errors: number;
  /** Distinct UTC days among the events' times (at least 1 when there are events). */
  readonly days: number;
}

export interface BacktestResult {
  readonly totals: BacktestTotals;
  readonly rules: readonly RuleBacktest[];
}

export function perDay(signals: number | null, days: number): number | null {
  if (signals === null) return null;
  return Math.round((signals / Math.max(days, 1)) * 100) / 100;
}

/** One JSON line per rule, then `{"backtest": totals}`. */
export function renderJson(result: BacktestResult): string {
  return (
    result.rules.map((r) => JSON.stringify(r)).join("\n") + (result.rules.length > 0 ? "\n" : "") + JSON.stringify({ backtest: result.totals }) + "\n"
  );
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

/** A Markdown table, one row per rule. */
export function renderMarkdown(result: BacktestResult): string {
  const t = result.totals;
  const lines = [
    `Backtest (${t.engine}): ${t.files} file(s), ${t.lines} lines, ${t.events} events, ${t.errors} not events, ${t.days} day(s).`,
    "",
    "| rule | severity | events matched | distinct groups | est. signals | signals/day |",
    "|---|---|---:|---:|---:|---:|",
    ...result.rules.map(
      (r) =>
        `| ${cell(r.id ?? r.rule)} | ${r.severity} | ${r.eventsMatched} | ${r.distinct === null ? "-" : `${r.distinct.count}${r.distinct.capped ? "+" : ""}`} | ${r.estimatedSignals ?? "-"} | ${r.signalsPerDay ?? "-"} |`,
    ),
  ];
  return lines.join("\n") + "\n";
}
