/**
 * The one list of environments that CI plans and applies, in the config's order (the order applies run in:
 * staging before production in the default example), each environment removed since the base appended as a
 * destroy. GitHub's plan and apply matrices and GitLab's generated child pipeline are made from it.
 *
 *   node scripts/run-ts.js tools/ci/environments.ts <config> <head-output> [<base-output>]
 *
 * Prints a JSON array of `{"environment": "<name>", "destroy": false|true}`. The head output must hold exactly the
 * config's environments (a stale or foreign output is refused); the base output, when given, adds every environment
 * it holds that the head does not, as a destroy. Exit 2 with one paragraph on bad input.
 */
import { CommandLineError, parseCommandLine } from "../../lib/cli-args";
import { existsSync, readdirSync, statSync } from "fs";
import * as path from "path";
import { ConfigError, loadConfigFile } from "../../config/load";

export interface CiEnvironment {
  readonly environment: string;
  /** Removed from the config: planned with `terraform plan -destroy` from the base's stack. */
  readonly destroy: boolean;
}

export class CiEnvironmentsError extends Error {}

/** The environments synthesized into an output folder (`stacks/<name>/cdk.tf.json`), sorted by name. */
export function synthesizedEnvironments(output: string): string[] {
  const stacks = path.join(output, "stacks");
  if (!existsSync(stacks) || !statSync(stacks).isDirectory()) {
    throw new CiEnvironmentsError(`${JSON.stringify(output)} holds no stacks/; allowed: a synthesized output folder (scripts/ci/synth.sh)`);
  }
  return readdirSync(stacks)
    .filter((n) => existsSync(path.join(stacks, n, "cdk.tf.json")))
    .sort();
}

/** The list: the config's environments in its order, then the base's environments the head no longer has. */
export function ciEnvironments(configOrder: readonly string[], head: readonly string[], base: readonly string[] = []): CiEnvironment[] {
  const missing = configOrder.filter((e) => !head.includes(e));
  const extra = head.filter((e) => !configOrder.includes(e));
  if (missing.length > 0 || extra.length > 0) {
    throw new CiEnvironmentsError(
      `the head output does not hold the config's environments (${[
        ...missing.map((e) => `${JSON.stringify(e)} not synthesized`),
        ...extra.map((e) => `${JSON.stringify(e)} not in the config`),
      ].join(", ")}); allowed: the output of scripts/ci/synth.sh of the same project, synthesized again after the config changed`,
    );
  }
  return [
    ...configOrder.map((environment) => ({ environment, destroy: false })),
    ...base.filter((e) => !head.includes(e)).map((environment) => ({ environment, destroy: true })),
  ];
}

export function main(commandLine: readonly string[]): number {
  let argv: readonly string[];
  try {
    argv = parseCommandLine(commandLine, {}, "allowed: <config> <head-output> [<base-output>]").positionals;
  } catch (e) {
    if (!(e instanceof CommandLineError)) throw e;
    process.stderr.write(`ci-environments: ${e.message}\n`);
    return 2;
  }
  if (argv.length < 2 || argv.length > 3) {
    process.stderr.write(`ci-environments: expected <config> <head-output> [<base-output>], got ${argv.length} argument(s)\n`);
    return 2;
  }
  try {
    const order = loadConfigFile(argv[0]).environments.map((e) => e.name);
    const list = ciEnvironments(order, synthesizedEnvironments(argv[1]), argv[2] !== undefined ? synthesizedEnvironments(argv[2]) : []);
    process.stdout.write(`${JSON.stringify(list)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof CiEnvironmentsError || e instanceof ConfigError) {
      process.stderr.write(`ci-environments: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
