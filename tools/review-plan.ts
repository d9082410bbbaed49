/**
 * The real-plan half of `review`: what `terraform show -json <saved plan>` says will happen (format documented at
 * https://developer.hashicorp.com/terraform/internals/json-format, "Plan Representation" and "Change Representation").
 */
import type { Json } from "./review-load";
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

export function planFacts(plan: Json): PlanFacts {
  let create = 0;
  let update = 0;
  let del = 0;
  let replace = 0;
  const danger: PlanDanger[] = [];
  const changes = [...((plan.resource_changes ?? []) as Json[])].sort((a, b) => String(a.address).localeCompare(String(b.address)));
  for (const rc of changes) {
    if (rc.mode === "data") continue;
    const actions: string[] = rc.change?.actions ?? [];
    const key = actions.join(",");
    const isReplace = actions.includes("delete") && actions.includes("create");
    if (isReplace) replace++;
    else if (key === "create") create++;
    else if (key === "update") update++;
    else if (key === "delete") del++;
    else continue;
    if (!actions.includes("delete")) continue;
    const body: Json = rc.change?.before ?? {};
    const subject = humanName(String(rc.type), String(rc.name), body);
    const because =
      REASONS[rc.action_reason] ??
      (rc.action_reason !== undefined ? String(rc.action_reason) : isReplace ? "the provider requires it" : "it is no longer in the configuration");
    const paths: unknown[] = rc.change?.replace_paths ?? [];
    const reason = paths.length > 0 ? `${because}: ${paths.map(pathText).sort().join(", ")}` : because;
    danger.push({
      text: `${subject} would be ${isReplace ? "replaced (destroyed, then created)" : "destroyed"}`,
      address: String(rc.address),
      reason,
    });
  }
  return { create, update, delete: del, replace, danger };
}
