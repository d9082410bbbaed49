/**
 * Evaluator for parsed queries. `compileNode` turns the tree into nested closures once (per rule), so evaluating
 * one log allocates nothing on the common paths.
 *
 * Matching semantics (see `docs/detection-testing.md` for sources):
 * - `@attr` values are case-sensitive ("Attributes searches are case sensitive", Datadog Log Search Syntax docs).
 *   A literal matches the whole value; numbers and booleans match their decimal / `true`/`false` spelling.
 * - Reserved attributes (`source`, `service`, `host`, `status`) and tags are compared case-insensitively: Datadog
 *   lowercases tags at intake, and the reserved attributes are tag-like.
 * - Free text is searched in `message`, case-insensitively, as a word (phrases as a substring).
 * - Arrays: a term matches when any element matches; paths descend through arrays of objects.
 * - A path segment may also match a key that itself contains dots (`annotations.authorization.k8s.io/decision`);
 *   dotted keys are only tried where the plain segment is not a key (so `{"a": {...}, "a.b": 1}` follows `a`).
 */
import { NormalizedLog, QueryField, QueryNode, QueryValue } from "./ast";
import { parseNumber, parseQuery } from "./parser";
import { inCidrBlocks } from "./ip";

/** A compiled query: true when the log matches. */
export type LogPredicate = (log: NormalizedLog) => boolean;
export type ValuePredicate = (value: unknown) => boolean;

const hasOwn = (record: object, key: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(record, key);

/**
 * `record[key]` when it is the record's own property, else undefined (a property holding undefined counts as
 * missing). A log is parsed JSON, whose objects inherit only from `Object.prototype`: a defined value is own unless
 * the key is also a property of `Object.prototype` (`inherited`), the only case that needs the slower own-ness check.
 */
function ownValue(record: Record<string, unknown>, key: string, inherited: boolean): unknown {
  const value = record[key];
  return value === undefined || (inherited && !hasOwn(record, key)) ? undefined : value;
}

/**
 * Precomputed keys for a path: `keys[i][j]` is segments i..j joined with dots, so lookups of dotted keys do not
 * allocate.
 */
export interface CompiledPath {
  readonly keys: readonly (readonly string[])[];
  readonly length: number;
  /** `segments[i]`, for the fast walk. */
  readonly first: readonly string[];
  /** Whether `segments[i]` is also a property of `Object.prototype` (`constructor`, ...): then own-ness is checked. */
  readonly inherited: readonly boolean[];
  /** Whether `keys[i][j]` is also a property of `Object.prototype`: then own-ness is checked (else a defined value is own). */
  readonly inheritedKeys: readonly (readonly boolean[])[];
}

export function compilePath(segments: readonly string[]): CompiledPath {
  const keys: string[][] = [];
  for (let i = 0; i < segments.length; i++) {
    const row: string[] = [];
    let key = "";
    for (let j = i; j < segments.length; j++) {
      key = j === i ? segments[i] : key + "." + segments[j];
      row.push(key);
    }
    keys.push(row);
  }
  return {
    keys,
    length: segments.length,
    first: [...segments],
    inherited: segments.map((seg) => seg in Object.prototype),
    inheritedKeys: keys.map((row) => row.map((key) => key in Object.prototype)),
  };
}

/**
 * `someAt` for the common case, without recursion: walks plain objects along the plain segments and hands over to
 * `someAt` at the first array or missing key (where dotted keys are tried).
 */
export function someAlong(root: unknown, path: CompiledPath, pred: ValuePredicate): boolean {
  let v = root;
  const first = path.first;
  for (let i = 0; i < first.length; i++) {
    if (v === null || typeof v !== "object") return false;
    if (Array.isArray(v)) return someAt(v, path, i, pred);
    const rec = v as Record<string, unknown>;
    const next = rec[first[i]];
    if (next === undefined || (path.inherited[i] && !hasOwn(rec, first[i]))) return someAt(v, path, i, pred);
    v = next;
  }
  return Array.isArray(v) ? someAt(v, path, first.length, pred) : pred(v);
}

/** True when some value reached by `path` (descending through arrays, any element) satisfies `pred`. */
export function someAt(value: unknown, path: CompiledPath, i: number, pred: ValuePredicate): boolean {
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length; k++) {
      if (someAt(value[k], path, i, pred)) return true;
    }
    return false;
  }
  if (i === path.length) return pred(value);
  if (value === null || typeof value !== "object") return false;
  const rec = value as Record<string, unknown>;
  const row = path.keys[i];
  const next = ownValue(rec, row[0], path.inheritedKeys[i][0]);
  if (next !== undefined) return someAt(next, path, i + 1, pred);
  // The segment is not a key here: try keys that contain dots (`authorization.k8s.io/decision`).
  for (let k = 1; k < row.length; k++) {
    const dotted = ownValue(rec, row[k], path.inheritedKeys[i][k]);
    if (dotted !== undefined && someAt(dotted, path, i + k + 1, pred)) return true;
  }
  return false;
}

/** The first scalar reached by `path`, or undefined. */
function firstAt(value: unknown, path: CompiledPath, i: number): unknown {
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length; k++) {
      const found = firstAt(value[k], path, i);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (i === path.length) return value === null ? undefined : value;
  if (value === null || typeof value !== "object") return undefined;
  const rec = value as Record<string, unknown>;
  const row = path.keys[i];
  const next = ownValue(rec, row[0], path.inheritedKeys[i][0]);
  if (next !== undefined) return firstAt(next, path, i + 1);
  for (let k = 1; k < row.length; k++) {
    const dotted = ownValue(rec, row[k], path.inheritedKeys[i][k]);
    if (dotted !== undefined) {
      const found = firstAt(dotted, path, i + k + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const n = parseNumber(v);
    return n === undefined ? NaN : n;
  }
  return NaN;
}

/**
 * `@attr:*`: the attribute holds a value. Datadog documents existence search for attributes, not what it does for an
 * attribute whose value is an object (e.g. `@requestObject.spec.tls`): the engine takes the conservative reading that
 * only a scalar value (string, number, boolean; an element of an array of scalars) exists, so a rule can never pass
 * its tests by testing an object, and pack rules test leaf paths (`@requestObject.spec.tls.hosts:*`). See
 * docs/detection-testing.md ("Query syntax supported").
 */
function exists(v: unknown): boolean {
  return v !== null && v !== undefined && typeof v !== "object";
}

/** Case-sensitive predicate over one attribute value. */
function valuePredicate(value: QueryValue, caseInsensitive: boolean): ValuePredicate {
  switch (value.kind) {
    case "exists":
      return exists;
    case "exact": {
      const t = caseInsensitive ? value.text.toLowerCase() : value.text;
      const n = parseNumber(t);
      if (caseInsensitive) {
        return (v) => (typeof v === "string" ? v === t || v.toLowerCase() === t : scalarEquals(v, t, n));
      }
      return (v) => (typeof v === "string" ? v === t : scalarEquals(v, t, n));
    }
    case "wildcard": {
      const re = new RegExp(`^(?:${value.regexSource})$`, caseInsensitive ? "is" : "s");
      return (v) => {
        if (typeof v === "string") return re.test(v);
        if (typeof v === "number" || typeof v === "boolean") return re.test(String(v));
        return false;
      };
    }
    case "compare":
      return comparePredicate(value.op, value.bound);
    case "cidr": {
      const blocks = value.blocks;
      return (v) => typeof v === "string" && inCidrBlocks(v, blocks);
    }
    case "range": {
      const lo = value.lower === null ? undefined : parseNumber(value.lower);
      const hi = value.upper === null ? undefined : parseNumber(value.upper);
      const numeric = (value.lower === null || lo !== undefined) && (value.upper === null || hi !== undefined);
      const loInc = value.lowerInclusive;
      const hiInc = value.upperInclusive;
      if (numeric) {
        const l = lo ?? -Infinity;
        const h = hi ?? Infinity;
        return (v) => {
          const x = toNumber(v);
          if (x !== x) return false; // NaN: not a number
          return (loInc ? x >= l : x > l) && (hiInc ? x <= h : x < h);
        };
      }
      const ls = value.lower;
      const hs = value.upper;
      return (v) => {
        if (typeof v !== "string") return false;
        const s = caseInsensitive ? v.toLowerCase() : v;
        if (ls !== null && (loInc ? s < ls : s <= ls)) return false;
        if (hs !== null && (hiInc ? s > hs : s >= hs)) return false;
        return true;
      };
    }
  }
}

function comparePredicate(op: ">" | ">=" | "<" | "<=", b: number): ValuePredicate {
  switch (op) {
    case ">":
      return (v) => toNumber(v) > b;
    case ">=":
      return (v) => toNumber(v) >= b;
    case "<":
      return (v) => toNumber(v) < b;
    case "<=":
      return (v) => toNumber(v) <= b;
  }
}

function scalarEquals(v: unknown, t: string, n: number | undefined): boolean {
  if (typeof v === "number") return n !== undefined ? v === n : String(v) === t;
  if (typeof v === "boolean") return (v ? "true" : "false") === t;
  return false;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Free text: a word (wildcards allowed) or a phrase, in `message`, case-insensitive. */
function messagePredicate(value: QueryValue): LogPredicate {
  let re: RegExp;
  if (value.kind === "exact" && value.quoted) {
    re = new RegExp(escapeRegex(value.text), "i");
  } else if (value.kind === "exact") {
    re = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegex(value.text)}(?![\\p{L}\\p{N}_])`, "iu");
  } else if (value.kind === "wildcard") {
    const src = value.regexSource.replace(/\.\*/g, "\\S*").replace(/(?<!\\)\.(?!\*)/g, "\\S");
    re = new RegExp(`(?<![\\p{L}\\p{N}_])${src}(?![\\p{L}\\p{N}_])`, "iu");
  } else {
    // The parser only builds exact/wildcard values for free text.
    throw new Error(`internal: free text cannot be ${value.kind}`);
  }
  return (log) => typeof log.message === "string" && re.test(log.message);
}

/** `key:value` tag search over `key:value` tag strings (case-insensitive). */
function tagPredicate(key: string, value: QueryValue): LogPredicate {
  const prefix = key + ":";
  const inner = valuePredicate(value, true);
  return (log) => {
    const tags = log.tags;
    for (let k = 0; k < tags.length; k++) {
      const tag = tags[k];
      if (tag.length >= prefix.length && tag.slice(0, prefix.length).toLowerCase() === prefix && inner(tag.slice(prefix.length))) {
        return true;
      }
    }
    return false;
  };
}

function fieldPredicate(field: QueryField, value: QueryValue): LogPredicate {
  switch (field.kind) {
    case "attribute": {
      const path = compilePath(field.path);
      const pred = valuePredicate(value, false);
      return (log) => someAlong(log.attributes, path, pred);
    }
    case "reserved": {
      const pred = valuePredicate(value, true);
      const name = field.name;
      return (log) => {
        const v = log[name];
        return v !== undefined && pred(v);
      };
    }
    case "tags": {
      const pred = valuePredicate(value, true);
      return (log) => {
        const tags = log.tags;
        for (let k = 0; k < tags.length; k++) if (pred(tags[k])) return true;
        return false;
      };
    }
    case "tag":
      return tagPredicate(field.key, value);
    case "message":
      return messagePredicate(value);
  }
}

/** Compiles a parsed query into a predicate. Compile once per rule, call per log. */
export function compileNode(node: QueryNode): LogPredicate {
  switch (node.kind) {
    case "all":
      return () => true;
    case "term":
      return fieldPredicate(node.field, node.value);
    case "not": {
      const child = compileNode(node.child);
      return (log) => !child(log);
    }
    case "and": {
      const children = node.children.map(compileNode);
      if (children.length === 2) {
        const [a, b] = children;
        return (log) => a(log) && b(log);
      }
      return (log) => {
        for (let k = 0; k < children.length; k++) if (!children[k](log)) return false;
        return true;
      };
    }
    case "or": {
      const children = compileOrChildren(node.children);
      if (children.length === 1) return children[0];
      return (log) => {
        for (let k = 0; k < children.length; k++) if (children[k](log)) return true;
        return false;
      };
    }
  }
}

/**
 * The children of an OR, with terms on the same attribute merged into one walk: `@objectRef.resource:(pods OR
 * deployments OR ...)` or `@usr.name:(eks\:* OR system\:node\:* OR ...)` read the attribute once and test each
 * value against a set of exact strings and one combined pattern. "Some value matches a or some value matches b" is
 * "some value matches a or b", so results are unchanged.
 */
function compileOrChildren(nodes: readonly QueryNode[]): LogPredicate[] {
  const groups = new Map<string, { path: readonly string[]; exact: Set<string>; patterns: string[] }>();
  const rest: QueryNode[] = [];
  for (const n of nodes) {
    const mergeable =
      n.kind === "term" &&
      n.field.kind === "attribute" &&
      ((n.value.kind === "exact" && parseNumber(n.value.text) === undefined) || n.value.kind === "wildcard");
    if (!mergeable || n.kind !== "term" || n.field.kind !== "attribute") {
      rest.push(n);
      continue;
    }
    const key = n.field.path.join("\u0000");
    let g = groups.get(key);
    if (g === undefined) {
      g = { path: n.field.path, exact: new Set(), patterns: [] };
      groups.set(key, g);
    }
    if (n.value.kind === "exact") g.exact.add(n.value.text);
    else if (n.value.kind === "wildcard") g.patterns.push(n.value.regexSource);
  }
  const out: LogPredicate[] = [];
  for (const g of groups.values()) {
    const path = compilePath(g.path);
    const exact = g.exact;
    const re = g.patterns.length === 0 ? undefined : new RegExp(`^(?:${g.patterns.map((p) => `(?:${p})`).join("|")})$`, "s");
    const pred: ValuePredicate = (v) => {
      if (typeof v === "string") return exact.has(v) || (re !== undefined && re.test(v));
      if (typeof v === "number" || typeof v === "boolean") {
        const text = typeof v === "boolean" ? (v ? "true" : "false") : String(v);
        return exact.has(text) || (re !== undefined && re.test(text));
      }
      return false;
    };
    out.push((log) => someAlong(log.attributes, path, pred));
  }
  for (const n of rest) out.push(compileNode(n));
  return out;
}

const compiledCache = new WeakMap<QueryNode, LogPredicate>();

/** True when `log` matches the parsed query `node` (compiles `node` on first use and caches it). */
export function matchesQuery(node: QueryNode, log: NormalizedLog): boolean {
  let fn = compiledCache.get(node);
  if (fn === undefined) {
    fn = compileNode(node);
    compiledCache.set(node, fn);
  }
  return fn(log);
}

/**
 * Parses and compiles `query` once.
 *
 * @throws QuerySyntaxError for malformed or unsupported syntax.
 */
export function compileQuery(query: string): LogPredicate {
  return compileNode(parseQuery(query));
}

/** Reads a field as rules name it in group-by / distinct / new-value fields: `@usr.name`, `usr.name` or `host`. */
export type FieldReader = (log: NormalizedLog) => string | undefined;

/**
 * Compiles a reader for a rule field (`groupByFields`, `distinctFields`, `metrics`). Returns the first scalar
 * value as a string (numbers/booleans in their JSON spelling), or undefined when absent.
 */
export function compileFieldReader(field: string): FieldReader {
  const bare = field.startsWith("@") ? field.slice(1) : field;
  if (!field.startsWith("@") && (bare === "source" || bare === "service" || bare === "host" || bare === "status")) {
    return (log) => log[bare];
  }
  const path = compilePath(bare.split("."));
  return (log) => {
    const v = firstAt(log.attributes, path, 0);
    if (v === undefined) return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return JSON.stringify(v);
  };
}
