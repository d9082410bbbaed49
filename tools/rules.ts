/**
 * `npm run --silent rules -- <command> ...` (runs `node dist/tools/rules.js` after `tsc -p tsconfig.build.json`).
 *
 * Commands: `match` (see `tools/rules-match.ts`).
 */
import { defineRule } from "../modules/cloud-siem/rule-model";
import { EKS_RULE_PACK } from "../modules/cloud-siem/rules";
import { MATCH_USAGE, ResolveRules, runMatch } from "./rules-match";

/**
 * Resolves the rules `rules match` evaluates: every rule of the EKS pack (`modules/cloud-siem/rules`), validated by
 * `defineRule`; `runMatch` keeps the enabled ones.
 *
 * TODO(lead): wire the config loader here: default config = every environment's enabled rules merged by rule name
 * (pack rules plus per-environment overrides/custom rules); `--config <path>` and `--env <name>` select others, with
 * a one-paragraph error for an unknown environment. Until then `--config`/`--env` are rejected rather than ignored.
 */
export const resolveRules: ResolveRules = (opts) => {
  if (opts.configPath !== undefined || opts.env !== undefined) {
    throw new Error(
      `${opts.configPath !== undefined ? "--config" : "--env"} is not wired to the config loader yet; run without it to evaluate every rule of the EKS pack`,
    );
  }
  return EKS_RULE_PACK.map(defineRule);
};

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
