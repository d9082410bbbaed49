/**
 * Entry point: reads the config file (EKS_AUDIT_SIEM_CONFIG, else config/eks-audit-siem.yaml), validates all of it,
 * then synthesizes one stack per environment into cdktf.out/ (or CDKTF_OUTDIR when run by the cdktf CLI).
 *
 * Output is all-or-nothing: the app synthesizes into a sibling folder and swaps it in only when every stack
 * succeeded, so a bad config or a failing construct never leaves partial or stale output behind. Each stack's
 * `.terraform/` and `.terraform.lock.hcl` survive the swap (tools/synth-output.ts).
 *
 * Synthesis starts no process: no construct of this project probes `terraform version` (lib/terraform-floor.ts).
 */
import { App } from "cdktf";
import { ConfigError, configPathFromEnv, loadConfigFile } from "./config/load";
import { skipTokenCreationTraces } from "./lib/cdktf-token-traces";
import { EnvironmentStack } from "./stacks/environment-stack";
import { discardStaging, stagingFolder, swapInOutput } from "./tools/synth-output";

function main(): number {
  const fromCli = process.env.CDKTF_OUTDIR; // set by the cdktf CLI
  const outdir = fromCli !== undefined && fromCli !== "" ? fromCli : "cdktf.out";
  try {
    skipTokenCreationTraces(process.env);
    const config = loadConfigFile(configPathFromEnv(process.env));
    discardStaging(outdir);
    const app = new App({ outdir: stagingFolder(outdir), skipBackendValidation: false });
    for (const env of config.environments) new EnvironmentStack(app, env);
    app.synth();
    swapInOutput(outdir);
    const names = config.environments.map((e) => e.name).join(", ");
    process.stdout.write(`synthesized ${config.environments.length} stack(s) into ${outdir}/stacks: ${names}\n`);
    return 0;
  } catch (error) {
    discardStaging(outdir);
    const message = error instanceof ConfigError ? error.message : `error: ${(error as Error).message}`;
    process.stderr.write(`${message}\n`);
    return 1;
  }
}

process.exitCode = main();
