import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, STREAM_VERBS, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, serviceAccount, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "pod-port-forward",
  name: "EKS: port-forward to a pod",
  detectionMethod: "threshold",
  tactic: "TA0011-command-and-control",
  technique: "T1572-protocol-tunneling",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:pods @objectRef.subresource:portforward ${STREAM_VERBS} @http.status_code:[101 TO 299] ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name", "@objectRef.namespace"],
    },
  ],
  cases: [{ status: "low", condition: "a > 0" }],
  message: ruleMessage(
    "Detect `kubectl port-forward`, which tunnels traffic from a workstation into a pod and around network policies and load balancers.",
    "Successful `create` on the `pods/portforward` subresource, by user and namespace.",
    [IDENTIFY_USER, "Check which pod and port were reached (databases and admin ports are the usual targets).", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin port-forwards to a database pod", {
        verb: "create",
        resource: "pods",
        subresource: "portforward",
        namespace: "data",
        name: "postgres-0",
        user: KUBERNETES_ADMIN,
        code: 101,
        query: "ports=5432",
      }),
      sample("kubectl 1.31 port-forwards over WebSockets (verb get)", {
        verb: "get",
        resource: "pods",
        subresource: "portforward",
        namespace: "data",
        name: "postgres-0",
        user: DEVELOPER,
        code: 101,
        query: "ports=5432",
      }),
    ],
    negative: [
      sample("port-forward denied (403)", {
        verb: "create",
        resource: "pods",
        subresource: "portforward",
        namespace: "data",
        name: "postgres-0",
        user: DEVELOPER,
        code: 403,
      }),
      sample("a kube-system service account (excluded identity) port-forwarding", {
        verb: "create",
        resource: "pods",
        subresource: "portforward",
        namespace: "data",
        name: "postgres-0",
        user: serviceAccount("kube-system", "ebs-csi-controller-sa"),
        code: 101,
      }),
      sample("getting the pod (read)", { verb: "get", resource: "pods", namespace: "data", name: "postgres-0", user: DEVELOPER }),
    ],
  },
};
