/**
 * The signals per rule per day that the pack (as deployed with default settings) would raise on a benign busy cluster
 * week (`pack/busy-cluster.ts`), estimated as
 * `rules match --summary` estimates them (`lib/rules/signals.ts`). Every one of them is noise: the budget is no
 * high or critical signal and at most a handful of medium ones a day. `npm run generate` writes the table into
 * docs/cloud-siem.md; `npm run --silent rules -- noise` prints it.
 */
import { normalizeAuditEvent, NormalizedLog } from "../lib/audit";
import type { MatchableRule, Severity } from "../lib/rules/matchable";
import { defineRule } from "../modules/cloud-siem/rule-model";
import { EKS_RULE_PACK } from "./rules";
import { tuneRules } from "../modules/cloud-siem/tuning";
import { BUSY_WEEK_START_MS, DEFAULT_SEED, busyClusterWeek } from "./busy-cluster";
import { compileRules } from "../lib/rules/compile";
import { newSummary } from "../lib/rules/signals";

const DAY = 86_400_000;
const SEVERITY_ORDER: readonly Severity[] = ["critical", "high", "medium", "low", "info"];

/** Estimated signals of one rule, per day of the week. */
export interface NoiseRow {
  readonly id: string;
  readonly severity: Severity;
  readonly perDay: readonly number[];
  readonly total: number;
}

/** The pack as deployed with default settings (enabled rules). */
export function defaultPackRules(): MatchableRule[] {
  return tuneRules(EKS_RULE_PACK, {})
    .map(defineRule)
    .filter((r) => r.enabled);
}

/**
 * Signals per rule per day over `events` (raw audit events in time order; day 0 starts at `startMs`), for every rule,
 * in severity then id order.
 */
export function noiseRows(
  rules: readonly MatchableRule[],
  events: readonly Record<string, unknown>[],
  days: number,
  startMs = BUSY_WEEK_START_MS,
): NoiseRow[] {
  const times = signalTimes(rules, events);
  return rules
    .map((rule, r) => {
      const perDay = new Array<number>(days).fill(0);
      for (const ts of times[r]) {
        const d = Math.floor((ts - startMs) / DAY);
        if (d >= 0 && d < days) perDay[d]++;
      }
      return { id: rule.id ?? rule.name, severity: rule.severity, perDay, total: perDay.reduce((a, b) => a + b, 0) };
    })
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.id.localeCompare(b.id));
}

/** Options of {@link signalTimes}. */
export interface SignalTimesOptions {
  /**
   * When New Value rules start learning (epoch ms).
   * @default - the first event's time (the rules are deployed when the events start)
   */
  readonly learningStartMs?: number;
}

/**
 * The times of the signals each rule would raise over `events` (raw audit events, or logs already normalized, in
 * time order), as `rules match --summary` estimates them.
 */
export function signalTimes(
  rules: readonly MatchableRule[],
  events: readonly (Record<string, unknown> | NormalizedLog)[],
  options: SignalTimesOptions = {},
): number[][] {
  const set = compileRules(rules, () => undefined);
  const times = set.rules.map(() => [] as number[]);
  const first = { ts: 0, seen: false };
  const learningStart = () => options.learningStartMs ?? first.ts;
  const summaries = set.rules.map((c, r) => newSummary(c, learningStart, (ts) => times[r].push(ts)));
  const results = new Array<boolean>(set.queries.size).fill(false);
  for (const event of events) {
    const log = isNormalized(event) ? event : normalizeAuditEvent(event);
    const ts = log.timestampMs ?? first.ts;
    if (!first.seen) {
      first.ts = ts;
      first.seen = true;
    }
    if (set.queries.evaluate(log, results) === 0) continue;
    set.rules.forEach((c, r) => {
      const matched = c.queries.map((q) => results[q.slot]);
      if (matched.some(Boolean)) summaries[r].observe(log, matched, ts);
    });
  }
  summaries.forEach((s) => s.finish());
  return times;
}

function isNormalized(event: Record<string, unknown> | NormalizedLog): event is NormalizedLog {
  return event.source === "kubernetes.audit" && typeof event.attributes === "object" && event.attributes !== null;
}

/** The week's rows for the default pack and seed. */
export function busyWeekNoise(seed = DEFAULT_SEED): { rows: NoiseRow[]; events: number; days: number } {
  const days = 7;
  const events = busyClusterWeek({ seed, days });
  return { rows: noiseRows(defaultPackRules(), events, days), events: events.length, days };
}

/** The Markdown table: rules with at least one signal, then totals per severity band. */
export function renderNoiseTable(rows: readonly NoiseRow[], events: number, days: number, seed = DEFAULT_SEED): string {
  const dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].slice(0, days);
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(" | ")} |`;
  const band = (name: string, severities: readonly Severity[]) => {
    const selected = rows.filter((r) => severities.includes(r.severity));
    const perDay = dayNames.map((_, d) => selected.reduce((n, r) => n + r.perDay[d], 0));
    return line([`**${name}**`, "", ...perDay, perDay.reduce((a, b) => a + b, 0)]);
  };
  const noisy = rows.filter((r) => r.total > 0);
  return [
    `${events} audit events (${days} days, seed ${seed}); ${rows.length} rules evaluated, ${noisy.length} with at least one signal.`,
    "",
    line(["Rule", "Severity", ...dayNames, "Week"]),
    line(["---", "---", ...dayNames.map(() => "---:"), "---:"]),
    ...noisy.map((r) => line([`\`${r.id}\``, r.severity, ...r.perDay, r.total])),
    band("high + critical", ["critical", "high"]),
    band("medium", ["medium"]),
    band("low + info", ["low", "info"]),
  ].join("\n");
}
