/**
 * A JSON value as `path -> leaf` for `review`: objects by key, lists of blocks by their `status` or `name` when every
 * element has a distinct one (rule cases, queries, exclusion filters: a reordering is no change), else by index.
 */
import { asObject, parseJson } from "../../lib/json";

/** Attributes that are bookkeeping, not settings a reviewer judges. */
const SKIPPED = new Set(["//", "depends_on", "provider"]);
/** JSON-in-a-string attributes compared as documents. */
const JSON_DOCUMENTS = new Set(["assume_role_policy"]);

/** The `field` of every element of a list of blocks, when each is a string and no two are the same; else undefined. */
function distinctKeys(blocks: readonly unknown[], field: string): string[] | undefined {
  const keys = blocks.map((b) => asObject(b)[field]);
  return keys.every((k): k is string => typeof k === "string") && new Set(keys).size === keys.length ? keys : undefined;
}

/**
 * Flattens a resource body into `path -> value` leaves. Lists of blocks are keyed by their `status` or `name`
 * when every element has one (rule cases, queries, exclusion filters), so a reordering is not a change.
 */
export function flatten(value: unknown, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === "object" && !Array.isArray(v))) {
    const keys = distinctKeys(value, "status") ?? distinctKeys(value, "name");
    value.forEach((v, i) => flatten(v, `${prefix}[${keys !== undefined ? keys[i] : i}]`, out));
  } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(asObject(value))) {
      if (prefix === "" && SKIPPED.has(k)) continue;
      if (prefix === "" && JSON_DOCUMENTS.has(k) && typeof v === "string" && v.startsWith("{")) {
        flatten(parseJson(v), k, out);
        continue;
      }
      flatten(v, prefix === "" ? k : `${prefix}.${k}`, out);
    }
  } else {
    out.set(prefix, value);
  }
  return out;
}
