/** Command-line arguments of `review` (see tools/review/review.ts). */
import { CommandLine, CommandLineError, OptionSpec, parseCommandLine } from "../../lib/cli-args";

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
};

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
  const folders = line.positionals;
  if (folders.length !== 2) {
    throw new ReviewUsageError(
      `expected two synthesized output folders (<before> <after>), got ${folders.length}${
        folders.length > 0 ? `: ${folders.map((f) => JSON.stringify(f)).join(" ")}` : ""
      }`,
    );
  }
  return { before: folders[0], after: folders[1], failOnDestroy: line.has("fail-on-destroy"), plans, planTexts, missingPlans };
}
