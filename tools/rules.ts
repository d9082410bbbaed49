/**
 * `npm run --silent rules -- <command> ...` (runs `node dist/tools/rules.js` after `tsc -p tsconfig.build.json`).
 *
 * Commands: `match` (see `tools/rules-match.ts`).
 */
import type { MatchableRule } from "../lib/rules/matchable";
import { MATCH_USAGE, ResolveRules, runMatch } from "./rules-match";

/**
 * The guide's rule ("Export a query to a rule in Log Explorer": New Value on `@usr.name` over the exec query),
 * used until the rule resolver is wired to the config loader.
 */
export const GUIDE_EXEC_RULE: MatchableRule = {
  name: "Kubernetes user executed a command in a pod for the first time",
  severity: "medium",
  tags: ["source:kubernetes", "security:attack", "tactic:TA0002-execution", "technique:T1609-container-administration-command"],
  enabled: true,
  detectionMethod: "new_value",
  queries: [
    {
      name: "a",
      query:
        "source:kubernetes.audit @objectRef.resource:pods @objectRef.subresource:exec @http.method:create @http.status_code:[101 TO 299]",
      aggregation: "new_value",
      groupByFields: [],
      distinctFields: [],
      metrics: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium" }],
  evaluationWindowSeconds: 0,
  newValueOptions: { forgetAfterDays: 28, learningDurationDays: 7 },
  samples: { positive: [], negative: [] },
};

/**
 * Resolves the rules `rules match` evaluates.
 *
 * TODO(lead): replace with the config loader: default config = every environment's enabled rules merged by rule
 * name; `--config <path>` and `--env <name>` select others (throw a one-paragraph error for an unknown env).
 */
export const resolveRules: ResolveRules = () => [GUIDE_EXEC_RULE];

const USAGE = "usage: rules <command> [options]\ncommands:\n  match   replay audit events through the detection rules\n\n" + MATCH_USAGE;

/** Dispatches `rules <command>`; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "match") {
    return runMatch(rest, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, resolveRules);
  }
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stderr.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`rules: unknown command ${JSON.stringify(command)}; allowed: match\n${USAGE}`);
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`rules: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
