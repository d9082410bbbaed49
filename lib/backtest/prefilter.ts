/**
 * A raw-text prefilter for the backtest: from each query's AST (`lib/query`), a condition on the line's text that
 * every line matching the query satisfies, so lines that fail it for every query are never parsed for evaluation.
 *
 * A term `@attr:value` can only match when the value's literal text is in the line: the engine (`evaluate.ts`)
 * compares attribute values case-sensitively, so a string value is in the JSON text as it is, except where JSON
 * escapes it. The condition is built to be necessary, never sufficient:
 *
 * - a string value equal to a literal starts right after a quote: the first piece keeps it (`"exec`);
 * - literals are split at the characters JSON may escape (`"`, `\`, `/`, control characters; a value inside a
 *   CloudWatch line's `message` string is escaped twice), and each piece must be in the line;
 * - any character can be written `\uXXXX`: a line containing `\u` is always a candidate;
 * - a number (`@http.status_code:403`) matches every JSON number equal to it: its shortest spelling (`403`) is in any
 *   spelling without an exponent and with at most 15 significant digits; a line with a number in exponent form, 16 or
 *   more digits in a row, or `0.000000` stays a candidate (`NUMBER_HATCH`); the same holds for wildcard pieces made
 *   of number characters (a number's text is `String(n)` under wildcards);
 * - every segment of an attribute path is (part of) a key in the line, except under the roots a raw event's
 *   normalization derives from other keys (`http`, `usr`, `network`, `aws`);
 * - wildcards give their literal pieces; ranges, comparisons, CIDR, existence, negations, reserved attributes, tags,
 *   free text and `@http.url_details.queryString.*` (URL-decoded from `requestURI`) give no literal: a query with
 *   no literal in some branch makes every line a candidate.
 *
 * The SQL uses only `strpos` and `regexp_like`, which DuckDB (with the `regexp_like` macro of `PREFILTER_MACROS`)
 * and Amazon Athena (Trino) share, so the same text filters an archive there (`athena.ts`; the DuckDB scan tests the
 * attributes it reads first, `scan.ts`).
 */
import type { QueryNode, QueryValue } from "../query";
import { parseNumber } from "../query/parser";
import { AUDIT_REMAP } from "./audit-remap";
import { sqlString } from "./sql";

/** What a matching line must contain: nothing (`any`), a literal, all or some of several conditions. */
export type TextNeed =
  | { readonly kind: "any" }
  | { readonly kind: "atom"; readonly text: string; readonly numeric: boolean }
  | { readonly kind: "all" | "some"; readonly children: readonly TextNeed[] };

const ANY: TextNeed = { kind: "any" };

/** Attribute roots a raw event's normalization builds from other keys (`audit-remap.ts`; `aws` from `logGroupName`). */
const DERIVED_ROOTS = new Set([...Object.keys(AUDIT_REMAP), "aws"]);

/** Characters JSON may write escaped (RFC 8259 section 7: `"`, `\`, controls; `/` optionally). */
// eslint-disable-next-line no-control-regex
const ESCAPABLE = /["\\/\u0000-\u001f]/;

/** Characters a number's JavaScript spelling can contain (`-1.5e+21`, `Infinity`). */
const NUMBER_CHARS = /^[0-9.eE+\-Infinity]+$/;

/**
 * Lines where a number may be spelled so that its shortest text is not in the line: a JSON number (after `:`, `,` or
 * `[`) in exponent form, with 16 or more digits (rounding), or starting `0.000000` (JavaScript spells such small
 * numbers `1e-7`). Only number tokens matter: strings equal a number's query text only as text.
 */
export const NUMBER_HATCH = "[:,\\[][ \\t\\r\\n]*-?(?:[0-9][0-9.]*[eE]|[0-9.]{16}|0\\.000000)";

/** Lines where any literal may be hidden: a `\u` escape. */
export const ESCAPE_HATCH = "\\u";

/** Macros that give DuckDB the `regexp_like` of Trino, so the prefilter text is the same for both. */
export const PREFILTER_MACROS = ["CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)"];

/** The pieces of `text` between characters JSON may escape; `quoted`: `text` starts with a string's opening quote. */
function atoms(text: string, numeric: boolean, quoted = false): TextNeed {
  const split = (quoted ? text.slice(1) : text).split(ESCAPABLE);
  if (quoted) split[0] = `"${split[0]}`;
  const pieces = split.filter((p) => p !== "");
  if (pieces.length === 0) return ANY;
  const list = pieces.map((p): TextNeed => ({ kind: "atom", text: p, numeric: numeric || NUMBER_CHARS.test(p) }));
  return list.length === 1 ? list[0] : { kind: "all", children: list };
}

/** A need's identity (to drop repeated children). */
const keyOf = (n: TextNeed): string => JSON.stringify(n);

function unique(children: readonly TextNeed[]): TextNeed[] {
  const seen = new Set<string>();
  return children.filter((c) => !seen.has(keyOf(c)) && seen.add(keyOf(c)) !== undefined);
}

function all(children: readonly TextNeed[]): TextNeed {
  const kept = unique(children.flatMap((c) => (c.kind === "any" ? [] : c.kind === "all" ? c.children : [c])));
  if (kept.length === 0) return ANY;
  return kept.length === 1 ? kept[0] : { kind: "all", children: kept };
}

function some(children: readonly TextNeed[]): TextNeed {
  if (children.length === 0 || children.some((c) => c.kind === "any")) return ANY;
  const flat = unique(children.flatMap((c) => (c.kind === "some" ? c.children : [c])));
  return flat.length === 1 ? flat[0] : { kind: "some", children: flat };
}

/** The literal pieces of a wildcard pattern (from its regular-expression source, where `*`/`?` are `.*`/`.`). */
function wildcardPieces(regexSource: string): string[] {
  const pieces: string[] = [];
  let cur = "";
  for (let i = 0; i < regexSource.length; i++) {
    const c = regexSource[i];
    if (c === "\\" && i + 1 < regexSource.length) {
      cur += regexSource[++i];
    } else if (c === ".") {
      if (regexSource[i + 1] === "*") i++;
      pieces.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  pieces.push(cur);
  return pieces.filter((p) => p !== "");
}

function valueNeed(value: QueryValue): TextNeed {
  switch (value.kind) {
    case "exact": {
      const n = parseNumber(value.text);
      if (n === undefined) {
        // A string equal to the text starts right after its opening quote (`"tor"`, or `\"tor\"` inside a CloudWatch
        // message): `"tor` is far rarer than `tor` (in `monitoring`). Booleans are written without quotes, and a
        // number is `Infinity` as text (`1e999`).
        const t = value.text;
        if (t === "" || ["true", "false", "Infinity", "-Infinity"].includes(t) || ESCAPABLE.test(t[0])) return atoms(t, false);
        return atoms(`"${t}`, false, true);
      }
      // A number matches numbers equal to it (any spelling) and the string of the query's own text.
      const shortest = String(n);
      if (/[eE]|Infinity|NaN/.test(shortest)) return ANY;
      const asNumber: TextNeed = { kind: "atom", text: shortest, numeric: true };
      return value.text.includes(shortest) ? asNumber : some([asNumber, atoms(value.text, false)]);
    }
    case "wildcard":
      return all(wildcardPieces(value.regexSource).map((p) => atoms(p, false)));
    default:
      return ANY;
  }
}

/** What every line matching `node` contains (see the module comment). */
export function textNeed(node: QueryNode): TextNeed {
  switch (node.kind) {
    case "all":
    case "not":
      return ANY;
    case "and":
      return all(node.children.map(textNeed));
    case "or":
      return some(node.children.map(textNeed));
    case "term": {
      const f = node.field;
      if (f.kind !== "attribute") return ANY;
      // The query string of a raw event's requestURI is URL-decoded (`%xx`, `+`): its literals may not be in the line.
      if (f.path[0] === "http" && f.path[1] === "url_details" && f.path[2] === "queryString") return ANY;
      // Every segment is (part of) an object key on the way (`someAt` of evaluate.ts follows keys, dotted keys
      // included), except under the roots a raw event gets from other keys (`audit-remap.ts`, the envelope's `aws`).
      // The keys only where the value gives no literal (`@impersonatedUser.username:*`): a value is rarer.
      const value = valueNeed(node.value);
      if (value.kind !== "any" || DERIVED_ROOTS.has(f.path[0])) return value;
      return all(f.path.map((segment) => atoms(segment, false)));
    }
  }
}

/**
 * The clause of a need checked first: literals one of which every matching line contains (an `all` keeps its child
 * with the fewest, a `some` all of its children's).
 */
function primary(need: TextNeed): readonly string[] {
  switch (need.kind) {
    case "any":
      return [];
    case "atom":
      return [need.text];
    case "some":
      return [...new Set(need.children.flatMap(primary))];
    case "all":
      return need.children.map(primary).reduce((best, p) => (p.length < best.length ? p : best));
  }
}

/** A literal in a regular expression (RE2 and Java both read `\\` + punctuation as the character itself). */
function regexLiteral(atom: string): string {
  return atom.replace(/[^\p{L}\p{N}_ ]/gu, (c) => "\\" + c);
}

function atomSql(atom: string, text: string): string {
  return `strpos(${text}, ${sqlString(atom)}) > 0`;
}

/** Children of an `all` tested in SQL: the first few (leaving out conditions of an AND keeps it necessary). */
const MAX_ALL_CHILDREN = 2;

/** The literals of a need as SQL; a numeric literal's hatch (`NUMBER_HATCH`) is tested once per line, apart. */
function needSql(need: TextNeed, text: string): string {
  switch (need.kind) {
    case "any":
      return "true";
    case "atom":
      return atomSql(need.text, text);
    case "some":
      return `(${need.children.map((c) => needSql(c, text)).join(" OR ")})`;
    case "all": {
      const first = need.children.slice(0, MAX_ALL_CHILDREN);
      return first.length === 1 ? needSql(first[0], text) : `(${first.map((c) => needSql(c, text)).join(" AND ")})`;
    }
  }
}

/** A query's whole literal condition in SQL over `text` (`true` when it has none; numbers' hatch included). */
export function queryNeedSql(node: QueryNode, text: string): string {
  const need = textNeed(node);
  return hasNumeric(need) ? `(${needSql(need, text)} OR ${numberHatchSql(text)})` : needSql(need, text);
}

function numberHatchSql(text: string): string {
  return `regexp_like(${text}, ${sqlString(NUMBER_HATCH)})`;
}

function hasNumeric(need: TextNeed): boolean {
  if (need.kind === "atom") return need.numeric;
  return need.kind !== "any" && need.children.some(hasNumeric);
}

/**
 * The prefilter over the VARCHAR expression `text`: true for every line that could match one of the queries; a query
 * without literals makes every line a candidate (`true`).
 */
export function prefilterSql(nodes: readonly QueryNode[], text: string): string {
  const needs = nodes.map(textNeed);
  if (needs.length === 0) return "false";
  const sql = needs.map((n) => needSql(n, text));
  if (sql.includes("true")) return "true";
  // A line with an escape, or with a number a numeric literal may not show, is a candidate of every query.
  const hatch = `strpos(${text}, ${sqlString(ESCAPE_HATCH)}) > 0${needs.some(hasNumeric) ? ` OR ${numberHatchSql(text)}` : ""}`;
  // First one pass for the union of the queries' first clauses, then each query's whole need on the lines left.
  const first = [...new Set(needs.flatMap(primary))].sort();
  const full = [...new Set(sql)].join("\n  OR ");
  // One regular expression of alternatives scans a line once (40 `strpos` cost about 15 times as much in DuckDB).
  const coarse = `regexp_like(${text}, ${sqlString(first.map(regexLiteral).join("|"))})`;
  return `(${hatch} OR (${coarse} AND (${full})))`;
}
