/**
 * Terraform's template syntax in the strings of a configuration, read and written in one place.
 *
 * Every string of Terraform's JSON syntax, object keys included, and every quoted string or heredoc of HCL is a
 * template: `${ expression }` interpolates and `%{ directive }` controls, and `$${` and `%%{` stand for a literal `${`
 * and `%{` (https://developer.hashicorp.com/terraform/language/expressions/strings#string-templates,
 * https://developer.hashicorp.com/terraform/language/syntax/json#expression-mapping). Checked with terraform 1.11:
 * `"$$${x}"` is the text `$${x}`, a key `"k$${y}"` is the key `k${y}`, `lower("$${q}%%{z}")` is `${q}%{z}`.
 */

/** `${` or `%{`: where a template sequence starts unless escaped. */
const TEMPLATE_START = /([$%])\{/g;

/** `text` as Terraform template text that reads as `text` itself: `${` → `$${`, `%{` → `%%{` (nothing else changes). */
export function escapeTemplateSequences(text: string): string {
  return text.replace(TEMPLATE_START, "$1$1{");
}

/**
 * A JSON value (string, number, boolean, null, list, object) written as an HCL expression literal whose strings read
 * as their own text: JSON syntax is HCL's too, except that HCL strings are templates (escaped here) and have no `\b`
 * or `\f` escape (written `\u0008`, `\u000c`).
 */
export function hclLiteral(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new Error(`hclLiteral: ${typeof value} is not a JSON value`);
  return escapeTemplateSequences(json).replace(/\\[\\bf]/g, (e) => (e === "\\b" ? "\\u0008" : e === "\\f" ? "\\u000c" : e));
}

/** A run of literal text (`$${` and `%%{` read as `${` and `%{`), or one template sequence. */
export type TemplatePart =
  | { readonly literal: string }
  | {
      /** `${` (interpolation) or `%{` (directive). */
      readonly start: "${" | "%{";
      /** The text between the start and its closing brace. */
      readonly expression: string;
      /** False when the closing brace is missing (Terraform refuses the string). */
      readonly terminated: boolean;
    };

/** The index of the `}` that closes a sequence whose text starts at `from` (braces balanced, quoted strings skipped). */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  let quoted = false;
  for (let j = from; j < s.length; j++) {
    const c = s[j];
    if (quoted) {
      if (c === "\\") j++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return j;
  }
  return -1;
}

/** Splits a template string into literal text (escapes read) and template sequences, as Terraform reads it. */
export function templateParts(s: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if ((c === "$" || c === "%") && s[i + 1] === c && s[i + 2] === "{") {
      literal += `${c}{`;
      i += 3;
    } else if ((c === "$" || c === "%") && s[i + 1] === "{") {
      if (literal !== "") parts.push({ literal });
      literal = "";
      const end = closingBrace(s, i + 2);
      parts.push({ start: c === "$" ? "${" : "%{", expression: s.slice(i + 2, end === -1 ? s.length : end), terminated: end !== -1 });
      i = end === -1 ? s.length : end + 1;
    } else {
      literal += c;
      i++;
    }
  }
  if (literal !== "") parts.push({ literal });
  return parts;
}

/** A JSON path as messages show it: `resource.aws_iam_role.x.name`, `[0]` for list items, `["a.b"]` for odd keys. */
export function jsonPath(path: readonly (string | number)[]): string {
  return path
    .map((k, i) => (typeof k === "number" ? `[${k}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? `${i === 0 ? "" : "."}${k}` : `[${JSON.stringify(k)}]`))
    .join("");
}

/** One template sequence of a JSON document, with where it is. */
export interface FoundSequence {
  /** Path of the string (for a key: of the object holding it, then the key). */
  readonly path: readonly (string | number)[];
  /** The whole string the sequence is in. */
  readonly text: string;
  readonly sequence: Extract<TemplatePart, { start: string }>;
}

/**
 * Every template sequence in the strings and object keys of a Terraform JSON document, in document order. `"//"`
 * properties are comments Terraform does not read (JSON syntax spec) and are skipped.
 */
export function templateSequences(json: unknown): FoundSequence[] {
  const found: FoundSequence[] = [];
  const inString = (text: string, path: readonly (string | number)[]): void => {
    if (!text.includes("{")) return;
    for (const part of templateParts(text)) if (!("literal" in part)) found.push({ path, text, sequence: part });
  };
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === "string") inString(value, path);
    else if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i]));
    else if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        if (k === "//") continue;
        inString(k, [...path, k]);
        visit(v, [...path, k]);
      }
    }
  };
  visit(json, []);
  return found;
}
