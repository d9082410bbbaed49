/**
 * `review --backtest <input>...`: for every detection rule a change adds, alters or removes, its estimated signals
 * per day before and after on the given logs, next to the rule's diff ("threshold 10 → 25: signals/day 14 → 2").
 *
 * Each side's `datadog_security_monitoring_rule` is rebuilt from the synthesized Terraform JSON (what the reviewer's
 * diff is about, per-environment tuning included) as `rules backtest` runs a rule (`lib/rules/matchable.ts`), with
 * what drops its events folded into every query: the rule's `filter` blocks (`require`: AND, `suppress`: AND NOT)
 * and the enabled `datadog_security_monitoring_suppression`s whose `rule_query` selects it (`data_exclusion_query`
 * and `suppression_query`: AND NOT). Sources: provider v3.82.0 docs `docs/resources/security_monitoring_rule.md`
 * (`filter`) and `docs/resources/security_monitoring_suppression.md` (`rule_query` "with the same syntax as the
 * search bar for detection rules", `suppression_query` on signals, `data_exclusion_query` on the input logs).
 * A `suppression_query` applies to signals, not events: dropping the events it matches is exact when it reads only
 * fields every event of a signal shares (the rule's group-by and New Value fields, as the pack's identity
 * suppressions do), an approximation otherwise. Not modeled, as in `rules backtest` (docs/backtest.md): keep-alive
 * merging, `max_signal_duration`, optional group-by fields, suppression start and expiration dates.
 *
 * Every rule whose model differs between the sides (and every added, removed, enabled or disabled one) runs in ONE
 * pass over the logs, both sides together, through the function `rules backtest` calls for the engine.
 */
import { writeFileSync } from "fs";
import { parseQuery, QuerySyntaxError, compileQuery, type NormalizedLog } from "../../lib/query";
import { BacktestDb, runDuckdbBacktest } from "../../lib/backtest/duckdb";
import { BacktestInputError, DayRange } from "../../lib/backtest/inputs";
import { runNodeBacktest } from "../../lib/backtest/node-engine";
import type { BacktestTotals, RuleBacktest } from "../../lib/backtest/result";
import { problemText, show as showValue } from "../../lib/problem";
import type { MatchableRule, MatchableRuleQuery, Severity } from "../../lib/rules/matchable";
import { singleThreshold } from "../../lib/rules/condition";
import { JsonObject, asArray, asObject, asString, asStrings } from "../../lib/json";
import { ReviewUsageError } from "./args";
import { codeSpan, inline } from "./markdown";
import { referenceText } from "./resources";
import { compileRules } from "../../lib/rules/compile";

const RULE_TYPE = "datadog_security_monitoring_rule";
const SUPPRESSION_TYPE = "datadog_security_monitoring_suppression";

export interface ReviewBacktestOptions {
  /** Files, directories, globs and `s3://` URLs, as `rules backtest` reads them. */
  readonly inputs: readonly string[];
  /** @default "duckdb" */
  readonly engine?: "duckdb" | "node";
  /** @default - every file of the inputs */
  readonly range?: DayRange;
}

/** One setting of a rule's detection that differs between the sides, e.g. threshold `10` → `25`. */
export interface DetectionChange {
  /** Fixed words: `threshold`, `condition`, `evaluation window`, `query`, `group by`, `suppression`, ... */
  readonly setting: string;
  /** What the setting belongs to, as the config names it (a case's status, a query's name, a suppression's name). */
  readonly of?: string;
  readonly before?: string;
  readonly after?: string;
  /** False for settings the backtest does not model (keep-alive, maximum signal duration, ...). */
  readonly modeled: boolean;
}

/** What the backtest says of one side of a rule. */
export type RuleSide =
  /** `absent`: no such rule on that side; `not run`: the change leaves the rule's detection as it was. */
  | { readonly state: "absent" | "disabled" | "not run" }
  | {
      readonly state: "run";
      readonly eventsMatched: number;
      readonly estimatedSignals: number | null;
      readonly signalsPerDay: number | null;
      readonly estimate: string;
    };

/** One rule of one environment that a change adds, alters, removes, enables or disables. */
export interface RuleBacktestChange {
  readonly environment: string;
  /** `datadog_security_monitoring_rule.<name>` */
  readonly address: string;
  /** `new`, `removed`, `enabled`, `disabled`, `changed`, or `unchanged` (the resource changed, its detection not: not run). */
  readonly kind: "new" | "removed" | "enabled" | "disabled" | "changed" | "unchanged";
  readonly changes: readonly DetectionChange[];
  readonly before: RuleSide;
  readonly after: RuleSide;
}

/** The backtest of a review: what was read, and every changed rule. */
export interface ReviewBacktest {
  readonly inputs: readonly string[];
  readonly engine: "duckdb" | "node";
  readonly range?: DayRange;
  /** Undefined when no rule's detection changed: the logs were not read. */
  readonly totals?: BacktestTotals;
  readonly rules: readonly RuleBacktestChange[];
}

interface Suppression {
  /** The resource's name in the stack (unique), and the suppression's own name (shown). */
  readonly key: string;
  readonly name: string;
  /** Whether its `rule_query` selects a rule, given the rule as {@link ruleAsLog} shows it. */
  readonly selects: (rule: NormalizedLog) => boolean;
  /** Its `data_exclusion_query` and `suppression_query`, whichever are set. */
  readonly excludes: readonly string[];
}

/** A rule as the backtest runs it, with the settings it does not model kept for the change list. */
interface EffectiveRule {
  readonly rule: MatchableRule;
  /** The model's identity: equal keys give equal numbers. */
  readonly key: string;
  /** The query texts as deployed, before exclusions are folded in. */
  readonly queryTexts: readonly string[];
  readonly filters: string;
  /** The suppressions that apply, by resource name: their name and what they exclude. */
  readonly suppressions: ReadonlyMap<string, { readonly name: string; readonly excludes: string }>;
  readonly unmodeled: ReadonlyMap<string, string>;
}

/** A usage error (one paragraph, exit 2) naming the environment, the resource, the field and what is allowed. */
function invalid(environment: string, address: string, field: string, value: unknown, allowed: string, why?: string): ReviewUsageError {
  return new ReviewUsageError(
    `--backtest: environment ${JSON.stringify(environment)}, ${address}: ${problemText({ field, received: showValue(value), allowed, ...(why === undefined ? {} : { why }) })}`,
  );
}

/** A query of the stack as deployed (escaped `$${` as `${`), checked by the project's parser. */
function queryText(environment: string, address: string, field: string, value: unknown): string {
  const text = referenceText(asString(value) ?? "");
  try {
    parseQuery(text);
  } catch (e) {
    if (e instanceof QuerySyntaxError) throw invalid(environment, address, field, text, "a Datadog log search query", e.message);
    throw e;
  }
  return text;
}

/** The enabled suppressions of a stack, with what each drops. */
function suppressionsOf(environment: string, stack: JsonObject | undefined): Suppression[] {
  const out: Suppression[] = [];
  for (const [name, value] of Object.entries(asObject(asObject(stack?.resource)[SUPPRESSION_TYPE])).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const body = asObject(value);
    if (body.enabled === false) continue;
    const address = `${SUPPRESSION_TYPE}.${name}`;
    const excludes = (["data_exclusion_query", "suppression_query"] as const)
      .filter((f) => typeof body[f] === "string" && body[f].trim() !== "")
      .map((f) => queryText(environment, address, f, body[f]));
    const selects = compileQuery(queryText(environment, address, "rule_query", body.rule_query));
    out.push({ key: name, name: asString(body.name) ?? name, selects, excludes });
  }
  return out;
}

/**
 * A rule as a search for detection rules sees it: its tags (`eks_audit_siem_rule:<id>`, `env:`, ...) plus `type:`
 * and `severity:` of each case as tags, `source:` from its `source:` tag, its name as free text.
 */
function ruleAsLog(body: JsonObject): NormalizedLog {
  const tags = asStrings(body.tags);
  const source = tags.find((t) => t.startsWith("source:"))?.slice("source:".length);
  return {
    ...(source === undefined ? {} : { source }),
    message: asString(body.name) ?? "",
    tags: [
      ...tags,
      `type:${asString(body.type) ?? "log_detection"}`,
      ...asArray(body.case).map((c) => `severity:${asString(asObject(c).status) ?? ""}`),
    ],
    attributes: {},
  };
}

const QUERY_NAMES = "abcdefghijklmnopqrstuvwxyz";

/** The rule as `rules backtest` runs it, or undefined when it is disabled. */
function effectiveRule(environment: string, address: string, body: JsonObject, suppressions: readonly Suppression[]): EffectiveRule | undefined {
  if (body.enabled === false) return undefined;
  const options = asObject(body.options);
  const method = asString(options.detection_method) ?? "threshold";
  const isNewValue = method === "new_value";
  const filters = asArray(body.filter).map((f, i) => {
    const action = asObject(f).action;
    if (action !== "require" && action !== "suppress") throw invalid(environment, address, `filter[${i}].action`, action, "require, suppress");
    const text = queryText(environment, address, `filter[${i}].query`, asObject(f).query);
    return action === "require" ? `(${text})` : `-(${text})`;
  });
  const log = ruleAsLog(body);
  const applying = suppressions.filter((s) => s.selects(log));
  const applied = new Map(applying.map((s) => [s.key, { name: s.name, excludes: s.excludes.join("\n") }]));
  const excludeParts = applying.flatMap((s) => s.excludes.map((q) => `-(${q})`));
  const queryTexts: string[] = [];
  const queries: MatchableRuleQuery[] = asArray(body.query).map((value, i) => {
    const q = asObject(value);
    const text = queryText(environment, address, `query[${i}].query`, q.query);
    queryTexts.push(text);
    const folded = filters.length + excludeParts.length === 0 ? text : [`(${text})`, ...filters, ...excludeParts].join(" ");
    const metrics = asStrings(q.metrics);
    return {
      name: asString(q.name) ?? QUERY_NAMES[i] ?? `q${i}`,
      query: folded,
      aggregation: asString(q.aggregation) ?? (isNewValue ? "new_value" : "count"),
      groupByFields: asStrings(q.group_by_fields),
      distinctFields: asStrings(q.distinct_fields),
      metrics: metrics.length > 0 ? metrics : asStrings([q.metric]),
    };
  });
  const cases = asArray(body.case).map((value) => {
    const c = asObject(value);
    return {
      status: (asString(c.status) ?? "") as Severity,
      ...(typeof c.condition === "string" && c.condition.trim() !== "" ? { condition: c.condition } : {}),
    };
  });
  const nv = asObject(options.new_value_options);
  const rule: MatchableRule = {
    id: address.slice(RULE_TYPE.length + 1),
    name: `${environment}/${address}`,
    severity: cases[0]?.status ?? "info",
    tags: asStrings(body.tags),
    enabled: true,
    detectionMethod: method,
    queries,
    cases,
    evaluationWindowSeconds: typeof options.evaluation_window === "number" ? options.evaluation_window : 0,
    ...(isNewValue
      ? {
          newValueOptions: {
            forgetAfterDays: typeof nv.forget_after === "number" ? nv.forget_after : 0,
            // The provider's default when unset: 1 day (provider v3.82.0 docs of datadog_security_monitoring_rule).
            learningDurationDays: typeof nv.learning_duration === "number" ? nv.learning_duration : 1,
          },
        }
      : {}),
    samples: { positive: [], negative: [] },
  };
  const unmodeled = new Map<string, string>();
  for (const [setting, value, unit] of [
    ["keep-alive", options.keep_alive, " s"],
    ["maximum signal duration", options.max_signal_duration, " s"],
    ["learning method", nv.learning_method, ""],
    ["learning threshold", nv.learning_threshold, ""],
    ["optional group-by fields", asArray(body.query).some((q) => asObject(q).has_optional_group_by_fields === true), ""],
  ] as const) {
    if (value !== undefined) unmodeled.set(setting, `${typeof value === "string" ? value : JSON.stringify(value)}${unit}`);
  }
  const key = JSON.stringify([rule.detectionMethod, rule.queries, rule.cases, rule.evaluationWindowSeconds, rule.newValueOptions ?? null]);
  return { rule, key, queryTexts, filters: filters.join(" "), suppressions: applied, unmodeled };
}

const list = (xs: readonly string[]) => (xs.length === 0 ? "(none)" : xs.join(", "));

/** The detection settings that differ between two sides of a rule, modeled ones first. */
function detectionChanges(a: EffectiveRule, b: EffectiveRule): DetectionChange[] {
  const out: DetectionChange[] = [];
  const changed = (setting: string, x: string, y: string, of?: string) => {
    if (x !== y) out.push({ setting, ...(of === undefined ? {} : { of }), before: x, after: y, modeled: true });
  };
  const ra = a.rule;
  const rb = b.rule;
  changed("detection method", ra.detectionMethod, rb.detectionMethod);
  const statuses = [...new Set([...ra.cases, ...rb.cases].map((c) => c.status))];
  for (const status of statuses) {
    const x = ra.cases.find((c) => c.status === status);
    const y = rb.cases.find((c) => c.status === status);
    if (x === undefined || y === undefined) {
      out.push({ setting: "case", of: status, before: x === undefined ? "(none)" : "set", after: y === undefined ? "(none)" : "set", modeled: true });
      continue;
    }
    const tx = singleThreshold(x.condition ?? "");
    const ty = singleThreshold(y.condition ?? "");
    if (tx !== undefined && ty !== undefined && tx.query === ty.query)
      changed("threshold", String(tx.threshold), String(ty.threshold), statuses.length > 1 ? status : undefined);
    else changed("condition", x.condition ?? "(none)", y.condition ?? "(none)", status);
  }
  changed("evaluation window", `${ra.evaluationWindowSeconds} s`, `${rb.evaluationWindowSeconds} s`);
  if (ra.queries.length !== rb.queries.length) changed("queries", String(ra.queries.length), String(rb.queries.length));
  for (let i = 0; i < Math.min(ra.queries.length, rb.queries.length); i++) {
    const qa = ra.queries[i];
    const qb = rb.queries[i];
    if (a.queryTexts[i] !== b.queryTexts[i]) out.push({ setting: "query", of: qb.name, modeled: true });
    changed("aggregation", qa.aggregation, qb.aggregation, qb.name);
    changed("group by", list(qa.groupByFields), list(qb.groupByFields), qb.name);
    changed("distinct fields", list(qa.distinctFields), list(qb.distinctFields), qb.name);
    changed("new value fields", list(qa.metrics), list(qb.metrics), qb.name);
  }
  const nva = ra.newValueOptions;
  const nvb = rb.newValueOptions;
  if (nva !== undefined && nvb !== undefined) {
    changed("learning duration", `${nva.learningDurationDays} days`, `${nvb.learningDurationDays} days`);
    changed("forget after", `${nva.forgetAfterDays} days`, `${nvb.forgetAfterDays} days`);
  }
  if (a.filters !== b.filters) out.push({ setting: "filters", modeled: true });
  for (const key of [...new Set([...a.suppressions.keys(), ...b.suppressions.keys()])].sort()) {
    const x = a.suppressions.get(key);
    const y = b.suppressions.get(key);
    if (x?.excludes === y?.excludes) continue;
    const name = (y ?? x)?.name ?? key;
    out.push({
      setting: "suppression",
      of: name,
      before: x === undefined ? "(none)" : "applies",
      after: y === undefined ? "(none)" : x === undefined ? "applies" : "changed",
      modeled: true,
    });
  }
  for (const setting of [...new Set([...a.unmodeled.keys(), ...b.unmodeled.keys()])]) {
    const x = a.unmodeled.get(setting) ?? "(unset)";
    const y = b.unmodeled.get(setting) ?? "(unset)";
    if (x !== y) out.push({ setting, before: x, after: y, modeled: false });
  }
  return out;
}

function rulesOf(stack: JsonObject | undefined): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const [name, body] of Object.entries(asObject(asObject(stack?.resource)[RULE_TYPE]))) out.set(`${RULE_TYPE}.${name}`, asObject(body));
  return out;
}

/** A resource body without cdktf's metadata comment, for "did it change". */
const bodyText = (body: JsonObject | undefined) => (body === undefined ? undefined : JSON.stringify({ ...body, "//": undefined }));

interface Pending {
  readonly environment: string;
  readonly address: string;
  readonly kind: RuleBacktestChange["kind"];
  readonly changes: readonly DetectionChange[];
  readonly before?: EffectiveRule;
  readonly after?: EffectiveRule;
  readonly beforeState: "absent" | "disabled" | "run";
  readonly afterState: "absent" | "disabled" | "run";
}

/** The changed rules of one environment, in address order. */
function pendingOf(environment: string, before: JsonObject | undefined, after: JsonObject | undefined): Pending[] {
  const oldRules = rulesOf(before);
  const newRules = rulesOf(after);
  const oldSuppressions = suppressionsOf(environment, before);
  const newSuppressions = suppressionsOf(environment, after);
  const out: Pending[] = [];
  for (const address of [...new Set([...oldRules.keys(), ...newRules.keys()])].sort()) {
    const x = oldRules.get(address);
    const y = newRules.get(address);
    // Only rules on logs can be replayed on logs (not signal correlation, workload or cloud configuration rules).
    if (![x, y].some((r) => r !== undefined && (r.type ?? "log_detection") === "log_detection")) continue;
    const a = x === undefined ? undefined : effectiveRule(environment, address, x, oldSuppressions);
    const b = y === undefined ? undefined : effectiveRule(environment, address, y, newSuppressions);
    const beforeState = x === undefined ? "absent" : a === undefined ? "disabled" : "run";
    const afterState = y === undefined ? "absent" : b === undefined ? "disabled" : "run";
    if (a !== undefined && b !== undefined) {
      const changes = detectionChanges(a, b);
      if (a.key !== b.key) out.push({ environment, address, kind: "changed", changes, before: a, after: b, beforeState, afterState });
      else if (bodyText(x) !== bodyText(y)) out.push({ environment, address, kind: "unchanged", changes, beforeState, afterState });
      continue;
    }
    if (a === undefined && b === undefined) continue;
    const kind = x === undefined ? "new" : y === undefined ? "removed" : a === undefined ? "enabled" : "disabled";
    out.push({ environment, address, kind, changes: [], before: a, after: b, beforeState, afterState });
  }
  return out;
}

/**
 * Backtests every rule a change adds, alters (its detection, or the suppressions that apply to it), removes, enables
 * or disables, in each environment of either side, on the given logs: one pass over them for all those rules.
 * @throws ReviewUsageError for bad inputs (one paragraph naming the input) and rules the backtest cannot read.
 */
export async function backtestChangedRules(
  before: ReadonlyMap<string, JsonObject>,
  after: ReadonlyMap<string, JsonObject>,
  options: ReviewBacktestOptions,
): Promise<ReviewBacktest> {
  const engine = options.engine ?? "duckdb";
  const environments = [...new Set([...before.keys(), ...after.keys()])].sort();
  const pending = environments.flatMap((e) => pendingOf(e, before.get(e), after.get(e)));
  // One compiled rule per distinct model: equal rules of both sides and of several environments run once.
  const byKey = new Map<string, MatchableRule>();
  for (const p of pending) for (const r of [p.before, p.after]) if (r !== undefined && !byKey.has(r.key)) byKey.set(r.key, r.rule);
  const keys = [...byKey.keys()];
  let db: BacktestDb | undefined;
  let totals: BacktestTotals | undefined;
  const results = new Map<string, RuleBacktest>();
  try {
    db = await BacktestDb.open();
    const opened = db;
    const files = await opened.inputFiles(options.inputs, options.range);
    if (keys.length > 0) {
      // Free-text terms (which never match an audit event offline) are warned about by `rules match`/`rules backtest`;
      // the review shows the queries themselves.
      const ruleSet = compileRules([...byKey.values()], () => undefined);
      const result = engine === "duckdb" ? await runDuckdbBacktest(ruleSet.rules, files, opened) : await runNodeBacktest(ruleSet, files);
      totals = result.totals;
      keys.forEach((k, i) => results.set(k, result.rules[i]));
    }
  } catch (e) {
    if (e instanceof BacktestInputError) throw new ReviewUsageError(`--backtest: ${e.message}`);
    if (e instanceof ReviewUsageError) throw e;
    throw new ReviewUsageError(`--backtest: reading the inputs failed: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
  } finally {
    await db?.close();
  }
  const side = (state: Pending["beforeState"], r: EffectiveRule | undefined): RuleSide => {
    const found = r === undefined ? undefined : results.get(r.key);
    if (state !== "run" || found === undefined) return { state: state === "run" ? "absent" : state };
    return {
      state,
      eventsMatched: found.eventsMatched,
      estimatedSignals: found.estimatedSignals,
      signalsPerDay: found.signalsPerDay,
      estimate: found.estimate,
    };
  };
  return {
    inputs: options.inputs,
    engine,
    ...(options.range === undefined ? {} : { range: options.range }),
    ...(totals === undefined ? {} : { totals }),
    rules: pending.map((p) => ({
      environment: p.environment,
      address: p.address,
      kind: p.kind,
      changes: p.changes,
      before: p.kind === "unchanged" ? { state: "not run" } : side(p.beforeState, p.before),
      after: p.kind === "unchanged" ? { state: "not run" } : side(p.afterState, p.after),
    })),
  };
}

/** A value of a change as Markdown: plain when it is a plain word or number, else a code span. */
const value = (text: string) => (/^[0-9.]+( s| days)?$/.test(text) || text === "(none)" || text === "(unset)" ? text : inline(text));

/** One detection change as Markdown, e.g. `threshold 10 → 25`, `query execs changed`. */
export function changeText(c: DetectionChange): string {
  const what = `${c.setting}${c.of === undefined ? "" : ` ${inline(c.of)}`}`;
  const shown = c.before === undefined || c.after === undefined ? `${what} changed` : `${what} ${value(c.before)} → ${value(c.after)}`;
  return c.modeled ? shown : `${shown} (not modeled)`;
}

/** Signals per day of one side as the line shows them. */
function signalsText(s: RuleSide): string {
  if (s.state !== "run") return s.state === "disabled" ? "(disabled)" : s.state === "not run" ? "(not run)" : "(none)";
  return s.signalsPerDay === null ? "not estimated" : String(s.signalsPerDay);
}

/** The Markdown line of one changed rule, shown first under the rule's diff. */
export function backtestLine(r: RuleBacktestChange): string {
  const changes = r.changes.map(changeText);
  const because = changes.length > 0 ? ` (${changes.join("; ")})` : "";
  if (r.kind === "unchanged") return `backtest: not run, no setting it models changed${because}`;
  const before = r.kind === "new" ? "(new rule)" : signalsText(r.before);
  const after = r.kind === "removed" ? "(removed)" : signalsText(r.after);
  const events =
    r.before.state === "run" && r.after.state === "run"
      ? `, events matched ${r.before.eventsMatched} → ${r.after.eventsMatched}`
      : r.after.state === "run"
        ? `, events matched ${r.after.eventsMatched}`
        : r.before.state === "run"
          ? `, events matched ${r.before.eventsMatched}`
          : "";
  const unestimated = [r.before, r.after].find((s) => s.state === "run" && s.estimatedSignals === null);
  const why = unestimated !== undefined && unestimated.state === "run" ? ` (${unestimated.estimate})` : "";
  return `backtest: signals/day ${before} → ${after}${events}${because}${why}`;
}

/** The paragraph that says what the backtest read, said once before the environments. */
export function backtestSummary(b: ReviewBacktest): string[] {
  const inputs = b.inputs.map(codeSpan).join(", ");
  const range = b.range === undefined ? "" : `, days ${b.range.from}..${b.range.to}`;
  if (b.totals === undefined) return [`**Backtest** on ${inputs}${range}: no detection rule changed, so nothing was run.`, ""];
  const t = b.totals;
  const lines = [
    `**Backtest** of the changed detection rules on ${inputs}${range} (${t.engine} engine, the model of \`rules backtest\`, docs/backtest.md): ${t.files} file(s), ${t.events} events over ${t.days} day(s)${t.errors > 0 ? `; ${t.errors} of ${t.lines} lines were not audit events or archived logs` : ""}. Signals per day are estimates, shown under each rule as before → after.`,
    "",
  ];
  if (t.events === 0) lines.push("**Backtest:** the inputs hold no audit event, so every number below is 0.", "");
  return lines;
}

/** The backtest as one JSON document (`--backtest-json <file>`), deterministic. */
export function backtestJson(b: ReviewBacktest): string {
  return `${JSON.stringify(b, null, 2)}\n`;
}

/** Writes {@link backtestJson} to a file. @throws ReviewUsageError when it cannot be written. */
export function writeBacktestJson(file: string, b: ReviewBacktest): void {
  try {
    writeFileSync(file, backtestJson(b));
  } catch (e) {
    throw new ReviewUsageError(
      `--backtest-json file ${JSON.stringify(file)} cannot be written (${(e as NodeJS.ErrnoException).code ?? "error"}); allowed: a writable file path`,
    );
  }
}
