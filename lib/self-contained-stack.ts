/**
 * Stacks that refer to no other stack, synthesized without cdktf's cross-stack preparation.
 *
 * Before writing any stack, `app.synth()` calls `prepareStack()` on each, which resolves every element of the stack
 * once more in "preparing" mode only to discover references to another stack's resources (and create the outputs
 * and remote-state data sources they need; cdktf `lib/terraform-stack.ts` and `lib/tfExpression.ts`,
 * https://github.com/hashicorp/terraform-cdk/tree/main/packages/cdktf/lib). For a stack whose every value comes from
 * its own config and constructs, that pass finds nothing and costs about a third of the synth.
 * The project's base stack (`SiemStack`, lib/siem-stack.ts) leaves it out (its `prepareStack()` only makes sure a
 * backend exists); {@link danglingReferences} then proves on the synthesized JSON that nothing refers outside the stack, so a cross-stack reference added later stops the synth with its name instead of
 * reaching `terraform validate` as an undeclared resource.
 *
 * The same reading of the JSON's template sequences gives {@link foreignTemplates}, the invariant that every
 * sequence is one the constructs write (lib/literal-text.ts).
 */
import type { StackJson } from "./siem-stack";
import { jsonPath, templateParts, templateSequences } from "./terraform-template";

/** A root name in an expression: not preceded by a name character or a dot (`.name` is an attribute). */
const NAME = /(?<![A-Za-z0-9_.-])[A-Za-z_][A-Za-z0-9_-]*/g;
/** A root name and up to two attribute names after it: `var.x`, `aws_iam_role.r.arn`, `data.t.n`. */
const CHAIN = /^([A-Za-z_][A-Za-z0-9_-]*)(?:\s*\.\s*([A-Za-z_][A-Za-z0-9_-]*))?(?:\s*\.\s*([A-Za-z_][A-Za-z0-9_-]*))?(\s*\()?/;

/**
 * The functions this project's constructs write into template sequences (the built-in rule review:
 * `sort`, `index`, `lookup`). A construct that writes another one adds it here; never one that reads the machine
 * (`file`, `templatefile`, `fileset`, `pathexpand`...): no template of a synthesized stack may read the plan runner.
 */
export const CONSTRUCT_FUNCTIONS: ReadonlySet<string> = new Set(["sort", "index", "lookup"]);

type Json = Record<string, unknown>;

function declared(json: StackJson, block: "resource" | "data", type: string, name: string): boolean {
  const byType = json[block] as Record<string, Record<string, unknown> | undefined> | undefined;
  return byType?.[type]?.[name] !== undefined;
}

/** The iterators of `dynamic` blocks (`${<iterator>.value}`; the block's name unless it sets `iterator`). */
function dynamicIterators(json: StackJson): Set<string> {
  const iterators = new Set<string>();
  const visit = (value: unknown, key?: string): void => {
    if (Array.isArray(value)) for (const v of value) visit(v);
    else if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        if (key === "dynamic") iterators.add(typeof (v as { iterator?: unknown })?.iterator === "string" ? (v as { iterator: string }).iterator : k);
        visit(v, k);
      }
    }
  };
  visit(json);
  return iterators;
}

/** What one expression refers to and calls, and what in it no construct writes. */
interface ExpressionReading {
  /** Resource and data source addresses, `[data, type, name]`. */
  readonly addresses: Array<[data: string | undefined, type: string, name: string]>;
  /** Why the expression is not one the constructs write, one reason per finding. */
  readonly foreign: string[];
}

/** Reads one `${...}` expression: string literals must be plain text; every name a reference, a function or a constant. */
function readExpression(expression: string, json: StackJson, iterators: ReadonlySet<string>): ExpressionReading {
  const reading: ExpressionReading = { addresses: [], foreign: [] };
  // String literals become "" (their text is not code); a template inside one is foreign.
  let code = "";
  for (let i = 0; i < expression.length; i++) {
    if (expression[i] !== '"') {
      code += expression[i];
      continue;
    }
    let j = i + 1;
    for (; j < expression.length && expression[j] !== '"'; j++) if (expression[j] === "\\") j++;
    const text = expression.slice(i + 1, j);
    if (templateParts(text).some((p) => !("literal" in p)))
      reading.foreign.push(`a template sequence inside the string literal ${JSON.stringify(text)}`);
    code += '""';
    i = j;
  }
  if (/[$%]\{|<</.test(code)) reading.foreign.push("a nested template or heredoc");
  const variables = (json.variable ?? {}) as Json;
  const locals = (json.locals ?? {}) as Json;
  for (const m of code.matchAll(NAME)) {
    const [, root, second, third, call] = CHAIN.exec(code.slice(m.index))!;
    if (call !== undefined && second === undefined) {
      if (!CONSTRUCT_FUNCTIONS.has(root)) reading.foreign.push(`a call of ${root}(), a function no construct writes`);
    } else if (["true", "false", "null", "each", "count"].includes(root) || iterators.has(root)) {
      // Constants, and the iterators of for_each / count (cdktf's TerraformIterator) and of dynamic blocks.
      continue;
    } else if (root === "var" && second !== undefined) {
      if (variables[second] === undefined) reading.foreign.push(`var.${second}, a variable the stack does not declare`);
    } else if (root === "local" && second !== undefined) {
      if (locals[second] === undefined) reading.foreign.push(`local.${second}, a local value the stack does not declare`);
    } else if (root === "data" && second !== undefined && third !== undefined) {
      reading.addresses.push(["data.", second, third]);
    } else if (root.includes("_") && second !== undefined) {
      reading.addresses.push([undefined, root, second]);
    } else {
      reading.foreign.push(`${root}, which is not a resource, data source, variable or local value of the stack`);
    }
  }
  for (const [data, type, name] of reading.addresses) {
    if (!declared(json, data === undefined ? "resource" : "data", type, name)) {
      reading.foreign.push(`${data ?? ""}${type}.${name}, which the stack does not declare`);
    }
  }
  return reading;
}

/**
 * Every resource or data source address an interpolation of `json` refers to that `json` does not declare, sorted.
 * The iterators of `dynamic` blocks (`${<iterator>.value}`; the block's name unless it sets `iterator`) are not
 * addresses.
 */
export function danglingReferences(json: StackJson): string[] {
  const iterators = dynamicIterators(json);
  const dangling = new Set<string>();
  for (const { sequence } of templateSequences(json)) {
    if (sequence.start !== "${") continue;
    for (const [data, type, name] of readExpression(sequence.expression, json, iterators).addresses) {
      if (!declared(json, data === undefined ? "resource" : "data", type, name)) dangling.add(`${data ?? ""}${type}.${name}`);
    }
  }
  return [...dangling].sort();
}

/** A template sequence of a stack's JSON that no construct wrote. */
export interface ForeignTemplate {
  /** Where: the JSON path of the string (`resource.aws_x.name.attribute`). */
  readonly path: string;
  /** The sequence as written, e.g. `${file("/etc/hostname")}`. */
  readonly sequence: string;
  /** What in it no construct writes. */
  readonly why: string;
}

/**
 * The template sequences of a stack's finished JSON that are not the constructs' own: constructs write only
 * interpolations of references to the stack's own resources, data sources, variables and local values (and of
 * dynamic-block iterators), in the few functions of {@link CONSTRUCT_FUNCTIONS}, and never a `%{` directive. Text
 * from a config, a CLI argument or a rule file is escaped by the base stack (lib/literal-text.ts, lib/siem-stack.ts) and has no sequence at all.
 */
export function foreignTemplates(json: StackJson): ForeignTemplate[] {
  const iterators = dynamicIterators(json);
  const found: ForeignTemplate[] = [];
  for (const { path, sequence } of templateSequences(json)) {
    const written = `${sequence.start}${sequence.expression}${sequence.terminated ? "}" : ""}`;
    const why =
      sequence.start === "%{"
        ? ["a template directive"]
        : !sequence.terminated
          ? ["an interpolation without its closing brace"]
          : readExpression(sequence.expression, json, iterators).foreign;
    if (why.length > 0) found.push({ path: jsonPath(path), sequence: written, why: why.join("; ") });
  }
  return found;
}
