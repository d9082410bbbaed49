import { TerraformStack } from "cdktf";
import { checkSynthesizedStack, SynthesizedStack } from "./checks";

/**
 * Runs the policy checks on `stack` every time it is synthesized: a node validation that checks the stack's own
 * resolved Terraform JSON. cdktf runs validations before writing `cdk.tf.json` (`cdktf synth`, `app.synth()`,
 * `Testing.synth(stack, true)`), so a violation fails the synth with every violation listed.
 */
export function applyPolicyChecks(stack: TerraformStack): void {
  stack.node.addValidation({
    validate: () =>
      checkSynthesizedStack(stack.toTerraform() as SynthesizedStack).map((v) => `[${v.rule}] ${v.message}`),
  });
}
