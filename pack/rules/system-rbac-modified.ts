import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, roleManifest, serviceAccount, sample } from "../samples";

const RBAC = { apiGroup: "rbac.authorization.k8s.io" };

export const rule: DetectionRuleProps = {
  id: "system-rbac-modified",
  name: "EKS: system role or binding modified or deleted",
  detectionMethod: "threshold",
  tactic: "TA0003-persistence",
  technique: "T1098-account-manipulation",
  queries: [
    {
      query: String.raw`${EKS_AUDIT} @objectRef.resource:(clusterroles OR clusterrolebindings OR roles OR rolebindings) @objectRef.name:(system\:* OR eks\:*) -@objectRef.name:system\:coredns @http.method:(update OR patch OR delete) ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  message: ruleMessage(
    "Detect changes to, or deletion of, the roles and bindings Kubernetes and EKS create for themselves (`system:*`, `eks:*`): widening `system:node` or `system:kube-scheduler` is a quiet backdoor, deleting them breaks the cluster or hides an attacker's tracks.",
    "Successful update/patch/delete of (cluster) roles and bindings whose name starts with `system:` or `eks:`, platform identities excluded (the API server reconciles the default roles at start-up as `system:apiserver`; EKS updates its own as `eks:*`). `system:coredns` is left out: EKS's upgrade instructions for the self-managed CoreDNS add-on have people edit it (https://docs.aws.amazon.com/eks/latest/userguide/coredns-add-on-self-managed-update.html); other add-on roles changed by people during upgrades signal.",
    [
      IDENTIFY_USER,
      "Compare `@requestObject.rules` / `subjects` with the default (`kubectl get clusterrole <name> -o yaml` on a fresh cluster of the same version).",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("system:node widened to every resource", {
        verb: "update",
        resource: "clusterroles",
        ...RBAC,
        name: "system:node",
        user: DEVELOPER,
        requestObject: roleManifest("ClusterRole", "system:node", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]),
      }),
      sample("system:kube-scheduler deleted", {
        verb: "delete",
        resource: "clusterroles",
        ...RBAC,
        name: "system:kube-scheduler",
        user: KUBERNETES_ADMIN,
      }),
      sample("an EKS binding patched", {
        verb: "patch",
        resource: "clusterrolebindings",
        ...RBAC,
        name: "eks:node-bootstrapper",
        user: KUBERNETES_ADMIN,
        code: 200,
      }),
    ],
    negative: [
      sample("a custom cluster role updated", { verb: "update", resource: "clusterroles", ...RBAC, name: "custom-admin", user: KUBERNETES_ADMIN }),
      sample("a system role read", { verb: "get", resource: "clusterroles", ...RBAC, name: "system:admin", user: DEVELOPER }),
      sample("the aggregation controller (excluded identity) updating system:aggregate-to-edit", {
        verb: "update",
        resource: "clusterroles",
        ...RBAC,
        name: "system:aggregate-to-edit",
        user: serviceAccount("kube-system", "clusterrole-aggregation-controller"),
      }),
      sample("the change denied (403)", { verb: "patch", resource: "clusterroles", ...RBAC, name: "system:admin", user: DEVELOPER, code: 403 }),
    ],
  },
};
