import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_SYSTEM, SUCCEEDED, WRITES, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, roleManifest, serviceAccount, sample } from "../samples";

const RBAC = { apiGroup: "rbac.authorization.k8s.io" };

export const rule: DetectionRuleProps = {
  id: "rbac-grant-secrets",
  name: "EKS: person writes a role that reads secrets",
  detectionMethod: "threshold",
  tactic: "TA0006-credential-access",
  technique: "T1552.007-container-api",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:(clusterroles OR roles) ${WRITES} @requestObject.rules.resources:secrets @requestObject.rules.verbs:(get OR list OR watch) ${SUCCEEDED} ${NOT_SYSTEM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "low", condition: "a > 0" }],
  message: ruleMessage(
    "Detect a person creating or changing a Role or ClusterRole that reads Secrets (`get`, `list` or `watch` on `secrets`): the usual way to give a foothold identity access to credentials.",
    "Successful create/update/patch of roles and cluster roles by people (every `system:` identity, service accounts included, is excluded: operators and charts installed by pipelines grant secret access routinely) whose rules name `secrets` and a read verb. The verb and the resource may come from different rules of the same role (over-reporting, never under-reporting). Wildcards are reported by `rbac-wildcard-grant`.",
    [IDENTIFY_USER, "Read `@requestObject.rules`: which secrets (`resourceNames`?) in which namespace, and who is bound to the role?", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("an admin creates a ClusterRole that lists and deletes secrets", {
        verb: "create",
        resource: "clusterroles",
        ...RBAC,
        name: "secret-manager",
        user: KUBERNETES_ADMIN,
        requestObject: roleManifest("ClusterRole", "secret-manager", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "delete"] }]),
      }),
      sample("a developer patches a Role to watch secrets", {
        verb: "patch",
        resource: "roles",
        ...RBAC,
        namespace: "web",
        name: "app",
        user: DEVELOPER,
        code: 200,
        requestObject: roleManifest("Role", "app", [{ apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["watch"] }], "web"),
      }),
    ],
    negative: [
      sample("a Role creating secrets only (no read verb)", {
        verb: "create",
        resource: "roles",
        ...RBAC,
        namespace: "web",
        name: "writer",
        user: DEVELOPER,
        requestObject: roleManifest("Role", "writer", [{ apiGroups: [""], resources: ["secrets"], verbs: ["create"] }], "web"),
      }),
      sample("a Role reading configmaps", {
        verb: "create",
        resource: "roles",
        ...RBAC,
        namespace: "web",
        name: "config",
        user: DEVELOPER,
        requestObject: roleManifest("Role", "config", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }], "web"),
      }),
      sample("an operator's service account granting itself secret reads (excluded: not a person)", {
        verb: "create",
        resource: "clusterroles",
        ...RBAC,
        name: "external-secrets",
        user: serviceAccount("external-secrets", "external-secrets"),
        requestObject: roleManifest("ClusterRole", "external-secrets", [
          { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] },
        ]),
      }),
    ],
  },
};
