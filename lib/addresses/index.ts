import { TerraformDataSource, TerraformElement, TerraformResource, TerraformStack } from "cdktf";

/**
 * Readable Terraform addresses.
 *
 * cdktf names a resource after its construct path plus a hash (`DatadogForwarder-us-east-1_Stack_AF390EE6`), which a
 * reviewer of `terraform plan` cannot read. Every construct of this project instead names its resources after what
 * they are and the names it was given (cluster name, region, rule id), through `readableAddress`, so the addresses
 * are the same in the config-driven stacks and in a user's own cdktf app.
 *
 * An address is API: changing one makes Terraform destroy the old object and create a new one. Tests pin them.
 */

/** A Terraform identifier: letters, digits, underscores and dashes, not starting with a digit or a dash. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Joins name parts into a Terraform identifier: characters Terraform does not allow in a name become `_`. */
export function terraformName(...parts: readonly string[]): string {
  const joined = parts
    .filter((p) => p !== "")
    .map((p) => p.replace(/[^A-Za-z0-9_-]/g, "_"))
    .join("_");
  return IDENTIFIER.test(joined) ? joined : `_${joined}`;
}

const taken = new WeakMap<TerraformStack, Map<string, string>>();

/** `type.name` (or `data.type.name`) of an element, as Terraform will address it. */
function addressOf(element: TerraformElement, name: string): string {
  if (element instanceof TerraformDataSource) return `data.${element.terraformResourceType}.${name}`;
  if (element instanceof TerraformResource) return `${element.terraformResourceType}.${name}`;
  return `${element.constructor.name}.${name}`;
}

/**
 * Gives `element` the Terraform name built from `parts` (see `terraformName`) and returns it. Throws when another
 * element of the same stack already has that address (a construct used twice with the same names), naming both
 * construct paths, instead of letting one silently replace the other in the JSON.
 */
export function readableAddress<T extends TerraformElement>(element: T, ...parts: readonly string[]): T {
  const name = terraformName(...parts);
  const address = addressOf(element, name);
  const stack = TerraformStack.of(element);
  const used = taken.get(stack) ?? new Map<string, string>();
  taken.set(stack, used);
  const other = used.get(address);
  if (other !== undefined) {
    throw new Error(
      `terraform address ${address} of ${element.node.path} is already used by ${other}; allowed: distinct names per stack (give the second construct another cluster name, region, rule id or name)`,
    );
  }
  used.set(address, element.node.path);
  element.overrideLogicalId(name);
  return element;
}
