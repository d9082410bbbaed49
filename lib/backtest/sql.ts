/**
 * Compiles the project's query AST (`lib/query/ast.ts`, parsed by `lib/query/parser.ts`) to DuckDB SQL over the raw
 * JSON lines, with the semantics of the JS reference evaluator `lib/query/evaluate.ts` (every rule below mirrors a
 * function there; the differential test `__tests__/backtest-differential.test.ts` holds the two together):
 *
 * - paths: read with JSON pointers, one parse per top-level value for all the pointers below it; where that is not
 *   the JS walk (an array on the way, where JS searches every element at any depth, or a dotted key such as
 *   `authorization.k8s.io/decision` that JS follows when the plain segment is not a key) the JS walker itself runs
 *   (`bt_walk`, `walk.ts`).
 * - values: `@attr` values case-sensitive, reserved attributes and tags case-insensitive, numbers compared as
 *   numbers when the query value is a number, booleans by their spelling, wildcards as anchored RE2 patterns,
 *   ranges numeric or by string order, free text as a word or phrase in `message`.
 *
 * Known differences (documented in `docs/backtest.md`; the random generator of the differential test stays inside
 * them): duplicate object keys (DuckDB keeps the first, `JSON.parse` the last); `?` against characters outside the
 * Basic Multilingual Plane (RE2 counts code points, JS regexes without `u` count UTF-16 units); the JS spelling of
 * numbers in exponent form (`1e-7`) under wildcards; dates that `Date.parse` reads but DuckDB does not.
 */
import type { QueryNode, QueryValue } from "../query";
import { parseNumber } from "../query/parser";
import { MAX_EVENT_LINE_CHARS } from "../rules/events";
import { AUDIT_REMAP, RAW_EVENT_RESERVED, RemapCondition, RemapNode, RemapSource } from "./audit-remap";

/** A SQL string literal (DuckDB: `'` doubled, backslashes literal). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A one-key JSON pointer (RFC 6901): `/` + the key with `~` -> `~0`, `/` -> `~1`. */
function pointer(keys: readonly (string | number)[]): string {
  return keys.map((k) => "/" + String(k).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** A double as SQL: JavaScript's spelling, parsed by DuckDB (`Infinity` included). */
function sqlDouble(n: number): string {
  return `CAST(${sqlString(String(n))} AS DOUBLE)`;
}

/** `NUMBER_RE` of `lib/query/parser.ts` (`parseNumber`), in RE2 syntax. */
const NUMBER_RE = "[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?";
/** JavaScript's `\s` (`/^\s*$/` is how `rules match` skips blank lines), as an RE2 class. */
const JS_SPACE = "[\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]";

/** Macros the compiled SQL uses; run once per connection. */
export const MACROS_SQL = [
  // json_type of a JSON fragment DuckDB wrote (json_extract output: no leading whitespace) from its first
  // character, without parsing it; numbers are all 'DOUBLE' (every predicate treats them alike).
  `CREATE OR REPLACE MACRO bt_type(x) AS CASE WHEN x IS NULL THEN NULL ELSE CASE left(CAST(x AS VARCHAR), 1)
    WHEN '"' THEN 'VARCHAR' WHEN '{' THEN 'OBJECT' WHEN '[' THEN 'ARRAY' WHEN 't' THEN 'BOOLEAN' WHEN 'f' THEN 'BOOLEAN' WHEN 'n' THEN 'NULL'
    ELSE 'DOUBLE' END END`,
  // A JSON value is handled as (type, text): `json_type` and `json_extract_string` of it, read once per value.
  // `toNumber` of evaluate.ts: numbers as they are, strings that are plain decimal numbers, else NULL (NaN).
  `CREATE OR REPLACE MACRO bt_strnum(s) AS CASE WHEN regexp_full_match(s, '${NUMBER_RE}') THEN TRY_CAST(s AS DOUBLE) END`,
  `CREATE OR REPLACE MACRO bt_num(t, s) AS CASE WHEN t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN TRY_CAST(s AS DOUBLE)
    WHEN t = 'VARCHAR' THEN bt_strnum(s) END`,
  // JavaScript's String(number): integral values below 1e21 as integers, others as DuckDB spells them with
  // JavaScript's exponent form (1e-07 -> 1e-7).
  `CREATE OR REPLACE MACRO bt_numstr(d) AS CASE
    WHEN d = trunc(d) AND abs(d) < 1e21 THEN CAST(CAST(d AS HUGEINT) AS VARCHAR)
    ELSE regexp_replace(CAST(d AS VARCHAR), 'e([+-])0*(\\d)', 'e\\1\\2') END`,
  // The text a value has for wildcards: strings as they are, numbers and booleans spelled as JavaScript does.
  `CREATE OR REPLACE MACRO bt_text(t, s) AS CASE WHEN t IN ('VARCHAR', 'BOOLEAN') THEN s
    WHEN t IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN bt_numstr(TRY_CAST(s AS DOUBLE)) END`,
  // `compileFieldReader`: a field's first value as text (objects as JSON).
  // An IPv4 address as an integer (`parseIp` of lib/query/ip.ts), NULL when the text is not one.
  `CREATE OR REPLACE MACRO bt_ip4(s) AS CASE WHEN regexp_full_match(s, '(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})')
    AND list_bool_and(list_transform(string_split(s, '.'), lambda p: CAST(p AS INTEGER) <= 255))
    THEN list_reduce(list_transform(string_split(s, '.'), lambda p: CAST(p AS BIGINT)), lambda a, b: a * 256 + b) END`,
  // json_extract_string of such a fragment: strings unescaped, anything else as written.
  `CREATE OR REPLACE MACRO bt_str(x) AS CASE WHEN left(CAST(x AS VARCHAR), 1) = '"' THEN json_extract_string(x, '$') ELSE CAST(x AS VARCHAR) END`,
  `CREATE OR REPLACE MACRO bt_key(x) AS CASE WHEN x IS NULL THEN NULL WHEN bt_type(x) IN ('OBJECT', 'ARRAY') THEN CAST(x AS VARCHAR)
    ELSE bt_text(bt_type(x), json_extract_string(x, '$')) END`,
  // application/x-www-form-urlencoded decoding of one query-string component (`decodeComponent` of normalize.ts).
  `CREATE OR REPLACE MACRO bt_urldec(s) AS coalesce(try(url_decode(replace(s, '+', ' '))), replace(s, '+', ' '))`,
  // `parseQueryString` of normalize.ts, as JSON: {key: value}, a repeated key giving an array.
  `CREATE OR REPLACE MACRO bt_query_obj(kvs) AS '{' || coalesce(array_to_string(list_transform(list_distinct(list_transform(kvs, lambda e: e.k)), lambda key:
    to_json(key)::VARCHAR || ':' || CASE WHEN len(list_filter(kvs, lambda e: e.k = key)) = 1 THEN to_json(list_filter(kvs, lambda e: e.k = key)[1].v)::VARCHAR
    ELSE to_json(list_transform(list_filter(kvs, lambda e: e.k = key), lambda e: e.v))::VARCHAR END), ','), '') || '}'`,
  `CREATE OR REPLACE MACRO bt_query_kvs(q) AS list_transform(list_filter(string_split(q, '&'), lambda p: p <> ''),
    lambda p: {'k': bt_urldec(split_part(p, '=', 1)), 'v': CASE WHEN contains(p, '=') THEN bt_urldec(p[strpos(p, '=') + 1:]) ELSE '' END})`,
  `CREATE OR REPLACE MACRO bt_query_values(q, key) AS list_transform(list_filter(bt_query_kvs(q), lambda e: e.k = key), lambda e: to_json(e.v))`,
  `CREATE OR REPLACE MACRO bt_query_json(q) AS bt_query_obj(list_transform(list_filter(string_split(q, '&'), lambda p: p <> ''),
    lambda p: {'k': bt_urldec(split_part(p, '=', 1)), 'v': CASE WHEN contains(p, '=') THEN bt_urldec(p[strpos(p, '=') + 1:]) ELSE '' END}))`,
];

/** Epoch ms of a JSON value as `toEpochMs` of normalize.ts reads it: a finite number, or a parseable date string. */
function epochMs(x: string): string {
  return `CASE bt_type(${x}) WHEN 'VARCHAR' THEN epoch_ms(TRY_CAST(json_extract_string(${x}, '$') AS TIMESTAMPTZ))::DOUBLE
    WHEN 'BIGINT' THEN CAST(${x} AS DOUBLE) WHEN 'UBIGINT' THEN CAST(${x} AS DOUBLE) WHEN 'DOUBLE' THEN CAST(${x} AS DOUBLE) END`;
}

/**
 * Collects the JSON pointers read from each event's attribute root, so the root is parsed once per event
 * (`json_extract(a, [pointers])`) and every path starts from a small fragment.
 */
export class PointerTable {
  private readonly index = new Map<string, number>();

  public constructor(private readonly column = "tops") {}

  public get pointers(): readonly string[] {
    return [...this.index.keys()];
  }

  /** `tops[k]`: the value at `keys` from the attribute root (SQL NULL when missing). */
  public ref(keys: readonly (string | number)[]): string {
    const p = pointer(keys);
    let k = this.index.get(p);
    if (k === undefined) {
      k = this.index.size + 1;
      this.index.set(p, k);
    }
    return `${this.column}[${k}]`;
  }
}

const EMPTY_LEAVES = "[]::JSON[]";

/** The pointer of keys under a value: `/a/b`. */
function pointerOf(keys: readonly string[]): string {
  return pointer(keys);
}

/**
 * Compiles queries and field readers for one set of rules. Every distinct attribute path becomes one column of leaf
 * values (`l_<k>`, a JSON list: what `someAt` would test, in the same order), computed once per event and shared by
 * every term and reader on that path:
 *
 * 1. each top-level key is read with all top-level keys in one parse (`tops`), and each top-level value with all the
 *    pointers any path needs under it in one more (`r_<k>`);
 * 2. when no value on the plain path is an array and no dotted key exists where the walk could try one, the leaves
 *    are the plain path's value (or none): exact, and the common case;
 * 3. otherwise the JS walker computes them (`bt_walk`).
 */
export class SqlCompiler {
  public readonly tops = new PointerTable();
  /** Top-level keys with dots (`objectRef.name` as one key), read only for events that have such keys. */
  public readonly topDotted = new PointerTable("topd");
  /** Per top-level key: the pointers read under it, in `r_<k>` order. */
  private readonly roots = new Map<string, { readonly index: number; readonly pointers: Map<string, number> }>();
  private readonly leaves = new Map<string, { readonly name: string; readonly sql: string }>();

  /** `r_<k>` projections, in order (each over `tops`). */
  public rootColumns(): string[] {
    return [...this.roots.entries()].map(
      ([key, r]) => `json_extract(${this.tops.ref([key])}, [${[...r.pointers.keys()].map(sqlString).join(", ")}]) AS r_${r.index}`,
    );
  }

  /** `l_<k>` projections (each over `tops`, `r_<k>` and the event columns). */
  public leafColumns(): string[] {
    return [...this.leaves.values()].map((l) => `${l.sql} AS ${l.name}`);
  }

  /** `n_<k>`, `t_<k>`, `s_<k>`, `m_<k>` (number of leaves; type and text of the only leaf, or of each) over `l_<k>`. */
  public leafScalarColumns(): string[] {
    return [...this.leaves.values()].flatMap((l) => {
      const k = l.name.slice(2);
      return [
        `len(${l.name}) AS n_${k}`,
        `CASE WHEN len(${l.name}) = 1 THEN bt_type(${l.name}[1]) END AS t_${k}`,
        `CASE WHEN len(${l.name}) = 1 THEN json_extract_string(${l.name}[1], '$') END AS s_${k}`,
      ];
    });
  }

  /** A boolean SQL expression (never NULL) that is true when the event matches `node`. */
  public query(node: QueryNode): string {
    switch (node.kind) {
      case "all":
        return "true";
      case "not":
        return `(NOT ${this.query(node.child)})`;
      case "and": {
        // Nested CASE: DuckDB evaluates a branch only for the rows that reach it; cheap terms (reserved attributes,
        // short paths) first. Terms have no side effects, so their order does not change the result.
        const ordered = [...node.children].sort((a, b) => cost(a) - cost(b));
        return ordered.map((c) => this.query(c)).reduceRight((rest, c) => `CASE WHEN ${c} THEN ${rest} ELSE false END`);
      }
      case "or": {
        // Terms on the same attribute share one pass over its leaves (as compileOrChildren of evaluate.ts does):
        // "some value matches a, or some value matches b" is "some value matches a or b".
        const byPath = new Map<string, { path: readonly string[]; values: QueryValue[] }>();
        const rest: string[] = [];
        for (const c of node.children) {
          if (c.kind === "term" && c.field.kind === "attribute") {
            const key = c.field.path.join("\u0000");
            const g = byPath.get(key) ?? { path: c.field.path, values: [] };
            g.values.push(c.value);
            byPath.set(key, g);
          } else rest.push(this.query(c));
        }
        const terms = [...byPath.values()].map((g) =>
          this.anyLeaf(g.path, (t, x) => g.values.map((v) => `coalesce(${jsonPredicate(v, t, x)}, false)`).join(" OR ")),
        );
        return [...terms, ...rest].reduceRight((other, c) => `CASE WHEN ${c} THEN true ELSE ${other} END`);
      }
      case "term":
        return this.term(node);
    }
  }

  private term(node: Extract<QueryNode, { kind: "term" }>): string {
    const field = node.field;
    switch (field.kind) {
      case "attribute":
        return this.anyLeaf(field.path, (t, x) => jsonPredicate(node.value, t, x));
      case "reserved":
        return `coalesce(${field.name} IS NOT NULL AND ${stringPredicate(node.value, field.name)}, false)`;
      case "tags":
        return `coalesce(list_bool_or(list_transform(tags, lambda t: ${stringPredicate(node.value, "t")})), false)`;
      case "tag": {
        const prefix = field.key + ":";
        const n = [...prefix].length;
        return `coalesce(list_bool_or(list_transform(tags, lambda t: length(t) >= ${n} AND lower(t[1:${n}]) = ${sqlString(prefix)} AND ${stringPredicate(node.value, `t[${n + 1}:]`)})), false)`;
      }
      case "message":
        return `coalesce(message IS NOT NULL AND regexp_matches(message, ${sqlString(messagePattern(node.value))}), false)`;
    }
  }

  /**
   * Whether some leaf of `path` satisfies `pred(type, text)`: on the precomputed type and text when the path has one
   * leaf (the common case), else over the list.
   */
  private anyLeaf(path: readonly string[], pred: (t: string, s: string) => string): string {
    const l = this.path(path);
    const k = l.slice(2);
    return `CASE n_${k} WHEN 0 THEN false WHEN 1 THEN coalesce(${pred(`t_${k}`, `s_${k}`)}, false)
      ELSE coalesce(list_bool_or(list_transform(${l}, lambda x: ${pred("bt_type(x)", "json_extract_string(x, '$')")})), false) END`;
  }

  /**
   * A rule field (`groupByFields`, `distinctFields`, `metrics`) as VARCHAR, NULL when absent, as
   * `compileFieldReader` reads it: `host`/`source`/`service`/`status` without `@` are reserved attributes, anything
   * else an attribute path split on dots, whose first non-null value counts.
   */
  public field(field: string): string {
    const bare = field.startsWith("@") ? field.slice(1) : field;
    if (!field.startsWith("@") && (bare === "source" || bare === "service" || bare === "host" || bare === "status")) return bare;
    return `bt_key(list_filter(${this.path(bare.split("."))}, lambda x: bt_type(x) <> 'NULL')[1])`;
  }

  /** Several fields joined as `readKey` joins them (U+0001), NULL when any is absent. */
  public key(fields: readonly string[]): string {
    if (fields.length === 0) return "''";
    if (fields.length === 1) return this.field(fields[0]);
    return fields.map((f) => this.field(f)).join(" || chr(1) || ");
  }

  /** The leaves column (`l_<k>`) of an attribute path, shared by every term and reader on it. */
  private path(segments: readonly string[]): string {
    const id = segments.join("\u0000");
    let entry = this.leaves.get(id);
    if (entry === undefined) {
      const name = `l_${this.leaves.size}`;
      entry = { name, sql: this.pathSql(segments) };
      this.leaves.set(id, entry);
    }
    return entry.name;
  }

  private pathSql(segments: readonly string[]): string {
    const generic = this.genericPath(segments);
    const first = segments[0];
    const remap = Object.prototype.hasOwnProperty.call(AUDIT_REMAP, first) ? AUDIT_REMAP[first] : undefined;
    if (remap !== undefined) {
      return `CASE WHEN kind = 'event' AND ${this.condition(remap.when)} THEN ${this.virtual(remap.node, segments, 1)} ELSE ${generic} END`;
    }
    if (first === "aws") {
      // normalize.ts: the envelope's `aws` (CloudWatch line, forwarded log) when the event has no `aws` of its own.
      return `CASE WHEN kind = 'event' AND ${this.tops.ref(["aws"])} IS NULL AND env_aws IS NOT NULL THEN ${this.fromValue("env_aws", segments, 1)} ELSE ${generic} END`;
    }
    return generic;
  }

  /** Where the path walks through the remapped (virtual) attributes of `audit-remap.ts`. */
  private virtual(node: RemapNode, segments: readonly string[], i: number): string {
    if (node.kind === "value" && node.source.kind === "uriQuery" && i === segments.length - 1) {
      // One key of the query string: its values (a repeated key is an array, searched element by element), read
      // without building the object; a query string that cannot hold the key (undecoded) gives none.
      const uri = `json_extract_string(${this.raw(["requestURI"])}, '$')`;
      const q = `${uri}[strpos(${uri}, '?') + 1:]`;
      const key = segments[i];
      const all = `bt_query_values(${q}, ${sqlString(key)})`;
      return /^[A-Za-z0-9._~-]+$/.test(key)
        ? `CASE WHEN contains(${q}, ${sqlString(key)}) OR contains(${q}, '%') THEN ${all} ELSE ${EMPTY_LEAVES} END`
        : all;
    }
    if (node.kind === "value") return this.fromValue(this.source(node.source), segments, i);
    if (i === segments.length) return `[(${this.materialize(node)})::JSON]`;
    const key = segments[i];
    const field = Object.prototype.hasOwnProperty.call(node.fields, key) ? node.fields[key] : undefined;
    // A remapped object has only its own keys (none with dots): a missing key ends the walk.
    if (field === undefined) return EMPTY_LEAVES;
    const inner = this.virtual(field.node, segments, i + 1);
    return field.when.kind === "always" ? inner : `CASE WHEN ${this.condition(field.when)} THEN ${inner} ELSE ${EMPTY_LEAVES} END`;
  }

  /** A remapped object as JSON text (only when a path ends on it, e.g. `@http.url_details:*`). */
  private materialize(node: RemapNode): string {
    if (node.kind === "value") return `CAST(${this.source(node.source)} AS VARCHAR)`;
    const parts = Object.entries(node.fields).map(([key, f]) => {
      const text = `${sqlString(JSON.stringify(key) + ":")} || ${this.materialize(f.node)}`;
      return f.when.kind === "always" ? `[${text}]` : `CASE WHEN ${this.condition(f.when)} THEN [${text}] ELSE []::VARCHAR[] END`;
    });
    const list = parts.reduceRight((rest, part) => `list_concat(${part}, ${rest})`);
    return `'{' || array_to_string(${list}, ',') || '}'`;
  }

  private raw(path: readonly (string | number)[]): string {
    return this.tops.ref(path);
  }

  private condition(c: RemapCondition): string {
    switch (c.kind) {
      case "always":
        return "true";
      case "isString": {
        // The parent must be an object (or, for an index, an array): a JSON pointer also indexes arrays by number.
        const parent = c.path.slice(0, -1);
        const last = c.path[c.path.length - 1];
        const parentOk = parent.length === 0 ? "true" : `bt_type(${this.raw(parent)}) = '${typeof last === "number" ? "ARRAY" : "OBJECT"}'`;
        return `(${parentOk} AND bt_type(${this.raw(c.path)}) = 'VARCHAR')`;
      }
      case "hasKey":
        return `(bt_type(${this.raw(c.path)}) = 'OBJECT' AND ${this.raw([...c.path, c.key])} IS NOT NULL)`;
      case "uriHasQuery":
        return `contains(json_extract_string(${this.raw(["requestURI"])}, '$'), '?')`;
    }
  }

  private source(s: RemapSource): string {
    switch (s.kind) {
      case "event":
        return this.raw(s.path);
      case "uriPath":
        return `to_json(split_part(json_extract_string(${this.raw(["requestURI"])}, '$'), '?', 1))`;
      case "uriQuery": {
        const uri = `json_extract_string(${this.raw(["requestURI"])}, '$')`;
        return `bt_query_json(${uri}[strpos(${uri}, '?') + 1:])::JSON`;
      }
    }
  }

  /** A pointer read under the top-level value `rootKey`, as an `r_<k>[m]` reference. */
  private underRoot(rootKey: string, keys: readonly string[]): string {
    let root = this.roots.get(rootKey);
    if (root === undefined) {
      this.tops.ref([rootKey]);
      root = { index: this.roots.size, pointers: new Map() };
      this.roots.set(rootKey, root);
    }
    const p = pointerOf(keys);
    let m = root.pointers.get(p);
    if (m === undefined) {
      m = root.pointers.size + 1;
      root.pointers.set(p, m);
    }
    return `r_${root.index}[${m}]`;
  }

  /** The walk from the attribute root: the first segment (or the dotted first keys) are top-level keys. */
  private genericPath(segments: readonly string[]): string {
    const n = segments.length;
    const root = this.tops.ref([segments[0]]);
    const topDotted: string[] = [];
    for (let k = 1; k < n; k++) topDotted.push(this.topDotted.ref([segments.slice(0, k + 1).join(".")]));
    // The JS walker from the top-level value when no top-level key has a dot (the common case), else from the root.
    const slow = `CASE WHEN topd IS NULL AND ${root} IS NOT NULL THEN ${walkSql(root, segments, 1)} ELSE ${walkSql("a_text", segments, 0)} END`;
    // topd is NULL for events without top-level keys containing dots.
    const noTopDotted = topDotted.length === 0 ? "true" : `(topd IS NULL OR (${topDotted.map((t) => `${t} IS NULL`).join(" AND ")}))`;
    const missing = `WHEN ${root} IS NULL AND ${noTopDotted} THEN ${EMPTY_LEAVES}`;
    if (n === 1) return `CASE ${missing} ${leafCases(root)} ELSE ${slow} END`;
    const { plain, last, dotted } = this.plainPath(segments, root, (keys) => this.underRoot(segments[0], keys));
    return `CASE ${missing} WHEN bt_type(${root}) <> 'ARRAY' AND ${plain} AND ${dotted} THEN CASE WHEN ${last} IS NULL THEN ${EMPTY_LEAVES} ${leafCases(last)} ELSE ${slow} END ELSE ${slow} END`;
  }

  /**
   * Conditions under which the plain pointer walk of `segments[1..]` below a root is the JS walk: no value on the
   * plain path is an array (`plain`), no dotted key can exist at any level (`dotted`: the root's JSON text, as DuckDB
   * writes it, does not contain `"<segment>.`; a segment with characters JSON escapes is checked key by key); `last`
   * is the value at the end.
   */
  private plainPath(
    segments: readonly string[],
    rootText: string,
    read: (keys: readonly string[]) => string,
  ): { plain: string; last: string; dotted: string } {
    const n = segments.length;
    const prefixes: string[] = [];
    const dotted: string[] = [];
    for (let i = 1; i < n; i++) {
      prefixes.push(read(segments.slice(1, i + 1)));
      if (i + 1 >= n) continue;
      // eslint-disable-next-line no-control-regex
      if (/["\\\u0000-\u001f]/.test(segments[i])) {
        for (let j = i + 1; j < n; j++) dotted.push(`${read([...segments.slice(1, i), segments.slice(i, j + 1).join(".")])} IS NULL`);
      } else {
        dotted.push(`NOT contains(CAST(${rootText} AS VARCHAR), ${sqlString(`"${segments[i]}.`)})`);
      }
    }
    const last = prefixes[prefixes.length - 1];
    return {
      plain: prefixes.map((p) => `coalesce(bt_type(${p}), '') <> 'ARRAY'`).join(" AND "),
      last,
      dotted: dotted.length === 0 ? "true" : dotted.join(" AND "),
    };
  }

  /** The walk of `segments[i..]` from one JSON value (a remapped value, the envelope's `aws`). */
  private fromValue(value: string, segments: readonly string[], i: number): string {
    const n = segments.length;
    const slow = walkSql(value, segments, i);
    if (i === n) return `CASE WHEN ${value} IS NULL THEN ${EMPTY_LEAVES} ${leafCases(value)} ELSE ${slow} END`;
    const sub = segments.slice(i - 1);
    const all: string[] = [];
    const read = (keys: readonly string[]) => {
      all.push(pointerOf(keys));
      return `bt_r[${all.length}]`;
    };
    const { plain, last, dotted } = this.plainPath(sub, value, read);
    const body = `CASE WHEN bt_type(${value}) <> 'ARRAY' AND ${plain} AND ${dotted} THEN CASE WHEN ${last} IS NULL THEN ${EMPTY_LEAVES} ${leafCases(last)} ELSE ${slow} END ELSE ${slow} END`;
    // One parse of the value for all its pointers (a lambda binds the list once).
    return `CASE WHEN ${value} IS NULL THEN ${EMPTY_LEAVES} ELSE list_transform([json_extract(${value}, [${all.map(sqlString).join(", ")}])], lambda bt_r: ${body})[1] END`;
  }
}

/**
 * `WHEN` branches for the value at the end of a plain path: a non-array is the leaf; an array whose text holds no
 * other `[` (so no nested array) gives its elements (JS searches every element); anything else is left to the walker.
 */
function leafCases(v: string): string {
  return `WHEN bt_type(${v}) <> 'ARRAY' THEN [${v}] WHEN NOT contains(CAST(${v} AS VARCHAR)[2:], '[') THEN json_extract(${v}, '$[*]')`;
}

/**
 * The leaves of `segments[i..]` under a JSON value by the reference walker itself (`bt_walk`, a scalar function
 * registered from `lib/backtest/walk.ts`): for the rare values where the plain pointer walk is not the JS walk
 * (an array on the way, or a dotted key that could be followed).
 */
function walkSql(value: string, segments: readonly string[], i: number): string {
  return `coalesce(json_extract(bt_walk(CAST(${value} AS VARCHAR), ${sqlString(JSON.stringify(segments))}, ${i}), '$[*]'), ${EMPTY_LEAVES})`;
}

/** Rough cost of a query node, to test cheap terms first in an AND. */
function cost(node: QueryNode): number {
  switch (node.kind) {
    case "all":
      return 0;
    case "term":
      // Longer paths read more; wildcards and ranges run a pattern or a cast on top of the read.
      return (
        (node.field.kind === "attribute" ? 1 + node.field.path.length : 1) + (node.value.kind === "exact" || node.value.kind === "exists" ? 0 : 3)
      );
    case "not":
      return cost(node.child) + 1;
    case "and":
    case "or":
      return node.children.reduce((sum, c) => sum + cost(c), 0);
  }
}

/**
 * `CIDR(@attr, blocks...)` as `inCidrBlocks` of `lib/query/ip.ts`: IPv4 addresses (four decimal parts up to 255) in
 * SQL, IPv6 addresses by the reference's own test (`bt_cidr`, `walk.ts`); anything else is no address.
 */
function cidrSql(value: Extract<QueryValue, { kind: "cidr" }>, s: string): string {
  const v4 = value.blocks.filter((b) => b.family === 4);
  const v6 = value.blocks.filter((b) => b.family === 6);
  const ip4 =
    v4.length === 0
      ? "false"
      : v4
          .map((b) => (b.prefix === 0 ? "true" : `bt_ip4(${s}) // ${2 ** (32 - b.prefix)} = ${Number(b.network) / 2 ** (32 - b.prefix)}`))
          .join(" OR ");
  const ip6 = v6.length === 0 ? "false" : `bt_cidr(${s}, ${sqlString(JSON.stringify(v6.map((b) => b.text)))})`;
  return `CASE WHEN bt_ip4(${s}) IS NOT NULL THEN ${ip4} WHEN contains(${s}, ':') THEN ${ip6} ELSE false END`;
}

/** RE2 pattern of a wildcard value, anchored by `regexp_full_match`; `(?s)`: `.` also matches line breaks. */
function wildcardPattern(value: Extract<QueryValue, { kind: "wildcard" }>, caseInsensitive: boolean): string {
  return `(?s${caseInsensitive ? "i" : ""})(?:${value.regexSource})`;
}

/** `valuePredicate(value, false)` of evaluate.ts over one JSON value given as its type `t` and text `s` (SQL NULL counts as false). */
export function jsonPredicate(value: QueryValue, t: string, s: string): string {
  switch (value.kind) {
    case "exists":
      // `exists` of evaluate.ts: a scalar (an object or null does not count).
      return `${t} IN ('VARCHAR', 'DOUBLE', 'BOOLEAN')`;
    case "exact": {
      const text = value.text;
      const n = parseNumber(text);
      const num = n === undefined ? "false" : `TRY_CAST(${s} AS DOUBLE) = ${sqlDouble(n)}`;
      const parts = [`${t} = 'VARCHAR'`];
      if (n !== undefined) parts.push(`${t} = 'DOUBLE'`);
      if (text === "true" || text === "false") parts.push(`${t} = 'BOOLEAN'`);
      // Strings compare as text; booleans by their spelling (their text); numbers as numbers (types from bt_type).
      const byText = `${s} = ${sqlString(text)}`;
      if (n === undefined) return parts.length === 1 ? `(${parts[0]} AND ${byText})` : `((${parts.join(" OR ")}) AND ${byText})`;
      return `CASE ${t} WHEN 'VARCHAR' THEN ${byText} WHEN 'DOUBLE' THEN ${num} ELSE false END`;
    }
    case "wildcard":
      return `regexp_full_match(bt_text(${t}, ${s}), ${sqlString(wildcardPattern(value, false))})`;
    case "compare":
      return `bt_num(${t}, ${s}) ${value.op} ${sqlDouble(value.bound)}`;
    case "cidr":
      return `(${t} = 'VARCHAR' AND ${cidrSql(value, s)})`;
    case "range": {
      const numeric = rangeNumeric(value);
      if (numeric !== undefined) return numeric(`bt_num(${t}, ${s})`);
      return `(${t} = 'VARCHAR' AND ${rangeString(value, s)})`;
    }
  }
}

/** `valuePredicate(value, true)` of evaluate.ts over a VARCHAR `s` (reserved attributes, tags). */
export function stringPredicate(value: QueryValue, s: string): string {
  switch (value.kind) {
    case "exists":
      return "true";
    case "exact": {
      const t = value.text.toLowerCase();
      return `(${s} = ${sqlString(t)} OR lower(${s}) = ${sqlString(t)})`;
    }
    case "wildcard":
      return `regexp_full_match(${s}, ${sqlString(wildcardPattern(value, true))})`;
    case "compare":
      return `bt_strnum(${s}) ${value.op} ${sqlDouble(value.bound)}`;
    case "cidr":
      return cidrSql(value, s);
    case "range": {
      const numeric = rangeNumeric(value);
      if (numeric !== undefined) return numeric(`bt_strnum(${s})`);
      return rangeString(value, `lower(${s})`);
    }
  }
}

type RangeValue = Extract<QueryValue, { kind: "range" }>;

function rangeNumeric(value: RangeValue): ((num: string) => string) | undefined {
  const lo = value.lower === null ? undefined : parseNumber(value.lower);
  const hi = value.upper === null ? undefined : parseNumber(value.upper);
  if (!((value.lower === null || lo !== undefined) && (value.upper === null || hi !== undefined))) return undefined;
  return (num) => {
    const parts = [`${num} IS NOT NULL`];
    if (lo !== undefined) parts.push(`${num} ${value.lowerInclusive ? ">=" : ">"} ${sqlDouble(lo)}`);
    if (hi !== undefined) parts.push(`${num} ${value.upperInclusive ? "<=" : "<"} ${sqlDouble(hi)}`);
    return `(${parts.join(" AND ")})`;
  };
}

function rangeString(value: RangeValue, s: string): string {
  const parts = ["true"];
  if (value.lower !== null) parts.push(`${s} ${value.lowerInclusive ? ">=" : ">"} ${sqlString(value.lower)}`);
  if (value.upper !== null) parts.push(`${s} ${value.upperInclusive ? "<=" : "<"} ${sqlString(value.upper)}`);
  return `(${parts.join(" AND ")})`;
}

/** RE2 escape of a literal (`\Q...\E` cannot hold `\E`). */
function re2Literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/**
 * `messagePredicate` of evaluate.ts: a phrase as a case-insensitive substring; a word (wildcards allowed, `*` and
 * `?` not crossing whitespace) not preceded or followed by a letter, digit or `_` (the JS lookarounds, written as
 * "start or a non-word character" since RE2 has no lookbehind; equivalent for a yes/no search).
 */
function messagePattern(value: QueryValue): string {
  if (value.kind === "exact" && value.quoted) return `(?is)${re2Literal(value.text)}`;
  let core: string;
  if (value.kind === "exact") core = re2Literal(value.text);
  else if (value.kind === "wildcard") core = value.regexSource.replace(/\.\*/g, "\\S*").replace(/(?<!\\)\.(?!\*)/g, "\\S");
  else throw new Error(`internal: free text cannot be ${value.kind}`);
  return `(?is)(?:^|[^\\p{L}\\p{N}_])(?:${core})(?:$|[^\\p{L}\\p{N}_])`;
}

/** Keys of the line itself (envelope or archived log), read in the one parse of the line. */
const ENVELOPE_KEYS = [
  "attributes",
  "_id",
  "date",
  "message",
  "source",
  "status",
  "service",
  "host",
  "tags",
  "ddtags",
  "logGroupName",
  "logStreamName",
  "aws",
  "timestamp",
];
/** Keys of the audit event (the line, or its `message`), read with the pointers of `tops`. */
const EVENT_KEYS = ["kind", "apiVersion", "verb", "stageTimestamp", "requestReceivedTimestamp"];

/**
 * CTEs ending in `bt_events`, over `lines` (a relation with a VARCHAR column `line` and a BIGINT `rid` passed
 * through, with the line's `text`): one row per non-blank line
 * with `kind` ('event' = a raw audit event, normalized as `normalizeAuditEvent` does; 'archive' = an archived
 * Datadog log, matched as it is; 'error' = neither, counted like `rules match --summary` counts them), `tops` (the
 * values at the pointers of `tops` under the attribute root), the reserved attributes, `message`, `tags`, `env_aws`
 * and `ts` (epoch ms, NULL when the event has none). Each line is parsed twice (validated, then every key read at
 * once), a CloudWatch line's `message` once more.
 */
export function eventsSql(lines: string, tops: PointerTable, topDotted: PointerTable): string {
  // No pointers (the prefilter scan reads no attribute): no `tops` at all, so no value is written out.
  const topPointers = tops.pointers;
  const env = (key: string) => `h[${ENVELOPE_KEYS.indexOf(key) + 1}]`;
  const E = ENVELOPE_KEYS.length;
  const V = EVENT_KEYS.length;
  const ev = (key: string) => `ev[${EVENT_KEYS.indexOf(key) + 1}]`;
  const hPointers = [
    ...ENVELOPE_KEYS.map((k) => pointer([k])),
    pointer(["aws", "awslogs"]),
    pointer(["aws", "awslogs", "logGroup"]),
    ...EVENT_KEYS.map((k) => pointer([k])),
    ...topPointers,
  ];
  const evFrom = E + 3;
  const topsFrom = evFrom + V;
  const topsTo = topsFrom + topPointers.length - 1;
  const evPointers = [...EVENT_KEYS.map((k) => pointer([k])), ...topPointers];
  const isStr = (x: string) => `bt_type(${x}) = 'VARCHAR'`;
  const str = (x: string) => `CASE WHEN ${isStr(x)} THEN json_extract_string(${x}, '$') END`;
  const S3_EXPORT = "(\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z) (\\{.*)";
  const list = (ps: readonly string[]) => `[${ps.map(sqlString).join(", ")}]`;
  return `
bt_text AS (
  SELECT rid, CASE WHEN starts_with(line, chr(65279)) THEN line[2:] ELSE line END AS text
  FROM ${lines} WHERE line IS NOT NULL AND NOT regexp_full_match(line, '${JS_SPACE}*')
),
bt_val AS (
  SELECT rid, text, CASE WHEN length(text) > ${MAX_EVENT_LINE_CHARS} THEN NULL WHEN json_valid(text) THEN text
    WHEN regexp_full_match(text, '${S3_EXPORT}')
      THEN json_object('timestamp', epoch_ms(TRY_CAST(regexp_extract(text, '${S3_EXPORT}', 1) AS TIMESTAMPTZ)), 'message', regexp_extract(text, '${S3_EXPORT}', 2))::VARCHAR
    END AS val
  FROM bt_text
),
bt_h AS (
  SELECT rid, text, val, CASE WHEN val IS NOT NULL THEN json_extract(val, ${list(hPointers)}) END AS h FROM bt_val
),
bt_shape AS (
  SELECT *, CASE
    WHEN h IS NULL OR json_type(val) <> 'OBJECT' THEN 'error'
    WHEN h[${evFrom}] IS NULL AND h[${evFrom + 1}] IS NULL AND bt_type(${env("attributes")}) = 'OBJECT'
      AND (${isStr(env("_id"))} OR ${env("date")} IS NOT NULL) THEN 'archive'
    WHEN h[${evFrom}] IS NOT NULL OR h[${evFrom + 1}] IS NOT NULL THEN 'direct'
    WHEN ${env("message")} IS NOT NULL THEN 'wrapped'
    ELSE 'error' END AS shape
  FROM bt_h
),
bt_ev AS (
  SELECT *, CASE shape
    WHEN 'direct' THEN h[${evFrom}:${topsTo}]
    WHEN 'wrapped' THEN CASE
      WHEN ${isStr(env("message"))} THEN CASE WHEN json_valid(json_extract_string(${env("message")}, '$')) AND json_type(json_extract_string(${env("message")}, '$')) = 'OBJECT'
        THEN json_extract(json_extract_string(${env("message")}, '$'), ${list(evPointers)}) END
      WHEN bt_type(${env("message")}) = 'OBJECT' THEN json_extract(${env("message")}, ${list(evPointers)})
      END
    END AS ev,
    CASE shape WHEN 'direct' THEN val WHEN 'archive' THEN ${env("attributes")}
      WHEN 'wrapped' THEN CASE WHEN ${isStr(env("message"))} THEN json_extract_string(${env("message")}, '$') ELSE ${env("message")} END
    END AS a_text
  FROM bt_shape
),
bt_kind AS (
  SELECT *, CASE
    WHEN shape = 'archive' THEN 'archive'
    WHEN ev IS NOT NULL AND ${isStr(ev("kind"))} AND json_extract_string(${ev("kind")}, '$') = 'Event'
      AND ${isStr(ev("apiVersion"))} AND starts_with(json_extract_string(${ev("apiVersion")}, '$'), 'audit.k8s.io/') AND ${isStr(ev("verb"))} THEN 'event'
    ELSE 'error' END AS kind
  FROM bt_ev
),
bt_events AS (SELECT rid, text, kind, a_text,
  ${
    topPointers.length === 0
      ? "NULL::JSON[]"
      : `CASE kind WHEN 'archive' THEN json_extract(a_text, ${list(topPointers)}) WHEN 'event' THEN ev[${V + 1}:${V + topPointers.length}] END`
  } AS tops,
  ${
    topDotted.pointers.length === 0
      ? "NULL::JSON[]"
      : `CASE WHEN kind <> 'error' AND list_bool_or(list_transform(json_keys(a_text), lambda k: contains(k, '.'))) THEN json_extract(a_text, ${list(topDotted.pointers)}) END`
  } AS topd,
  CASE kind WHEN 'archive' THEN ${str(env("source"))} WHEN 'event' THEN ${sqlString(RAW_EVENT_RESERVED.source)} END AS source,
  CASE kind WHEN 'archive' THEN ${str(env("status"))} WHEN 'event' THEN ${sqlString(RAW_EVENT_RESERVED.status)} END AS status,
  CASE WHEN kind = 'archive' OR shape = 'wrapped' THEN ${str(env("service"))} END AS service,
  CASE WHEN kind = 'archive' THEN ${str(env("host"))}
    WHEN kind = 'event' AND shape = 'wrapped' THEN coalesce(${str(env("host"))}, ${str(env("logGroupName"))}, CASE WHEN bt_type(${env("aws")}) = 'OBJECT' AND bt_type(h[${E + 1}]) = 'OBJECT' THEN ${str(`h[${E + 2}]`)} END) END AS host,
  CASE kind WHEN 'archive' THEN ${str(env("message"))} END AS message,
  CASE WHEN kind = 'archive' THEN CASE WHEN bt_type(${env("tags")}) = 'ARRAY' THEN list_transform(list_filter(json_extract(${env("tags")}, '$[*]'), lambda t: bt_type(t) = 'VARCHAR'), lambda t: json_extract_string(t, '$')) ELSE []::VARCHAR[] END
    WHEN kind = 'event' AND shape = 'wrapped' AND ${isStr(env("ddtags"))} THEN list_filter(list_transform(string_split(json_extract_string(${env("ddtags")}, '$'), ','), lambda t: regexp_replace(t, '^${JS_SPACE}+|${JS_SPACE}+$', '', 'g')), lambda t: t <> '')
    ELSE []::VARCHAR[]
  END AS tags,
  CASE WHEN kind = 'event' AND shape = 'wrapped' THEN CASE
    WHEN bt_type(${env("aws")}) = 'OBJECT' THEN ${env("aws")}
    WHEN ${isStr(env("logGroupName"))} OR ${isStr(env("logStreamName"))} THEN json_object('awslogs', json_merge_patch(
      CASE WHEN ${isStr(env("logGroupName"))} THEN json_object('logGroup', ${env("logGroupName")}) ELSE '{}'::JSON END,
      CASE WHEN ${isStr(env("logStreamName"))} THEN json_object('logStream', ${env("logStreamName")}) ELSE '{}'::JSON END))
    END END AS env_aws,
  CASE kind WHEN 'archive' THEN ${epochMs(env("date"))}
    WHEN 'event' THEN coalesce(${epochMs(ev("stageTimestamp"))}, ${epochMs(ev("requestReceivedTimestamp"))}, CASE WHEN shape = 'wrapped' THEN ${epochMs(env("timestamp"))} END) END AS ts
FROM bt_kind)`;
}
