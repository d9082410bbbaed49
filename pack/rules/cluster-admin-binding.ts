import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, sample } from "../samples";

const binding = (kind: string, subject: string) => ({
  kind,
  apiVersion: "rbac.authorization.k8s.io/v1",
  metadata: { name: `${subject}-admin` },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
  subjects: [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: subject }],
});

export const rule: DetectionRuleProps = {
  id: "cluster-admin-binding",
  name: "EKS: principal bound to cluster-admin",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1098-account-manipulation",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:(clusterrolebindings OR rolebindings) @http.method:(create OR update OR patch) @requestObject.roleRef.name:cluster-admin ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  decreaseCriticalityBasedOnEnv: true,
  message: ruleMessage(
    "Detect a (Cluster)RoleBinding to the `cluster-admin` ClusterRole: full control of the cluster.",
    "Successful create/update/patch of clusterrolebindings or rolebindings whose `roleRef.name` is `cluster-admin`, platform identities excluded.",
    [
      IDENTIFY_USER,
      "Read the subjects in `@requestObject.subjects`: who received cluster-admin, and is there a change request for it?",
      "If unexpected, delete the binding first, then investigate.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin binds a user to cluster-admin", {
        verb: "create",
        resource: "clusterrolebindings",
        apiGroup: "rbac.authorization.k8s.io",
        name: "mallory-admin",
        user: KUBERNETES_ADMIN,
        requestObject: binding("ClusterRoleBinding", "mallory"),
      }),
      sample("a developer binds cluster-admin in a namespace", {
        verb: "create",
        resource: "rolebindings",
        apiGroup: "rbac.authorization.k8s.io",
        namespace: "web",
        name: "bob-admin",
        user: DEVELOPER,
        requestObject: binding("RoleBinding", "bob"),
      }),
    ],
    negative: [
      sample("a binding to the view role", {
        verb: "create",
        resource: "clusterrolebindings",
        apiGroup: "rbac.authorization.k8s.io",
        name: "auditors-view",
        user: KUBERNETES_ADMIN,
        requestObject: {
          ...binding("ClusterRoleBinding", "auditors"),
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        },
      }),
      sample("EKS bootstrap (excluded identity) creating a cluster-admin binding", {
        verb: "create",
        resource: "clusterrolebindings",
        apiGroup: "rbac.authorization.k8s.io",
        name: "eks:cluster-admin",
        user: eksIdentity("cluster-bootstrap"),
        requestObject: binding("ClusterRoleBinding", "eks:cluster-admin"),
      }),
      sample("the binding denied (403)", {
        verb: "create",
        resource: "clusterrolebindings",
        apiGroup: "rbac.authorization.k8s.io",
        name: "bob-admin",
        user: DEVELOPER,
        code: 403,
        requestObject: binding("ClusterRoleBinding", "bob"),
      }),
    ],
  },
};
