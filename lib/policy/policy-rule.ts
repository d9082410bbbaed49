/**
 * A policy rule as a cdktf aspect (`Aspects.of(stack).add(rule)`; cdktf runs every aspect on every construct at
 * synth, https://developer.hashicorp.com/terraform/cdktf/concepts/aspects), in the style of cdk-nag: one rule per
 * file, findings as annotations (`Annotations.of(element).addError`), each suppressible with a written reason
 * (./suppressions.ts).
 */
import { Annotations, IAspect, TerraformDataSource, TerraformElement, TerraformResource, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { PolicyViolation, SynthesizedStack, violationText } from "./policy-document";
import { PolicyRuleId } from "./rule-ids";
import { suppressionOf } from "./suppressions";
import { resolveInStack } from "../stack-resolve";

/**
 * A stack that hands an element's resolved Terraform JSON to a reader when it resolves the element for its output,
 * so the element is resolved once per synth (the base stack, lib/siem-stack.ts).
 */
export interface ResolvedElementSource {
  whenResolved(element: TerraformElement, read: (fragment: unknown) => void): void;
}

export abstract class PolicyRule implements IAspect {
  /** The rule's id, named in every finding and in suppressions. */
  public abstract readonly id: PolicyRuleId;
  /** The Terraform types the rule reads; undefined: every resource and data source. */
  protected abstract readonly resourceTypes: readonly string[] | undefined;

  /** The rule's findings in a synthesized fragment (one element's resolved Terraform JSON). */
  protected abstract check(fragment: SynthesizedStack): PolicyViolation[];

  /**
   * Checks one resource or data source on its own resolved Terraform JSON (`toTerraform()`, with its own
   * overrides), unless the rule is suppressed for it: each finding is an error annotation on the element. On the
   * base stack the check runs when the stack resolves the element for its output (no second resolution), and the
   * stack stops the synth on the findings; on another stack the element is resolved here.
   */
  public visit(node: IConstruct): void {
    if (!TerraformResource.isTerraformResource(node) && !TerraformDataSource.isTerraformDataSource(node)) return;
    if (this.resourceTypes !== undefined && !this.resourceTypes.includes(node.terraformResourceType)) return;
    if (suppressionOf(node, this.id) !== undefined) return;
    const report = (fragment: unknown): void => {
      for (const violation of this.check(fragment as SynthesizedStack)) Annotations.of(node).addError(violationText(violation));
    };
    const stack: TerraformStack & Partial<ResolvedElementSource> = TerraformStack.of(node);
    if (stack.whenResolved !== undefined) stack.whenResolved(node, report);
    else report(resolveInStack(node.toTerraform(), stack));
  }
}
