import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, WRITES, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, roleManifest, serviceAccount, sample } from "../samples";

const RBAC = { apiGroup: "rbac.authorization.k8s.io" };

export const rule: DetectionRuleProps = {
  id: "rbac-grant-pod-exec",
  name: "EKS: role grants exec or attach into pods",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1098-account-manipulation",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:(clusterroles OR roles) ${WRITES} @requestObject.rules.resources:("pods/exec" OR "pods/attach" OR pods\\/\\*) ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect a Role or ClusterRole that grants `pods/exec` or `pods/attach`: whoever is bound to it can run commands in the pods it covers and read their mounted secrets and tokens.",
    "Successful create/update/patch of roles and cluster roles whose rules name `pods/exec`, `pods/attach` or `pods/*`, platform identities excluded. Any verb counts: kubectl >= 1.30 needs only `get` on `pods/exec` (WebSockets). Wildcard resources (`*`) are reported by `rbac-wildcard-grant`.",
    [
      IDENTIFY_USER,
      "Read `@requestObject.rules` and find the bindings to this role (`@requestObject.roleRef.name` in rolebinding events): who gains exec, in which namespaces?",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a ClusterRole granting pods/exec", {
        verb: "create",
        resource: "clusterroles",
        ...RBAC,
        name: "debugger",
        user: KUBERNETES_ADMIN,
        requestObject: roleManifest("ClusterRole", "debugger", [{ apiGroups: [""], resources: ["pods", "pods/exec"], verbs: ["get", "create"] }]),
      }),
      sample("a namespaced Role granting only get on pods/attach", {
        verb: "create",
        resource: "roles",
        ...RBAC,
        namespace: "web",
        name: "attacher",
        user: DEVELOPER,
        requestObject: roleManifest("Role", "attacher", [{ apiGroups: [""], resources: ["pods/attach"], verbs: ["get"] }], "web"),
      }),
    ],
    negative: [
      sample("a Role reading pods and their logs", {
        verb: "create",
        resource: "roles",
        ...RBAC,
        namespace: "web",
        name: "reader",
        user: DEVELOPER,
        requestObject: roleManifest("Role", "reader", [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] }], "web"),
      }),
      sample("a kube-system operator (excluded identity) creating an exec role", {
        verb: "create",
        resource: "clusterroles",
        ...RBAC,
        name: "operator-exec",
        user: serviceAccount("kube-system", "operator"),
        requestObject: roleManifest("ClusterRole", "operator-exec", [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }]),
      }),
      sample("the exec role denied (403)", {
        verb: "create",
        resource: "clusterroles",
        ...RBAC,
        name: "exec",
        user: DEVELOPER,
        code: 403,
        requestObject: roleManifest("ClusterRole", "exec", [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }]),
      }),
    ],
  },
};
