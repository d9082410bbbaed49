/**
 * One pass over a stack's final Terraform JSON for checks and completions that need all of it.
 *
 * A node validation that needs the JSON would call `stack.toTerraform()` itself, resolving every token of the stack
 * a second time at each synth. Hooks registered here see the JSON cdktf produces anyway (`toTerraform()`, called by
 * `app.synth()`, `cdktf synth` and `Testing.synth`), resolved and before it is written; a hook may complete it
 * (e.g. `terraform.required_version`) or throw to stop the synth.
 */
import { TerraformStack } from "cdktf";

/** The resolved Terraform JSON of a stack (`cdk.tf.json`). */
export type StackJson = Record<string, unknown>;

const HOOKS = new WeakMap<TerraformStack, Array<(json: StackJson) => void>>();

/**
 * Runs `hook` on the stack's JSON each time the stack produces it. For HCL output (`cdktf synth --hcl`), which
 * cdktf renders without `toTerraform()`, the JSON is produced first so hooks run (and may throw) there too, and
 * `beforeHcl` can carry a completion over (e.g. as a stack override).
 */
export function onStackJson(stack: TerraformStack, hook: (json: StackJson) => void, beforeHcl?: (json: StackJson) => void): void {
  let hooks = HOOKS.get(stack);
  if (hooks === undefined) {
    const hookList: Array<(json: StackJson) => void> = [];
    hooks = hookList;
    HOOKS.set(stack, hookList);
    const toTerraform = stack.toTerraform.bind(stack);
    stack.toTerraform = (): StackJson => {
      const json = toTerraform() as StackJson;
      for (const h of hookList) h(json);
      return json;
    };
  }
  hooks.push(hook);
  const toHclTerraform = stack.toHclTerraform.bind(stack);
  stack.toHclTerraform = (): ReturnType<TerraformStack["toHclTerraform"]> => {
    const json = stack.toTerraform() as StackJson;
    beforeHcl?.(json);
    return toHclTerraform();
  };
}
