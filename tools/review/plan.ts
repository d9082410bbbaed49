/**
 * The real-plan half of `review`: what `terraform show -json <saved plan>` says will happen (format documented at
 * https://developer.hashicorp.com/terraform/internals/json-format, "Plan Representation" and "Change Representation").
 */
import { Problem, Problems } from "../../lib/problem";
import { JsonObject, asArray, asObject, asString, asStrings, isObject } from "../../lib/json";
import { codeSpan } from "./markdown";
import { humanName } from "./resources";

export interface PlanDanger {
  readonly text: string;
  readonly address: string;
  readonly reason: string;
}

export interface PlanFacts {
  readonly create: number;
  readonly update: number;
  readonly delete: number;
  readonly replace: number;
  readonly danger: readonly PlanDanger[];
}

/** Terraform's `action_reason` values, in words. */
const REASONS: Readonly<Record<string, string>> = {
  replace_because_cannot_update: "an argument that cannot be updated in place changed",
  replace_because_tainted: "the object is tainted",
  replace_by_request: "replacement was requested (-replace)",
  replace_by_triggers: "replace_triggered_by fired",
  delete_because_no_resource_config: "it is no longer in the configuration",
  delete_because_no_module: "its module is no longer in the configuration",
  delete_because_wrong_repetition: "count/for_each changed how it is repeated",
  delete_because_count_index: "its count index is gone",
  delete_because_each_key: "its for_each key is gone",
  delete_because_no_move_target: "its moved target is not in the configuration",
};

/** Actions of a change (Change Representation, `actions`). */
const ACTIONS = new Set(["no-op", "create", "read", "update", "delete", "forget"]);

/**
 * What is malformed in a plan's `resource_changes` (entries that are not objects, addresses, types and names that
 * are not strings, `change.actions` that is not a list of Terraform's actions), in the message shape of
 * lib/problem.ts; fields are paths into the plan JSON.
 */
export function planProblems(plan: JsonObject): Problem[] {
  const problems = new Problems();
  if (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes)) {
    problems.add("resource_changes", plan.resource_changes, "a list of resource changes");
    return problems.list;
  }
  asArray(plan.resource_changes).forEach((rc, i) => {
    const at = `resource_changes[${i}]`;
    if (!isObject(rc)) return problems.add(at, rc, "an object with address, mode, type, name and change");
    for (const field of ["address", "type", "name"]) {
      if (typeof rc[field] !== "string") problems.add(`${at}.${field}`, rc[field], "a string");
    }
    if (!isObject(rc.change)) return problems.add(`${at}.change`, rc.change, "an object with actions, before and after");
    const actions = rc.change.actions;
    if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => typeof a === "string" && ACTIONS.has(a)))
      problems.add(`${at}.change.actions`, actions, `a non-empty list of ${[...ACTIONS].map((a) => JSON.stringify(a)).join(", ")}`);
  });
  return problems.list;
}

function pathText(path: unknown): string {
  return Array.isArray(path) ? path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i > 0 ? "." : ""}${p}`)).join("") : String(path);
}

export function planFacts(plan: JsonObject): PlanFacts {
  let create = 0;
  let update = 0;
  let del = 0;
  let replace = 0;
  const danger: PlanDanger[] = [];
  const addressOf = (rc: JsonObject) => asString(rc.address) ?? "";
  const changes = asArray(plan.resource_changes)
    .map(asObject)
    .sort((a, b) => addressOf(a).localeCompare(addressOf(b)));
  for (const rc of changes) {
    if (rc.mode === "data") continue;
    const change = asObject(rc.change);
    const actions = asStrings(change.actions);
    const key = actions.join(",");
    const isReplace = actions.includes("delete") && actions.includes("create");
    if (isReplace) replace++;
    else if (key === "create") create++;
    else if (key === "update") update++;
    else if (key === "delete") del++;
    else continue;
    if (!actions.includes("delete")) continue;
    const subject = humanName(asString(rc.type) ?? "", asString(rc.name) ?? "", asObject(change.before));
    const actionReason = asString(rc.action_reason);
    const because =
      actionReason !== undefined
        ? (REASONS[actionReason] ?? codeSpan(actionReason))
        : isReplace
          ? "the provider requires it"
          : "it is no longer in the configuration";
    const paths = asArray(change.replace_paths);
    const reason =
      paths.length > 0
        ? `${because}: ${paths
            .map(pathText)
            .sort()
            .map((p) => codeSpan(p))
            .join(", ")}`
        : because;
    danger.push({
      text: `${subject} would be ${isReplace ? "replaced (destroyed, then created)" : "destroyed"}`,
      address: addressOf(rc),
      reason,
    });
  }
  return { create, update, delete: del, replace, danger };
}
