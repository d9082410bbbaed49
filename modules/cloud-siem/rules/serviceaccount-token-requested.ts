import type { DetectionRuleProps } from "../rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_SYSTEM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, NODE, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "serviceaccount-token-requested",
  name: "EKS: service account token requested by a person",
  detectionMethod: "threshold",
  tactic: "TA0006-credential-access",
  technique: "T1528-steal-application-access-token",
  queries: [{ query: `${EKS_AUDIT} @objectRef.resource:serviceaccounts @objectRef.subresource:token @http.method:create ${SUCCEEDED} ${NOT_SYSTEM}`, groupByFields: ["@usr.name"] }],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect `kubectl create token` (TokenRequest) by a person: a bearer token for a service account that works from outside the cluster until it expires.",
    "Successful `create` on `serviceaccounts/token` by anything that is not an `eks:` or `system:` identity (kubelets request tokens for pods as `system:node:*`).",
    [IDENTIFY_USER, "Which service account (`@objectRef.namespace`/`@objectRef.name`) and what can it do? Look for its use from unusual source IPs afterwards.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [sample("kubernetes-admin creates a token for a CI service account", { verb: "create", resource: "serviceaccounts", subresource: "token", namespace: "ci", name: "deployer", user: KUBERNETES_ADMIN, requestObject: { kind: "TokenRequest", apiVersion: "authentication.k8s.io/v1", spec: { audiences: ["https://kubernetes.default.svc"], expirationSeconds: 86400 } } })],
    negative: [
      sample("a kubelet (excluded system:node identity) requesting a pod's projected token", { verb: "create", resource: "serviceaccounts", subresource: "token", namespace: "web", name: "frontend", user: NODE }),
      sample("the token request denied (403)", { verb: "create", resource: "serviceaccounts", subresource: "token", namespace: "ci", name: "deployer", user: DEVELOPER, code: 403 }),
      sample("reading the service account (get)", { verb: "get", resource: "serviceaccounts", namespace: "ci", name: "deployer", user: DEVELOPER }),
    ],
  },
};
