import type { DetectionRuleProps } from "../rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "secrets-listed-cluster-wide",
  name: "EKS: secrets listed across all namespaces",
  detectionMethod: "threshold",
  tactic: "TA0006-credential-access",
  technique: "T1552.007-container-api",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:secrets @http.method:(list OR watch) -@objectRef.namespace:* ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  message: ruleMessage(
    "Detect `kubectl get secrets -A`: every secret of the cluster, in one request.",
    "Successful list/watch of secrets without a namespace (cluster scope), platform identities excluded. Operators that legitimately watch all secrets (external-secrets, Argo CD...) should be excluded through tuning.",
    [
      IDENTIFY_USER,
      "A person listing all secrets is rarely legitimate: check what they did next and rotate the secrets they could read.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin lists secrets in all namespaces", { verb: "list", resource: "secrets", user: KUBERNETES_ADMIN, query: "limit=500" }),
    ],
    negative: [
      sample("listing secrets of one namespace", { verb: "list", resource: "secrets", namespace: "web", user: DEVELOPER }),
      sample("EKS (excluded identity) watching secrets cluster-wide", {
        verb: "watch",
        resource: "secrets",
        user: eksIdentity("cloud-controller-manager"),
      }),
      sample("the cluster-wide list denied (403)", { verb: "list", resource: "secrets", user: DEVELOPER, code: 403, query: "limit=500" }),
    ],
  },
};
