/**
 * Text is literal: every string a user types (config file, CLI argument, rule file, a construct's props) reaches
 * Terraform as its own text, never as a template that Terraform evaluates at plan time (`${file("/etc/hostname")}`,
 * `${var.datadog_api_key}`, `%{ if ... }`).
 *
 * Where: once per stack, at the output boundary, not per field and not when the config is loaded. Escaping at load
 * time would put `$${` into the validated model, and every check that reads the model (length limits, query
 * parsing, the offline rule engine, `rules match --config`, the review tool) would see altered text. At the
 * boundary the text is still told apart from what the constructs wrote: cdktf represents every reference a
 * construct makes (`resource.arn`, a variable's value, an expression) as a token, written `${TfToken[TOKEN.n]}` in
 * a string until the stack resolves it (cdktf `lib/tokens/private/encoding.ts`). So in an element's Terraform
 * before resolution, a `${` or `%{` outside a token marker is always text, and {@link literalFragment} escapes it
 * there; the project's base stack (`SiemStack`, lib/siem-stack.ts) passes every element's fragment through it, for
 * the JSON and the HCL output alike. What the constructs mean as an
 * expression they write as a token ({@link terraformExpression}), with any text inside it written by
 * `hclLiteral` (lib/terraform-template.ts), which escapes the same way.
 *
 * Text that other systems read as variables is text to Terraform and written as typed: IAM policy variables
 * (`${aws:username}` reaches IAM as is, since Terraform reads the escaped `$${aws:username}` as that text) and Datadog's
 * `{{...}}` message variables (not Terraform syntax at all).
 *
 * cdktf's own `Fn.rawString` and the string arguments of its `Fn.*` expressions escape `${` only
 * (`escapeString` in cdktf `lib/tfExpression.ts`), not `%{`; this project writes no `Fn.*`.
 *
 * The invariant is then checked on the finished JSON of the stack: every template sequence left in it must be one
 * the constructs write (`foreignTemplates`, lib/self-contained-stack.ts); any other stops the synth naming the stack
 * and the JSON path.
 *
 * Not covered: stack-level overrides (`stack.addOverride`), which are code's raw escape hatch (the invariant still
 * checks them), and cdktf's token marker text itself typed as a value (`${TfToken[TOKEN.1]}`), which the config
 * refuses (config/dsl.ts).
 */
import { IResolvable, Token, Tokenization } from "cdktf";

/** cdktf's string token marker (`${TfToken[TOKEN.12]}`; cdktf `lib/tokens/private/encoding.ts`). */
const STRING_TOKEN_MARKER = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

/**
 * An escaped `${`, as a token. Written as `$${` into a string that also holds a reference, the `${` would still be
 * read by cdktf's resolver as the start of an expression (its "escape" fragments) and change how the references
 * after it are written; a token is invisible to that.
 */
const ESCAPED_INTERPOLATION_START: IResolvable = {
  creationStack: [],
  resolve: () => "$${",
  toString: () => "$${",
};
let escapedStartMarker: string | undefined;

/** Escapes the text (not the token markers) of one string: `${` → `$${` (as a token), `%{` → `%%{`. */
function literalString(s: string): string {
  if (!s.includes("{")) return s;
  escapedStartMarker ??= Token.asString(ESCAPED_INTERPOLATION_START);
  const marker = escapedStartMarker;
  let out = "";
  let last = 0;
  const text = (t: string): string => t.replace(/%\{/g, "%%{").replace(/\$\{/g, marker);
  for (const m of s.matchAll(STRING_TOKEN_MARKER)) {
    out += text(s.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + text(s.slice(last));
}

/** Escapes every string and object key of an element's unresolved Terraform (JSON or HCL fragment); tokens kept. */
export function literalFragment<T>(value: T): T {
  const visit = (v: unknown): unknown => {
    if (typeof v === "string") return literalString(v);
    if (Array.isArray(v)) return v.map(visit);
    if (typeof v !== "object" || v === null || Tokenization.isResolvable(v)) return v;
    // Only plain objects: anything else (a class instance cdktf resolves itself) is left as it is.
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => (k === "//" ? [k, x] : [literalString(k), visit(x)])));
  };
  return visit(value) as T;
}

/** An HCL expression the construct means as one, e.g. `sort(data.x.y.rules[*].name)`, as a token: kept as written. */
export function terraformExpression(expression: string): string {
  const text = `\${${expression}}`;
  return Token.asString({ creationStack: [], resolve: () => text, toString: () => text } satisfies IResolvable);
}
