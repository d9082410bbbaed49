/** Reading the inputs of `review`: synthesized output folders and `terraform show -json` plans. */
import { existsSync, readFileSync, readdirSync, statSync } from "fs";
import * as path from "path";
import { JsonObject, JsonValue, asObject, isObject, parseJson } from "./json";
import { ReviewUsageError } from "./review-args";

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
      throw new ReviewUsageError(`${file} is not valid JSON (${(e as Error).message}); allowed: the cdk.tf.json of a synth`);
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
  let plan: JsonValue;
  try {
    plan = parseJson(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ReviewUsageError(
      `--plan file ${JSON.stringify(file)} cannot be read as JSON (${
        (e as Error).message.split("\n")[0]
      }); allowed: the output of terraform show -json <plan file>`,
    );
  }
  if (!isObject(plan) || !("format_version" in plan) || !Array.isArray(plan.resource_changes ?? [])) {
    throw new ReviewUsageError(
      `--plan file ${JSON.stringify(
        file,
      )} is not a plan in terraform show -json format (no format_version); allowed: the output of terraform show -json <plan file>`,
    );
  }
  return plan;
}
