/**
 * Reading audit events for `rules match`: opening the events file (plain, gzip or stdin), splitting it into lines
 * with bounded memory, parsing and normalizing each line, and writing output with backpressure.
 */
import { open } from "fs/promises";
import { once } from "events";
import { pipeline } from "stream";
import { createGunzip } from "zlib";
import { AuditEventError, normalizeAuditEvent } from "../audit";
import { CLOUDWATCH_MAX_EVENT_BYTES } from "../aws";
import { irregularFileKind, NotRegularFileError, OPEN_INPUT_FLAGS } from "../input-file";
import { errorMessage } from "../error-message";
import type { NormalizedLog } from "../query";

/**
 * The longest input line read, in characters (UTF-16 units; a line of more characters has more UTF-8 bytes too):
 * twice the largest CloudWatch Logs event ({@link CLOUDWATCH_MAX_EVENT_BYTES}, 1 MB), as a CloudWatch line carries the
 * event JSON-escaped in its `message` (each `"` and `\` doubled at worst), plus 64 KiB for the fields around it. A
 * longer line cannot be a line of CloudWatch, an export or a forwarder: it is reported on its own and skipped, and
 * memory stays bounded (the old reader kept any line whole, so a file without newlines, like /dev/zero, grew without end).
 */
export const MAX_EVENT_LINE_CHARS = 2 * CLOUDWATCH_MAX_EVENT_BYTES + 64 * 1024;

/** Why a line over {@link MAX_EVENT_LINE_CHARS} is skipped (`rules match` prints it as the line's error). */
export function lineTooLongReason(length: number): string {
  return `line of ${length} characters skipped: longer than a CloudWatch Logs line can be (allowed: at most ${MAX_EVENT_LINE_CHARS} characters, twice CloudWatch's 1 MB event limit plus 64 KiB)`;
}

/** Buffers stdout writes and waits for `drain` when the stream pushes back. */
export class Output {
  private buf = "";
  private closed = false;

  public constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on("error", () => {
      // EPIPE (e.g. `| head`): stop writing, finish quietly.
      this.closed = true;
    });
  }

  public get isClosed(): boolean {
    return this.closed;
  }

  public write(s: string): void {
    this.buf += s;
  }

  /** Flushes when the buffer is large (or always with `force`), awaiting `drain` on backpressure. */
  public async flush(force = false): Promise<void> {
    if (this.buf.length === 0 || (!force && this.buf.length < 1 << 16)) return;
    const chunk = this.buf;
    this.buf = "";
    if (this.closed || !this.stream.writable) {
      this.closed = true;
      return;
    }
    if (!this.stream.write(chunk)) {
      await Promise.race([once(this.stream, "drain"), once(this.stream, "close"), once(this.stream, "error")]);
    }
  }
}

/**
 * Opens the events file (or stdin) as a UTF-8 text stream, gunzipping when it starts with the gzip magic bytes. A path
 * that is not a regular file (a directory, a FIFO, a device such as /dev/zero) is refused before it is read
 * (`NotRegularFileError`; see lib/input-file.ts): a stream is read as `-`.
 */
export async function openEvents(file: string, stdin: NodeJS.ReadableStream): Promise<AsyncIterable<string | Buffer>> {
  if (file === "-") {
    (stdin as NodeJS.ReadableStream & { setEncoding(e: string): void }).setEncoding("utf8");
    return stdin as AsyncIterable<string>;
  }
  // gzip is recognized by its magic bytes (1f 8b), whatever the file name.
  let gzip: boolean;
  const handle = await open(file, OPEN_INPUT_FLAGS);
  try {
    const kind = irregularFileKind(await handle.stat());
    if (kind !== undefined) throw new NotRegularFileError(kind, STDIN_ALLOWED);
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch (e) {
    await handle.close();
    throw e;
  }
  // The stream reads the descriptor that was checked (and closes it).
  const source = handle.createReadStream({ start: 0, highWaterMark: 1 << 20 });
  if (!gzip) {
    source.setEncoding("utf8");
    return source;
  }
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  gunzip.setEncoding("utf8");
  return pipeline(source, gunzip, () => {
    // Errors surface through the async iteration of `gunzip`.
  });
}

/**
 * Calls `onLine(line, lineNumber)` for every line of the stream (the `\n` and a trailing `\r` removed), awaiting
 * `afterChunk` between chunks so output backpressure is respected; a line longer than `maxLineLength` is not kept:
 * `onTooLong(lineNumber, length)` is called for it instead. Memory: one chunk plus one partial line of at most
 * `maxLineLength` characters.
 */
export async function forEachLine(
  input: AsyncIterable<string | Buffer>,
  onLine: (line: string, lineNumber: number) => void,
  afterChunk: () => Promise<boolean>,
  onTooLong: (lineNumber: number, length: number) => void,
  maxLineLength: number = MAX_EVENT_LINE_CHARS,
): Promise<void> {
  let rest = "";
  /** Characters of the current line seen so far once it is known to be too long, else -1 (the line is in `rest`). */
  let skipped = -1;
  let lineNumber = 0;
  for await (const raw of input) {
    const chunk = typeof raw === "string" ? raw : raw.toString("utf8");
    let start = 0;
    let nl = chunk.indexOf("\n");
    while (nl >= 0) {
      lineNumber++;
      if (skipped >= 0) {
        onTooLong(lineNumber, skipped + nl - start);
        skipped = -1;
      } else {
        const line = rest.length > 0 ? rest + chunk.slice(start, nl) : chunk.slice(start, nl);
        rest = "";
        if (line.length > maxLineLength) onTooLong(lineNumber, line.length);
        else onLine(stripCr(line), lineNumber);
      }
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
    }
    if (skipped >= 0) skipped += chunk.length - start;
    else if (start < chunk.length) {
      rest += chunk.slice(start);
      if (rest.length > maxLineLength) {
        skipped = rest.length;
        rest = "";
      }
    }
    if (!(await afterChunk())) return;
  }
  if (skipped >= 0) onTooLong(lineNumber + 1, skipped);
  else if (rest.length > 0) onLine(stripCr(rest), lineNumber + 1);
}

function stripCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/** What `rules match` reads besides a regular file. */
const STDIN_ALLOWED = "a regular file, or - to read standard input (e.g. zcat events.jsonl.gz | rules match -)";

export const BLANK = /^\s*$/;

/** `<RFC 3339 timestamp> <message>`: a line of a CloudWatch Logs export to S3 (`aws logs create-export-task`). */
const S3_EXPORT_LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (\{.*)$/;

/** Parses and normalizes one line; returns the log or the one-line reason it is not an event. */
export function readEvent(line: string, lineNumber: number): NormalizedLog | string {
  let value: unknown;
  const text = lineNumber === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const m = S3_EXPORT_LINE.exec(text);
    if (m === null) return `invalid JSON: ${errorMessage(e)}`;
    value = { timestamp: Date.parse(m[1]), message: m[2] };
  }
  try {
    return normalizeAuditEvent(value, { reuseInput: true });
  } catch (e) {
    if (e instanceof AuditEventError) return e.message;
    throw e;
  }
}
