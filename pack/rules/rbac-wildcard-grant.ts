import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, sample } from "../samples";

const role = (kind: string, rules: unknown[]) => ({ kind, apiVersion: "rbac.authorization.k8s.io/v1", metadata: { name: "ops" }, rules });

export const rule: DetectionRuleProps = {
  id: "rbac-wildcard-grant",
  name: "EKS: role granting wildcard verbs or resources",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1098-account-manipulation",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:(clusterroles OR roles) @http.method:(create OR update OR patch) (@requestObject.rules.verbs:\\* OR @requestObject.rules.resources:\\*) ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect (Cluster)Roles with `*` in verbs or resources: they grant today's and tomorrow's permissions, including escalate, bind and impersonate.",
    'Successful create/update/patch of roles and clusterroles with a wildcard verb or resource, platform identities excluded. A wildcard API group alone (`apiGroups: ["*"]` with named resources and verbs) only widens named resources to every group and is not reported.',
    [IDENTIFY_USER, "Read `@requestObject.rules`, and find who is bound to the role.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin creates a clusterrole with verbs *", {
        verb: "create",
        resource: "clusterroles",
        apiGroup: "rbac.authorization.k8s.io",
        name: "ops",
        user: KUBERNETES_ADMIN,
        requestObject: role("ClusterRole", [{ apiGroups: [""], resources: ["secrets"], verbs: ["*"] }]),
      }),
      sample("a developer creates a namespaced role with resources *", {
        verb: "create",
        resource: "roles",
        apiGroup: "rbac.authorization.k8s.io",
        namespace: "web",
        name: "ops",
        user: DEVELOPER,
        requestObject: role("Role", [{ apiGroups: ["apps"], resources: ["*"], verbs: ["get", "list"] }]),
      }),
    ],
    negative: [
      sample("a role with a wildcard API group but named resources and verbs", {
        verb: "create",
        resource: "roles",
        apiGroup: "rbac.authorization.k8s.io",
        namespace: "web",
        name: "ingress-reader",
        user: DEVELOPER,
        requestObject: role("Role", [{ apiGroups: ["*"], resources: ["ingresses"], verbs: ["get", "list"] }]),
      }),
      sample("a role with explicit verbs and resources", {
        verb: "create",
        resource: "roles",
        apiGroup: "rbac.authorization.k8s.io",
        namespace: "web",
        name: "ops",
        user: DEVELOPER,
        requestObject: role("Role", [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "patch"] }]),
      }),
      sample("EKS addon manager (excluded identity) updating a wildcard clusterrole", {
        verb: "update",
        resource: "clusterroles",
        apiGroup: "rbac.authorization.k8s.io",
        name: "eks:addon-cluster-admin",
        user: eksIdentity("addon-manager"),
        requestObject: role("ClusterRole", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]),
      }),
      sample("reading a wildcard role (get)", {
        verb: "get",
        resource: "clusterroles",
        apiGroup: "rbac.authorization.k8s.io",
        name: "cluster-admin",
        user: DEVELOPER,
      }),
    ],
  },
};
