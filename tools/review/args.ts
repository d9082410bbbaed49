/** Command-line arguments of `review` (see tools/review/review.ts). */
import { BacktestInputError, DayRange, parseDay } from "../../lib/backtest/inputs";
import { CommandLine, CommandLineError, OptionSpec, parseCommandLine } from "../../lib/cli-args";

export const REVIEW_USAGE = `usage: npm run --silent review -- [--fail-on-destroy] [--plan <environment>=<plan.json>]... [--plan-text <environment>=<plan.txt>]... [--missing-plan <environment>]...
                         [--backtest <input>... [--engine duckdb|node] [--from <day> --to <day>] [--backtest-json <file>]] <before> <after>
  <before>, <after>        synthesized output folders (each holds stacks/<environment>/cdk.tf.json), e.g. of the PR's base and head
  --fail-on-destroy        exit 3 when anything would be destroyed, replaced or moved
  --plan env=file          add what \`terraform show -json\` of a saved plan of that environment says (repeatable)
  --plan-text env=file     add the plan's text (terraform plan output) in a collapsed block at the end (repeatable)
  --missing-plan env       say first that the plan of that environment failed or is missing (repeatable)
  --backtest input         show, under each detection rule the change adds, alters or removes, its estimated signals per day
                           before and after on these logs (files, directories, quoted globs, s3:// URLs as rules backtest reads; repeatable)
  --engine                 the backtest's engine: duckdb (default) or node
  --from, --to             UTC days (YYYY-MM-DD): read only the archive partitions dt=YYYYMMDD of that range
  --backtest-json file     also write the backtest's numbers per rule as JSON to this file
`;

/** A bad argument: printed as one line, exit code 2. */
export class ReviewUsageError extends Error {}

export interface ReviewArgs {
  readonly before: string;
  readonly after: string;
  readonly failOnDestroy: boolean;
  /** Plan JSON files by environment name, in the order given. */
  readonly plans: ReadonlyArray<{ readonly environment: string; readonly file: string }>;
  /** Plan text files by environment name, in the order given. */
  readonly planTexts: ReadonlyArray<{ readonly environment: string; readonly file: string }>;
  /** Environments whose plan failed or is missing. */
  readonly missingPlans: readonly string[];
  /** `--backtest` inputs (empty: no backtest). */
  readonly backtest: readonly string[];
  /** @default "duckdb" */
  readonly engine?: "duckdb" | "node";
  readonly range?: DayRange;
  readonly backtestJson?: string;
}

const ALLOWED_OPTIONS =
  "--fail-on-destroy, --plan <environment>=<plan.json>, --plan-text <environment>=<plan.txt>, --missing-plan <environment>, --backtest <input>, --engine duckdb|node, --from <day>, --to <day>, --backtest-json <file>";

/** `<environment>=<file>` of an option, refused with the allowed shape; one per environment. */
function environmentFile(
  name: string,
  value: string,
  seen: ReadonlyArray<{ environment: string }>,
  allowed: string,
): { environment: string; file: string } {
  const match = /^([A-Za-z0-9_-]+)=(.+)$/.exec(value);
  if (match === null) throw new ReviewUsageError(`${name} is ${JSON.stringify(value)}; allowed: ${allowed}`);
  if (seen.some((p) => p.environment === match[1]))
    throw new ReviewUsageError(`${name} names environment ${JSON.stringify(match[1])} twice; allowed: one per environment`);
  return { environment: match[1], file: match[2] };
}

const REVIEW_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "fail-on-destroy": { type: "boolean" },
  plan: { type: "string", multiple: true },
  "plan-text": { type: "string", multiple: true },
  "missing-plan": { type: "string", multiple: true },
  backtest: { type: "string", multiple: true },
  engine: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  "backtest-json": { type: "string" },
};

/** A UTC day of `--from`/`--to`, refused in the backtest's words. */
function day(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDay(name, value);
  } catch (e) {
    throw e instanceof BacktestInputError ? new ReviewUsageError(e.message) : e;
  }
}

export function parseReviewArgs(argv: readonly string[]): ReviewArgs {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv, REVIEW_OPTIONS, `allowed: ${ALLOWED_OPTIONS}`);
  } catch (e) {
    throw e instanceof CommandLineError ? new ReviewUsageError(e.message) : e;
  }
  const plans: Array<{ environment: string; file: string }> = [];
  for (const value of line.strings("plan")) plans.push(environmentFile("--plan", value, plans, "<environment>=<file of terraform show -json>"));
  const planTexts: Array<{ environment: string; file: string }> = [];
  for (const value of line.strings("plan-text")) {
    planTexts.push(environmentFile("--plan-text", value, planTexts, "<environment>=<file of terraform plan output>"));
  }
  const missingPlans = line.strings("missing-plan");
  for (const value of missingPlans) {
    if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new ReviewUsageError(`--missing-plan is ${JSON.stringify(value)}; allowed: an environment name`);
  }
  const backtest = line.strings("backtest");
  for (const value of backtest) {
    if (value === "") throw new ReviewUsageError(`--backtest is ""; allowed: a file, directory, quoted glob or s3:// URL of audit logs`);
  }
  const engine = line.string("engine");
  if (engine !== undefined && engine !== "duckdb" && engine !== "node")
    throw new ReviewUsageError(`--engine is ${JSON.stringify(engine)}; allowed: duckdb, node`);
  const from = day("--from", line.string("from"));
  const to = day("--to", line.string("to"));
  const backtestJson = line.string("backtest-json");
  const folders = line.positionals;
  if (folders.length !== 2) {
    throw new ReviewUsageError(
      `expected two synthesized output folders (<before> <after>), got ${folders.length}${
        folders.length > 0 ? `: ${folders.map((f) => JSON.stringify(f)).join(" ")}` : ""
      }`,
    );
  }
  const backtestOnly = ["engine", "from", "to", "backtest-json"].filter((o) => line.has(o)).map((o) => `--${o}`);
  if (backtest.length === 0 && backtestOnly.length > 0)
    throw new ReviewUsageError(`${backtestOnly.join(", ")} without --backtest; allowed: --backtest <input> with them, or none of them`);
  if ((from === undefined) !== (to === undefined))
    throw new ReviewUsageError(
      `--from and --to go together (received only ${from === undefined ? "--to" : "--from"}); allowed: both, or neither to read everything`,
    );
  if (from !== undefined && to !== undefined && from > to)
    throw new ReviewUsageError(`--from ${from} is after --to ${to}; allowed: a range whose first day is not after its last`);
  return {
    before: folders[0],
    after: folders[1],
    failOnDestroy: line.has("fail-on-destroy"),
    plans,
    planTexts,
    missingPlans,
    backtest,
    ...(engine === undefined ? {} : { engine }),
    ...(from !== undefined && to !== undefined ? { range: { from, to } } : {}),
    ...(backtestJson === undefined ? {} : { backtestJson }),
  };
}
