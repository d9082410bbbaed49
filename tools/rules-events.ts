/**
 * Reading audit events for `rules match`: opening the events file (plain, gzip or stdin), splitting it into lines
 * with bounded memory, parsing and normalizing each line, and writing output with backpressure.
 */
import { createReadStream } from "fs";
import { open } from "fs/promises";
import { once } from "events";
import { pipeline } from "stream";
import { createGunzip } from "zlib";
import { AuditEventError, normalizeAuditEvent } from "../lib/audit";
import type { NormalizedLog } from "../lib/query";

/** The message of an error (duck-typed: errors from Node internals may come from another realm, e.g. in jest). */
export function errorMessage(e: unknown): string {
  if (typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string") {
    return (e as { message: string }).message;
  }
  return String(e);
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

/** Opens the events file (or stdin) as a UTF-8 text stream, gunzipping when it starts with the gzip magic bytes. */
export async function openEvents(file: string, stdin: NodeJS.ReadableStream): Promise<AsyncIterable<string | Buffer>> {
  if (file === "-") {
    (stdin as NodeJS.ReadableStream & { setEncoding(e: string): void }).setEncoding("utf8");
    return stdin as AsyncIterable<string>;
  }
  // gzip is recognized by its magic bytes (1f 8b), whatever the file name.
  let gzip: boolean;
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
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
 * `afterChunk` between chunks so output backpressure is respected. Memory: one chunk plus one partial line.
 */
export async function forEachLine(
  input: AsyncIterable<string | Buffer>,
  onLine: (line: string, lineNumber: number) => void,
  afterChunk: () => Promise<boolean>,
): Promise<void> {
  let rest = "";
  let lineNumber = 0;
  for await (const raw of input) {
    const chunk = typeof raw === "string" ? raw : raw.toString("utf8");
    let start = 0;
    let nl = chunk.indexOf("\n");
    if (nl >= 0 && rest.length > 0) {
      lineNumber++;
      onLine(stripCr(rest + chunk.slice(0, nl)), lineNumber);
      rest = "";
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
    }
    while (nl >= 0) {
      lineNumber++;
      onLine(stripCr(chunk.slice(start, nl)), lineNumber);
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
    }
    rest = start < chunk.length ? rest + chunk.slice(start) : rest;
    if (!(await afterChunk())) return;
  }
  if (rest.length > 0) {
    lineNumber++;
    onLine(stripCr(rest), lineNumber);
  }
}

function stripCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

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
