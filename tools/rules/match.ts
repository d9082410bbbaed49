/**
 * `rules match [--summary] [--config <path>] [--env <name>] [--rule <id|name>]... <events-file>`
 *
 * Replays audit events (one per line: a raw `audit.k8s.io/v1` Event, a CloudWatch line `{"timestamp","message"}`,
 * a forwarded log, or a CloudWatch-export-to-S3 line `<timestamp> <event JSON>`; plain or gzip) through the
 * detection rules, offline. Contract (issue 5 §4; other tools depend on it):
 *
 * - per non-blank input line, one JSON line on stdout: `{"line":<1-based>,"matches":[{"rule","severity","tags"}]}`,
 *   or `{"line":<n>,"error":"<why>"}` for a line that is not an audit event (or is longer than any CloudWatch line,
 *   `MAX_EVENT_LINE_CHARS`: reported and skipped, the run goes on); blank lines are skipped;
 * - stdout carries only those JSON lines; everything else goes to stderr;
 * - exit 0 when the file was processed; 2 for bad arguments (including an unknown `--env`, `RulesArgumentError`) or an
 *   unreadable events file (missing, or not a regular file: a directory, a FIFO, a device; a stream is read as
 *   `-`); 1 when the rules or the config are invalid, or reading fails midway (e.g. a truncated gzip file).
 *
 * `--as-eks` first passes every event through EKS's audit policy (`lib/audit/eks-audit-policy.ts`): an event EKS
 * would not log matches nothing (per-line output adds `"notLoggedByEks":"<why>"`; the summary counts them), and the
 * bodies its level drops are removed before matching.
 *
 * `--summary` prints one JSON line per rule instead (events matched, distinct values, estimated signals) and a
 * final `{"summary":{...}}` line. See `docs/detection-testing.md` for how signals are estimated.
 */
import type { MatchableRule } from "../../lib/rules/matchable";
import { compileRules, RuleSet } from "../../lib/rules/compile";
import { BLANK, forEachLine, lineTooLongReason, openEvents, Output, readEvent } from "../../lib/rules/events";
import { errorMessage } from "../../lib/error-message";
import { cannotReadMessage } from "../../lib/input-file";
import { CommandLine, CommandLineError, OptionSpec, parseCommandLine } from "../../lib/cli-args";
import { SummaryRun } from "../../lib/rules/signals";
import { applyEksPolicy } from "../../lib/audit";

export { compileCondition, MAX_DISTINCT_VALUES_PER_RULE } from "../../lib/rules/signals";

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
  "usage: rules match [--summary] [--as-eks] [--config <path>] [--env <name>] [--rule <id|name>]... <events-file>\n" +
  "  <events-file>  one JSON object per line (audit.k8s.io/v1 Event or CloudWatch line); gzip is detected; - reads stdin\n" +
  "  --summary      print per-rule totals and estimated signals instead of one line per event\n" +
  "  --as-eks       see events as EKS logs them: drop what its audit policy never logs, strip the bodies its levels drop\n" +
  "  --config       config file to take the rules from (default: the default config)\n" +
  "  --env          take the enabled rules of this environment only (default: all environments, merged by rule name)\n" +
  "  --rule         evaluate only this rule, by id (e.g. pod-exec-new-user) or name (repeatable)\n";

/** Parsed command line of `rules match`. */
export interface MatchArgs {
  readonly file: string;
  readonly summary: boolean;
  /** `--as-eks`: pass events through EKS's audit policy first. */
  readonly asEks: boolean;
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

const MATCH_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  summary: { type: "boolean" },
  "as-eks": { type: "boolean" },
  help: { type: "boolean", short: "h" },
  config: { type: "string" },
  env: { type: "string" },
  rule: { type: "string", multiple: true },
};

const OPTIONS_HELP =
  "allowed: --summary, --as-eks, --config <path>, --env <name>, --rule <id|name>, --help, and one events file (- for standard input)";

/** Parses the arguments that follow `match`. @throws UsageError */
export function parseMatchArgs(argv: readonly string[]): MatchArgs {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv, MATCH_OPTIONS, OPTIONS_HELP);
  } catch (e) {
    throw e instanceof CommandLineError ? new UsageError(`rules match: ${e.message}`) : e;
  }
  const help = line.has("help");
  const [file, extra] = line.positionals;
  if (extra !== undefined) {
    throw new UsageError(`rules match: expected one events file, got ${JSON.stringify(file)} and ${JSON.stringify(extra)}; ${OPTIONS_HELP}`);
  }
  if (file === undefined && !help) {
    throw new UsageError(`rules match: the events file is missing; ${OPTIONS_HELP}`);
  }
  return {
    file: file ?? "",
    summary: line.has("summary"),
    asEks: line.has("as-eks"),
    configPath: line.string("config"),
    env: line.string("env"),
    rules: line.strings("rule"),
    help,
  };
}

async function runSummary(
  ruleSet: RuleSet,
  input: AsyncIterable<string | Buffer>,
  out: Output,
  stderr: NodeJS.WritableStream,
  asEks: boolean,
): Promise<void> {
  let lines = 0;
  let events = 0;
  let errors = 0;
  let notLoggedByEks = 0;
  let firstError: string | undefined;
  const compiled = ruleSet.rules;
  const run = new SummaryRun(ruleSet);
  const lineError = (lineNumber: number, reason: string): void => {
    errors++;
    if (firstError === undefined) firstError = `line ${lineNumber}: ${reason}`;
  };
  await forEachLine(
    input,
    (line, lineNumber) => {
      if (BLANK.test(line)) return;
      lines++;
      const log = readEvent(line, lineNumber);
      if (typeof log === "string") return lineError(lineNumber, log);
      events++;
      if (asEks && applyEksPolicy(log.attributes) !== undefined) {
        notLoggedByEks++;
        return;
      }
      run.observe(log);
    },
    () => Promise.resolve(true),
    (lineNumber, length) => {
      lines++;
      lineError(lineNumber, lineTooLongReason(length));
    },
  );
  for (const s of run.finish()) {
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
  out.write(JSON.stringify({ summary: { lines, events, errors, ...(asEks ? { notLoggedByEks } : {}), rules: compiled.length } }) + "\n");
  if (errors > 0) {
    stderr.write(`rules match: ${errors} of ${lines} lines were not audit events (first: ${firstError})\n`);
  }
}

async function runPerLine(ruleSet: RuleSet, input: AsyncIterable<string | Buffer>, out: Output, asEks: boolean): Promise<void> {
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
      const dropped = asEks ? applyEksPolicy(log.attributes) : undefined;
      if (dropped !== undefined) {
        out.write(`{"line":${lineNumber},"matches":[],"notLoggedByEks":${JSON.stringify(dropped)}}\n`);
        return;
      }
      let matches = "";
      const any = ruleSet.queries.evaluate(log, results);
      for (let r = 0; any > 0 && r < compiled.length; r++) {
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
    (lineNumber, length) => out.write(`{"line":${lineNumber},"error":${JSON.stringify(lineTooLongReason(length))}}\n`),
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
      // --rule takes a rule id (as in config files and the rule table) or a rule's display name.
      const selected = new Set<MatchableRule>();
      for (const wanted of args.rules) {
        const found = rules.find((r) => r.id === wanted) ?? rules.find((r) => r.name === wanted);
        if (found === undefined) {
          const allowed = rules.map((r) => (r.id === undefined ? JSON.stringify(r.name) : `${r.id} (${JSON.stringify(r.name)})`));
          io.stderr.write(
            `rules match: --rule ${JSON.stringify(wanted)} is not the id or name of an enabled rule of the selected config; allowed: ${allowed.join(", ")}\n`,
          );
          return 2;
        }
        selected.add(found);
      }
      rules = rules.filter((r) => selected.has(r));
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
    io.stderr.write(`rules match: ${cannotReadMessage("the events file", args.file, e)}\n`);
    return 2;
  }

  const out = new Output(io.stdout);
  try {
    if (args.summary) await runSummary(compiled, input, out, io.stderr, args.asEks);
    else await runPerLine(compiled, input, out, args.asEks);
  } catch (e) {
    await out.flush(true);
    io.stderr.write(`rules match: reading ${JSON.stringify(args.file)} failed: ${errorMessage(e)}\n`);
    return 1;
  }
  await out.flush(true);
  return 0;
}
