import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_SYSTEM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, KUBE_CONTROLLER_MANAGER, NODE, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "serviceaccount-token-requested",
  name: "EKS: service account token requested by a person",
  detectionMethod: "threshold",
  tactic: "TA0006-credential-access",
  technique: "T1528-steal-application-access-token",
  queries: [
    {
      query: String.raw`${EKS_AUDIT} @objectRef.resource:serviceaccounts @objectRef.subresource:token @http.method:create ${SUCCEEDED} (${NOT_SYSTEM} OR (@usr.name:(system\:kube-controller-manager OR system\:kube-scheduler OR system\:apiserver) -@objectRef.namespace:kube-system))`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect `kubectl create token` (TokenRequest) by a person: a bearer token for a service account that works from outside the cluster until it expires.",
    "Successful `create` on `serviceaccounts/token` by anything that is not an `eks:` or `system:` identity (kubelets request tokens for pods as `system:node:*`), and by the control-plane components outside `kube-system` (they request tokens for their own controllers there, never for application service accounts: on EKS, their credentials being used elsewhere means the control plane's identity leaked).",
    [
      IDENTIFY_USER,
      "Which service account (`@objectRef.namespace`/`@objectRef.name`) and what can it do? Look for its use from unusual source IPs afterwards.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin creates a token for a CI service account", {
        verb: "create",
        resource: "serviceaccounts",
        subresource: "token",
        namespace: "ci",
        name: "deployer",
        user: KUBERNETES_ADMIN,
        requestObject: {
          kind: "TokenRequest",
          apiVersion: "authentication.k8s.io/v1",
          spec: { audiences: ["https://kubernetes.default.svc"], expirationSeconds: 86400 },
        },
      }),
      sample("the kube-controller-manager's identity requesting a token for an application service account", {
        verb: "create",
        resource: "serviceaccounts",
        subresource: "token",
        namespace: "production",
        name: "app-sa",
        user: KUBE_CONTROLLER_MANAGER,
      }),
    ],
    negative: [
      sample("a kubelet (excluded system:node identity) requesting a pod's projected token", {
        verb: "create",
        resource: "serviceaccounts",
        subresource: "token",
        namespace: "web",
        name: "frontend",
        user: NODE,
      }),
      sample("the kube-controller-manager requesting a token for its own controller in kube-system", {
        verb: "create",
        resource: "serviceaccounts",
        subresource: "token",
        namespace: "kube-system",
        name: "replicaset-controller",
        user: KUBE_CONTROLLER_MANAGER,
      }),
      sample("the token request denied (403)", {
        verb: "create",
        resource: "serviceaccounts",
        subresource: "token",
        namespace: "ci",
        name: "deployer",
        user: DEVELOPER,
        code: 403,
      }),
      sample("reading the service account (get)", { verb: "get", resource: "serviceaccounts", namespace: "ci", name: "deployer", user: DEVELOPER }),
    ],
  },
};
