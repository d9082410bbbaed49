import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, WRITES, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, bindingManifest, eksIdentity, sample } from "../samples";

const RBAC = { apiGroup: "rbac.authorization.k8s.io" };

/** Subjects a binding must never name: every authenticated or unauthenticated caller, or the all-powerful group. */
export const DANGEROUS_SUBJECTS = ["system:masters", "system:anonymous", "system:unauthenticated", "system:authenticated"];
/** Control-plane cluster roles (and `system:masters`, a group some write as a role name) that no person should be bound to. */
export const CONTROL_PLANE_ROLES = [
  "system:masters",
  "system:kube-controller-manager",
  "system:kube-scheduler",
  "system:node",
  "system:controller:*",
];

const esc = (s: string) => s.replace(/:/g, "\\:");

export const rule: DetectionRuleProps = {
  id: "privileged-subject-binding",
  name: "EKS: binding to a dangerous subject or a control-plane role",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1098-account-manipulation",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:(clusterrolebindings OR rolebindings) ${WRITES} (@requestObject.subjects.name:(${DANGEROUS_SUBJECTS.map(esc).join(" OR ")}) OR @requestObject.roleRef.name:(${CONTROL_PLANE_ROLES.map(esc).join(" OR ")})) ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  decreaseCriticalityBasedOnEnv: true,
  message: ruleMessage(
    "Detect a (Cluster)RoleBinding that hands a role to `system:masters`, `system:anonymous`, `system:unauthenticated` or `system:authenticated` (everyone who can reach the API, or every authenticated identity), or binds someone to a control-plane role (`system:kube-controller-manager`, `system:kube-scheduler`, `system:node`, `system:controller:*`).",
    "Successful create/update/patch of bindings whose subjects or role reference match those names, platform identities excluded (`cluster-admin` bindings are reported by `cluster-admin-binding`).",
    [
      IDENTIFY_USER,
      "Read `@requestObject.roleRef` and `@requestObject.subjects`: what did the group or identity receive?",
      "If unexpected, delete the binding first: with `system:anonymous` or `system:unauthenticated`, anyone on the internet may already use it when the endpoint is public.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("view granted to every unauthenticated caller", {
        verb: "create",
        resource: "clusterrolebindings",
        ...RBAC,
        name: "public-view",
        user: KUBERNETES_ADMIN,
        requestObject: bindingManifest("ClusterRoleBinding", "public-view", "view", [
          { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:unauthenticated" },
        ]),
      }),
      sample("a service account bound to the controller-manager role", {
        verb: "create",
        resource: "clusterrolebindings",
        ...RBAC,
        name: "controller-access",
        user: DEVELOPER,
        requestObject: bindingManifest("ClusterRoleBinding", "controller-access", "system:kube-controller-manager", [
          { kind: "ServiceAccount", name: "attacker-sa", namespace: "default" },
        ]),
      }),
    ],
    negative: [
      sample("view granted to a named group", {
        verb: "create",
        resource: "clusterrolebindings",
        ...RBAC,
        name: "auditors-view",
        user: KUBERNETES_ADMIN,
        requestObject: bindingManifest("ClusterRoleBinding", "auditors-view", "view", [
          { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "auditors" },
        ]),
      }),
      sample("a binding to system:auth-delegator (not a control-plane role)", {
        verb: "create",
        resource: "clusterrolebindings",
        ...RBAC,
        name: "metrics-adapter",
        user: DEVELOPER,
        requestObject: bindingManifest("ClusterRoleBinding", "metrics-adapter", "system:auth-delegator", [
          { kind: "ServiceAccount", name: "adapter", namespace: "monitoring" },
        ]),
      }),
      sample("EKS bootstrap (excluded identity) binding system:authenticated to discovery", {
        verb: "create",
        resource: "clusterrolebindings",
        ...RBAC,
        name: "system:discovery",
        user: eksIdentity("cluster-bootstrap"),
        requestObject: bindingManifest("ClusterRoleBinding", "system:discovery", "system:discovery", [
          { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:authenticated" },
        ]),
      }),
    ],
  },
};
