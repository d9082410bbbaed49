/**
 * `npm run --silent rules -- <command> ...` (runs this file from the current sources through `scripts/run-ts.js`).
 *
 * Commands: `match` (see `tools/rules/match.ts`), `new` (see `tools/rules/new.ts`), `noise` (see `tools/rules/noise.ts`),
 * `backtest` (see `tools/rules/backtest.ts`).
 */
import { configPathFromEnv, loadConfigFile } from "../../config/load";
import type { AppConfig } from "../../config/schema";
import type { MatchableRule } from "../../lib/rules/matchable";
import { defineRule } from "../../modules/cloud-siem/rule-model";
import { EKS_RULE_PACK } from "../../pack/rules";
import { tuneRules } from "../../modules/cloud-siem/tuning";
import { BACKTEST_USAGE, runBacktest } from "./backtest";
import { MATCH_USAGE, ResolveRules, RulesArgumentError, runMatch } from "./match";
import { NEW_USAGE, runNew } from "./new";
import { NOISE_USAGE, runNoise } from "./noise";

/**
 * The rules `rules match` evaluates for a validated config: the EKS pack tuned by each selected environment's
 * `cloudSiem` section (as the stacks deploy it), the enabled ones, merged by rule name. With `env`, only that
 * environment; without, every environment whose `cloudSiem.enabled` is true, the first environment (in file order)
 * that enables a rule giving its definition (e.g. its severity).
 *
 * @throws RulesArgumentError naming the environment when `env` is not in the config or deploys no rules.
 */
export function rulesFromConfig(config: AppConfig, file: string, env?: string): MatchableRule[] {
  const names = config.environments.map((e) => e.name);
  const selected = env === undefined ? config.environments : config.environments.filter((e) => e.name === env);
  if (env !== undefined && selected.length === 0) {
    throw new RulesArgumentError(
      `--env ${JSON.stringify(env)} is not an environment of ${file}; allowed: ${names.map((n) => JSON.stringify(n)).join(", ")}`,
    );
  }
  if (env !== undefined && !selected[0].cloudSiem.enabled) {
    throw new RulesArgumentError(
      `environment ${JSON.stringify(env)} of ${file} deploys no detection rules (cloudSiem.enabled is false); choose another --env`,
    );
  }
  const byName = new Map<string, MatchableRule>();
  for (const environment of selected) {
    const { enabled, ...tuning } = environment.cloudSiem;
    if (!enabled) continue;
    for (const rule of tuneRules(EKS_RULE_PACK, tuning).map(defineRule)) {
      if (rule.enabled && !byName.has(rule.name)) byName.set(rule.name, rule);
    }
  }
  return [...byName.values()];
}

/**
 * Resolves the rules of `rules match` from a config file: `--config <path>`, else the file `main.ts` reads
 * (`EKS_AUDIT_SIEM_CONFIG`, else `config/eks-audit-siem.yaml`, relative to the current folder).
 */
export const resolveRules: ResolveRules = (opts) => {
  const file = opts.configPath ?? configPathFromEnv(process.env);
  return rulesFromConfig(loadConfigFile(file), file, opts.env);
};

const USAGE =
  "usage: rules <command> [options]\ncommands:\n  match   replay audit events through the detection rules\n  new     write a new rule file into the pack from a Log Explorer query\n  noise   signals per rule per day on a benign busy cluster week\n  backtest  what the rules would have done on past logs (archives, exports), per rule\n\n" +
  MATCH_USAGE +
  "\n" +
  NEW_USAGE +
  "\n" +
  NOISE_USAGE +
  "\n" +
  BACKTEST_USAGE;

/** Dispatches `rules <command>`; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "match") {
    return runMatch(rest, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, resolveRules);
  }
  if (command === "new") {
    return runNew(rest, { stdout: process.stdout, stderr: process.stderr });
  }
  if (command === "noise") {
    return runNoise(rest, { stdout: process.stdout, stderr: process.stderr });
  }
  if (command === "backtest") {
    return runBacktest(rest, { stdout: process.stdout, stderr: process.stderr }, resolveRules);
  }
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stderr.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`rules: unknown command ${JSON.stringify(command)}; allowed: match, new, noise, backtest\n${USAGE}`);
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
