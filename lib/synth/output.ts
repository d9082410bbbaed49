/**
 * All-or-nothing synth output that keeps each stack's Terraform working files, whatever the moment of a kill or an
 * error.
 *
 * Beside the output folder `<dir>/<name>` live, only while a synth runs or after one was killed:
 * `.<name>.synth-lock` (one synth at a time, lib/synth/lock.ts), `.<name>.synth-new` (the new output being
 * written), `.<name>.synth-old` (the previous output, whole, during the swap) and `.<name>.synth-trash` (the previous
 * output being deleted). A synth, holding the lock:
 *
 * 1. recovers from a killed synth: deletes `.synth-trash` and `.synth-new`; puts `.synth-old` back when the output
 *    folder is missing (killed between the two renames of step 5), else deletes it (killed after them);
 * 2. checks the output folder is synth's own (its marker file, or cdktf's `manifest.json` for output written before
 *    the marker existed), or empty, or missing, and that neither it nor a stack folder is a symbolic link;
 * 3. synthesizes into `.synth-new`;
 * 4. recreates each surviving stack's `.terraform/` and `.terraform.lock.hcl` there as hard links (the previous
 *    output is never changed, so no state loses them), then writes the marker;
 * 5. renames the output folder to `.synth-old` and `.synth-new` to the output folder (putting `.synth-old` back if
 *    the second rename fails), then renames `.synth-old` to `.synth-trash` and deletes it.
 *
 * So after any step the output folder is the complete previous or the complete new output, except between the two
 * renames of step 5, where it is missing and `.synth-old` is the complete previous output that step 1 puts back.
 * Every file-system call goes through {@link OutputFs}; `__tests__/synth-output-faults.test.ts` fails or kills the
 * swap at each one of them in turn and checks this.
 */
import * as path from "path";
import { errorCode, errorMessage } from "../error-message";
import { OutputFolderError, OutputFs, linkTree, nodeOutputFs, removeTree } from "./output-fs";
import { LockClock, acquireLock } from "./lock";

/** What `terraform init` leaves in a stack's folder that a re-synth keeps. */
export const KEPT_STACK_FILES = [".terraform", ".terraform.lock.hcl"] as const;

/** The file that marks a folder as synth's own output (which synth may replace as a whole). */
export const OUTPUT_MARKER = ".synthesized-by-eks-audit-siem";

const MARKER_TEXT = [
  "This folder is written by the synth of eks-audit-siem (npm run synth, cdktf synth) and replaced as a whole by the",
  "next one. Only .terraform/ and .terraform.lock.hcl in stacks/<environment>/ are kept. Without this file, synth",
  "refuses to replace a folder that is not empty (unless it holds cdktf's manifest.json).",
  "",
].join("\n");

/** The longest output folder path synth takes (Linux's own limit is 4,096 bytes, a name's 255). */
const MAX_PATH_LENGTH = 1024;

/** The output folder and the working names beside it. */
export interface OutputFolder {
  /** As messages show it: the path given, without trailing slashes. */
  readonly shown: string;
  /** Absolute. */
  readonly path: string;
  readonly staging: string;
  readonly old: string;
  readonly trash: string;
  readonly lock: string;
  /** The lock file as messages show it. */
  readonly shownLock: string;
  /** The folder synth runs in (the project): no link between it and the output folder is followed. */
  readonly cwd: string;
}

/** Resolves the output folder path (`CDKTF_OUTDIR` or `cdktf.out`), refusing one that contains the current folder. */
export function outputFolder(given: string, cwd: string): OutputFolder {
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (/[\u0000-\u001f\u007f]/.test(given) || given.length > MAX_PATH_LENGTH) {
    const cut = given.length > 100 ? `${JSON.stringify(given.slice(0, 100))}... (${given.length} characters)` : JSON.stringify(given);
    throw new OutputFolderError(
      `invalid output folder ${cut}: folder: received a path ${given.length > MAX_PATH_LENGTH ? "too long" : "with a control character"}; allowed: a path of at most ${MAX_PATH_LENGTH} characters without control characters (newlines, tabs, NUL)`,
    );
  }
  const shown = given.length > 1 ? given.replace(/(?<=.)[\\/]+$/, "") : given;
  const abs = path.resolve(cwd, given);
  if (abs === path.dirname(abs) || abs === cwd || cwd.startsWith(abs + path.sep)) {
    throw new OutputFolderError(
      `invalid output folder ${shown}: folder: received a folder that contains the current folder ${JSON.stringify(cwd)}; allowed: a folder of its own, e.g. cdktf.out (synth replaces the whole folder)`,
    );
  }
  const beside = (suffix: string) => path.join(path.dirname(abs), `.${path.basename(abs)}.synth-${suffix}`);
  return {
    shown,
    path: abs,
    staging: beside("new"),
    old: beside("old"),
    trash: beside("trash"),
    lock: beside("lock"),
    shownLock: path.join(path.dirname(shown), `.${path.basename(abs)}.synth-lock`),
    cwd,
  };
}

export interface ReplaceOptions {
  /** @default the real file system */
  readonly io?: OutputFs;
  /** How long to wait for another synth into the same folder, in ms. */
  readonly waitMs: number;
  /** Receives a line worth telling the user that is not an error (waiting for another synth, a stale lock removed). */
  readonly note: (line: string) => void;
  /** @default the real process and clock */
  readonly clock?: LockClock;
}

/**
 * Replaces the output folder with what `write` writes into the staging folder it is given, keeping each surviving
 * stack's {@link KEPT_STACK_FILES}. On any error the previous output is left as it was (or put back by the next
 * run, after a kill) and the error is an {@link OutputFolderError} unless `write` threw it.
 * @returns the names of the stacks whose working files were kept
 */
export function replaceOutput(folder: OutputFolder, write: (staging: string) => void, options: ReplaceOptions): string[] {
  const io = options.io ?? nodeOutputFs;
  fsStep(folder, "check the output folder", () => refuseLinksInProject(folder, io));
  fsStep(folder, "create the folder above it", () => io.mkdir(path.dirname(folder.path), true));
  const release = fsStep(folder, "take the lock", () =>
    acquireLock({
      io,
      file: folder.lock,
      shownFile: folder.shownLock,
      shownFolder: folder.shown,
      waitMs: options.waitMs,
      note: options.note,
      clock: options.clock,
    }),
  );
  try {
    fsStep(folder, "recover from an interrupted synth", () => recoverOutput(folder, io));
    fsStep(folder, "check the output folder", () => {
      refuseForeignOutput(folder, io);
      if (io.lstat(`${folder.path}.partial`) !== undefined) options.note(legacyStagingNote(folder));
    });
    const kept = fsStep(folder, "write the new output", () => {
      try {
        write(folder.staging);
        const carried = carryKeptFiles(folder, io);
        io.writeFile(path.join(folder.staging, OUTPUT_MARKER), MARKER_TEXT);
        return carried;
      } catch (error) {
        discardStaging(folder, io);
        throw error;
      }
    });
    swapIn(folder, io, options.note);
    return kept;
  } finally {
    try {
      release();
    } catch (error) {
      options.note(
        `output folder ${folder.shown}: could not delete the lock ${folder.shownLock} (${errorMessage(error)}); the next synth removes it as stale`,
      );
    }
  }
}

/**
 * Runs one phase before the swap; a file-system error (one with a `code`) becomes one paragraph saying what failed.
 * Other errors (a construct's validation error from `write`) pass as they are.
 */
function fsStep<T>(folder: OutputFolder, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof OutputFolderError || errorCode(error) === "") throw error;
    throw new OutputFolderError(
      `cannot replace output folder ${folder.shown}: could not ${what}: ${errorMessage(error)}; the previous output is unchanged`,
    );
  }
}

/**
 * Earlier versions synthesized into `<folder>.partial` and moved the kept files into it before the swap, so one
 * killed then may have left a stack's lock file there. Synth no longer uses or deletes that folder: it says so.
 */
function legacyStagingNote(folder: OutputFolder): string {
  const legacy = `${folder.shown}.partial`;
  return `${legacy}: left by an interrupted synth of an earlier version and no longer used; if a stack lost its .terraform.lock.hcl or .terraform/ then, they are in ${legacy}/stacks/<environment>/: move them back, then delete ${legacy}`;
}

/** Step 1: puts the previous output back or finishes its removal, and drops a partly written new output. */
export function recoverOutput(folder: OutputFolder, io: OutputFs): void {
  removeTree(io, folder.trash);
  const old = io.lstat(folder.old);
  if (old?.kind === "folder" && io.lstat(folder.path) === undefined) {
    io.rename(folder.old, folder.path);
  } else if (old !== undefined) {
    io.rename(folder.old, folder.trash);
    removeTree(io, folder.trash);
  }
  removeTree(io, folder.staging);
}

function discardStaging(folder: OutputFolder, io: OutputFs): void {
  try {
    removeTree(io, folder.staging);
  } catch {
    // Left for the next synth's recovery (step 1), which deletes it first.
  }
}

function linkRefusal(folder: OutputFolder, io: OutputFs, p: string, field: string, where: string): OutputFolderError {
  return new OutputFolderError(
    `invalid output folder ${folder.shown}: ${field}: received a symbolic link to ${JSON.stringify(io.readlink(p))} (synth never follows a link ${where}); allowed: a real folder`,
  );
}

/** No component between the project folder and the output folder, nor the output folder itself, is a link. */
function refuseLinksInProject(folder: OutputFolder, io: OutputFs): void {
  const relative = path.relative(folder.cwd, folder.path);
  if (!relative.startsWith("..") && !path.isAbsolute(relative)) {
    let at = folder.cwd;
    for (const part of relative.split(path.sep).slice(0, -1)) {
      at = path.join(at, part);
      if (io.lstat(at)?.kind === "link") throw linkRefusal(folder, io, at, path.relative(folder.cwd, at), "out of the project");
    }
  }
  if (io.lstat(folder.path)?.kind === "link") throw linkRefusal(folder, io, folder.path, "folder", "out of the project");
}

/** Whether this text is a cdktf manifest (`{ "version": ..., "stacks": {...} }`, cdktf's `Manifest`). */
function isCdktfManifest(text: string): boolean {
  try {
    const value = JSON.parse(text) as { version?: unknown; stacks?: unknown } | null;
    return typeof value?.version === "string" && typeof value.stacks === "object" && value.stacks !== null;
  } catch {
    return false;
  }
}

/** Step 2: the output folder is missing, empty or synth's own; it and its stack folders are no links. */
function refuseForeignOutput(folder: OutputFolder, io: OutputFs): void {
  const entry = io.lstat(folder.path);
  if (entry === undefined) return;
  const where = `invalid output folder ${folder.shown}: folder`;
  if (entry.kind === "link") throw linkRefusal(folder, io, folder.path, "folder", "out of the project");
  if (entry.kind !== "folder") {
    const what = entry.kind === "file" ? "a file" : "a special file (a device, FIFO or socket)";
    throw new OutputFolderError(`${where}: received ${what}; allowed: a folder written by synth, or a path that does not exist yet`);
  }
  const names = io.readdir(folder.path);
  const manifest = path.join(folder.path, "manifest.json");
  const own =
    names.length === 0 ||
    names.includes(OUTPUT_MARKER) ||
    (names.includes("manifest.json") && io.lstat(manifest)?.kind === "file" && isCdktfManifest(io.readFile(manifest)));
  if (!own) {
    const some = names.slice(0, 3).map((n) => JSON.stringify(n));
    throw new OutputFolderError(
      `${where}: received a folder synth did not write (it holds ${some.join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""}, and neither ${OUTPUT_MARKER} nor cdktf's manifest.json); ` +
        `allowed: a folder written by synth, an empty folder, or a path that does not exist yet (synth replaces the whole folder: choose another CDKTF_OUTDIR)`,
    );
  }
  const stacks = path.join(folder.path, "stacks");
  const kind = io.lstat(stacks)?.kind;
  if (kind === "link") throw linkRefusal(folder, io, stacks, "stacks", "out of the output folder");
  if (kind !== "folder") return;
  for (const name of io.readdir(stacks)) {
    const stack = path.join(stacks, name);
    if (io.lstat(stack)?.kind === "link") throw linkRefusal(folder, io, stack, `stacks/${name}`, "out of the output folder");
  }
}

/** Step 4: each surviving stack's working files, as links in the new output. */
function carryKeptFiles(folder: OutputFolder, io: OutputFs): string[] {
  const kept: string[] = [];
  const oldStacks = path.join(folder.path, "stacks");
  const newStacks = path.join(folder.staging, "stacks");
  if (io.lstat(oldStacks)?.kind !== "folder" || io.lstat(newStacks)?.kind !== "folder") return kept;
  for (const stack of io.readdir(newStacks)) {
    if (io.lstat(path.join(oldStacks, stack))?.kind !== "folder") continue;
    let any = false;
    for (const name of KEPT_STACK_FILES) {
      const from = path.join(oldStacks, stack, name);
      if (io.lstat(from) === undefined) continue;
      linkTree(io, from, path.join(newStacks, stack, name));
      any = true;
    }
    if (any) kept.push(stack);
  }
  return kept;
}

/** Step 5: the two renames (undone if the second fails), then the previous output goes. */
function swapIn(folder: OutputFolder, io: OutputFs, note: (line: string) => void): void {
  const hadOutput = fsStep(folder, `move ${folder.shown} aside`, () => {
    try {
      const exists = io.lstat(folder.path) !== undefined;
      if (exists) io.rename(folder.path, folder.old);
      return exists;
    } catch (error) {
      discardStaging(folder, io);
      throw error;
    }
  });
  try {
    io.rename(folder.staging, folder.path);
  } catch (error) {
    let state = "the previous output is unchanged";
    try {
      if (hadOutput) io.rename(folder.old, folder.path);
      discardStaging(folder, io);
    } catch {
      state = `the previous output is in ${path.basename(folder.old)}, and the next synth puts it back`;
    }
    throw new OutputFolderError(`cannot replace output folder ${folder.shown}: could not move the new output in: ${errorMessage(error)}; ${state}`);
  }
  if (!hadOutput) return;
  try {
    io.rename(folder.old, folder.trash);
    removeTree(io, folder.trash);
  } catch (error) {
    note(
      `output folder ${folder.shown}: the new output is in place, but the previous one could not be deleted (${errorMessage(error)}); the next synth deletes it`,
    );
  }
}
