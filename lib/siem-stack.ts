/**
 * The base stack of this project's stacks (`EnvironmentStack`, the composed example): the Terraform a stack writes
 * is produced by cdktf's own rendering, with this project's guarantees applied in named steps by overriding the
 * stack's documented methods (`prepareStack()`, `toTerraform()`, `toHclTerraform()`, `runAllValidations()`,
 * `addOverride()`; cdktf `lib/terraform-stack.ts`, https://github.com/hashicorp/terraform-cdk/tree/main/packages/cdktf/lib):
 *
 * - **self-contained** (lib/self-contained-stack.ts): no cross-stack preparation pass; the finished JSON is proved to
 *   refer to nothing outside the stack;
 * - **literal text** (lib/literal-text.ts): every element's Terraform is escaped before it is resolved, so every
 *   string a user types reaches Terraform as text; the finished JSON is checked to hold no template sequence a
 *   construct did not write (naming the stack and the JSON path);
 * - **Terraform floor** (lib/terraform-floor.ts): `terraform.required_version` states what the stack really uses;
 * - **HCL** (lib/hcl): `cdktf synth --hcl` writes HCL that Terraform parses, from the same resolved JSON;
 * - **organisation policies** (lib/policy): cdk-nag-style aspects report findings as error annotations; any error
 *   annotation stops the synth with one paragraph (`stack <name>: <problem>; <problem>`) instead of cdktf's own
 *   multi-line message.
 *
 * One resolution per output: `toTerraform()` resolves the stack once (the policy aspects read each element's part of
 * that resolution, {@link SiemStack.whenResolved}) and runs every check on that tree;
 * `toHclTerraform()` takes that tree for its checks, its floor and its `terraform` block, and resolves the elements'
 * HCL fragments once more only because cdktf renders HCL from them.
 *
 * cdktf renders a stack by calling each element's `toTerraform()` / `toHclTerraform()` and offers no hook between an
 * element and the stack. The literal-text and HCL steps therefore wrap each element's rendering method for the
 * duration of the stack's own rendering call only ({@link SiemStack.renderElements}); the element is left as it was
 * afterwards, so nothing outside the stack's rendering ever sees a changed element.
 */
import { AnnotationMetadataEntryType, Annotations, Aspects, IResolvable, IResolveContext, TerraformElement, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { isObject } from "./is-object";
import { literalFragment } from "./literal-text";
import { danglingReferences, foreignTemplates } from "./self-contained-stack";
import { requiredVersionFor } from "./terraform-floor";
import { droppedOverrideProblem, fixTerraformBlock, hclElementFragment } from "./hcl";
import { addPolicyAspects, checkSynthesizedStack } from "./policy/checks";
import { PolicyRuleId } from "./policy/rule-ids";
import { elementsByAddress, suppressionOf } from "./policy/suppressions";
import { ResolvedElementSource } from "./policy/policy-rule";
import { violationText } from "./policy/policy-document";
import { throwProblems } from "./problem";

/** The resolved Terraform JSON of a stack (`cdk.tf.json`). */
export type StackJson = Record<string, unknown>;

/** What `toHclTerraform()` returns (cdktf types it as `any`). */
interface HclOutput {
  readonly hcl: string;
  readonly metadata: unknown;
}

type RenderMethod = "toTerraform" | "toHclTerraform";

export class SiemStack extends TerraformStack implements ResolvedElementSource {
  /** The top-level keys of the stack-level overrides (`addOverride`), for the HCL output's refusal. */
  private readonly overrideRoots = new Set<string>();
  /** What the aspects of the synth under way want to read of an element once it is resolved. */
  private readonly readers = new Map<TerraformElement, Array<(fragment: unknown) => void>>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // cdktf runs the aspects at the start of every synth, the stack first: a new synth starts with no reader.
    Aspects.of(this).add({ visit: (node) => (node === this ? this.readers.clear() : undefined) });
    // The organisation policies, as aspects: cdktf runs them on every construct at synth.
    addPolicyAspects(this);
  }

  /**
   * Calls `read` with the element's Terraform JSON as the stack writes it (text escaped, resolved) when the stack
   * resolves it in this synth (`toTerraform()`): the policy aspects read the one resolution the output is made of.
   */
  public whenResolved(element: TerraformElement, read: (fragment: unknown) => void): void {
    const list = this.readers.get(element);
    if (list === undefined) this.readers.set(element, [read]);
    else list.push(read);
  }

  /**
   * Only makes sure a backend exists: the stack is self-contained, so cdktf's pass that resolves every element once
   * more to find cross-stack references would find nothing (about a third of the synth); the finished JSON is
   * checked instead ({@link SiemStack.checkSelfContained}).
   */
  public prepareStack(): void {
    this.ensureBackendExists();
  }

  public addOverride(path: string, value: unknown): void {
    this.overrideRoots.add(path.split(".")[0]);
    super.addOverride(path, value);
  }

  /** Construct validations first (as cdktf runs them), then the error findings of the aspects, in one paragraph. */
  public runAllValidations(): void {
    super.runAllValidations();
    this.throwErrorAnnotations();
  }

  /** The stack's Terraform JSON: resolved once, with every text literal, its floor stated, and checked. */
  public toTerraform(): StackJson {
    let json: StackJson;
    try {
      json = this.renderElements(
        "toTerraform",
        (render, element) => this.escapedFragment(element, render),
        () => super.toTerraform() as StackJson,
      );
    } finally {
      this.readers.clear();
    }
    this.checkOverriddenPolicies(json);
    // The policy aspects' findings (read during the resolution above), and any other error annotation.
    this.throwErrorAnnotations();
    this.stateTerraformFloor(json);
    this.checkSelfContained(json);
    this.checkLiteralText(json);
    return json;
  }

  /** The stack's HCL (`cdktf synth --hcl`): the JSON's checks and floor, and HCL that Terraform parses. */
  public toHclTerraform(): HclOutput {
    const dropped = droppedOverrideProblem(this.node.id, [...this.overrideRoots]);
    if (dropped !== undefined) throw new Error(dropped);
    const json = this.toTerraform();
    const terraform = isObject(json.terraform) ? json.terraform : {};
    // cdktf renders the `terraform` block of the HCL from the stack-level overrides, not from toTerraform().
    this.addOverride("terraform.required_version", terraform.required_version);
    const out = this.renderElements(
      "toHclTerraform",
      (render) => hclElementFragment(literalFragment(render()), this),
      () => super.toHclTerraform() as HclOutput,
    );
    return { ...out, hcl: fixTerraformBlock(out.hcl, terraform) };
  }

  /**
   * Runs `render` (cdktf's own stack rendering) with `method` of each element of this stack returning
   * `transform(<the element's own rendering>, element)`, and puts every element back as it was afterwards.
   */
  private renderElements<R>(method: RenderMethod, transform: (render: () => unknown, element: TerraformElement) => unknown, render: () => R): R {
    const restore: Array<() => void> = [];
    try {
      for (const node of this.node.findAll()) {
        if (!TerraformElement.isTerraformElement(node) || TerraformStack.of(node) !== this) continue;
        const element: TerraformElement = node;
        const own = Object.getOwnPropertyDescriptor(element, method);
        // cdktf types both renderings as `any`: plain JSON-like fragments with token markers.
        const original = (element[method] as () => unknown).bind(element);
        Object.defineProperty(element, method, { configurable: true, writable: true, value: () => transform(original, element) });
        restore.push(() => (own === undefined ? Reflect.deleteProperty(element, method) : Object.defineProperty(element, method, own)));
      }
      return render();
    } finally {
      for (const undo of restore) undo();
    }
  }

  /**
   * An element's escaped Terraform for cdktf's resolution. When an aspect waits for the element, it is wrapped in a
   * token that hands the resolved result to the aspect as cdktf resolves it (cdktf's `IPostProcessor`,
   * `lib/tokens/resolvable.ts`): the element is resolved once, for the output and the aspects alike.
   */
  private escapedFragment(element: TerraformElement, render: () => unknown): unknown {
    const fragment = literalFragment(render());
    const readers = this.readers.get(element);
    if (readers === undefined) return fragment;
    const token: IResolvable = {
      creationStack: [],
      resolve: (context: IResolveContext) => {
        context.registerPostProcessor({
          postProcess: (resolved: unknown) => {
            for (const read of readers) read(resolved);
            return resolved;
          },
        });
        return fragment;
      },
    };
    return token;
  }

  /**
   * Stack-level overrides of resources or data sources (`stack.addOverride("resource.<type>.<name>...")`) are part of
   * no element, so the policy aspects cannot see them: with such overrides the policies also read the whole JSON,
   * reporting on the element at that address (its suppressions apply) or else on the stack.
   */
  private checkOverriddenPolicies(json: StackJson): void {
    if (!this.overrideRoots.has("resource") && !this.overrideRoots.has("data")) return;
    const byAddress = elementsByAddress(this);
    for (const violation of checkSynthesizedStack(json)) {
      const scope = byAddress.get(violation.address) ?? this;
      if (suppressionOf(scope, violation.rule as PolicyRuleId) === undefined) {
        Annotations.of(scope).addError(violationText(violation));
      }
    }
  }

  /** `terraform.required_version`: the floor of what the JSON uses (import blocks, write-only arguments...). */
  private stateTerraformFloor(json: StackJson): void {
    json.terraform = { ...(isObject(json.terraform) ? json.terraform : {}), required_version: requiredVersionFor(json) };
  }

  /** Every reference is to the stack's own resources (no cross-stack pass was made). */
  private checkSelfContained(json: StackJson): void {
    const dangling = danglingReferences(json);
    if (dangling.length === 0) return;
    throwProblems(`stack ${this.node.id}`, [
      {
        field: "references",
        received: dangling.join(", "),
        why: "the stack does not declare them",
        allowed: "references to the stack's own resources (the stack is self-contained and synthesizes no cross-stack references)",
      },
    ]);
  }

  /** Every template sequence left in the JSON is one a construct wrote. */
  private checkLiteralText(json: StackJson): void {
    throwProblems(
      `stack ${this.node.id}`,
      foreignTemplates(json).map((f) => ({
        field: f.path,
        received: JSON.stringify(f.sequence),
        why: `${f.why}: a template sequence no construct wrote`,
        allowed:
          "literal text (a config, CLI or rule-file value is escaped: $${ and %%{) and references to the stack's own resources, data sources, variables and local values",
      })),
    );
  }

  /**
   * The error annotations of the stack's constructs (the policy aspects' findings, or any other), each once, as one
   * paragraph: `stack <name>: <finding>; <finding>`. cdktf's synthesizer would otherwise stop with its own
   * multi-line message.
   */
  private throwErrorAnnotations(): void {
    const errors = new Set<string>();
    for (const node of this.node.findAll()) {
      if (node !== this && TerraformStack.of(node) !== this) continue;
      for (const entry of node.node.metadata) {
        if (entry.type === (AnnotationMetadataEntryType.ERROR as string)) errors.add(String(entry.data));
      }
    }
    if (errors.size > 0) throw new Error(`stack ${this.node.id}: ${[...errors].join("; ")}`);
  }
}
