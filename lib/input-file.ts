/**
 * Opening an input file without trusting what its name points at: the open must not wait (a FIFO with no writer blocks
 * `open(2)` until one appears, unless `O_NONBLOCK` is set), and what is read is checked with `fstat` on the opened
 * descriptor first, so a directory, a FIFO or a device (`/dev/zero` never ends) is refused before a byte is read.
 * Used by the config loader, `rules match` and `eval:corpus`, which say why they cannot read an input in the same words
 * ({@link cannotReadMessage}).
 */
import { constants, Stats } from "fs";
import { errorCode, errorMessage } from "./error-message";

/** `open(2)` flags for reading an input file: read-only, and never waiting for a FIFO's writer. */
export const OPEN_INPUT_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** What a file that is not a regular file is, in words (`a directory`, `a named pipe (FIFO)`, ...); undefined for a regular file. */
export function irregularFileKind(stat: Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a named pipe (FIFO)";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isSocket()) return "a socket";
  return "a special file";
}

/** Thrown for an input path that is not a regular file; the message says what it is and what is allowed. */
export class NotRegularFileError extends Error {
  /** @param allowed what the command reads instead (@default "a regular file") */
  public constructor(kind: string, allowed = "a regular file") {
    super(`it is ${kind}; allowed: ${allowed}`);
    this.name = "NotRegularFileError";
  }
}

/**
 * Why an input file cannot be read, in the words every CLI uses: `cannot read <what> "<file>": no such file` (or what
 * the path is instead of a regular file, or the system's message).
 */
export function cannotReadMessage(what: string, file: string, error: unknown): string {
  return `cannot read ${what} ${JSON.stringify(file)}: ${errorCode(error) === "ENOENT" ? "no such file" : errorMessage(error)}`;
}
