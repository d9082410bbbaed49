import { TerraformStack } from "cdktf";
import { resolveInStack } from "../stack-resolve";
import { escapeTemplateSequences, hclLiteral, templateParts } from "../terraform-template";
import { isObject as isRecord } from "../is-object";

/**
 * HCL output (`cdktf synth --hcl`) that Terraform parses.
 *
 * cdktf 0.21's HCL renderer (hashicorp/terraform-cdk `packages/cdktf/lib/hcl/render.ts`, archived, never to be fixed)
 * writes strings between quotes without escaping backslashes (a rule query `@usr.name:system\:*` becomes an invalid
 * escape), leaves quotes unescaped in strings that hold a `${...}` reference (a JSON policy with a reference becomes
 * garbage), and renders the `terraform` block's plain attributes by their index (`0 = "required_version"`).
 * The project's base stack (`SiemStack`, lib/siem-stack.ts) renders its HCL through these steps:
 *
 * - {@link hclElementFragment}: strings are escaped for HCL's quoted template syntax (backslashes, quotes),
 *   references kept, and literal text (`$${`, `%%{`: lib/literal-text.ts) stays literal; JSON documents (IAM
 *   policies, the dashboard) become `jsonencode({ ... })` of an HCL object, references as expressions, so they read
 *   as objects and diff as objects;
 * - {@link fixTerraformBlock}: `terraform` block attributes (`required_version`) are written by name;
 * - {@link droppedOverrideProblem}: what cannot be rendered (stack-level overrides outside `terraform`, which cdktf
 *   drops) is refused with one line naming it and the JSON alternative.
 *
 * The JSON output (`cdk.tf.json`, the default) is not touched.
 */

/**
 * The one-line refusal for stack-level overrides (`stack.addOverride`) that cdktf's HCL renderer drops (all but
 * `terraform`), or undefined when there is none.
 */
export function droppedOverrideProblem(stackId: string, overrideKeys: readonly string[]): string | undefined {
  const dropped = overrideKeys.filter((k) => k !== "terraform");
  if (dropped.length === 0) return undefined;
  return `cdktf synth --hcl cannot render the stack-level override "${dropped[0]}" of stack ${stackId} (cdktf 0.21 drops it); use the JSON output instead: cdktf synth (or npm run synth) without --hcl`;
}

/**
 * One element's HCL fragment (`element.toHclTerraform()`) resolved in `stack`, so references are real expressions
 * rather than token placeholders, with its strings rewritten (see the module comment).
 */
export function hclElementFragment(fragment: unknown, stack: TerraformStack): unknown {
  return fixFragment(resolveInStack(fragment, stack));
}

export { templateParts };

/**
 * The content of an HCL quoted template for `s` (a string of the JSON output): literal text escaped for HCL
 * (backslashes, quotes, and `$${`/`%%{` kept as escapes), template sequences kept.
 */
export function quotedTemplate(s: string): string {
  if (s.includes("\n")) return s; // cdktf writes multi-line strings as heredocs, which take backslashes literally
  return templateParts(s)
    .map((p) => ("literal" in p ? escapeTemplateSequences(p.literal.replace(/\\/g, "\\\\").replace(/"/g, '\\"')) : `${p.start}${p.expression}}`))
    .join("");
}

/** An HCL expression for a string that may hold references: `"text"`, `ref`, or `join("", [...])`. */
function stringExpression(s: string): string {
  const parts = templateParts(s);
  if (parts.some((p) => "start" in p && p.start === "%{")) return `"${quotedTemplate(s)}"`;
  const rendered = parts.map((p) => ("literal" in p ? hclLiteral(p.literal) : p.expression));
  if (parts.length === 0) return '""';
  return rendered.length === 1 ? rendered[0] : `join("", [${rendered.join(", ")}])`;
}

/** An HCL expression for a JSON value, on several lines, references as expressions (no `${` anywhere). */
export function hclExpression(value: unknown, indent = ""): string {
  const inner = `${indent}  `;
  if (typeof value === "string") return stringExpression(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${inner}${hclExpression(v, inner)},`).join("\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)} = ${hclExpression(v, inner)}`).join("\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** A JSON object or array document inside a string (references allowed in its strings), else undefined. */
function jsonDocument(s: string): unknown {
  const t = s.trim();
  if (!(t.startsWith("{") && t.endsWith("}")) && !(t.startsWith("[") && t.endsWith("]"))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** Rewrites every string wrapper of a cdktf HCL fragment (see the module comment). */
function fixFragment(fragment: unknown): unknown {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isRecord(node)) return typeof node === "string" && !node.startsWith("{") && !node.startsWith("[") ? quotedTemplate(node) : node;
    const isWrapper = "value" in node && ("storageClassType" in node || "type" in node);
    if (isWrapper && typeof node.value === "string") {
      const doc = jsonDocument(node.value);
      if (doc !== undefined && typeof doc === "object") {
        // Rendered as is (cdktf writes number-typed simple values verbatim): `jsonencode({ ... })`.
        return { ...node, value: `jsonencode(${hclExpression(doc)})`, type: "simple", storageClassType: "number" };
      }
      return { ...node, value: quotedTemplate(node.value) };
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === "//" || k === "type" || k === "storageClassType" ? v : visit(v)]));
  };
  return visit(fragment);
}

/** Writes the `terraform` block's plain attributes (e.g. `required_version`) that cdktf renders as `0 = "name"`. */
export function fixTerraformBlock(hcl: string, terraform: Record<string, unknown>): string {
  return hcl.replace(/^(\s*)\d+ = "([A-Za-z_][A-Za-z0-9_]*)"$/gm, (whole, space: string, key: string) =>
    key in terraform ? `${space}${key} = ${JSON.stringify(terraform[key])}` : whole,
  );
}
