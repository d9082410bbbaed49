import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_SYSTEM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, roleManifest, serviceAccount, sample } from "../samples";

const RBAC = { apiGroup: "rbac.authorization.k8s.io" };

export const rule: DetectionRuleProps = {
  id: "rbac-grant-write-verbs",
  name: "EKS: person creates a role with write permissions",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1098-account-manipulation",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:(clusterroles OR roles) @http.method:create @requestObject.rules.verbs:(create OR update OR patch OR delete OR deletecollection) ${SUCCEEDED} ${NOT_SYSTEM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "low", condition: "a > 0" }],
  message: ruleMessage(
    "Detect a person creating a Role or ClusterRole that can create, change or delete resources: new write access handed out by hand, outside the pipelines that normally install roles.",
    "Successful creates (not updates: re-applied roles would alert on every deploy) of roles and cluster roles with a write verb, by people only (every `system:` identity excluded). Low severity: context for the binding rules (`cluster-admin-binding`, `privileged-subject-binding`) and the grant rules for exec, node proxy and secrets.",
    [IDENTIFY_USER, "Read `@requestObject.rules`: which resources can be written, and who will be bound to the role?", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("a developer creates a Role that patches deployments", {
        verb: "create",
        resource: "roles",
        ...RBAC,
        namespace: "web",
        name: "app-manager",
        user: DEVELOPER,
        requestObject: roleManifest(
          "Role",
          "app-manager",
          [
            { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
            { apiGroups: ["apps"], resources: ["deployments"], verbs: ["update", "patch"] },
          ],
          "web",
        ),
      }),
      sample("an admin creates a ClusterRole that deletes pods", {
        verb: "create",
        resource: "clusterroles",
        ...RBAC,
        name: "pod-reaper",
        user: KUBERNETES_ADMIN,
        requestObject: roleManifest("ClusterRole", "pod-reaper", [{ apiGroups: [""], resources: ["pods"], verbs: ["delete", "deletecollection"] }]),
      }),
    ],
    negative: [
      sample("a read-only Role", {
        verb: "create",
        resource: "roles",
        ...RBAC,
        namespace: "web",
        name: "reader",
        user: DEVELOPER,
        requestObject: roleManifest("Role", "reader", [{ apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] }], "web"),
      }),
      sample("updating an existing write role (re-applied manifests)", {
        verb: "update",
        resource: "roles",
        ...RBAC,
        namespace: "web",
        name: "app-manager",
        user: DEVELOPER,
        requestObject: roleManifest("Role", "app-manager", [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["patch"] }], "web"),
      }),
      sample("a pipeline's service account creating a write role (excluded: not a person)", {
        verb: "create",
        resource: "roles",
        ...RBAC,
        namespace: "web",
        name: "deployer",
        user: serviceAccount("ci", "deployer"),
        requestObject: roleManifest("Role", "deployer", [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "update"] }], "web"),
      }),
    ],
  },
};
