import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, NODE, container, podManifest, serviceAccount, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "kube-system-pod",
  name: "EKS: pod created directly in kube-system",
  detectionMethod: "threshold",
  tactic: "TA0002-execution",
  technique: "T1610-deploy-container",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:pods -@objectRef.subresource:* @objectRef.namespace:(kube-system OR kube-public OR kube-node-lease) @http.method:create ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect pods created directly (not by a controller) in `kube-system`, `kube-public` or `kube-node-lease`, where they blend in with system pods and often get powerful service accounts.",
    "Successful pod creates in those namespaces by anyone but EKS, the control plane, kubelets (mirror pods) and kube-system controllers.",
    [IDENTIFY_USER, "Inspect `@requestObject.spec`: image, service account, host mounts.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin runs a pod in kube-system", {
        verb: "create",
        resource: "pods",
        namespace: "kube-system",
        name: "debug",
        user: KUBERNETES_ADMIN,
        requestObject: podManifest("debug", "kube-system", { serviceAccountName: "aws-node", containers: [container("c")] }),
      }),
      sample("a developer hides a pod in kube-node-lease", {
        verb: "create",
        resource: "pods",
        namespace: "kube-node-lease",
        name: "hidden",
        user: DEVELOPER,
        requestObject: podManifest("hidden", "kube-node-lease", { containers: [container("c")] }),
      }),
    ],
    negative: [
      sample("the replicaset controller (excluded) creating a coredns pod", {
        verb: "create",
        resource: "pods",
        namespace: "kube-system",
        name: "coredns-5d78c9869d-abcde",
        user: serviceAccount("kube-system", "replicaset-controller"),
      }),
      sample("a kubelet (excluded) registering a mirror pod", {
        verb: "create",
        resource: "pods",
        namespace: "kube-system",
        name: "kube-proxy-mirror",
        user: NODE,
      }),
      sample("a pod created in an application namespace", { verb: "create", resource: "pods", namespace: "web", name: "debug", user: DEVELOPER }),
      sample("an exec (pods/exec subresource create) in kube-system, which is not a pod creation", {
        verb: "create",
        resource: "pods",
        subresource: "exec",
        namespace: "kube-system",
        name: "coredns-5d78c9869d-abcde",
        user: KUBERNETES_ADMIN,
        code: 101,
      }),
    ],
  },
};
