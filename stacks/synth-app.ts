/**
 * The app as a function: reads the config file, validates all of it, then synthesizes one stack per environment
 * into the output folder, all or nothing (lib/synth/output.ts). `main.ts` runs it for `npm run synth` and
 * `cdktf synth`; tests run it in-process.
 *
 * It never exits the process and writes only through the writers it is given: every outcome is an exit code and
 * one paragraph on `stderr` (no stack trace). On any error the previous output is left as it was.
 */
import { App } from "cdktf";
import { ConfigError, configPathFromEnv, loadConfigFile } from "../config/load";
import { skipTokenCreationTraces } from "../lib/cdktf-token-traces";
import { ProblemError } from "../lib/problem";
import { EnvironmentStack } from "./environment-stack";
import { errorMessage } from "../lib/error-message";
import { OutputFolderError } from "../lib/synth/output-fs";
import { waitMsFromEnv } from "../lib/synth/lock";
import { outputFolder, replaceOutput } from "../lib/synth/output";

/** Where text goes: `process.stdout`, `process.stderr`, or a test's collector. */
export interface TextWriter {
  write(text: string): unknown;
}

/** What a synthesis run reads and where it reports. */
export interface SynthIo {
  /**
   * The environment the app reads: `EKS_AUDIT_SIEM_CONFIG` (the config file), `CDKTF_OUTDIR` (the output folder, set
   * by the cdktf CLI), `CDKTF_TOKEN_TRACES`. Relative paths are relative to the process's current folder. (cdktf's
   * `App` itself still reads its own `CDKTF_*` context variables from `process.env`.)
   */
  readonly env: NodeJS.ProcessEnv;
  /** Receives the one-line success summary. */
  readonly stdout: TextWriter;
  /** Receives the one-paragraph error. */
  readonly stderr: TextWriter;
}

/** The output folder: `CDKTF_OUTDIR` when set (by the cdktf CLI), else `cdktf.out`. */
export function outdirFromEnv(env: NodeJS.ProcessEnv): string {
  const fromCli = env.CDKTF_OUTDIR;
  return fromCli !== undefined && fromCli !== "" ? fromCli : "cdktf.out";
}

/**
 * Synthesizes every environment of the config into the output folder.
 * @returns the exit code: 0 when every stack was synthesized and swapped in, 1 otherwise
 */
export function runSynth(io: SynthIo): number {
  try {
    const folder = outputFolder(outdirFromEnv(io.env), process.cwd());
    const waitMs = waitMsFromEnv(io.env);
    skipTokenCreationTraces(io.env);
    const file = configPathFromEnv(io.env);
    const config = loadConfigFile(file);
    // Nothing touches the disk before replaceOutput holds the folder's lock: cdktf's App creates its outdir.
    const synthesize = (staging: string): void => {
      const app = new App({ outdir: staging, skipBackendValidation: false });
      for (const env of config.environments) {
        // A construct refuses what the config schema cannot see (e.g. a built-in rule name that is no Datadog
        // rule's): the same config error, naming the file, the environment and the construct.
        try {
          new EnvironmentStack(app, env.name, { environment: env });
        } catch (e) {
          if (!(e instanceof ProblemError)) throw e;
          const where = (field: string) => (field === "" ? e.where : `${e.where}: ${field}`);
          throw new ConfigError(
            file,
            e.problems.map((p) => ({ ...p, environment: env.name, field: where(p.field) })),
          );
        }
      }
      try {
        app.synth();
      } catch (e) {
        throw new SynthError(`error: synthesizing the config ${file}: ${errorMessage(e)}`);
      }
    };
    replaceOutput(folder, synthesize, { waitMs, note: (line) => io.stderr.write(`${line}\n`) });
    const names = config.environments.map((e) => e.name).join(", ");
    io.stdout.write(`synthesized ${config.environments.length} stack(s) into ${folder.shown}/stacks: ${names}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`${errorParagraph(error)}\n`);
    return 1;
  }
}

/** A stack's own check failed at synth (e.g. a template no construct wrote); the message names the config file. */
class SynthError extends Error {}

/** The one paragraph a failed run prints: a config, synth or output-folder error as it is, anything else as `error: <message>`. */
function errorParagraph(error: unknown): string {
  if (error instanceof ConfigError || error instanceof SynthError || error instanceof OutputFolderError) return error.message;
  return `error: ${errorMessage(error)}`;
}
