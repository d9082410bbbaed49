/** Command-line arguments of `review` (see tools/review/review.ts). */
import { BacktestInputError, DayRange, parseDay } from "../../lib/backtest/inputs";

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

/** The value of `--name value` or `--name=value` at argv[i], with the index of the last argument used. */
function optionValue(argv: readonly string[], i: number, name: string): { value: string | undefined; next: number } {
  return argv[i] === name ? { value: argv[i + 1], next: i + 1 } : { value: argv[i].slice(name.length + 1), next: i };
}

/** `<environment>=<file>` of an option, refused with the allowed shape; one per environment. */
function environmentFile(
  name: string,
  value: string | undefined,
  seen: ReadonlyArray<{ environment: string }>,
  allowed: string,
): { environment: string; file: string } {
  const match = /^([A-Za-z0-9_-]+)=(.+)$/.exec(value ?? "");
  if (match === null)
    throw new ReviewUsageError(`${name} ${value === undefined ? "needs a value" : `is ${JSON.stringify(value)}`}; allowed: ${allowed}`);
  if (seen.some((p) => p.environment === match[1]))
    throw new ReviewUsageError(`${name} names environment ${JSON.stringify(match[1])} twice; allowed: one per environment`);
  return { environment: match[1], file: match[2] };
}

export function parseReviewArgs(argv: readonly string[]): ReviewArgs {
  const folders: string[] = [];
  const plans: Array<{ environment: string; file: string }> = [];
  const planTexts: Array<{ environment: string; file: string }> = [];
  const missingPlans: string[] = [];
  const backtest: string[] = [];
  let engine: "duckdb" | "node" | undefined;
  let from: string | undefined;
  let to: string | undefined;
  let backtestJson: string | undefined;
  let failOnDestroy = false;
  /** The value of a single-valued option, refused when missing. */
  const required = (name: string, value: string | undefined, allowed: string): string => {
    if (value === undefined || value === "") throw new ReviewUsageError(`${name} needs a value; allowed: ${allowed}`);
    return value;
  };
  const day = (name: string, value: string | undefined): string => {
    try {
      return parseDay(name, required(name, value, "a UTC day as YYYY-MM-DD (e.g. 2026-11-01)"));
    } catch (e) {
      if (e instanceof BacktestInputError) throw new ReviewUsageError(e.message);
      throw e;
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--fail-on-destroy") {
      failOnDestroy = true;
    } else if (arg === "--plan" || arg.startsWith("--plan=")) {
      const { value, next } = optionValue(argv, i, "--plan");
      plans.push(environmentFile("--plan", value, plans, "<environment>=<file of terraform show -json>"));
      i = next;
    } else if (arg === "--plan-text" || arg.startsWith("--plan-text=")) {
      const { value, next } = optionValue(argv, i, "--plan-text");
      planTexts.push(environmentFile("--plan-text", value, planTexts, "<environment>=<file of terraform plan output>"));
      i = next;
    } else if (arg === "--missing-plan" || arg.startsWith("--missing-plan=")) {
      const { value, next } = optionValue(argv, i, "--missing-plan");
      if (value === undefined || !/^[A-Za-z0-9_-]+$/.test(value))
        throw new ReviewUsageError(
          `--missing-plan ${value === undefined ? "needs a value" : `is ${JSON.stringify(value)}`}; allowed: an environment name`,
        );
      missingPlans.push(value);
      i = next;
    } else if (arg === "--backtest" || arg.startsWith("--backtest=")) {
      const { value, next } = optionValue(argv, i, "--backtest");
      backtest.push(required("--backtest", value, "a file, directory, quoted glob or s3:// URL of audit logs"));
      i = next;
    } else if (arg === "--engine" || arg.startsWith("--engine=")) {
      const { value, next } = optionValue(argv, i, "--engine");
      if (value !== "duckdb" && value !== "node")
        throw new ReviewUsageError(`--engine ${value === undefined ? "needs a value" : `is ${JSON.stringify(value)}`}; allowed: duckdb, node`);
      engine = value;
      i = next;
    } else if (arg === "--from" || arg.startsWith("--from=")) {
      const { value, next } = optionValue(argv, i, "--from");
      from = day("--from", value);
      i = next;
    } else if (arg === "--to" || arg.startsWith("--to=")) {
      const { value, next } = optionValue(argv, i, "--to");
      to = day("--to", value);
      i = next;
    } else if (arg === "--backtest-json" || arg.startsWith("--backtest-json=")) {
      const { value, next } = optionValue(argv, i, "--backtest-json");
      backtestJson = required("--backtest-json", value, "a file path to write");
      i = next;
    } else if (arg.startsWith("-")) {
      throw new ReviewUsageError(`unknown option ${JSON.stringify(arg)}; allowed: ${ALLOWED_OPTIONS}`);
    } else {
      folders.push(arg);
    }
  }
  if (folders.length !== 2) {
    throw new ReviewUsageError(
      `expected two synthesized output folders (<before> <after>), got ${folders.length}${
        folders.length > 0 ? `: ${folders.map((f) => JSON.stringify(f)).join(" ")}` : ""
      }`,
    );
  }
  const backtestOnly = [
    engine !== undefined ? "--engine" : "",
    from !== undefined ? "--from" : "",
    to !== undefined ? "--to" : "",
    backtestJson !== undefined ? "--backtest-json" : "",
  ].filter((o) => o !== "");
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
    failOnDestroy,
    plans,
    planTexts,
    missingPlans,
    backtest,
    ...(engine === undefined ? {} : { engine }),
    ...(from !== undefined && to !== undefined ? { range: { from, to } } : {}),
    ...(backtestJson === undefined ? {} : { backtestJson }),
  };
}
