/**
 * The DuckDB backtest's one pass over the input lines: each line is parsed once (`json_extract` of every JSON pointer
 * the pass needs, in one call), classified, given its time, and kept as a candidate only when some rule query could
 * match it. Only the candidates reach the reference evaluator (`evaluateCandidates` of `duckdb.ts`), so the pass
 * never decides a match, it only rules lines out, and it must never rule out a line that matches.
 *
 * **Classification.** A line is
 * - `event`: a raw `audit.k8s.io` Event object (`kind` "Event", `apiVersion` "audit.k8s.io/...", a string `verb`,
 *   as `normalizeAuditEvent` requires), read as `rules match` normalizes it;
 * - `wrapped`: a CloudWatch line `{"timestamp", "message": "<event JSON>"}` whose message is such an event (its time
 *   the event's, else the line's `timestamp`);
 * - `archive`: an archived Datadog log (`isArchiveLine` of `archive.ts`: no `kind`/`apiVersion`, an `attributes`
 *   object, `_id` a string or `date` present), searched as it is;
 * - `error`: longer than `rules match` reads (blank lines are skipped, as there);
 * - `other`: anything the pass does not read exactly (CloudWatch exports, forwarded logs, invalid JSON, a time
 *   `Date.parse` may read differently): always a candidate, and the reference evaluator classifies, times and
 *   matches it.
 *
 * **Ruling out.** Per query, two necessary conditions, both from the query's AST:
 * 1. *its attributes* (`FieldFilter`): a term whose attribute the pass read is decided exactly as `evaluate.ts` would
 *    (`jsonPredicate` of `sql.ts`) where the JS walk is known (see `FieldFilter.plainLeaf`); any other term is
 *    unknown; AND, OR and NOT combine what is known, and a query known to be false rules the line out;
 * 2. *its text* (`prefilter.ts`): the literals a matching line must contain, with the escape and number hatches.
 */
import type { QueryNode, QueryValue } from "../query";
import { parseNumber } from "../query/parser";
import { MAX_EVENT_LINE_CHARS } from "../rules/events";
import { AUDIT_REMAP, RAW_EVENT_RESERVED } from "./audit-remap";
import { ESCAPE_HATCH, queryNeedSql } from "./prefilter";
import { jsonPredicate, sqlString, stringPredicate } from "./sql";

/** A JSON pointer (RFC 6901) of object keys. */
export function jsonPointer(keys: readonly string[]): string {
  return keys.map((k) => "/" + k.replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** JavaScript's `\s` (`/^\s*$/` is how `rules match` skips blank lines), as an RE2 class. */
const JS_SPACE = "[\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]";

/**
 * An RFC 3339 UTC time as EKS and Datadog write it, which `Date.parse` and DuckDB's `TIMESTAMP` read alike (other
 * spellings go to the reference evaluator).
 */
const RFC3339_UTC = '"\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?Z"';

/** Roots under which a value is a document of its own (a request or response body): not read by the pass. */
const BODY_ROOTS = new Set(["requestObject", "responseObject"]);

/** Where one attribute is in one kind of line. */
interface Leaf {
  /** SQL of the JSON value on the plain path (NULL when a key is missing), over the pointer lists (`e`, `ha`). */
  readonly value: string;
  /** SQL: a missing value means the JS walk finds nothing either (no array on the way, no dotted key to try). */
  readonly missingIsAbsent: string;
}

type Term = Extract<QueryNode, { kind: "term" }>;
type AttributeTerm = Term & { readonly field: { readonly kind: "attribute" } };

/**
 * Compiles "this query might match the line" over the attributes the pass reads: paths of one or two keys outside
 * request and response bodies (the absence of longer ones), and the remapped `http.method`, `http.status_code` and
 * `usr.*` of a raw event. Each attribute is a few columns per line: its value for the line's kind (`v_<j>`), whether
 * missing means absent (`m_<j>`), and what its terms compare: the string (`w_<j>`), or the type and text of its one
 * value (`t_<j>`, `s_<j>`) with its number (`d_<j>`) or IPv4 address (`i_<j>`). A condition is true wherever the pass
 * does not know.
 */
export class FieldFilter {
  private readonly index = new Map<string, number>();
  private readonly archiveIndex = new Map<string, number>();
  private readonly fields = new Map<string, { readonly j: number; readonly event?: Leaf; readonly archive: Leaf }>();
  /** Attributes compared as numbers (`d_<j>`), as IPv4 addresses (`i_<j>`), as strings (`w_<j>`). */
  private readonly numeric = new Set<number>();
  private readonly ipv4 = new Set<number>();
  private readonly strings = new Set<number>();
  /** Attributes read by terms other than string terms (typed columns `x_`, `o_`, `t_`, `s_`, `u_`). */
  private readonly generic = new Set<number>();

  /** The pointers read from every JSON line (`h[k]`). */
  public get pointers(): readonly string[] {
    return [...this.index.keys()];
  }

  /** The pointers read from an archived log only (`ha[k]`). */
  public get archivePointers(): readonly string[] {
    return [...this.archiveIndex.keys()];
  }

  /** `h[k]`: the JSON value at `pointer` of the line (SQL NULL when missing). */
  public ref(pointer: string): string {
    return FieldFilter.slot(this.index, pointer, "h");
  }

  /** `hm[k]`: the JSON value at `pointer` of a CloudWatch line's message (the same pointers as `h`). */
  public messageRef(pointer: string): string {
    return FieldFilter.slot(this.index, pointer, "hm");
  }

  /** `e[k]`: the JSON value at `pointer` of the event (the line, or a CloudWatch line's message). */
  public eventRef(pointer: string): string {
    return FieldFilter.slot(this.index, pointer, "e");
  }

  private archiveRef(pointer: string): string {
    return FieldFilter.slot(this.archiveIndex, pointer, "ha");
  }

  private static slot(index: Map<string, number>, pointer: string, column: string): string {
    let k = index.get(pointer);
    if (k === undefined) {
      k = index.size + 1;
      index.set(pointer, k);
    }
    return `${column}[${k}]`;
  }

  /** Per attribute: `v_<j>` and `m_<j>` (over `is_event`, `is_archive`, `e`, `ha`). */
  public valueColumns(): string[] {
    return [...this.fields.values()].flatMap(({ j, event, archive }) => [
      `CASE WHEN is_event THEN ${event?.value ?? "NULL"} WHEN is_archive THEN ${archive.value} END AS v_${j}`,
      `coalesce(CASE WHEN is_event THEN ${event?.missingIsAbsent ?? "false"} WHEN is_archive THEN ${archive.missingIsAbsent} END, false) AS m_${j}`,
    ]);
  }

  /**
   * Per attribute, over `v_<j>`: `x_<j>`, the one value the JS walk tests (the value, or the only element of a
   * one-element array: `someAt` tests each element of an array); `u_<j>`, unknown (an array of another length, or
   * an array in the array); `o_<j>`, missing.
   */
  public oneValueColumns(): string[] {
    return [...this.generic].flatMap((j) => [
      `CASE WHEN left(CAST(v_${j} AS VARCHAR), 1) = '[' THEN CASE WHEN json_array_length(v_${j}) = 1 THEN json_extract(v_${j}, '$[0]') END ELSE v_${j} END AS x_${j}`,
      `v_${j} IS NULL AS o_${j}`,
    ]);
  }

  /** Per attribute, over `x_<j>`: `t_<j>` (`bt_type`), `s_<j>` (its text) and `u_<j>` (unknown). */
  public typeColumns(): string[] {
    return [...this.generic].flatMap((j) => [
      `bt_type(x_${j}) AS t_${j}`,
      `json_extract_string(x_${j}, '$') AS s_${j}`,
      `(NOT o_${j} AND (x_${j} IS NULL OR left(CAST(x_${j} AS VARCHAR), 1) = '[')) AS u_${j}`,
    ]);
  }

  /**
   * Where terms need them: `d_<j>` (`toNumber` of evaluate.ts), `i_<j>` (an IPv4 address as an integer), and
   * `w_<j>`, the value for string terms: the string, `chr(0)` when known to hold no string (absent, or a number,
   * boolean, null or object), NULL when unknown.
   */
  public derivedColumns(): string[] {
    return [
      ...[...this.numeric].map((j) => `bt_num(t_${j}, s_${j}) AS d_${j}`),
      ...[...this.ipv4].map((j) => `bt_ip4v(s_${j}) AS i_${j}`),
      ...[...this.strings].map((j) => `${this.generic.has(j) ? FieldFilter.stringFromTyped(j) : FieldFilter.stringFromValue(j)} AS w_${j}`),
    ];
  }

  /** `w_<j>` from the typed columns (an attribute other terms read too). */
  private static stringFromTyped(j: number): string {
    return `CASE WHEN u_${j} OR (o_${j} AND NOT m_${j}) THEN NULL WHEN t_${j} = 'VARCHAR' THEN s_${j} ELSE chr(0) END`;
  }

  /** `w_<j>` straight from the value (an attribute only string terms read): the same, in one `CASE`. */
  private static stringFromValue(j: number): string {
    const v = `v_${j}`;
    const first = (x: string) => `left(CAST(${x} AS VARCHAR), 1)`;
    return `CASE WHEN ${v} IS NULL THEN CASE WHEN m_${j} THEN chr(0) END
      WHEN ${first(v)} = '"' THEN json_extract_string(${v}, '$')
      WHEN ${first(v)} <> '[' THEN chr(0)
      WHEN json_array_length(${v}) <> 1 THEN NULL
      WHEN ${first(`json_extract(${v}, '$[0]')`)} = '"' THEN json_extract_string(${v}, '$[0]')
      WHEN ${first(`json_extract(${v}, '$[0]')`)} = '[' THEN NULL
      ELSE chr(0) END`;
  }

  /**
   * SQL true unless `node` is known not to match the line. AND, OR and NOT go down to the terms (De Morgan), so the
   * whole condition is ANDs and ORs that DuckDB evaluates with selection vectors: a later child only for the rows the
   * earlier ones left undecided (the children ordered cheapest and most selective first).
   */
  public mightMatch(node: QueryNode): string {
    return this.may(node, true);
  }

  /** `may(node, true)`: not known false; `may(node, false)`: not known true. */
  private may(node: QueryNode, truth: boolean): string {
    switch (node.kind) {
      case "all":
        return truth ? "true" : "false";
      case "not":
        return this.may(node.child, !truth);
      case "term":
        return this.term([node], truth);
      case "and":
      case "or": {
        // Terms of an OR on one attribute share one pass over its values (as `compileOrChildren` of evaluate.ts).
        const children: { readonly sql: string; readonly rank: number }[] = [];
        const groups = new Map<string, AttributeTerm[]>();
        for (const c of node.children) {
          if (node.kind === "or" && c.kind === "term" && c.field.kind === "attribute") {
            const key = c.field.path.join("\0");
            groups.set(key, [...(groups.get(key) ?? []), c as AttributeTerm]);
          } else children.push({ sql: this.may(c, truth), rank: rank(c) });
        }
        const parts = [...[...groups.values()].map((g) => ({ sql: this.term(g, truth), rank: rank(g[0]) })), ...children]
          .sort((a, b) => a.rank - b.rank)
          .map((p) => p.sql);
        // Not known false: every child of an AND not known false, some child of an OR (not known true: dual).
        if ((node.kind === "and") === truth) {
          if (parts.includes("false")) return "false";
          const rest = parts.filter((p) => p !== "true");
          return rest.length === 0 ? "true" : rest.length === 1 ? rest[0] : `(${rest.join(" AND ")})`;
        }
        if (parts.includes("true")) return "true";
        const rest = [...new Set(parts.filter((p) => p !== "false"))];
        return rest.length === 0 ? "false" : rest.length === 1 ? rest[0] : `(${rest.join(" OR ")})`;
      }
    }
  }

  /** Not known false (`truth`) or not known true, of one term or an OR of terms on one attribute. */
  private term(terms: readonly Term[], truth: boolean): string {
    const field = terms[0].field;
    if (field.kind === "reserved" && terms.length === 1) return this.reserved(terms[0], field.name, truth);
    const j = field.kind === "attribute" ? this.field(field.path) : undefined;
    if (j === undefined) return "true";
    const onString = stringTermsSql(terms, `w_${j}`);
    if (onString !== undefined) {
      // Strings only: one comparison, NULL where unknown.
      this.strings.add(j);
      return truth ? `coalesce(${onString}, true)` : `coalesce(NOT ${onString}, true)`;
    }
    this.generic.add(j);
    for (const { value } of terms) {
      if (value.kind === "range" || value.kind === "compare") this.numeric.add(j);
      if (value.kind === "cidr") this.ipv4.add(j);
    }
    // A term's SQL is NULL where it does not decide (an IPv6 address under CIDR()): unknown both ways.
    const p = termsSql(terms, { t: `t_${j}`, s: `s_${j}`, num: `d_${j}`, ip4: `i_${j}` });
    // Unknown (u), missing and maybe elsewhere (o, not m), or the value's own answer.
    return truth ? `(u_${j} OR (o_${j} AND NOT m_${j}) OR (NOT o_${j} AND coalesce(${p}, true)))` : `(u_${j} OR o_${j} OR NOT coalesce(${p}, false))`;
  }

  /**
   * A raw event's `source` and `status` are constants and it has no `host` or `service` (a CloudWatch line's come from
   * the line: not decided here); an archived log's are its own keys (strings only).
   */
  private reserved(term: Term, name: string, truth: boolean): string {
    const constant = (RAW_EVENT_RESERVED as Record<string, string | undefined>)[name];
    const onEvent = constant === undefined ? "false" : `coalesce(${stringPredicate(term.value, sqlString(constant))}, false)`;
    const v = this.archiveRef(jsonPointer([name]));
    const onArchive = `coalesce(left(CAST(${v} AS VARCHAR), 1) = '"' AND ${stringPredicate(term.value, `json_extract_string(${v}, '$')`)}, false)`;
    const decided = constant === undefined ? "kind IN ('event', 'archive')" : "kind IN ('event', 'wrapped', 'archive')";
    const value = `CASE kind WHEN 'archive' THEN ${onArchive} ELSE ${onEvent} END`;
    return `(NOT (${decided}) OR ${truth ? value : `NOT ${value}`})`;
  }

  /**
   * The exact strings one of which `path` must hold for `node` to match (a top-level AND child, or the node, that is
   * `@path:value` or an OR of such terms), with the column `w_<j>` to test them on; undefined when there is none.
   */
  public gate(node: QueryNode, path: readonly string[]): { readonly column: string; readonly values: readonly string[] } | undefined {
    const key = path.join("\0");
    const onPath = (c: QueryNode): c is AttributeTerm => c.kind === "term" && c.field.kind === "attribute" && c.field.path.join("\0") === key;
    const values = (c: QueryNode): string[] | undefined => {
      const terms = c.kind === "or" ? c.children : [c];
      if (!terms.every(onPath)) return undefined;
      const texts = terms.map((t) => (t.value.kind === "exact" ? t.value.text : undefined));
      return texts.every((t): t is string => t !== undefined && onlyStringText(t)) ? texts : undefined;
    };
    for (const c of node.kind === "and" ? node.children : [node]) {
      const v = values(c);
      const j = v === undefined ? undefined : this.field(path);
      if (v !== undefined && j !== undefined) {
        this.strings.add(j);
        return { column: `w_${j}`, values: v };
      }
    }
    return undefined;
  }

  /** The column number of an attribute the pass reads, or undefined. */
  private field(path: readonly string[]): number | undefined {
    const key = path.join("\0");
    const known = this.fields.get(key);
    if (known !== undefined) return known.j;
    if (BODY_ROOTS.has(path[0])) return undefined;
    const event = this.eventLeaf(path);
    const j = this.fields.size + 1;
    this.fields.set(key, { j, event, archive: this.archiveLeaf(path) });
    return j;
  }

  /**
   * The leaf of `path` in a raw event's normalized attributes (`normalizeAuditEvent`, as `audit-remap.ts` describes
   * it), or undefined when the pass does not read it exactly: a remapped root is read where the remapped value comes
   * from when that is one value of the event, with the condition under which the remapped key exists.
   */
  private eventLeaf(path: readonly string[]): Leaf | undefined {
    // `aws`: a CloudWatch line's envelope may give it; not read here.
    if (path[0] === "aws") return undefined;
    const root = AUDIT_REMAP[path[0]];
    if (root === undefined) return this.plainLeaf(path, [], (p) => this.eventRef(p));
    let field = root;
    for (let i = 1; ; i++) {
      const node = field.node;
      if (node.kind === "value") {
        if (i !== path.length || node.source.kind !== "event" || node.source.path.some((k) => typeof k !== "string")) return undefined;
        const from = node.source.path as readonly string[];
        const value = this.eventRef(jsonPointer(from));
        const when = field.when;
        // `http.method` (always) and `http.status_code` (when `responseStatus` has `code`): the remapped key exists
        // exactly when the source value does, and nothing else is searched (the root replaces the event's own).
        const same = (keys: readonly (string | number)[]) => keys.join("\0") === from.join("\0");
        if (root.when.kind === "always" && (when.kind === "always" || (when.kind === "hasKey" && same([...when.path, when.key])))) {
          return { value, missingIsAbsent: "true" };
        }
        // `usr.*` (when `user.username` is a string): known only then; otherwise the event's own `usr` is searched.
        if (root.when.kind === "isString" && same(root.when.path) && when.kind === "always") {
          return { value: `CASE WHEN left(CAST(${value} AS VARCHAR), 1) = '"' THEN ${value} END`, missingIsAbsent: "false" };
        }
        return undefined;
      }
      if (i === path.length) return undefined;
      const next: (typeof node.fields)[string] | undefined = node.fields[path[i]];
      // Only the last key's condition is read (above); a condition on the way is not.
      if (next === undefined || (next.when.kind !== "always" && i + 1 !== path.length)) return undefined;
      field = next;
    }
  }

  /** An archived log's attribute (`attributes` is an object: the classification checks it). */
  private archiveLeaf(path: readonly string[]): Leaf {
    return this.plainLeaf(path, ["attributes"], (p) => this.archiveRef(p));
  }

  /**
   * The value at a plain path of object keys under the object at `root`. Where the pointer finds a value, the JS walk
   * (`someAlong` of `evaluate.ts`) follows the same keys and finds exactly that value (dotted keys are tried only
   * where a plain key is missing). Where it finds none, the walk finds nothing either when the parent is an object
   * (read to check, for two keys), or when no key the walk could start with is in the root (`a`, `a.b`, `a.b.c`).
   * Values of three keys or more are not read (unknown), only their absence.
   */
  private plainLeaf(path: readonly string[], root: readonly string[], ref: (pointer: string) => string): Leaf {
    const starts = path.map((_, i) => `${ref(jsonPointer([...root, path.slice(0, i + 1).join(".")]))} IS NULL`).join(" AND ");
    if (path.length === 1) return { value: ref(jsonPointer([...root, ...path])), missingIsAbsent: "true" };
    if (path.length > 2) return { value: "NULL::JSON", missingIsAbsent: `(${starts})` };
    const parent = `left(CAST(${ref(jsonPointer([...root, path[0]]))} AS VARCHAR), 1) = '{'`;
    return { value: ref(jsonPointer([...root, ...path])), missingIsAbsent: `(${parent} OR (${starts}))` };
  }
}

/**
 * Order of a node among its siblings: terms on attributes first (one comparison each), then OR groups and other
 * nodes, reserved attributes last (the same for every raw event).
 */
function rank(node: QueryNode): number {
  if (node.kind !== "term") return 1;
  return node.field.kind === "attribute" ? (node.value.kind === "exact" ? 0 : 0.5) : 2;
}

/** Characters of the text JavaScript gives a number or a boolean (`String(v)`): `-1.5e+21`, `Infinity`, `true`. */
const NUMBER_OR_BOOLEAN_TEXT = /^[0-9.eE+\-Infinitytruefals]*$/;

/**
 * Some term's value holds for the value of type `t` and text `s` (`valuePredicate` of evaluate.ts, as `jsonPredicate`
 * of `sql.ts` compiles it), in cheaper SQL where that is the same: exact strings as one `IN`, a wildcard that is a
 * prefix, suffix or infix as `starts_with`/`ends_with`/`contains` (a number or boolean can only match when its text
 * could hold the literal), IPv4 `CIDR()` without regular expressions per block; an IPv6 address under `CIDR()` is not
 * decided (NULL).
 */
function termsSql(terms: readonly Term[], cols: { readonly t: string; readonly s: string; readonly num: string; readonly ip4: string }): string {
  const { t, s } = cols;
  const exact: string[] = [];
  const parts: string[] = [];
  for (const { value } of terms) {
    if (value.kind === "exact" && onlyStringText(value.text)) exact.push(value.text);
    else parts.push(cheapSql(value, cols));
  }
  if (exact.length > 0) parts.unshift(`(${t} = 'VARCHAR' AND ${inList(s, exact)})`);
  return parts.length === 1 ? parts[0] : `(${parts.join(" OR ")})`;
}

/** Text only a string can equal: not the spelling of a number or a boolean, and without NUL (`w_<j>`'s marker). */
function onlyStringText(text: string): boolean {
  return parseNumber(text) === undefined && text !== "true" && text !== "false" && !text.includes("\0");
}

/** `column` equal to one of the strings. */
function inList(column: string, values: readonly string[]): string {
  return values.length === 1 ? `${column} = ${sqlString(values[0])}` : `${column} IN (${values.map(sqlString).join(", ")})`;
}

/** A wildcard that is one literal with `*` before, after or both: the function testing it and the literal. */
function affix(value: QueryValue): { readonly fn: string; readonly literal: string } | undefined {
  if (value.kind !== "wildcard") return undefined;
  const m = /^(\.\*)?((?:[^\\.*?+()[\]{}|^$]|\\.)*)(\.\*)?$/s.exec(value.regexSource);
  if (m === null || m[2] === "" || (m[1] === undefined && m[3] === undefined)) return undefined;
  const literal = m[2].replace(/\\(.)/gs, "$1");
  return { fn: m[1] !== undefined && m[3] !== undefined ? "contains" : m[1] !== undefined ? "ends_with" : "starts_with", literal };
}

/**
 * Terms that only strings can satisfy (exact text that is not a number or boolean, an affix wildcard whose literal
 * could not be a number's or boolean's text) over `w` (`w_<j>` of `FieldFilter.derivedColumns`); undefined for others.
 */
function stringTermsSql(terms: readonly Term[], w: string): string | undefined {
  const exact: string[] = [];
  const parts: string[] = [];
  for (const { value } of terms) {
    const a = affix(value);
    if (value.kind === "exact" && onlyStringText(value.text)) exact.push(value.text);
    else if (a !== undefined && !NUMBER_OR_BOOLEAN_TEXT.test(a.literal) && !a.literal.includes("\0"))
      parts.push(`${a.fn}(${w}, ${sqlString(a.literal)})`);
    else return undefined;
  }
  if (exact.length > 0) parts.unshift(inList(w, exact));
  return parts.length === 1 ? parts[0] : `(${parts.join(" OR ")})`;
}

function cheapSql(value: QueryValue, cols: { readonly t: string; readonly s: string; readonly num: string; readonly ip4: string }): string {
  const { t, s } = cols;
  const a = affix(value);
  if (a !== undefined) {
    const onString = `(${t} = 'VARCHAR' AND ${a.fn}(${s}, ${sqlString(a.literal)}))`;
    return NUMBER_OR_BOOLEAN_TEXT.test(a.literal) ? `(${onString} OR (${t} <> 'VARCHAR' AND ${jsonPredicate(value, t, s)}))` : onString;
  }
  // Numbers and IPv4 addresses read once per line (`d_<j>`, `i_<j>`), not once per comparison.
  return jsonPredicate(value, t, s, cols.num, cols.ip4);
}

/** SQL epoch ms of a JSON time value as `toEpochMs` of `normalize.ts` reads it, for the spellings both read alike. */
function timeSql(x: string): string {
  return `CASE WHEN left(CAST(${x} AS VARCHAR), 1) = '"' THEN epoch_ms(TRY_CAST(json_extract_string(${x}, '$') AS TIMESTAMP))::DOUBLE
    ELSE TRY_CAST(${x} AS DOUBLE) END`;
}

/**
 * Whether the reference reads the JSON time value `x` as the pass does: missing, null, a number without an exponent, or
 * an RFC 3339 UTC string.
 */
function timeReadable(x: string): string {
  return `(${x} IS NULL OR CAST(${x} AS VARCHAR) = 'null' OR regexp_full_match(CAST(${x} AS VARCHAR), '-?\\d+(?:\\.\\d+)?')
    OR regexp_full_match(CAST(${x} AS VARCHAR), '${RFC3339_UTC}'))`;
}

/**
 * The candidates' condition, OR of `candidate(query)`, grouped so that most lines test a few gates instead of every
 * query: the queries that need one of some resources (`@objectRef.resource`) and verbs (`@http.method`) behind one
 * test of the line's pair against all their pairs, those that need only resources or only verbs behind one test of
 * the union, the rest as they are. A gate is only what its queries require, so it never drops a candidate.
 */
function gated(f: FieldFilter, nodes: readonly QueryNode[], candidate: (node: QueryNode) => string): string {
  const RESOURCE = ["objectRef", "resource"];
  const VERB = ["http", "method"];
  const groups = { both: [] as string[], resource: [] as string[], verb: [] as string[], none: [] as string[] };
  const pairs = new Set<string>();
  const resources = new Set<string>();
  const verbs = new Set<string>();
  let columns: { r?: string; v?: string } = {};
  for (const node of nodes) {
    const r = f.gate(node, RESOURCE);
    const v = f.gate(node, VERB);
    const c = candidate(node);
    if (r !== undefined) columns = { ...columns, r: r.column };
    if (v !== undefined) columns = { ...columns, v: v.column };
    if (r !== undefined && v !== undefined) {
      for (const a of r.values) for (const b of v.values) pairs.add(`${a}\u0001${b}`);
      groups.both.push(c);
    } else if (r !== undefined) {
      r.values.forEach((a) => resources.add(a));
      groups.resource.push(c);
    } else if (v !== undefined) {
      v.values.forEach((b) => verbs.add(b));
      groups.verb.push(c);
    } else groups.none.push(c);
  }
  const list = (column: string, xs: Iterable<string>) => inList(column, [...xs].sort());
  const any = (cs: readonly string[]) => cs.join("\n      OR ");
  const parts: string[] = [];
  if (groups.both.length > 0)
    parts.push(
      `((${columns.r} IS NULL OR ${columns.v} IS NULL OR ${list(`${columns.r} || chr(1) || ${columns.v}`, pairs)}) AND (${any(groups.both)}))`,
    );
  if (groups.resource.length > 0) parts.push(`((${columns.r} IS NULL OR ${list(columns.r ?? "", resources)}) AND (${any(groups.resource)}))`);
  if (groups.verb.length > 0) parts.push(`((${columns.v} IS NULL OR ${list(columns.v ?? "", verbs)}) AND (${any(groups.verb)}))`);
  parts.push(...groups.none);
  return parts.length === 0 ? "false" : `(${parts.join("\n    OR ")})`;
}

/** SQL: the event checks of `checkEvent` (normalize.ts) on a pointer list, with its times readable by the pass. */
function isEvent(ref: (key: string) => string): string {
  return `CAST(${ref("kind")} AS VARCHAR) = '"Event"' AND starts_with(CAST(${ref("apiVersion")} AS VARCHAR), '"audit.k8s.io/')
      AND left(CAST(${ref("verb")} AS VARCHAR), 1) = '"' AND ${timeReadable(ref("stageTimestamp"))} AND ${timeReadable(ref("requestReceivedTimestamp"))}`;
}

/** SQL: `x` holds a JSON value other than null. */
function present(x: string): string {
  return `(${x} IS NOT NULL AND CAST(${x} AS VARCHAR) <> 'null')`;
}

/**
 * SQL: the text may be one JSON object. DuckDB's reader also takes `NaN`, `Infinity` and trailing commas, which
 * `JSON.parse` refuses: such a line is an event here unless it is a candidate (then the reference decides). Neither
 * the API server nor Datadog writes them; testing every line for them cost as much as parsing it.
 */
function readable(text: string): string {
  return `length(${text}) <= ${MAX_EVENT_LINE_CHARS} AND starts_with(${text}, '{')`;
}

/**
 * Compiles the scan for the queries once: given `lines` (SQL of a relation with a VARCHAR column `line`, e.g. one
 * file), a `SELECT` with one row per non-blank line, in input order, with `kind` (`event`, `wrapped`, `archive`, `error`, `other`), `ts` (epoch ms; NULL for `other` and for events
 * without a time) and `line` (the text, for candidates only).
 *
 * Input order: the scan is made only of what DuckDB documents as keeping the row order (`SELECT`, `WHERE`, table
 * subqueries: "Order Preservation", https://duckdb.org/docs/stable/sql/dialect/order_preservation), so the table it
 * fills keeps the lines in order (its `rowid`). DuckDB would turn the long `IN` lists below into a join, which does not
 * keep the order: `BacktestDb` turns that rewrite off (`disabled_optimizers`).
 */
export function compileScan(nodes: readonly QueryNode[]): (lines: string) => string {
  const f = new FieldFilter();
  const h = (key: string) => f.ref(jsonPointer([key]));
  const e = (key: string) => f.eventRef(jsonPointer([key]));
  const hm = (key: string) => f.messageRef(jsonPointer([key]));
  // Per query: not known false by its fields, then its literals (`prefilter.ts`) on the lines left.
  const candidates = gated(
    f,
    nodes,
    (node) => `(${f.mightMatch(node)} AND (strpos(text, ${sqlString(ESCAPE_HATCH)}) > 0 OR ${queryNeedSql(node, "text")}))`,
  );
  for (const key of ["kind", "apiVersion", "verb", "stageTimestamp", "requestReceivedTimestamp", "_id", "date", "message", "timestamp"]) h(key);
  const pointers = `[${f.pointers.map(sqlString).join(", ")}]`;
  const archive = f.archivePointers;
  // The event's time: stageTimestamp, else requestReceivedTimestamp (`normalizeAuditEvent`), else a CloudWatch line's
  // `timestamp`; null counts as missing.
  const eventTs = ["stageTimestamp", "requestReceivedTimestamp"].map((k) => `WHEN ${present(e(k))} THEN ${timeSql(e(k))}`).join(" ");
  const layer = (columns: readonly string[], from: string) => `SELECT *${columns.map((c) => ",\n  " + c).join("")}\nFROM (${from})`;
  const parsed = `SELECT text, CASE WHEN ${readable("text")} THEN try(json_extract(text, ${pointers})) END AS h
  FROM (SELECT CASE WHEN starts_with(line, chr(65279)) THEN line[2:] ELSE line END AS text
    FROM bt_lines WHERE line IS NOT NULL AND NOT regexp_full_match(line, '${JS_SPACE}*'))`;
  // `isArchiveLine` (archive.ts), tested first as `readBacktestLine` does; else a CloudWatch line's message, parsed.
  const archived = `SELECT *, CASE WHEN h IS NOT NULL AND ${h("kind")} IS NULL AND ${h("apiVersion")} IS NULL AND strpos(text, '"attributes"') > 0
      AND (left(CAST(${h("_id")} AS VARCHAR), 1) = '"' OR ${h("date")} IS NOT NULL) THEN json_type(text, '/attributes') = 'OBJECT' ELSE false END AS is_archive
  FROM (${parsed})`;
  const message = `SELECT *, CASE WHEN m IS NOT NULL AND ${readable("m")} THEN try(json_extract(m, ${pointers})) END AS hm
  FROM (SELECT *, CASE WHEN NOT is_archive AND h IS NOT NULL AND ${h("kind")} IS NULL AND ${h("apiVersion")} IS NULL
      AND left(CAST(${h("message")} AS VARCHAR), 1) = '"' THEN json_extract_string(${h("message")}, '$') END AS m
    FROM (${archived}))`;
  const classified = `SELECT text, h, CASE
    WHEN length(text) > ${MAX_EVENT_LINE_CHARS} THEN 'error'
    WHEN h IS NULL THEN 'other'
    WHEN is_archive THEN CASE WHEN ${timeReadable(h("date"))} THEN 'archive' ELSE 'other' END
    WHEN ${h("kind")} IS NOT NULL OR ${h("apiVersion")} IS NOT NULL THEN CASE WHEN ${isEvent(h)} THEN 'event' ELSE 'other' END
    WHEN hm IS NOT NULL AND ${isEvent(hm)} AND ${timeReadable(h("timestamp"))} THEN 'wrapped'
    ELSE 'other' END AS kind,
    CASE WHEN hm IS NOT NULL THEN hm ELSE h END AS e
  FROM (${message})`;
  // The line's kind as two flags (every attribute column tests them) and an archived log's attributes, read.
  const withArchive = `SELECT *, kind IN ('event', 'wrapped') AS is_event, kind = 'archive' AS is_archive,
    ${archive.length === 0 ? "NULL::JSON[]" : `CASE WHEN kind = 'archive' THEN json_extract(text, [${archive.map(sqlString).join(", ")}]) END`} AS ha
  FROM (${classified})`;
  const typed = layer(f.typeColumns(), layer(f.oneValueColumns(), layer(f.valueColumns(), withArchive)));
  const derived = layer(f.derivedColumns(), typed);
  // The lines arrive as a common table expression (order-preserving, like the rest), so one text serves every file.
  const body = `SELECT kind,
  CASE kind WHEN 'event' THEN CASE ${eventTs} END
    WHEN 'wrapped' THEN CASE ${eventTs} WHEN ${present(h("timestamp"))} THEN ${timeSql(h("timestamp"))} END
    WHEN 'archive' THEN CASE WHEN ${present(h("date"))} THEN ${timeSql(h("date"))} END END AS ts,
  CASE WHEN kind = 'other' THEN text
    WHEN kind <> 'error' AND ${candidates} THEN text END AS line
FROM (${derived})`;
  return (lines) => `WITH bt_lines AS (${lines})\n${body}`;
}
