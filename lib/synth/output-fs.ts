/**
 * The file-system operations the synth output swap and its lock use, as one small interface: production passes
 * {@link nodeOutputFs}; the fault-injection test (`__tests__/synth-output-faults.test.ts`) wraps it to fail or "kill"
 * the process at any one of them. Every call is one step a process can die after, so the swap is written as a
 * sequence of these steps and nothing else (no recursive `rm`, no recursive copy): {@link removeTree} and
 * {@link linkTree} are built from them.
 *
 * Links are never followed: an entry that is a symbolic link is read, recreated or removed as the link itself.
 */
import * as fs from "fs";
import * as path from "path";
import { errorCode } from "../error-message";

/** What is at a path, without following a link there; `undefined` when nothing is. */
export interface Entry {
  readonly kind: "folder" | "file" | "link" | "other";
  /** Last modification time, in ms since the epoch. */
  readonly modifiedMs: number;
}

export interface OutputFs {
  lstat(p: string): Entry | undefined;
  /** The names in a folder, sorted (so every run takes the same steps). */
  readdir(p: string): string[];
  readFile(p: string): string;
  readlink(p: string): string;
  /** Creates a folder; with `parents`, also every missing folder above it (and no error when it exists). */
  mkdir(p: string, parents?: boolean): void;
  /** Creates a file that must not exist yet (EEXIST otherwise), with this content. */
  createExclusive(p: string, content: string): void;
  writeFile(p: string, content: string): void;
  /** A hard link: `to` becomes another name of the file `from`. */
  link(from: string, to: string): void;
  /** Copies a file; `to` must not exist. */
  copyFile(from: string, to: string): void;
  symlink(target: string, p: string): void;
  rename(from: string, to: string): void;
  unlink(p: string): void;
  rmdir(p: string): void;
}

function kindOf(stats: fs.Stats): Entry["kind"] {
  if (stats.isSymbolicLink()) return "link";
  if (stats.isDirectory()) return "folder";
  return stats.isFile() ? "file" : "other";
}

/** The real file system. */
export const nodeOutputFs: OutputFs = {
  lstat(p) {
    const stats = fs.lstatSync(p, { throwIfNoEntry: false });
    return stats === undefined ? undefined : { kind: kindOf(stats), modifiedMs: stats.mtimeMs };
  },
  readdir: (p) => fs.readdirSync(p).sort(),
  readFile: (p) => fs.readFileSync(p, "utf8"),
  readlink: (p) => fs.readlinkSync(p),
  mkdir(p, parents = false) {
    fs.mkdirSync(p, { recursive: parents });
  },
  createExclusive: (p, content) => fs.writeFileSync(p, content, { flag: "wx" }),
  writeFile: (p, content) => fs.writeFileSync(p, content),
  link: (from, to) => fs.linkSync(from, to),
  copyFile: (from, to) => fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL),
  symlink: (target, p) => fs.symlinkSync(target, p),
  rename: (from, to) => fs.renameSync(from, to),
  unlink: (p) => fs.unlinkSync(p),
  rmdir: (p) => fs.rmdirSync(p),
};

/** Removes a file, a link (not what it points to) or a folder with everything in it, one entry at a time. */
export function removeTree(io: OutputFs, p: string): void {
  const entry = io.lstat(p);
  if (entry === undefined) return;
  if (entry.kind !== "folder") return io.unlink(p);
  for (const name of io.readdir(p)) removeTree(io, path.join(p, name));
  io.rmdir(p);
}

/**
 * Recreates `from` at `to` (which must not exist) without copying file contents: folders are created, files
 * hard-linked (copied where the file system cannot link them, e.g. another device), links recreated with the
 * same target. Anything else (a socket, a FIFO) is left out.
 */
export function linkTree(io: OutputFs, from: string, to: string): void {
  const entry = io.lstat(from);
  if (entry === undefined) return;
  if (entry.kind === "folder") {
    io.mkdir(to);
    for (const name of io.readdir(from)) linkTree(io, path.join(from, name), path.join(to, name));
  } else if (entry.kind === "link") {
    io.symlink(io.readlink(from), to);
  } else if (entry.kind === "file") {
    try {
      io.link(from, to);
    } catch (error) {
      if (!LINK_UNSUPPORTED.has(errorCode(error))) throw error;
      io.copyFile(from, to);
    }
  }
}

/** Why `link` fails where a copy still works: another device, a file system without hard links, too many links. */
const LINK_UNSUPPORTED = new Set(["EXDEV", "EPERM", "ENOTSUP", "EOPNOTSUPP", "EMLINK", "ENOSYS"]);

/**
 * A reason synth refuses an output folder (the folder, its lock, or how long to wait for it) or could not replace it:
 * one paragraph for the user, no stack trace.
 * `runSynth` prints the message as it is.
 */
export class OutputFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputFolderError";
  }
}
