import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_CONTROL_PLANE, STREAM_VERBS, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, serviceAccount, sample } from "../samples";

const cmd = "@http.url_details.queryString.command";
// Service account tokens are mounted under /var/run/secrets (kubernetes.io/serviceaccount; EKS IRSA:
// eks.amazonaws.com/serviceaccount; EKS Pod Identity: pods.eks.amazonaws.com/serviceaccount).
const tokenPaths = String.raw`(*\/var\/run\/secrets* OR *\/run\/secrets\/kubernetes.io* OR *serviceaccount\/token* OR *eks-pod-identity-token*)`;

export const rule: DetectionRuleProps = {
  id: "exec-token-read",
  name: "EKS: service account token read through exec",
  detectionMethod: "threshold",
  tactic: "TA0006-credential-access",
  technique: "T1528-steal-application-access-token",
  queries: [
    {
      query: String.raw`${EKS_AUDIT} @objectRef.resource:pods @objectRef.subresource:exec ${STREAM_VERBS} @http.status_code:[101 TO 299] (${cmd}:${tokenPaths} OR @requestObject.command:${tokenPaths}) ${NOT_CONTROL_PLANE} -(@usr.name:system\:serviceaccount\:kube-system\:* @objectRef.namespace:kube-system)`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  message: ruleMessage(
    "Detect an exec whose command names the service account token files (`/var/run/secrets/...`: Kubernetes, EKS IRSA and EKS Pod Identity tokens): the token is the pod's identity towards the API server and, with IRSA or Pod Identity, towards AWS.",
    "Successful exec (`create` or `get`) whose command arguments contain a token path, by anyone but EKS and the control plane; `kube-system` service accounts are excluded only inside `kube-system`. Blind spot: a shell opened first and the token read inside it (`kubectl exec -it ... sh`) shows no path in the audit log; the exec rules report the shell.",
    [
      IDENTIFY_USER,
      "Which pod and which service account (its role via IRSA/Pod Identity)? Look for that service account's token being used from another source IP right after (`@usr.name` of the service account, `@sourceIPs`).",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a developer cats the pod's token", {
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "production",
        name: "webapp-pod",
        user: DEVELOPER,
        code: 101,
        query: "command=cat&command=%2Fvar%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken&stdout=true",
      }),
      sample("kubectl 1.31 reads the IRSA token over WebSockets", {
        verb: "get",
        resource: "pods",
        subresource: "exec",
        namespace: "production",
        name: "app",
        user: KUBERNETES_ADMIN,
        code: 101,
        query: "command=cat&command=%2Fvar%2Frun%2Fsecrets%2Feks.amazonaws.com%2Fserviceaccount%2Ftoken&stdout=true",
      }),
      sample("a kube-system service account reads a token in an application namespace", {
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "default",
        name: "web",
        user: serviceAccount("kube-system", "controller"),
        code: 101,
        query: "command=sh&command=-c&command=cat+%2Fvar%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken",
      }),
    ],
    negative: [
      sample("an exec without a token path", {
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "default",
        name: "web",
        user: DEVELOPER,
        code: 101,
        query: "command=%2Fbin%2Fsh&stdin=true&tty=true",
      }),
      sample("kube-proxy's service account inside kube-system (excluded)", {
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "kube-system",
        name: "kube-proxy-x7k2p",
        user: serviceAccount("kube-system", "kube-proxy"),
        code: 101,
        query: "command=cat&command=%2Fvar%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken",
      }),
      sample("the exec denied (403)", {
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "production",
        name: "webapp-pod",
        user: DEVELOPER,
        code: 403,
        query: "command=cat&command=%2Fvar%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken",
      }),
    ],
  },
};
