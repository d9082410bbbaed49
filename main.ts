/**
 * Entry point of `npm run synth` and `cdktf synth`: reads the config file (EKS_AUDIT_SIEM_CONFIG, else
 * config/eks-audit-siem.yaml), validates all of it, then synthesizes one stack per environment into cdktf.out/ (or
 * CDKTF_OUTDIR when run by the cdktf CLI), all or nothing. The work is in stacks/synth-app.ts (`runSynth`), which
 * tests also call in-process.
 *
 * Synthesis starts no process: no construct of this project probes `terraform version` (lib/terraform-floor.ts).
 */
import { runSynth } from "./stacks/synth-app";

process.exitCode = runSynth({ env: process.env, stdout: process.stdout, stderr: process.stderr });
