/**
 * Query values as DuckDB SQL, with the semantics of the JS reference evaluator `lib/query/evaluate.ts`
 * (`valuePredicate`): the building blocks of the backtest scan (`scan.ts`), which decides with them, for the values it
 * reads, whether a line can match a query. The differential test `__tests__/backtest-differential.test.ts` holds the
 * two together.
 *
 * - `@attr` values case-sensitive, reserved attributes and tags case-insensitive, numbers compared as numbers when the
 *   query value is a number, booleans by their spelling, wildcards as anchored RE2 patterns, ranges numeric or by
 *   string order, IPv4 `CIDR()` blocks as integer prefixes.
 *
 * Known differences (documented in `docs/backtest.md`; the random generator of the differential test stays inside
 * them): `?` against characters outside the Basic Multilingual Plane (RE2 counts code points, JS regexes without `u`
 * count UTF-16 units); the JS spelling of numbers in exponent form (`1e-7`) under wildcards.
 */
import type { QueryValue } from "../query";
import { parseNumber } from "../query/parser";

/** A SQL string literal (DuckDB: `'` doubled, backslashes literal). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A double as SQL: JavaScript's spelling, parsed by DuckDB (`Infinity` included). */
function sqlDouble(n: number): string {
  return `CAST(${sqlString(String(n))} AS DOUBLE)`;
}

/** `NUMBER_RE` of `lib/query/parser.ts` (`parseNumber`), in RE2 syntax. */
const NUMBER_RE = "[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?";
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
  // An IPv4 address as an integer, as `parseIp` of lib/query/ip.ts reads it (four parts of 1 to 3 digits, each at
  // most 255), else NULL.
  `CREATE OR REPLACE MACRO bt_ip4v(s) AS CASE WHEN regexp_full_match(s, '(?:[01]?\\d?\\d|2[0-4]\\d|25[0-5])(?:\\.(?:[01]?\\d?\\d|2[0-4]\\d|25[0-5])){3}')
    THEN CAST(split_part(s, '.', 1) AS BIGINT) * 16777216 + CAST(split_part(s, '.', 2) AS BIGINT) * 65536
      + CAST(split_part(s, '.', 3) AS BIGINT) * 256 + CAST(split_part(s, '.', 4) AS BIGINT) END`,
];

/**
 * `CIDR(@attr, blocks...)` as `inCidrBlocks` of `lib/query/ip.ts`, for a string whose IPv4 integer is `ip4`
 * (`bt_ip4v`): IPv4 blocks as integer prefixes; an address with `:` (IPv6) is not decided here (NULL).
 */
function cidrSql(value: Extract<QueryValue, { kind: "cidr" }>, s: string, ip4: string): string {
  const blocks = value.blocks
    .filter((b) => b.family === 4)
    .map((b) => (b.prefix === 0 ? `${ip4} IS NOT NULL` : `${ip4} // ${2 ** (32 - b.prefix)} = ${Number(b.network) / 2 ** (32 - b.prefix)}`));
  return `CASE WHEN contains(${s}, ':') THEN NULL ELSE coalesce(${blocks.join(" OR ") || "false"}, false) END`;
}

/** RE2 pattern of a wildcard value, anchored by `regexp_full_match`; `(?s)`: `.` also matches line breaks. */
function wildcardPattern(value: Extract<QueryValue, { kind: "wildcard" }>, caseInsensitive: boolean): string {
  return `(?s${caseInsensitive ? "i" : ""})(?:${value.regexSource})`;
}

/**
 * `valuePredicate(value, false)` of evaluate.ts over one JSON value given as its type `t` (`bt_type`) and text `s`
 * (SQL NULL counts as false, except an undecided IPv6 `CIDR()`); `num` and `ip4` are its number (`bt_num`) and IPv4
 * integer (`bt_ip4v`), passed in to read them once per value.
 */
export function jsonPredicate(value: QueryValue, t: string, s: string, num = `bt_num(${t}, ${s})`, ip4 = `bt_ip4v(${s})`): string {
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
      return `${num} ${value.op} ${sqlDouble(value.bound)}`;
    case "cidr":
      return `CASE WHEN ${t} = 'VARCHAR' THEN ${cidrSql(value, s, ip4)} ELSE false END`;
    case "range": {
      const numeric = rangeNumeric(value);
      if (numeric !== undefined) return numeric(num);
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
      return cidrSql(value, s, `bt_ip4v(${s})`);
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
