/**
 * One synth at a time per output folder: a lock file beside the folder (`.<folder>.synth-lock`), created
 * exclusively (`O_CREAT | O_EXCL`, so only one process can create it) with the holder's pid, host and start time.
 *
 * A second synth waits for the holder, polling, up to a bound (`EKS_AUDIT_SIEM_SYNTH_WAIT` seconds, default
 * {@link DEFAULT_WAIT_SECONDS}), then stops with one paragraph naming the folder and the holder. A lock whose holder
 * is gone (same host, and `kill(pid, 0)` says no such process: a killed synth) is stale: it is moved aside under a
 * name of this process's own, checked to be the very lock found stale, and deleted, so two processes that both find
 * it stale cannot both delete a fresh lock. A lock whose content cannot be read as a holder (a process killed
 * between creating and writing it) is stale once it is {@link UNREADABLE_STALE_MS} old.
 */
import * as os from "os";
import * as path from "path";
import { errorCode } from "../error-message";
import { OutputFolderError, OutputFs } from "./output-fs";

/** How long a synth waits for another synth into the same folder, by default. */
export const DEFAULT_WAIT_SECONDS = 60;

/** The environment variable that sets how long a synth waits for another (seconds; 0 = do not wait). */
export const WAIT_ENV_VAR = "EKS_AUDIT_SIEM_SYNTH_WAIT";

/** Age after which a lock file without a readable holder is taken to be left by a killed process. */
export const UNREADABLE_STALE_MS = 10_000;

/** Who holds a lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** When the holder took the lock (ISO 8601). */
  readonly since: string;
}

export interface LockOptions {
  readonly io: OutputFs;
  /** The lock file. */
  readonly file: string;
  /** The lock file as messages show it (relative to the current folder when inside it). */
  readonly shownFile: string;
  /** The output folder as messages show it. */
  readonly shownFolder: string;
  /** How long to wait for another holder, in ms. */
  readonly waitMs: number;
  /** Receives a line about waiting for a holder or taking over a stale lock. */
  readonly note: (line: string) => void;
  /** @default the real clock, a blocking sleep, this process, `kill(pid, 0)` */
  readonly clock?: LockClock;
}

/** What the lock needs from the process and the clock (replaced in tests). */
export interface LockClock {
  now(): number;
  sleep(ms: number): void;
  readonly pid: number;
  readonly host: string;
  /** Whether a process with this pid exists on this host. */
  isAlive(pid: number): boolean;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export const processClock: LockClock = {
  now: () => Date.now(),
  sleep: (ms) => void Atomics.wait(sleeper, 0, 0, ms),
  pid: process.pid,
  host: os.hostname(),
  isAlive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: it exists but belongs to another user.
      return errorCode(error) !== "ESRCH";
    }
  },
};

/** The wait bound from `EKS_AUDIT_SIEM_SYNTH_WAIT`, in ms; an invalid value is refused with the usual message shape. */
export function waitMsFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env[WAIT_ENV_VAR];
  if (raw === undefined || raw === "") return DEFAULT_WAIT_SECONDS * 1000;
  if (!/^\d{1,6}$/.test(raw)) {
    throw new OutputFolderError(
      `invalid environment variable: ${WAIT_ENV_VAR}: received ${JSON.stringify(raw)}; allowed: a whole number of seconds to wait for another synth into the same folder (0 = do not wait; default ${DEFAULT_WAIT_SECONDS})`,
    );
  }
  return Number(raw) * 1000;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder> | null;
    if (typeof value?.pid === "number" && typeof value.host === "string" && typeof value.since === "string") {
      return { pid: value.pid, host: value.host, since: value.since };
    }
  } catch {
    // Not JSON: a lock file cut short by a kill between its creation and its write (see UNREADABLE_STALE_MS).
  }
  return undefined;
}

function describe(holder: LockHolder | undefined): string {
  return holder === undefined ? "a process that left no readable pid" : `pid ${holder.pid} on host ${holder.host}, since ${holder.since}`;
}

/**
 * Takes the lock, waiting for another holder up to `waitMs`.
 * @returns the function that releases it
 */
export function acquireLock(options: LockOptions): () => void {
  const { io, file } = options;
  const clock = options.clock ?? processClock;
  const mine = `${JSON.stringify({ pid: clock.pid, host: clock.host, since: new Date(clock.now()).toISOString() })}\n`;
  const deadline = clock.now() + options.waitMs;
  let waiting = false;
  for (;;) {
    try {
      io.createExclusive(file, mine);
      removeLeftAside(io, file, clock);
      return () => release(io, file, mine);
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    const found = readLock(io, file);
    if (found === undefined) continue; // released between our attempt and the read: try again
    const holder = parseHolder(found.text);
    if (isStale(holder, found.modifiedMs, clock)) {
      const why = holder === undefined ? `older than ${UNREADABLE_STALE_MS / 1000} s` : "no longer running";
      if (takeOver(io, file, found.text, clock.pid)) options.note(`${options.shownFile}: removed a stale lock of ${describe(holder)} (${why})`);
      continue;
    }
    const now = clock.now();
    if (now >= deadline) {
      throw new OutputFolderError(
        `output folder ${options.shownFolder} is busy: another synth (${describe(holder)}) holds its lock ${options.shownFile}` +
          `${options.waitMs > 0 ? ` and still did after ${Math.round(options.waitMs / 1000)} s` : ""}; ` +
          `run again when it has finished (${WAIT_ENV_VAR} sets how many seconds to wait), or delete ${options.shownFile} if no synth is running`,
      );
    }
    if (!waiting) {
      options.note(`output folder ${options.shownFolder}: waiting for another synth (${describe(holder)}) to finish`);
      waiting = true;
    }
    clock.sleep(Math.min(100, deadline - now));
  }
}

function readLock(io: OutputFs, file: string): { text: string; modifiedMs: number } | undefined {
  const entry = io.lstat(file);
  if (entry === undefined) return undefined;
  try {
    return { text: io.readFile(file), modifiedMs: entry.modifiedMs };
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

function isStale(holder: LockHolder | undefined, modifiedMs: number, clock: LockClock): boolean {
  if (holder === undefined) return clock.now() - modifiedMs > UNREADABLE_STALE_MS;
  if (holder.host !== clock.host) return false; // another machine sharing the folder: its pids mean nothing here
  // Our own pid can only be a lock left by an earlier process that had it (this one holds no lock when it asks).
  return holder.pid === clock.pid || !clock.isAlive(holder.pid);
}

/**
 * Deletes the lock file if it still holds `staleText`. It is first moved aside under a name of this process's own,
 * so it is deleted only if it is the very file found stale; a fresh lock moved aside by mistake (another process
 * took over in between) is put back. Returns whether the stale lock was removed.
 */
function takeOver(io: OutputFs, file: string, staleText: string, pid: number): boolean {
  const aside = `${file}.stale-${pid}`;
  try {
    io.rename(file, aside);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return false;
    throw error;
  }
  if (io.readFile(aside) === staleText) {
    io.unlink(aside);
    return true;
  }
  try {
    io.link(aside, file);
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error;
  }
  io.unlink(aside);
  return false;
}

/**
 * Removes the lock files a killed take-over left aside (`<lock>.stale-<pid>` of a process no longer running). Only
 * tidying: a failure here leaves them for the next synth and does not stop this one.
 */
function removeLeftAside(io: OutputFs, file: string, clock: LockClock): void {
  const prefix = `${path.basename(file)}.stale-`;
  try {
    for (const name of io.readdir(path.dirname(file))) {
      if (!name.startsWith(prefix)) continue;
      const pid = Number(name.slice(prefix.length));
      if (Number.isInteger(pid) && (pid === clock.pid || !clock.isAlive(pid))) io.unlink(path.join(path.dirname(file), name));
    }
  } catch {
    // Tidying only (see above).
  }
}

function release(io: OutputFs, file: string, mine: string): void {
  const found = readLock(io, file);
  if (found?.text === mine) io.unlink(file);
}
