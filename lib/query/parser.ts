/**
 * Parser for Datadog's log search syntax, as Cloud SIEM log detection rules use it.
 *
 * Reference: Datadog docs "Log Search Syntax" (docs.datadoghq.com/logs/explorer/search_syntax/, source
 * `DataDog/documentation` `content/en/logs/explorer/search_syntax.md`). What is implemented, and what is rejected
 * with a `QuerySyntaxError`, is listed in `docs/detection-testing.md`.
 *
 * Grammar (operators are case-sensitive, as in Datadog):
 *
 *   query   := or EOF
 *   or      := and ("OR" and)*
 *   and     := unary (["AND"] unary)*          implicit AND between adjacent terms; AND binds tighter than OR
 *   unary   := "NOT" unary | "-" unary | primary
 *   primary := "(" or ")" | term
 *   term    := field ":" value | field ":" "(" valueOr ")" | word | "phrase" | "*"
 *   value   := "phrase" | word-with-wildcards | "*" | "[" lo "TO" hi "]" (or "{" "}" mixed) | (">"|">="|"<"|"<=") number
 *
 * Inside a value group `@attr:(a OR -b c)` the same boolean grammar applies to values, each bound to the field.
 */
import { parseCidr } from "./ip";
import { QueryField, QueryNode, QueryValue, ReservedAttribute } from "./ast";
import { QuerySyntaxError } from "./errors";

const RESERVED: ReadonlySet<string> = new Set<ReservedAttribute>(["source", "service", "host", "status"]);
const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/;
/** Characters that Datadog lists as special and that this engine does not give a meaning inside a word. */
const UNSUPPORTED_IN_WORD: ReadonlySet<string> = new Set(['"', "[", "]", "{", "}", "~", "^"]);

/** A word read from the query, with escapes resolved. */
interface Word {
  /** As written (escapes kept). */
  readonly raw: string;
  /** Escapes resolved, wildcards kept as characters. */
  readonly text: string;
  /** Anchorless regular-expression source where unescaped `*`/`?` are wildcards. */
  readonly regexSource: string;
  readonly hasWildcard: boolean;
  /** Offset of the first unescaped `:` (only when the word was not stopped at colons), else -1. */
  readonly colonAt: number;
}

function isWhitespace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r";
}

class Parser {
  private i = 0;

  public constructor(private readonly q: string) {}

  public parse(): QueryNode {
    this.skipWs();
    if (this.i >= this.q.length) {
      throw this.error(0, "the query is empty; write at least one term, or * to match every log");
    }
    const node = this.parseOr(null);
    this.skipWs();
    if (this.i < this.q.length) {
      // parseOr only stops early on ')'.
      throw this.error(this.i, "unmatched ')'");
    }
    return node;
  }

  private error(position: number, reason: string): QuerySyntaxError {
    return new QuerySyntaxError(this.q, position, reason);
  }

  private skipWs(): void {
    while (this.i < this.q.length && isWhitespace(this.q[this.i])) this.i++;
  }

  /** True when `kw` (AND, OR, NOT, TO) stands at the cursor as a whole word. */
  private atKeyword(kw: string): boolean {
    if (!this.q.startsWith(kw, this.i)) return false;
    const next = this.q[this.i + kw.length];
    return next === undefined || isWhitespace(next) || next === "(" || next === ")" || next === '"';
  }

  private parseOr(field: QueryField | null): QueryNode {
    const children: QueryNode[] = [this.parseAnd(field)];
    for (;;) {
      this.skipWs();
      if (!this.atKeyword("OR")) break;
      this.i += 2;
      children.push(this.parseAnd(field));
    }
    return children.length === 1 ? children[0] : { kind: "or", children };
  }

  private parseAnd(field: QueryField | null): QueryNode {
    const children: QueryNode[] = [this.parseUnary(field)];
    for (;;) {
      this.skipWs();
      if (this.i >= this.q.length || this.q[this.i] === ")" || this.atKeyword("OR")) break;
      if (this.atKeyword("AND")) {
        this.i += 3;
      }
      children.push(this.parseUnary(field));
    }
    return children.length === 1 ? children[0] : { kind: "and", children };
  }

  private parseUnary(field: QueryField | null): QueryNode {
    this.skipWs();
    const start = this.i;
    if (start >= this.q.length) {
      throw this.error(start, "expected a term, found the end of the query");
    }
    if (this.atKeyword("NOT")) {
      this.i += 3;
      return { kind: "not", child: this.parseUnary(field), position: start };
    }
    const c = this.q[start];
    if (c === "-") {
      const next = this.q[start + 1];
      if (next === undefined || isWhitespace(next)) {
        throw this.error(start, "'-' must be followed directly by the term it excludes (e.g. -@usr.id:x)");
      }
      this.i++;
      return { kind: "not", child: this.parseUnary(field), position: start };
    }
    if (this.q.startsWith("&&", start) || this.q.startsWith("||", start)) {
      throw this.error(start, `"${this.q.slice(start, start + 2)}" is not supported; use AND or OR`);
    }
    if (c === "!") {
      throw this.error(start, "'!' is not supported; use NOT or -");
    }
    if (c === "+") {
      throw this.error(start, "'+' (required term) is not supported; terms are already required (implicit AND)");
    }
    if (this.atKeyword("AND") || this.atKeyword("OR")) {
      throw this.error(start, `expected a term, found the operator ${this.atKeyword("AND") ? "AND" : "OR"}`);
    }
    if (this.atKeyword("TO")) {
      throw this.error(start, "'TO' is only allowed inside a range such as [100 TO 299]");
    }
    for (const lower of ["and", "or", "not"]) {
      if (this.atKeyword(lower)) {
        throw this.error(
          start,
          `lowercase "${lower}" would be searched as a word, not an operator (operators are case-sensitive); ` +
            `write ${lower.toUpperCase()}, or quote it ("${lower}") to search the word`,
        );
      }
    }
    if (c === "(") {
      this.i++;
      const inner = this.parseOr(field);
      this.skipWs();
      if (this.q[this.i] !== ")") {
        throw this.error(start, "'(' is never closed; add the matching ')'");
      }
      this.i++;
      return inner;
    }
    if (c === ")") {
      throw this.error(start, "expected a term, found ')'");
    }
    return field === null ? this.parseTopTerm() : this.parseValueAtom(field, start);
  }

  /** A term at the top level: `field:value`, `field:(group)`, a free-text word or phrase, or `*`. */
  private parseTopTerm(): QueryNode {
    const start = this.i;
    if (this.q[start] === '"') {
      const text = this.readQuoted();
      return {
        kind: "term",
        field: { kind: "message", text: "" },
        value: { kind: "exact", text, quoted: true },
        position: start,
        raw: this.q.slice(start, this.i),
      };
    }
    if (this.q[start] === "#") {
      throw this.error(start, "calculated fields (#name) are not supported; search an @attribute instead");
    }
    const word = this.readWord(true, start);
    const stop = this.q[this.i];
    if (stop === ":") {
      const field = this.makeField(word, start);
      this.i++;
      return this.parseFieldValue(field, start);
    }
    if (stop === "(" && word.raw === "CIDR") return this.parseCidr(start);
    if (word.raw.length === 0) {
      throw this.error(start, `expected a term, found ${JSON.stringify(stop ?? "")}`);
    }
    if (word.raw.startsWith("@")) {
      throw this.error(start, `attribute search ${word.raw} has no value; write ${word.raw}:<value>, or ${word.raw}:* for "exists"`);
    }
    if (word.raw === "*") {
      return { kind: "all", position: start };
    }
    return {
      kind: "term",
      field: { kind: "message", text: "" },
      value: word.hasWildcard
        ? { kind: "wildcard", text: word.text, regexSource: word.regexSource }
        : { kind: "exact", text: word.text, quoted: false },
      position: start,
      raw: word.raw,
    };
  }

  /** `CIDR(@attr, block, ...)` after the word `CIDR`, the cursor on `(`. */
  private parseCidr(start: number): QueryNode {
    const close = this.q.indexOf(")", this.i);
    if (close < 0) throw this.error(start, "CIDR( is never closed; write CIDR(@attribute, 10.0.0.0/8, ...)");
    const args = this.q
      .slice(this.i + 1, close)
      .split(",")
      .map((a) => a.trim());
    const attribute = args[0] ?? "";
    if (!/^@[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(attribute) || args.length < 2) {
      throw this.error(
        start,
        `CIDR() takes an @attribute, then one or more CIDR blocks, e.g. CIDR(@network.client.ip, 10.0.0.0/8); got ${JSON.stringify(this.q.slice(start, close + 1))}`,
      );
    }
    const blocks = args.slice(1).map((text) => {
      const block = parseCidr(text);
      if (block === undefined)
        throw this.error(
          start,
          `${JSON.stringify(text)} is not a CIDR block; write an IPv4 or IPv6 network and a prefix length, e.g. 10.0.0.0/8 or fc00::/7`,
        );
      return block;
    });
    this.i = close + 1;
    return {
      kind: "term",
      field: { kind: "attribute", path: attribute.slice(1).split("."), text: attribute },
      value: { kind: "cidr", blocks },
      position: start,
      raw: this.q.slice(start, close + 1),
    };
  }

  private makeField(word: Word, start: number): QueryField {
    const raw = word.raw;
    if (raw.length === 0) {
      throw this.error(start, "':' must follow a field name such as @usr.name, source or a tag key");
    }
    if (raw === "*") {
      throw this.error(start, "full-text search (*:value) is not supported; search a specific @attribute");
    }
    if (word.hasWildcard) {
      throw this.error(start, `wildcards in field names are not supported (field ${raw})`);
    }
    if (raw.startsWith("@")) {
      const path = splitPath(raw.slice(1));
      if (path.some((s) => s.length === 0)) {
        throw this.error(start, `attribute path ${raw} has an empty segment; write @a.b.c`);
      }
      return { kind: "attribute", path, text: raw };
    }
    if (RESERVED.has(raw)) {
      return { kind: "reserved", name: raw as ReservedAttribute, text: raw };
    }
    if (raw === "tags") {
      return { kind: "tags", text: raw };
    }
    return { kind: "tag", key: word.text.toLowerCase(), text: raw };
  }

  /** After `field:`; the value must follow the colon directly. */
  private parseFieldValue(field: QueryField, termStart: number): QueryNode {
    const c = this.q[this.i];
    if (c === undefined || isWhitespace(c) || c === ")") {
      throw this.error(this.i, `expected a value after ${field.text}:, found ${c === undefined ? "the end of the query" : JSON.stringify(c)}`);
    }
    if (c === "(") {
      const open = this.i;
      this.i++;
      this.skipWs();
      if (this.q[this.i] === ")") {
        throw this.error(open, `the value group of ${field.text} is empty`);
      }
      const inner = this.parseOr(field);
      this.skipWs();
      if (this.q[this.i] !== ")") {
        throw this.error(open, `the value group of ${field.text} is never closed; add the matching ')'`);
      }
      this.i++;
      return inner;
    }
    return this.parseValueAtom(field, termStart);
  }

  /** One value (no group) for `field`. `position` is where the term starts (field or value in a group). */
  private parseValueAtom(field: QueryField, position: number): QueryNode {
    const start = this.i;
    const c = this.q[start];
    let value: QueryValue;
    if (c === '"') {
      value = { kind: "exact", text: this.readQuoted(), quoted: true };
    } else if (c === "[" || c === "{") {
      value = this.readRange(field);
    } else if (c === ">" || c === "<") {
      const op = (this.q[start + 1] === "=" ? c + "=" : c) as ">" | ">=" | "<" | "<=";
      this.i += op.length;
      const numStart = this.i;
      const word = this.readWord(false, numStart);
      const bound = parseNumber(word.text);
      if (bound === undefined) {
        throw this.error(numStart, `expected a number after ${field.text}:${op}, found ${JSON.stringify(word.raw)}`);
      }
      value = { kind: "compare", op, bound };
    } else {
      const word = this.readWord(false, start);
      if (word.raw.length === 0) {
        throw this.error(start, `expected a value for ${field.text}, found ${JSON.stringify(c ?? "")}`);
      }
      if (word.colonAt >= 0) {
        throw this.error(
          word.colonAt,
          `unescaped ':' in the value ${word.raw} of ${field.text}; escape it (system\\:anonymous) or quote the value ("system:anonymous")`,
        );
      }
      if (word.raw === "*") {
        value = { kind: "exists" };
      } else if (word.hasWildcard) {
        value = { kind: "wildcard", text: word.text, regexSource: word.regexSource };
      } else {
        value = { kind: "exact", text: word.text, quoted: false };
      }
    }
    if (field.kind === "message" && value.kind !== "exact" && value.kind !== "wildcard") {
      throw this.error(start, "ranges and comparisons need a field, e.g. @http.status_code:[200 TO 299]");
    }
    return { kind: "term", field, value, position, raw: this.q.slice(start, this.i) };
  }

  private readRange(field: QueryField): QueryValue {
    const open = this.i;
    const lowerInclusive = this.q[open] === "[";
    this.i++;
    this.skipWs();
    const lowerWord = this.readBound(open);
    this.skipWs();
    if (!this.atKeyword("TO")) {
      throw this.error(this.i, `expected TO in the range of ${field.text} (write [100 TO 299])`);
    }
    this.i += 2;
    this.skipWs();
    const upperWord = this.readBound(open);
    this.skipWs();
    const close = this.q[this.i];
    if (close !== "]" && close !== "}") {
      throw this.error(this.i, `expected ']' or '}' to close the range of ${field.text}`);
    }
    this.i++;
    const lower = lowerWord === "*" ? null : lowerWord;
    const upper = upperWord === "*" ? null : upperWord;
    if (lower !== null && upper !== null) {
      const lo = parseNumber(lower);
      const hi = parseNumber(upper);
      if ((lo === undefined) !== (hi === undefined)) {
        throw this.error(open, `the range of ${field.text} mixes a number and a string bound (${lower} TO ${upper})`);
      }
    }
    return { kind: "range", lower, upper, lowerInclusive, upperInclusive: close === "]" };
  }

  private readBound(open: number): string {
    const start = this.i;
    let text = "";
    while (this.i < this.q.length) {
      const c = this.q[this.i];
      if (isWhitespace(c) || c === "]" || c === "}") break;
      if (c === "\\") {
        if (this.i + 1 >= this.q.length) throw this.error(this.i, "the query ends with a lone '\\'");
        text += this.q[this.i + 1];
        this.i += 2;
        continue;
      }
      text += c;
      this.i++;
    }
    if (text.length === 0) {
      throw this.error(start >= this.q.length ? open : start, "a range bound is missing (use * for an open bound)");
    }
    return text;
  }

  /** A double-quoted sequence; `\"` and `\\` are escapes. Returns the unescaped text. */
  private readQuoted(): string {
    const open = this.i;
    this.i++;
    let text = "";
    while (this.i < this.q.length) {
      const c = this.q[this.i];
      if (c === "\\") {
        if (this.i + 1 >= this.q.length) break;
        text += this.q[this.i + 1];
        this.i += 2;
        continue;
      }
      if (c === '"') {
        this.i++;
        return text;
      }
      text += c;
      this.i++;
    }
    throw this.error(open, "the quoted value is never closed; add the closing '\"'");
  }

  /**
   * Reads a word up to whitespace, '(' or ')' (and ':' when `stopAtColon`). Escaped characters (`\:`, `\ `,
   * `\*`) are literal. Rejects characters Datadog calls special that have no meaning here.
   */
  private readWord(stopAtColon: boolean, start: number): Word {
    let text = "";
    let regexSource = "";
    let hasWildcard = false;
    let colonAt = -1;
    while (this.i < this.q.length) {
      const c = this.q[this.i];
      if (c === "\\") {
        if (this.i + 1 >= this.q.length) throw this.error(this.i, "the query ends with a lone '\\'");
        const e = this.q[this.i + 1];
        text += e;
        regexSource += REGEX_SPECIAL.test(e) ? "\\" + e : e;
        this.i += 2;
        continue;
      }
      if (isWhitespace(c) || c === "(" || c === ")") break;
      if (c === ":") {
        if (stopAtColon) break;
        if (colonAt < 0) colonAt = this.i;
      }
      if (UNSUPPORTED_IN_WORD.has(c)) {
        throw this.error(
          this.i,
          `unescaped ${JSON.stringify(c)} inside ${JSON.stringify(this.q.slice(start, this.i + 1))}; escape it with '\\' or quote the value`,
        );
      }
      if (c === "*") {
        hasWildcard = true;
        regexSource += ".*";
      } else if (c === "?") {
        hasWildcard = true;
        regexSource += ".";
      } else {
        regexSource += REGEX_SPECIAL.test(c) ? "\\" + c : c;
      }
      text += c;
      this.i++;
    }
    return { raw: this.q.slice(start, this.i), text, regexSource, hasWildcard, colonAt };
  }
}

/** Splits `a.b\.c` into `["a", "b.c"]`, resolving escapes. */
function splitPath(raw: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\" && i + 1 < raw.length) {
      cur += raw[i + 1];
      i++;
    } else if (c === ".") {
      out.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a bound or value denotes, or `undefined` when it is not a plain decimal number. */
export function parseNumber(text: string): number | undefined {
  return NUMBER_RE.test(text) ? Number(text) : undefined;
}

/**
 * Parses a Datadog log search query.
 *
 * @throws QuerySyntaxError with a 0-based `position` for malformed or unsupported syntax.
 */
export function parseQuery(query: string): QueryNode {
  return new Parser(query).parse();
}
