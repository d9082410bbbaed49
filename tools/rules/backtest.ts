/**
 * `rules backtest [--engine duckdb|node] [--from <day> --to <day>] [--rule <id|name>]... [--format json|markdown]
 * [--config <path>] [--env <name>] [--memory-limit <size>] [--threads <n>] <input>...`
 *
 * What the rules would have done on past logs: per rule, events matched, distinct groups, estimated signals and
 * signals per day, with the threshold-window and New Value model of `rules match --summary`. Inputs: Datadog log
 * archive files (gzip or zstd JSON lines, `dt=YYYYMMDD/hour=HH/` partitions), CloudWatch lines and exports, plain
 * audit-event JSONL; local files, directories, globs (quote them) and `s3://` URLs (DuckDB engine, httpfs + aws
 * extensions). See `docs/backtest.md`.
 *
 * stdout: one JSON line per rule and a final `{"backtest": totals}` line (or a Markdown table with `--format
 * markdown`); exit 0 when done, 2 for bad arguments or inputs, 1 when the rules are invalid or reading fails.
 */
import { CommandLine, CommandLineError, OptionSpec, parseCommandLine } from "../../lib/cli-args";
import type { MatchableRule } from "../../lib/rules/matchable";
import { BacktestDb, DEFAULT_MEMORY_LIMIT, runDuckdbBacktest } from "../../lib/backtest/duckdb";
import { BacktestInputError, DayRange, parseDay } from "../../lib/backtest/inputs";
import { runNodeBacktest } from "../../lib/backtest/node-engine";
import { renderJson, renderMarkdown } from "../../lib/backtest/result";
import { compileRules } from "../../lib/rules/compile";
import { errorMessage } from "../../lib/error-message";
import { ResolveRules, RulesArgumentError } from "./match";

export const BACKTEST_USAGE =
  "usage: rules backtest [--engine duckdb|node] [--from <day> --to <day>] [--rule <id|name>]... [--format json|markdown]\n" +
  "                      [--config <path>] [--env <name>] [--memory-limit <size>] [--threads <n>] <input>...\n" +
  "  <input>         files (plain, .gz, .zst), directories, quoted globs, s3:// URLs (a prefix ending in / is an archive root)\n" +
  "  --engine        duckdb (default: parallel, bounded memory, S3) or node (the rules match engine, the reference)\n" +
  "  --from, --to    UTC days (YYYY-MM-DD), inclusive: read only the archive partitions dt=YYYYMMDD of that range\n" +
  "  --rule          backtest only this rule, by id or name (repeatable)\n" +
  "  --format        json (default: one line per rule, then totals) or markdown (a table)\n" +
  `  --memory-limit  DuckDB memory_limit (default ${DEFAULT_MEMORY_LIMIT}); larger inputs spill to a temporary folder\n` +
  "  --threads       DuckDB threads (default: the number of cores)\n";

class UsageError extends Error {}

export interface BacktestArgs {
  readonly inputs: readonly string[];
  readonly engine: "duckdb" | "node";
  readonly range?: DayRange;
  readonly rules: readonly string[];
  readonly format: "json" | "markdown";
  readonly configPath?: string;
  readonly env?: string;
  readonly memoryLimit?: string;
  readonly threads?: number;
  readonly help: boolean;
}

const OPTIONS =
  "allowed: --engine duckdb|node, --from <day>, --to <day>, --rule <id|name>, --format json|markdown, --config <path>, --env <name>, --memory-limit <size>, --threads <n>, --help, and one or more inputs";

const BACKTEST_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: "boolean", short: "h" },
  engine: { type: "string" },
  format: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  rule: { type: "string", multiple: true },
  config: { type: "string" },
  env: { type: "string" },
  "memory-limit": { type: "string" },
  threads: { type: "string" },
};

/** Parses the arguments after `backtest`. @throws UsageError, BacktestInputError */
export function parseBacktestArgs(argv: readonly string[]): BacktestArgs {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv, BACKTEST_OPTIONS, OPTIONS);
  } catch (e) {
    throw e instanceof CommandLineError ? new UsageError(`rules backtest: ${e.message}`) : e;
  }
  const help = line.has("help");
  const engine = line.string("engine") ?? "duckdb";
  if (engine !== "duckdb" && engine !== "node")
    throw new UsageError(`rules backtest: --engine: received ${JSON.stringify(engine)}; allowed: duckdb, node`);
  const format = line.string("format") ?? "json";
  if (format !== "json" && format !== "markdown")
    throw new UsageError(`rules backtest: --format: received ${JSON.stringify(format)}; allowed: json, markdown`);
  const rawFrom = line.string("from");
  const rawTo = line.string("to");
  const from = rawFrom === undefined ? undefined : parseDay("--from", rawFrom);
  const to = rawTo === undefined ? undefined : parseDay("--to", rawTo);
  const rules = line.strings("rule");
  const configPath = line.string("config");
  const env = line.string("env");
  const memoryLimit = line.string("memory-limit");
  const rawThreads = line.string("threads");
  if (rawThreads !== undefined && !/^[1-9]\d*$/.test(rawThreads)) {
    throw new UsageError(`rules backtest: --threads: received ${JSON.stringify(rawThreads)}; allowed: a positive integer`);
  }
  const threads = rawThreads === undefined ? undefined : Number(rawThreads);
  const inputs = line.positionals;
  if ((from === undefined) !== (to === undefined)) {
    throw new UsageError(
      `rules backtest: --from and --to go together (received only ${from === undefined ? "--to" : "--from"}); allowed: both, or neither to read everything`,
    );
  }
  if (from !== undefined && to !== undefined && from > to) {
    throw new UsageError(`rules backtest: --from ${from} is after --to ${to}; allowed: a range whose first day is not after its last`);
  }
  if (inputs.length === 0 && !help) throw new UsageError(`rules backtest: no input given; ${OPTIONS}`);
  const range = from !== undefined && to !== undefined ? { from, to } : undefined;
  return { inputs, engine, range, rules, format, configPath, env, memoryLimit, threads, help };
}

/** The enabled rules `--rule` selects (all when none is named). @throws RulesArgumentError */
function selectRules(all: readonly MatchableRule[], wanted: readonly string[]): MatchableRule[] {
  const enabled = all.filter((r) => r.enabled);
  if (wanted.length === 0) return enabled;
  const selected = new Set<MatchableRule>();
  for (const w of wanted) {
    const found = enabled.find((r) => r.id === w) ?? enabled.find((r) => r.name === w);
    if (found === undefined) {
      const allowed = enabled.map((r) => (r.id === undefined ? JSON.stringify(r.name) : r.id));
      throw new RulesArgumentError(
        `--rule ${JSON.stringify(w)} is not the id or name of an enabled rule of the selected config; allowed: ${allowed.join(", ")}`,
      );
    }
    selected.add(found);
  }
  return enabled.filter((r) => selected.has(r));
}

export interface BacktestIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Runs `rules backtest`; resolves to the exit code, never throws for user input. */
export async function runBacktest(argv: readonly string[], io: BacktestIo, resolveRules: ResolveRules): Promise<number> {
  let args: BacktestArgs;
  try {
    args = parseBacktestArgs(argv);
  } catch (e) {
    if (e instanceof UsageError || e instanceof BacktestInputError) {
      io.stderr.write(`${e instanceof BacktestInputError ? "rules backtest: " : ""}${e.message}\n${BACKTEST_USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    io.stderr.write(BACKTEST_USAGE);
    return 0;
  }
  let rules: MatchableRule[];
  try {
    rules = selectRules(resolveRules({ configPath: args.configPath, env: args.env }), args.rules);
  } catch (e) {
    io.stderr.write(`rules backtest: ${errorMessage(e)}\n`);
    return e instanceof RulesArgumentError ? 2 : 1;
  }
  const ruleSet = compileRules(rules, (message) => io.stderr.write(`${message.replace(/^rules match:/, "rules backtest:")}\n`));
  let db: BacktestDb | undefined;
  try {
    db = await BacktestDb.open({ memoryLimit: args.memoryLimit, threads: args.threads });
    const opened = db;
    const files = await opened.inputFiles(args.inputs, args.range);
    const result = args.engine === "duckdb" ? await runDuckdbBacktest(ruleSet.rules, files, opened) : await runNodeBacktest(ruleSet, files);
    io.stdout.write(args.format === "json" ? renderJson(result) : renderMarkdown(result));
    if (result.totals.errors > 0)
      io.stderr.write(`rules backtest: ${result.totals.errors} of ${result.totals.lines} lines were not audit events or archived logs\n`);
    return 0;
  } catch (e) {
    if (e instanceof BacktestInputError) {
      io.stderr.write(`rules backtest: ${e.message}\n`);
      return 2;
    }
    io.stderr.write(`rules backtest: reading the inputs failed: ${errorMessage(e).split("\n")[0]}\n`);
    return 1;
  } finally {
    await db?.close();
  }
}
