/**
 * Stacks that refer to no other stack, synthesized without cdktf's cross-stack preparation.
 *
 * Before writing any stack, `app.synth()` calls `prepareStack()` on each, which resolves every element of the stack
 * once more in "preparing" mode only to discover references to another stack's resources (and create the outputs
 * and remote-state data sources they need; cdktf `lib/terraform-stack.ts` and `lib/tfExpression.ts`,
 * https://github.com/hashicorp/terraform-cdk/tree/main/packages/cdktf/lib). For a stack whose every value comes from
 * its own config and constructs, that pass finds nothing and costs about a third of the synth.
 * {@link skipCrossStackPreparation} leaves it out; {@link danglingReferences} then proves on the synthesized JSON that
 * nothing refers outside the stack, so a cross-stack reference added later stops the synth with its name instead of
 * reaching `terraform validate` as an undeclared resource.
 */
import { TerraformStack } from "cdktf";
import { StackJson, onStackJson } from "./stack-json";
import { throwProblems } from "./problem";

/** `${aws_iam_role.name...}` or `${data.aws_iam_policy_document.name...}`: resource types hold an underscore. */
const REFERENCE = /(?<![\w.-])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)/g;
const INTERPOLATION = /\$\{([^}]*)\}/g;

function declared(json: StackJson, block: "resource" | "data", type: string, name: string): boolean {
  const byType = json[block] as Record<string, Record<string, unknown> | undefined> | undefined;
  return byType?.[type]?.[name] !== undefined;
}

/**
 * Every resource or data source address an interpolation of `json` refers to that `json` does not declare, sorted.
 * The iterators of `dynamic` blocks (`${<iterator>.value}`; the block's name unless it sets `iterator`) are not
 * addresses.
 */
export function danglingReferences(json: StackJson): string[] {
  const iterators = new Set<string>();
  const referenced: Array<[data: string | undefined, type: string, name: string]> = [];
  const visit = (value: unknown, key?: string): void => {
    if (typeof value === "string") {
      if (!value.includes("${")) return;
      for (const [, expression] of value.matchAll(INTERPOLATION)) {
        for (const [, data, type, name] of expression.matchAll(REFERENCE)) referenced.push([data, type, name]);
      }
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v);
    } else if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        if (key === "dynamic") iterators.add(typeof (v as { iterator?: unknown })?.iterator === "string" ? (v as { iterator: string }).iterator : k);
        visit(v, k);
      }
    }
  };
  visit(json);
  const dangling = new Set<string>();
  for (const [data, type, name] of referenced) {
    if (data === undefined && iterators.has(type)) continue;
    if (!declared(json, data === undefined ? "resource" : "data", type, name)) dangling.add(`${data ?? ""}${type}.${name}`);
  }
  return [...dangling].sort();
}

/**
 * Makes `stack` skip cdktf's cross-stack preparation (it keeps the backend check of `prepareStack`) and refuse to
 * synthesize when its JSON refers to a resource or data source it does not declare.
 */
export function skipCrossStackPreparation(stack: TerraformStack): void {
  stack.prepareStack = (): void => {
    stack.ensureBackendExists();
  };
  onStackJson(stack, (json) => {
    const dangling = danglingReferences(json);
    if (dangling.length > 0) {
      throwProblems(`stack ${stack.node.id}`, [
        {
          field: "references",
          received: dangling.join(", "),
          why: "the stack does not declare them",
          allowed: "references to the stack's own resources (the stack is self-contained and synthesizes no cross-stack references)",
        },
      ]);
    }
  });
}
