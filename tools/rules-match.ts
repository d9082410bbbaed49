/**
 * `rules match [--summary] [--config <path>] [--env <name>] [--rule <name>]... <events-file>`
 *
 * Replays audit events (one per line: a raw `audit.k8s.io/v1` Event, a CloudWatch line `{"timestamp","message"}`,
 * a forwarded log, or a CloudWatch-export-to-S3 line `<timestamp> <event JSON>`; plain or gzip) through the
 * detection rules, offline. Contract (issue 5 §4; other tools depend on it):
 *
 * - per non-blank input line, one JSON line on stdout: `{"line":<1-based>,"matches":[{"rule","severity","tags"}]}`,
 *   or `{"line":<n>,"error":"<why>"}` for a line that is not an audit event; blank lines are skipped;
 * - stdout carries only those JSON lines; everything else goes to stderr;
 * - exit 0 when the file was processed; 2 for bad arguments (including an unknown `--env`, `RulesArgumentError`) or an
 *   unreadable events file; 1 when the rules or the config are invalid, or reading fails midway (e.g. a truncated
 *   gzip file).
 *
 * `--summary` prints one JSON line per rule instead (events matched, distinct values, estimated signals) and a
 * final `{"summary":{...}}` line. See `docs/detection-testing.md` for how signals are estimated.
 */
import { createReadStream } from "fs";
import { open } from "fs/promises";
import { once } from "events";
import { pipeline } from "stream";
import { createGunzip } from "zlib";
import type { MatchableRule, MatchableRuleQuery } from "../lib/rules/matchable";
import { AuditEventError, normalizeAuditEvent } from "../lib/audit";
import {
  compileFieldReader,
  compileQuerySet,
  FieldReader,
  listQueryTerms,
  NormalizedLog,
  parseQuery,
  QueryNode,
  QuerySet,
  QuerySyntaxError,
} from "../lib/query";

/** Streams `runMatch` writes to (and reads from, for `-`). */
export interface MatchIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /**
   * Read when the events file is `-`.
   * @default process.stdin
   */
  readonly stdin?: NodeJS.ReadableStream;
}

/** Options `rules match` passes to the rule resolver. */
export interface ResolveRulesOptions {
  /** `--config <path>`; undefined = the default config. */
  readonly configPath?: string;
  /** `--env <name>`; undefined = all environments' packs merged by rule name. */
  readonly env?: string;
}

export type ResolveRules = (opts: ResolveRulesOptions) => readonly MatchableRule[];

export const MATCH_USAGE =
  "usage: rules match [--summary] [--config <path>] [--env <name>] [--rule <name>]... <events-file>\n" +
  "  <events-file>  one JSON object per line (audit.k8s.io/v1 Event or CloudWatch line); gzip is detected; - reads stdin\n" +
  "  --summary      print per-rule totals and estimated signals instead of one line per event\n" +
  "  --config       config file to take the rules from (default: the default config)\n" +
  "  --env          take the enabled rules of this environment only (default: all environments, merged by rule name)\n" +
  "  --rule         evaluate only this rule (repeatable)\n";

/** Parsed command line of `rules match`. */
export interface MatchArgs {
  readonly file: string;
  readonly summary: boolean;
  readonly configPath?: string;
  readonly env?: string;
  readonly rules: readonly string[];
  readonly help: boolean;
}

class UsageError extends Error {}

/**
 * Thrown by a rule resolver when the arguments select nothing valid (e.g. `--env` names no environment): `runMatch`
 * reports its message and exits 2, like other bad arguments. Any other resolver error exits 1.
 */
export class RulesArgumentError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = "RulesArgumentError";
  }
}

const OPTIONS_HELP = "allowed: --summary, --config <path>, --env <name>, --rule <name>, --help, and one events file (- for standard input)";

/** Parses the arguments that follow `match`. @throws UsageError */
export function parseMatchArgs(argv: readonly string[]): MatchArgs {
  let file: string | undefined;
  let summary = false;
  let help = false;
  let configPath: string | undefined;
  let env: string | undefined;
  const rules: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[k + 1];
      if (v === undefined || (v.startsWith("-") && v !== "-")) {
        throw new UsageError(`rules match: option ${name} needs a value, got ${v === undefined ? "nothing" : JSON.stringify(v)}; ${OPTIONS_HELP}`);
      }
      k++;
      return v;
    };
    if (name === "--summary" && eq < 0) summary = true;
    else if ((name === "--help" || name === "-h") && eq < 0) help = true;
    else if (name === "--config") configPath = takeValue();
    else if (name === "--env") env = takeValue();
    else if (name === "--rule") rules.push(takeValue());
    else if (arg === "-" || !arg.startsWith("-")) {
      if (file !== undefined) {
        throw new UsageError(`rules match: expected one events file, got ${JSON.stringify(file)} and ${JSON.stringify(arg)}; ${OPTIONS_HELP}`);
      }
      file = arg;
    } else {
      throw new UsageError(`rules match: unknown option ${JSON.stringify(arg)}; ${OPTIONS_HELP}`);
    }
  }
  if (file === undefined && !help) {
    throw new UsageError(`rules match: the events file is missing; ${OPTIONS_HELP}`);
  }
  return { file: file ?? "", summary, configPath, env, rules, help };
}

/** One rule, compiled once. */
interface CompiledRule {
  readonly rule: MatchableRule;
  /** `slot`: the query's index in the rule set's `QuerySet` (and in the per-event results array). */
  readonly queries: readonly { readonly query: MatchableRuleQuery; readonly slot: number }[];
  /** `{"rule":...,"severity":...,"tags":[...]}`, serialized once. */
  readonly fragment: string;
}

/**
 * Compiles every rule's queries once. Free-text terms are reported through `warn`: a normalized audit event has no
 * message, so such a term never matches offline.
 */
/** The rules, and all their queries compiled into one `QuerySet` (evaluated together per event). */
interface RuleSet {
  readonly rules: readonly CompiledRule[];
  readonly queries: QuerySet;
}

function compileRules(rules: readonly MatchableRule[], warn: (message: string) => void): RuleSet {
  const nodes: QueryNode[] = [];
  const compiled = rules.map((rule) => ({
    rule,
    queries: rule.queries.map((query, index) => {
      try {
        const node = parseQuery(query.query);
        for (const term of listQueryTerms(node)) {
          if (term.fieldKind === "message") {
            warn(
              `rules match: warning: rule ${JSON.stringify(rule.name)} queries[${index}] (${query.name}) searches free text ${JSON.stringify(term.value)} at position ${term.position} (0-based); ` +
                "audit events have no message, so this term never matches offline: search an @attribute instead",
            );
          }
        }
        nodes.push(node);
        return { query, slot: nodes.length - 1 };
      } catch (e) {
        if (e instanceof QuerySyntaxError) {
          throw new Error(`rule ${JSON.stringify(rule.name)}: queries[${index}] (${query.name}).query is invalid: ${e.message}`);
        }
        throw e;
      }
    }),
    fragment: JSON.stringify({ rule: rule.name, severity: rule.severity, tags: rule.tags }),
  }));
  return { rules: compiled, queries: compileQuerySet(nodes) };
}

/** The message of an error (duck-typed: errors from Node internals may come from another realm, e.g. in jest). */
function errorMessage(e: unknown): string {
  if (typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string") {
    return (e as { message: string }).message;
  }
  return String(e);
}

/** Buffers stdout writes and waits for `drain` when the stream pushes back. */
class Output {
  private buf = "";
  private closed = false;

  public constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on("error", () => {
      // EPIPE (e.g. `| head`): stop writing, finish quietly.
      this.closed = true;
    });
  }

  public get isClosed(): boolean {
    return this.closed;
  }

  public write(s: string): void {
    this.buf += s;
  }

  /** Flushes when the buffer is large (or always with `force`), awaiting `drain` on backpressure. */
  public async flush(force = false): Promise<void> {
    if (this.buf.length === 0 || (!force && this.buf.length < 1 << 16)) return;
    const chunk = this.buf;
    this.buf = "";
    if (this.closed || !this.stream.writable) {
      this.closed = true;
      return;
    }
    if (!this.stream.write(chunk)) {
      await Promise.race([once(this.stream, "drain"), once(this.stream, "close"), once(this.stream, "error")]);
    }
  }
}

/** Opens the events file (or stdin) as a UTF-8 text stream, gunzipping when it starts with the gzip magic bytes. */
async function openEvents(file: string, stdin: NodeJS.ReadableStream): Promise<AsyncIterable<string | Buffer>> {
  if (file === "-") {
    (stdin as NodeJS.ReadableStream & { setEncoding(e: string): void }).setEncoding("utf8");
    return stdin as AsyncIterable<string>;
  }
  // gzip is recognized by its magic bytes (1f 8b), whatever the file name.
  let gzip = false;
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  if (!gzip) {
    source.setEncoding("utf8");
    return source;
  }
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  gunzip.setEncoding("utf8");
  return pipeline(source, gunzip, () => {
    // Errors surface through the async iteration of `gunzip`.
  });
}

/**
 * Calls `onLine(line, lineNumber)` for every line of the stream (the `\n` and a trailing `\r` removed), awaiting
 * `afterChunk` between chunks so output backpressure is respected. Memory: one chunk plus one partial line.
 */
async function forEachLine(
  input: AsyncIterable<string | Buffer>,
  onLine: (line: string, lineNumber: number) => void,
  afterChunk: () => Promise<boolean>,
): Promise<void> {
  let rest = "";
  let lineNumber = 0;
  for await (const raw of input) {
    const chunk = typeof raw === "string" ? raw : raw.toString("utf8");
    let start = 0;
    let nl = chunk.indexOf("\n");
    if (nl >= 0 && rest.length > 0) {
      lineNumber++;
      onLine(stripCr(rest + chunk.slice(0, nl)), lineNumber);
      rest = "";
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
    }
    while (nl >= 0) {
      lineNumber++;
      onLine(stripCr(chunk.slice(start, nl)), lineNumber);
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
    }
    rest = start < chunk.length ? rest + chunk.slice(start) : rest;
    if (!(await afterChunk())) return;
  }
  if (rest.length > 0) {
    lineNumber++;
    onLine(stripCr(rest), lineNumber);
  }
}

function stripCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

const BLANK = /^\s*$/;

/** Parses and normalizes one line; returns the log or the one-line reason it is not an event. */
/** `<RFC 3339 timestamp> <message>`: a line of a CloudWatch Logs export to S3 (`aws logs create-export-task`). */
const S3_EXPORT_LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (\{.*)$/;

function readEvent(line: string, lineNumber: number): NormalizedLog | string {
  let value: unknown;
  const text = lineNumber === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const m = S3_EXPORT_LINE.exec(text);
    if (m === null) return `invalid JSON: ${errorMessage(e)}`;
    value = { timestamp: Date.parse(m[1]), message: m[2] };
  }
  try {
    return normalizeAuditEvent(value, { reuseInput: true });
  } catch (e) {
    if (e instanceof AuditEventError) return e.message;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// --summary

/** Distinct values are counted exactly up to this many per rule, then reported as a lower bound. */
export const MAX_DISTINCT_VALUES_PER_RULE = 1_000_000;
const DAY_MS = 86_400_000;

type Condition = (values: Readonly<Record<string, number>>) => boolean;

/**
 * Compiles a case condition (`a > 0`, `access_denied > 10 || gke > 10`, `(a + b) >= 3 && !(c == 0)`) over query
 * names. Returns a reason string when it is not in this small arithmetic/boolean language or names an unknown query.
 */
export function compileCondition(condition: string, queryNames: readonly string[]): Condition | string {
  const tokens = condition.match(/\s*(>=|<=|==|!=|&&|\|\||[-+*/()<>!]|\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|\S)/g) ?? [];
  const toks = tokens.map((t) => t.trim());
  let p = 0;
  const fail = (why: string): never => {
    throw new Error(why);
  };
  type Expr = (v: Readonly<Record<string, number>>) => number;
  const primary = (): Expr => {
    const t = toks[p++];
    if (t === undefined) return fail("ends early");
    if (t === "(") {
      const e = orExpr();
      if (toks[p++] !== ")") fail("missing ')'");
      return e;
    }
    if (t === "!") {
      const e = primary();
      return (v) => (e(v) ? 0 : 1);
    }
    if (t === "-") {
      const e = primary();
      return (v) => -e(v);
    }
    if (/^\d/.test(t)) {
      const n = Number(t);
      return () => n;
    }
    if (/^[A-Za-z_]/.test(t)) {
      if (!queryNames.includes(t)) fail(`names ${JSON.stringify(t)}, which is not a query of the rule (queries: ${queryNames.join(", ")})`);
      return (v) => v[t] ?? 0;
    }
    return fail(`has an unexpected ${JSON.stringify(t)}`);
  };
  const binary = (next: () => Expr, ops: readonly string[]): (() => Expr) => () => {
    let left = next();
    while (ops.includes(toks[p])) {
      const op = toks[p++];
      const l = left;
      const r = next();
      switch (op) {
        case "*": left = (v) => l(v) * r(v); break;
        case "/": left = (v) => l(v) / r(v); break;
        case "+": left = (v) => l(v) + r(v); break;
        case "-": left = (v) => l(v) - r(v); break;
        case ">": left = (v) => Number(l(v) > r(v)); break;
        case ">=": left = (v) => Number(l(v) >= r(v)); break;
        case "<": left = (v) => Number(l(v) < r(v)); break;
        case "<=": left = (v) => Number(l(v) <= r(v)); break;
        case "==": left = (v) => Number(l(v) === r(v)); break;
        case "!=": left = (v) => Number(l(v) !== r(v)); break;
        case "&&": left = (v) => Number(Boolean(l(v)) && Boolean(r(v))); break;
        default: left = (v) => Number(Boolean(l(v)) || Boolean(r(v))); break;
      }
    }
    return left;
  };
  const mul = binary(primary, ["*", "/"]);
  const add = binary(mul, ["+", "-"]);
  const cmp = binary(add, [">", ">=", "<", "<=", "==", "!="]);
  const andExpr = binary(cmp, ["&&"]);
  const orExpr = binary(andExpr, ["||"]);
  try {
    const e = orExpr();
    if (p < toks.length) fail(`has an unexpected ${JSON.stringify(toks[p])}`);
    return (v) => Boolean(e(v));
  } catch (err) {
    return `condition ${JSON.stringify(condition)} ${errorMessage(err)}`;
  }
}

/** Per-rule accumulator for `--summary`. */
interface RuleSummary {
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

function readKey(readers: readonly FieldReader[], log: NormalizedLog): string | undefined {
  if (readers.length === 1) return readers[0](log);
  let key = "";
  for (let k = 0; k < readers.length; k++) {
    const v = readers[k](log);
    if (v === undefined) return undefined;
    key += (k > 0 ? "\u0001" : "") + v;
  }
  return key;
}

function newSummary(compiled: CompiledRule, firstTs: () => number): RuleSummary {
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
      if (!learned && (prev === undefined || forgotten)) signals++;
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
    if (conditions.some((c) => c(b.values))) signals++;
  };
  const reset = (b: Bucket, window: number): void => {
    b.window = window;
    for (const a of aggs) b.values[a.name] = 0;
    for (let k = 0; k < aggs.length; k++) b.sets[k] = aggs[k].aggregation === "cardinality" ? new Set() : undefined;
  };
  mutable.observe = (log, queryMatched, ts) => {
    const group = groupReaders.length === 0 ? "" : (readKey(groupReaders, log) ?? "");
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

async function runSummary(
  ruleSet: RuleSet,
  input: AsyncIterable<string | Buffer>,
  out: Output,
  stderr: NodeJS.WritableStream,
): Promise<void> {
  let firstTs: number | undefined;
  let lastTs = 0;
  let lines = 0;
  let events = 0;
  let errors = 0;
  let firstError: string | undefined;
  const compiled = ruleSet.rules;
  const summaries = compiled.map((c) => newSummary(c, () => firstTs ?? 0));
  const matchedBuf: boolean[][] = compiled.map((c) => c.queries.map(() => false));
  const results: boolean[] = new Array<boolean>(ruleSet.queries.size).fill(false);
  await forEachLine(
    input,
    (line, lineNumber) => {
      if (BLANK.test(line)) return;
      lines++;
      const log = readEvent(line, lineNumber);
      if (typeof log === "string") {
        errors++;
        if (firstError === undefined) firstError = `line ${lineNumber}: ${log}`;
        return;
      }
      events++;
      const ts = log.timestampMs ?? lastTs;
      if (firstTs === undefined) firstTs = ts;
      lastTs = ts;
      ruleSet.queries.evaluate(log, results);
      for (let r = 0; r < summaries.length; r++) {
        const s = summaries[r];
        const qs = s.compiled.queries;
        const matched = matchedBuf[r];
        let any = false;
        for (let k = 0; k < qs.length; k++) {
          matched[k] = results[qs[k].slot];
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
    },
    async () => true,
  );
  for (const s of summaries) {
    s.finish();
    out.write(
      JSON.stringify({
        rule: s.compiled.rule.name,
        severity: s.compiled.rule.severity,
        detectionMethod: s.compiled.rule.detectionMethod,
        eventsMatched: s.eventsMatched,
        distinct: s.distinctFields.length === 0 ? null : { fields: s.distinctFields, count: s.distinct.size, capped: s.distinctCapped },
        estimatedSignals: s.estimatedSignals,
        estimate: s.estimate,
      }) + "\n",
    );
  }
  out.write(JSON.stringify({ summary: { lines, events, errors, rules: compiled.length } }) + "\n");
  if (errors > 0) {
    stderr.write(`rules match: ${errors} of ${lines} lines were not audit events (first: ${firstError})\n`);
  }
}

async function runPerLine(ruleSet: RuleSet, input: AsyncIterable<string | Buffer>, out: Output): Promise<void> {
  const compiled = ruleSet.rules;
  const results: boolean[] = new Array<boolean>(ruleSet.queries.size).fill(false);
  await forEachLine(
    input,
    (line, lineNumber) => {
      if (BLANK.test(line)) return;
      const log = readEvent(line, lineNumber);
      if (typeof log === "string") {
        out.write(`{"line":${lineNumber},"error":${JSON.stringify(log)}}\n`);
        return;
      }
      let matches = "";
      ruleSet.queries.evaluate(log, results);
      for (let r = 0; r < compiled.length; r++) {
        const qs = compiled[r].queries;
        for (let k = 0; k < qs.length; k++) {
          if (results[qs[k].slot]) {
            matches += matches.length === 0 ? compiled[r].fragment : "," + compiled[r].fragment;
            break;
          }
        }
      }
      out.write(`{"line":${lineNumber},"matches":[${matches}]}\n`);
    },
    async () => {
      await out.flush();
      return !out.isClosed;
    },
  );
}

/**
 * Runs `rules match` with the arguments that follow `match`. Resolves to the exit code; never throws for user
 * input (messages go to `io.stderr`).
 */
export async function runMatch(argv: readonly string[], io: MatchIo, resolveRules: ResolveRules): Promise<number> {
  let args: MatchArgs;
  try {
    args = parseMatchArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`${e.message}\n${MATCH_USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    io.stderr.write(MATCH_USAGE);
    return 0;
  }

  let compiled: RuleSet;
  try {
    const resolved = resolveRules({ configPath: args.configPath, env: args.env });
    let rules = resolved.filter((r) => r.enabled);
    if (args.rules.length > 0) {
      const names = new Set(rules.map((r) => r.name));
      const unknown = args.rules.filter((n) => !names.has(n));
      if (unknown.length > 0) {
        io.stderr.write(
          `rules match: --rule ${JSON.stringify(unknown[0])} is not an enabled rule of the selected config; allowed: ${[...names].map((n) => JSON.stringify(n)).join(", ")}\n`,
        );
        return 2;
      }
      rules = rules.filter((r) => args.rules.includes(r.name));
    }
    compiled = compileRules(rules, (message) => io.stderr.write(`${message}\n`));
  } catch (e) {
    io.stderr.write(`rules match: ${errorMessage(e)}\n`);
    return e instanceof RulesArgumentError ? 2 : 1;
  }

  let input: AsyncIterable<string | Buffer>;
  try {
    input = await openEvents(args.file, io.stdin ?? process.stdin);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.stderr.write(
      `rules match: cannot read the events file ${JSON.stringify(args.file)}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : errorMessage(e)}\n`,
    );
    return 2;
  }

  const out = new Output(io.stdout);
  try {
    if (args.summary) await runSummary(compiled, input, out, io.stderr);
    else await runPerLine(compiled, input, out);
  } catch (e) {
    await out.flush(true);
    io.stderr.write(`rules match: reading ${JSON.stringify(args.file)} failed: ${errorMessage(e)}\n`);
    return 1;
  }
  await out.flush(true);
  return 0;
}
