import { TerraformStack } from "cdktf";
import { onStackJson } from "../../lib/stack-json";
import { checkSynthesizedStack } from "./checks";

/**
 * Runs the policy checks on `stack` every time it is synthesized, on the resolved Terraform JSON the synth produces
 * (`cdktf synth`, `app.synth()`, `Testing.synth(stack)`): a violation stops the synth before `cdk.tf.json` is
 * written, with every violation listed.
 */
export function applyPolicyChecks(stack: TerraformStack): void {
  onStackJson(stack, (json) => {
    const violations = checkSynthesizedStack(json);
    if (violations.length > 0) {
      const lines = violations.map((v) => `  [${stack.node.path}] [${v.rule}] ${v.message}`);
      throw new Error(`Validation failed with the following errors:\n${lines.join("\n")}`);
    }
  });
}
