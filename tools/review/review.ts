/**
 * `npm run --silent review -- [--fail-on-destroy] [--plan <environment>=<plan.json>]... <before> <after>`
 *
 * What a change does, in words a reviewer reads: compares two synthesized output folders (e.g. of a PR's base and
 * head) environment by environment, with what would be destroyed or replaced first, then every changed setting of
 * each link of the chain as old → new. No credentials, no network: it covers the Datadog side too, which no offline
 * plan can show. `--plan` folds in the real saved plans. Exit codes: 0 done; 3 with --fail-on-destroy when anything
 * would be destroyed or replaced; 2 bad arguments; 1 internal error. `--backtest <input>...` adds, under each detection
 * rule the change adds, alters or removes, its estimated signals per day before and after on those logs
 * (tools/review/backtest.ts); it reads files, so it runs only through the asynchronous {@link reviewCommand}.
 */
import { readFileSync } from "fs";
import type { JsonObject } from "../../lib/json";
import { ReviewBacktest, backtestChangedRules, writeBacktestJson } from "./backtest";
import { diffEnvironment } from "./diff";
import { REVIEW_USAGE, ReviewArgs, ReviewUsageError, parseReviewArgs } from "./args";
import { checkPlanBelongs, loadPlan, loadSynthesized } from "./load";
import { planFacts } from "./plan";
import { EnvironmentReview, hasDanger, renderReview } from "./render";

export const EXIT_DESTROY = 3;

export interface ReviewResult {
  readonly markdown: string;
  readonly exitCode: number;
}

/** The review of `argv` without `--backtest` (which reads logs: see {@link reviewCommand}). */
export function runReview(argv: readonly string[]): ReviewResult {
  const args = parseReviewArgs(argv);
  if (args.backtest.length > 0) throw new Error("runReview does not read logs: use reviewCommand for --backtest");
  return prepare(args, loadSynthesized(args.before), loadSynthesized(args.after))();
}

/** The review of `argv`, with the backtest of the changed rules when `--backtest` is given. */
export async function reviewCommand(argv: readonly string[]): Promise<ReviewResult> {
  const args = parseReviewArgs(argv);
  const before = loadSynthesized(args.before);
  const after = loadSynthesized(args.after);
  // Every other argument is checked before the logs are read.
  const render = prepare(args, before, after);
  if (args.backtest.length === 0) return render();
  const backtest = await backtestChangedRules(before, after, { inputs: args.backtest, engine: args.engine, range: args.range });
  const result = render(backtest);
  if (args.backtestJson !== undefined) writeBacktestJson(args.backtestJson, backtest);
  return result;
}

/** Checks and reads the plans and plan texts; returns the rendering of the review, with or without a backtest. */
function prepare(args: ReviewArgs, before: Map<string, JsonObject>, after: Map<string, JsonObject>): (backtest?: ReviewBacktest) => ReviewResult {
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const p of args.plans) {
    if (!names.includes(p.environment)) {
      throw new ReviewUsageError(
        `--plan names environment ${JSON.stringify(p.environment)}, which neither folder holds; allowed: ${names
          .map((n) => JSON.stringify(n))
          .join(", ")}`,
      );
    }
  }
  const plans = new Map(
    args.plans.map((p) => {
      const plan = loadPlan(p.file);
      checkPlanBelongs(p.file, p.environment, plan, { before: before.get(p.environment), after: after.get(p.environment) });
      return [p.environment, planFacts(plan)];
    }),
  );
  const planTexts = args.planTexts.map((p) => {
    if (!names.includes(p.environment))
      throw new ReviewUsageError(`--plan-text names environment ${JSON.stringify(p.environment)}, which neither folder holds`);
    return { environment: p.environment, text: readText(p.file) };
  });
  return (backtest) => {
    const reviews: EnvironmentReview[] = names.map((n) => ({
      diff: diffEnvironment(n, before.get(n), after.get(n)),
      plan: plans.get(n),
      backtest: backtest?.rules.filter((r) => r.environment === n),
    }));
    const markdown = renderReview(reviews, { missingPlans: args.missingPlans, planTexts, backtest });
    return { markdown, exitCode: args.failOnDestroy && reviews.some(hasDanger) ? EXIT_DESTROY : 0 };
  };
}

/** A text file, or a usage error naming it. */
function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new ReviewUsageError(
      `--plan-text file ${JSON.stringify(file)} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}); allowed: a readable file`,
    );
  }
}

/** The CLI: the review on stdout, errors as one line on stderr; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(REVIEW_USAGE);
    return 0;
  }
  try {
    const { markdown, exitCode } = await reviewCommand(argv);
    process.stdout.write(markdown);
    return exitCode;
  } catch (e) {
    if (e instanceof ReviewUsageError) {
      process.stderr.write(`review: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`review: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
