import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, serviceAccount, sample } from "../samples";

const role = (verbs: string[], resources: string[]) => ({
  kind: "ClusterRole",
  apiVersion: "rbac.authorization.k8s.io/v1",
  metadata: { name: "helper" },
  rules: [{ apiGroups: ["", "rbac.authorization.k8s.io"], resources, verbs }],
});

export const rule: DetectionRuleProps = {
  id: "rbac-escalate-bind-impersonate",
  name: "EKS: role granting escalate, bind or impersonate",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1098-account-manipulation",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:(clusterroles OR roles) @http.method:(create OR update OR patch) @requestObject.rules.verbs:(escalate OR bind OR impersonate) ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  message: ruleMessage(
    "Detect roles granting `escalate` (edit roles beyond your own permissions), `bind` (bind roles you do not hold) or `impersonate` (act as another user, group or service account).",
    "Successful create/update/patch of roles and clusterroles listing one of these verbs, platform identities excluded.",
    [IDENTIFY_USER, "Read `@requestObject.rules` and find the subjects bound to this role.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin creates a clusterrole with impersonate on users", {
        verb: "create",
        resource: "clusterroles",
        apiGroup: "rbac.authorization.k8s.io",
        name: "helper",
        user: KUBERNETES_ADMIN,
        requestObject: role(["impersonate"], ["users", "groups"]),
      }),
      sample("a developer patches a role to add bind", {
        verb: "patch",
        resource: "clusterroles",
        apiGroup: "rbac.authorization.k8s.io",
        name: "helper",
        user: DEVELOPER,
        requestObject: role(["get", "bind"], ["clusterroles"]),
      }),
    ],
    negative: [
      sample("a role with ordinary verbs", {
        verb: "create",
        resource: "clusterroles",
        apiGroup: "rbac.authorization.k8s.io",
        name: "helper",
        user: DEVELOPER,
        requestObject: role(["get", "list", "watch"], ["pods"]),
      }),
      sample("the clusterrole-aggregation-controller (excluded kube-system identity) updating a role with escalate", {
        verb: "update",
        resource: "clusterroles",
        apiGroup: "rbac.authorization.k8s.io",
        name: "admin",
        user: serviceAccount("kube-system", "clusterrole-aggregation-controller"),
        requestObject: role(["escalate", "bind"], ["roles"]),
      }),
      sample("the same role rejected (403)", {
        verb: "create",
        resource: "clusterroles",
        apiGroup: "rbac.authorization.k8s.io",
        name: "helper",
        user: DEVELOPER,
        code: 403,
        requestObject: role(["impersonate"], ["users"]),
      }),
    ],
  },
};
