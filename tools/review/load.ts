/** Reading the inputs of `review`: synthesized output folders and `terraform show -json` plans. */
import { existsSync, readFileSync, readdirSync, statSync } from "fs";
import * as path from "path";
import { Problems, problemText, show } from "../../lib/problem";
import { JsonObject, JsonValue, asArray, asObject, asString, isObject, parseJson } from "../../lib/json";
import { errorMessage } from "../../lib/error-message";
import { cannotReadMessage } from "../../lib/input-file";
import { ReviewUsageError } from "./args";
import { planProblems } from "./plan";

/**
 * The stacks of a synthesized output folder (`<dir>/stacks/<environment>/cdk.tf.json`), by environment name.
 * @throws ReviewUsageError when the folder holds no synthesized stack, or a stack is not valid JSON.
 */
export function loadSynthesized(dir: string): Map<string, JsonObject> {
  const stacksDir = path.join(dir, "stacks");
  const names = existsSync(stacksDir) && statSync(stacksDir).isDirectory() ? readdirSync(stacksDir).sort() : [];
  const stacks = new Map<string, JsonObject>();
  for (const name of names) {
    const file = path.join(stacksDir, name, "cdk.tf.json");
    if (!existsSync(file)) continue;
    try {
      stacks.set(name, asObject(parseJson(readFileSync(file, "utf8"))));
    } catch (e) {
      throw new ReviewUsageError(`${file}: ${errorMessage(e)}; allowed: the cdk.tf.json of a synth`);
    }
  }
  if (stacks.size === 0) {
    throw new ReviewUsageError(
      `${JSON.stringify(
        dir,
      )} is not synthesized output (no stacks/<environment>/cdk.tf.json); allowed: a folder written by npm run synth or cdktf synth, e.g. cdktf.out`,
    );
  }
  return stacks;
}

/**
 * A plan as `terraform show -json <plan file>` prints it.
 * @throws ReviewUsageError when the file is missing or is not a plan in that format.
 */
export function loadPlan(file: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ReviewUsageError(`${cannotReadMessage("the --plan file", file, e)}; allowed: the output of terraform show -json <plan file>`);
  }
  let plan: JsonValue;
  try {
    plan = parseJson(text);
  } catch (e) {
    throw new ReviewUsageError(`--plan file ${JSON.stringify(file)}: ${errorMessage(e)}; allowed: the output of terraform show -json <plan file>`);
  }
  if (!isObject(plan) || !("format_version" in plan)) {
    throw new ReviewUsageError(
      `--plan file ${JSON.stringify(
        file,
      )} is not a plan in terraform show -json format (no format_version); allowed: the output of terraform show -json <plan file>`,
    );
  }
  // A plan has planned_values and configuration; `terraform show -json` of a state has values instead
  // (https://developer.hashicorp.com/terraform/internals/json-format, "State Representation", "Plan Representation").
  if (!isObject(plan.planned_values) || !isObject(plan.configuration)) {
    const what = "values" in plan ? "a state (values, no planned_values), not a plan" : "not a plan (no planned_values or configuration)";
    throw new ReviewUsageError(
      `--plan file ${JSON.stringify(file)} is ${what}; allowed: the output of terraform show -json <plan file> of a saved plan (terraform plan -out)`,
    );
  }
  const problems = planProblems(plan);
  if (problems.length > 0) {
    const shown = problems.slice(0, 3).map(problemText).join("; ");
    throw new ReviewUsageError(
      `--plan file ${JSON.stringify(file)} is not a plan review can read: ${shown}${
        problems.length > 3 ? `; and ${problems.length - 3} more problems` : ""
      }`,
    );
  }
  return plan;
}

/** Addresses a stack's JSON configures: `type.name` of resources, `data.type.name` of data sources. */
function configuredAddresses(stack: JsonObject | undefined): Set<string> {
  const out = new Set<string>();
  for (const [section, prefix] of [
    ["resource", ""],
    ["data", "data."],
  ] as const) {
    for (const [type, byName] of Object.entries(asObject(stack?.[section]))) {
      for (const name of Object.keys(asObject(byName))) out.add(`${prefix}${type}.${name}`);
    }
  }
  return out;
}

/** Region of each AWS provider block of a stack, by Terraform's provider key (`aws`, `aws.<alias>`). */
function awsRegions(stack: JsonObject | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const p of asArray(asObject(stack?.provider).aws).map(asObject)) {
    out.set(typeof p.alias === "string" ? `aws.${p.alias}` : "aws", p.region);
  }
  return out;
}

/**
 * Checks that a plan was made from `environment`'s stack (of the head, or of the base for a removed environment):
 * every resource and data source its configuration holds is one the stack configures, and every AWS provider it
 * configures with a constant region has the stack's region. A plan of another environment (another account's
 * clusters) is refused instead of being shown as what happens to this one.
 * @throws ReviewUsageError naming the file, the environment and what does not match.
 */
export function checkPlanBelongs(
  file: string,
  environment: string,
  plan: JsonObject,
  stacks: { readonly before?: JsonObject; readonly after?: JsonObject },
): void {
  const problems = new Problems();
  const known = new Set([...configuredAddresses(stacks.before), ...configuredAddresses(stacks.after)]);
  const root = asObject(asObject(plan.configuration).root_module);
  const planned = asArray(root.resources)
    .map((r) => asString(asObject(r).address))
    .filter((a): a is string => a !== undefined);
  const foreign = planned.filter((a) => !known.has(a));
  if (foreign.length > 0) {
    const sample = foreign.slice(0, 5);
    problems.addDescribed(
      "configuration.root_module.resources",
      `${sample.map((a) => JSON.stringify(a)).join(", ")}${foreign.length > sample.length ? ` and ${foreign.length - sample.length} more` : ""}`,
      `only resources of stacks/${environment}/cdk.tf.json`,
      `${foreign.length} of the plan's ${planned.length} configured resources are not in ${environment}'s stack`,
    );
  } else if (planned.length === 0 && configuredAddresses(stacks.after).size > 0) {
    problems.addDescribed("configuration.root_module.resources", "none", `the resources of stacks/${environment}/cdk.tf.json`);
  }
  const regionsBefore = awsRegions(stacks.before);
  const regionsAfter = awsRegions(stacks.after);
  for (const [key, config] of Object.entries(asObject(asObject(plan.configuration).provider_config))) {
    const region = asObject(asObject(asObject(config).expressions).region).constant_value;
    const expected = [regionsAfter.get(key), regionsBefore.get(key)].filter((r) => r !== undefined);
    if (region === undefined || expected.length === 0 || expected.includes(region)) continue;
    problems.add(`configuration.provider_config.${key}.expressions.region`, region, `the stack's region ${show(expected[0])}`);
  }
  if (problems.list.length > 0) {
    throw new ReviewUsageError(
      `--plan ${environment}=${JSON.stringify(file)} is not a plan of ${environment}'s stack: ${problems.list
        .map(problemText)
        .join("; ")}; plan stacks/${environment} of this output and pass its terraform show -json`,
    );
  }
}
