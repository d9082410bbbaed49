import type { DetectionRuleProps } from "../rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_SYSTEM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, KUBE_CONTROLLER_MANAGER, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "events-deleted",
  name: "EKS: Kubernetes events deleted",
  detectionMethod: "threshold",
  tactic: "TA0005-defense-evasion",
  technique: "T1070-indicator-removal",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:events @http.method:(delete OR deletecollection) ${SUCCEEDED} ${NOT_SYSTEM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect people deleting Kubernetes events: events record pod starts, image pulls and failures, and deleting them hides activity (events expire on their own; nobody needs to delete them).",
    "Successful delete/deletecollection of events by identities that are not `eks:`/`system:`.",
    [IDENTIFY_USER, "What happened in that namespace just before the deletion? The audit log still has it.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin deletes all events of a namespace", {
        verb: "deletecollection",
        resource: "events",
        namespace: "payments",
        user: KUBERNETES_ADMIN,
      }),
    ],
    negative: [
      sample("the controller manager (excluded system identity) deleting an event", {
        verb: "delete",
        resource: "events",
        namespace: "payments",
        name: "payments-api.17a2b3c4d5e6f708",
        user: KUBE_CONTROLLER_MANAGER,
      }),
      sample("listing events (read)", { verb: "list", resource: "events", namespace: "payments", user: DEVELOPER }),
      sample("the delete denied (403)", { verb: "deletecollection", resource: "events", namespace: "payments", user: DEVELOPER, code: 403 }),
    ],
  },
};
