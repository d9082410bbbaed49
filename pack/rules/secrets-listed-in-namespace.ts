import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_SYSTEM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, serviceAccount, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "secrets-listed-in-namespace",
  name: "EKS: person lists or watches the secrets of a namespace",
  detectionMethod: "threshold",
  tactic: "TA0006-credential-access",
  technique: "T1552.007-container-api",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:secrets @http.method:(list OR watch) @objectRef.namespace:* ${SUCCEEDED} ${NOT_SYSTEM}`,
      groupByFields: ["@usr.name", "@objectRef.namespace"],
    },
  ],
  cases: [{ status: "low", condition: "a > 0" }],
  message: ruleMessage(
    "Detect a person listing or watching every secret of a namespace: a `list` returns the values of all of them at once (`kubectl get secrets -o yaml`).",
    "Successful namespaced list/watch of secrets by people (every `system:` identity excluded: controllers and operators list secrets all day). Cluster-wide lists are reported, at high severity, by `secrets-listed-cluster-wide`; single reads by `secret-read-new-user`.",
    [
      IDENTIFY_USER,
      "Which namespace (`@objectRef.namespace`), and did the same identity then use credentials from it (AWS keys, database passwords, service account tokens)?",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a developer lists the secrets of production", { verb: "list", resource: "secrets", namespace: "production", user: DEVELOPER }),
      sample("kubernetes-admin watches the secrets of payments", {
        verb: "watch",
        resource: "secrets",
        namespace: "payments",
        user: KUBERNETES_ADMIN,
      }),
    ],
    negative: [
      sample("an operator's service account listing secrets (excluded: not a person)", {
        verb: "list",
        resource: "secrets",
        namespace: "production",
        user: serviceAccount("external-secrets", "external-secrets"),
      }),
      sample("reading one secret (get)", { verb: "get", resource: "secrets", namespace: "production", name: "db", user: DEVELOPER }),
      sample("the list denied (403)", { verb: "list", resource: "secrets", namespace: "production", user: DEVELOPER, code: 403 }),
      sample("listing configmaps", { verb: "list", resource: "configmaps", namespace: "production", user: DEVELOPER }),
    ],
  },
};
