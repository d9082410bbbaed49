/** Command-line arguments of `review` (see tools/review.ts). */

export const REVIEW_USAGE = `usage: npm run --silent review -- [--fail-on-destroy] [--plan <environment>=<plan.json>]... <before> <after>
  <before>, <after>   synthesized output folders (each holds stacks/<environment>/cdk.tf.json), e.g. of the PR's base and head
  --fail-on-destroy   exit 3 when anything would be destroyed or replaced
  --plan env=file     add what \`terraform show -json\` of a saved plan of that environment says (repeatable)
`;

/** A bad argument: printed as one line, exit code 2. */
export class ReviewUsageError extends Error {}

export interface ReviewArgs {
  readonly before: string;
  readonly after: string;
  readonly failOnDestroy: boolean;
  /** Plan JSON files by environment name, in the order given. */
  readonly plans: ReadonlyArray<{ readonly environment: string; readonly file: string }>;
}

export function parseReviewArgs(argv: readonly string[]): ReviewArgs {
  const folders: string[] = [];
  const plans: Array<{ environment: string; file: string }> = [];
  let failOnDestroy = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--fail-on-destroy") {
      failOnDestroy = true;
    } else if (arg === "--plan" || arg.startsWith("--plan=")) {
      const value = arg === "--plan" ? argv[++i] : arg.slice("--plan=".length);
      const match = /^([A-Za-z0-9_-]+)=(.+)$/.exec(value ?? "");
      if (match === null) {
        throw new ReviewUsageError(
          `--plan ${value === undefined ? "needs a value" : `is ${JSON.stringify(value)}`}; allowed: <environment>=<file of terraform show -json>`,
        );
      }
      if (plans.some((p) => p.environment === match[1]))
        throw new ReviewUsageError(`--plan names environment ${JSON.stringify(match[1])} twice; allowed: one plan per environment`);
      plans.push({ environment: match[1], file: match[2] });
    } else if (arg.startsWith("-")) {
      throw new ReviewUsageError(`unknown option ${JSON.stringify(arg)}; allowed: --fail-on-destroy, --plan <environment>=<plan.json>`);
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
  return { before: folders[0], after: folders[1], failOnDestroy, plans };
}
