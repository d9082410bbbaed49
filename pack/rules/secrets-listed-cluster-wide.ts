import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "secrets-listed-cluster-wide",
  name: "EKS: secrets listed across all namespaces",
  detectionMethod: "new_value",
  tactic: "TA0006-credential-access",
  technique: "T1552.007-container-api",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:secrets @http.method:(list OR watch) -@objectRef.namespace:* ${SUCCEEDED} ${NOT_PLATFORM}`,
      // New Value: operators that watch every Secret (cert-manager, ingress-nginx, istiod, external-secrets, Argo CD,
      // kube-state-metrics, Velero) do it all day and are learned on day one.
      metrics: ["@usr.name"],
    },
  ],
  cases: [{ status: "high" }],
  newValueOptions: { forgetAfterDays: 28, learningDurationDays: 1 },
  message: ruleMessage(
    "Detect `kubectl get secrets -A`: every secret of the cluster, in one request.",
    "New Value on `@usr.name` over successful list/watch of secrets without a namespace (cluster scope), platform identities excluded: one day of learning (operators that cache every Secret — cert-manager, ingress-nginx, istiod, external-secrets, Argo CD, kube-state-metrics, Velero — list and watch all day and are learned then), after which each identity that lists all secrets for the first time alerts once (forgotten after 28 idle days).",
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
