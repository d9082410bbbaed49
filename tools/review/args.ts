/** Command-line arguments of `review` (see tools/review/review.ts). */

export const REVIEW_USAGE = `usage: npm run --silent review -- [--fail-on-destroy] [--plan <environment>=<plan.json>]... [--plan-text <environment>=<plan.txt>]... [--missing-plan <environment>]... <before> <after>
  <before>, <after>        synthesized output folders (each holds stacks/<environment>/cdk.tf.json), e.g. of the PR's base and head
  --fail-on-destroy        exit 3 when anything would be destroyed, replaced or moved
  --plan env=file          add what \`terraform show -json\` of a saved plan of that environment says (repeatable)
  --plan-text env=file     add the plan's text (terraform plan output) in a collapsed block at the end (repeatable)
  --missing-plan env       say first that the plan of that environment failed or is missing (repeatable)
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
}

const ALLOWED_OPTIONS = "--fail-on-destroy, --plan <environment>=<plan.json>, --plan-text <environment>=<plan.txt>, --missing-plan <environment>";

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
  let failOnDestroy = false;
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
  return { before: folders[0], after: folders[1], failOnDestroy, plans, planTexts, missingPlans };
}
