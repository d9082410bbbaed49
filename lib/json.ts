/**
 * JSON as `JSON.parse` returns it (a synthesized `cdk.tf.json`, the output of `terraform show -json`, ...), and the
 * narrowing helpers the tools read it with: a missing or differently shaped value reads as empty, as `?? {}` did.
 */
import { isObject as isAnyObject } from "./is-object";

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

/** JSON text that does not parse: the message says where (1-based line and column) and what, e.g. `not valid JSON at line 3, column 11: Unexpected token 'x'`. */
export class JsonSyntaxError extends Error {
  public constructor(
    public readonly line: number,
    public readonly column: number,
    public readonly reason: string,
  ) {
    super(`not valid JSON at line ${line}, column ${column}: ${reason}`);
    this.name = "JsonSyntaxError";
  }
}

/**
 * Parses strict JSON text (no comments, no trailing commas), the one JSON parse of the inputs users hand the project
 * (a `.json` config, a synthesized `cdk.tf.json`, a `terraform show -json` plan).
 * @throws JsonSyntaxError with the line and column where `JSON.parse` stopped; a document nested too deeply for the
 *   parser throws its `RangeError` as it is.
 */
export function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    if ((e as Error | undefined)?.name === "RangeError") throw e;
    const message = (e as Error).message;
    const m = /^(.*?)(?: in JSON)? at position (\d+)/s.exec(message);
    const atEnd = message.startsWith("Unexpected end of JSON input");
    const offset = m !== null ? Number(m[2]) : atEnd ? text.length : jsonStopOffset(text);
    const what = (m !== null ? m[1] : message.replace(/ \(line \d+ column \d+\)$/, "").replace(/, (\.\.\.)?".*" is not valid JSON$/s, "")).replace(
      /^Unexpected end of JSON input$/,
      "unexpected end of the file",
    );
    const { line, col } = lineColumn(text, offset);
    throw new JsonSyntaxError(line, col, what);
  }
}

/** Line and column (1-based) of a 0-based offset in a text. */
function lineColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

/**
 * Where `JSON.parse` stopped, for its messages that give no position (`Unexpected token 'x', "..." is not valid JSON`):
 * the end of the longest prefix of the text that is still the start of a JSON text, found by bisection (about 20
 * parses of a 1 MiB file). A prefix is such a start when `JSON.parse` fails only for want of more text: "Unexpected
 * end of JSON input", or an error at the prefix's own end.
 */
function jsonStopOffset(text: string): number {
  const isStart = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      const message = (e as Error).message;
      const at = /at position (\d+)/.exec(message);
      return message.startsWith("Unexpected end of JSON input") || (at !== null && Number(at[1]) === n);
    }
  };
  let start = 0; // the empty text is the start of a JSON text
  let stop = text.length; // the whole text is not
  while (stop - start > 1) {
    const mid = Math.floor((start + stop) / 2);
    if (isStart(mid)) start = mid;
    else stop = mid;
  }
  return start;
}

/** Whether a value is a JSON object (not null, not an array): lib/is-object.ts, typed for the tools' JSON. */
export const isObject = isAnyObject as (value: unknown) => value is JsonObject;

/** The value if it is a JSON object (the same object, so changes to it are kept), else a new empty object. */
export function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

/** The value if it is an array, else an empty array. */
export function asArray(value: unknown): JsonValue[] {
  return Array.isArray(value) ? (value as JsonValue[]) : [];
}

/** The value if it is a string, else undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The strings of an array (other elements left out); an empty array for anything else. */
export function asStrings(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === "string");
}
