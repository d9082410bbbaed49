/**
 * The real-plan half of `review`: what `terraform show -json <saved plan>` says will happen (format documented at
 * https://developer.hashicorp.com/terraform/internals/json-format, "Plan Representation" and "Change Representation").
 */
import { JsonObject, asArray, asObject, asString, asStrings } from "./json";
import { humanName } from "./review-resources";

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
        ? (REASONS[actionReason] ?? actionReason)
        : isReplace
          ? "the provider requires it"
          : "it is no longer in the configuration";
    const paths = asArray(change.replace_paths);
    const reason = paths.length > 0 ? `${because}: ${paths.map(pathText).sort().join(", ")}` : because;
    danger.push({
      text: `${subject} would be ${isReplace ? "replaced (destroyed, then created)" : "destroyed"}`,
      address: addressOf(rc),
      reason,
    });
  }
  return { create, update, delete: del, replace, danger };
}
