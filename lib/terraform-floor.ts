/**
 * The Terraform version a stack really needs, stated in `terraform.required_version`, and import blocks that
 * start no process at synth.
 *
 * cdktf's `importFrom()` registers a `ValidateTerraformVersion(">=1.5")` on the resource, which runs
 * `terraform version` through `execSync` for every import block when the app synthesizes (cdktf
 * `lib/validations/validate-binary-version.ts`): synth then fails where terraform is not installed and slows with
 * every import. {@link importExisting} adds the same import block without that probe, and
 * the project's base stack (`SiemStack`, lib/siem-stack.ts) states the floor ({@link requiredVersionFor}) in the
 * configuration instead, where `terraform init` enforces it
 * with its own error ("Unsupported Terraform Core version").
 */
import { TerraformProvider, TerraformResource } from "cdktf";
import { ValidateBinaryVersion } from "cdktf/lib/validations/validate-binary-version";
import { IValidation } from "constructs";
import { isObject } from "./is-object";
import type { StackJson } from "./siem-stack";

/** A Terraform language feature and the first Terraform release that has it. */
export interface TerraformFeature {
  /** What the stack uses, in Terraform's words. */
  readonly feature: string;
  /** The first Terraform version with the feature, `major.minor`. */
  readonly since: string;
}

/** What any configuration this project writes needs: JSON syntax with `required_providers` sources. */
export const TERRAFORM_BASELINE: TerraformFeature = { feature: "provider source addresses in required_providers", since: "1.0" };

/**
 * Features this project's stacks can use, by the first Terraform version that has them (Terraform's changelog,
 * https://github.com/hashicorp/terraform/blob/main/CHANGELOG.md and the v1.x release notes).
 */
export const TERRAFORM_FEATURES = {
  nullableVariable: { feature: "variable nullable", since: "1.1" },
  moved: { feature: "moved blocks", since: "1.1" },
  terraformData: { feature: "the terraform_data resource", since: "1.4" },
  importBlock: { feature: "import blocks", since: "1.5" },
  importIdExpression: { feature: "import blocks whose id is an expression", since: "1.6" },
  checkBlock: { feature: "check blocks", since: "1.5" },
  removed: { feature: "removed blocks", since: "1.7" },
  ephemeralVariable: { feature: "ephemeral input variables", since: "1.10" },
  s3UseLockfile: { feature: "S3 backend use_lockfile (S3-native state locking)", since: "1.10" },
  writeOnlyArgument: { feature: "write-only arguments (*_wo)", since: "1.11" },
} as const satisfies Record<string, TerraformFeature>;

function compareVersions(a: string, b: string): number {
  const [am, an] = a.split(".").map(Number);
  const [bm, bn] = b.split(".").map(Number);
  return am !== bm ? am - bm : an - bn;
}

/**
 * Whether a JSON value has a key with a value that satisfies `test`, at any depth. Values may still hold
 * unresolved tokens: only keys are read. Unset attributes (`undefined`, `null`) do not count.
 */
function hasKey(value: unknown, test: (key: string) => boolean): boolean {
  if (Array.isArray(value)) return value.some((v) => hasKey(v, test));
  if (!isObject(value)) return false;
  for (const key in value) {
    const v = value[key];
    if (v === undefined || v === null) continue;
    if (test(key) || hasKey(v, test)) return true;
  }
  return false;
}

/**
 * The features one Terraform JSON fragment uses (a whole `cdk.tf.json`, or one element's part of it).
 * Values are not read, so unresolved tokens are fine.
 */
export function featuresOf(fragment: unknown): TerraformFeature[] {
  const found = new Set<TerraformFeature>();
  if (!isObject(fragment)) return [];
  const f = TERRAFORM_FEATURES;
  if (fragment.import !== undefined) {
    found.add(f.importBlock);
    const imports = Array.isArray(fragment.import) ? fragment.import : [fragment.import];
    if (imports.some((i) => isObject(i) && typeof i.id === "string" && i.id.includes("${"))) found.add(f.importIdExpression);
  }
  if (fragment.moved !== undefined) found.add(f.moved);
  if (fragment.removed !== undefined) found.add(f.removed);
  if (fragment.check !== undefined) found.add(f.checkBlock);
  for (const block of ["resource", "data", "ephemeral"] as const) {
    const byType = fragment[block];
    if (!isObject(byType)) continue;
    if (block === "resource" && byType.terraform_data !== undefined) found.add(f.terraformData);
    if (hasKey(byType, (key) => key.endsWith("_wo") || key.endsWith("_wo_version"))) found.add(f.writeOnlyArgument);
  }
  if (isObject(fragment.variable)) {
    for (const v of Object.values(fragment.variable)) {
      if (!isObject(v)) continue;
      if (v.ephemeral === true) found.add(f.ephemeralVariable);
      if (v.nullable !== undefined) found.add(f.nullableVariable);
    }
  }
  const backend = isObject(fragment.terraform) ? fragment.terraform.backend : undefined;
  if (isObject(backend) && isObject(backend.s3) && backend.s3.use_lockfile === true) found.add(f.s3UseLockfile);
  return [...found];
}

/** The lowest Terraform version that has every given feature, and the features that set it. */
export function terraformFloor(features: readonly TerraformFeature[]): { version: string; because: TerraformFeature[] } {
  const version = features.reduce((v, feature) => (compareVersions(feature.since, v) > 0 ? feature.since : v), TERRAFORM_BASELINE.since);
  const because = features.filter((feature) => feature.since === version);
  return { version, because: because.length > 0 ? because : [TERRAFORM_BASELINE] };
}

/** `required_version` for a floor: `>= 1.11`. */
export function requiredVersionConstraint(version: string): string {
  return `>= ${version}`;
}

/** The `required_version` constraint for what a stack's Terraform JSON uses. */
export function requiredVersionFor(json: StackJson): string {
  return requiredVersionConstraint(terraformFloor(featuresOf(json)).version);
}

/**
 * `resource.importFrom(id, provider)` without cdktf's synth-time `terraform version` probe: the same import block,
 * and no process started. The floor it needs (Terraform >= 1.5) is stated by the base stack (lib/siem-stack.ts) instead.
 */
export function importExisting(resource: TerraformResource, id: string, provider?: TerraformProvider): void {
  const node = resource.node;
  const add = node.addValidation.bind(node);
  // Only during this call, and only the binary-version probe: any other validation is kept.
  node.addValidation = (validation: IValidation): void => {
    if (!(validation instanceof ValidateBinaryVersion)) add(validation);
  };
  try {
    resource.importFrom(id, provider);
  } finally {
    Reflect.deleteProperty(node, "addValidation");
  }
}
