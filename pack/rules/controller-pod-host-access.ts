import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IF_UNEXPECTED, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, container, podManifest, serviceAccount, sample } from "../samples";
import { DANGEROUS_CAPABILITIES } from "./dangerous-capabilities";
import { SENSITIVE_HOST_PATHS } from "./host-path-sensitive-mount";

/** The controllers that create pods from a template a person or a pipeline wrote (not the DaemonSet controller: node agents). */
export const WORKLOAD_CONTROLLERS = ["replicaset-controller", "statefulset-controller", "job-controller", "replication-controller"];

const controllers = `(${WORKLOAD_CONTROLLERS.map((c) => String.raw`system\:serviceaccount\:kube-system\:${c}`).join(" OR ")})`;
const hostAccess = [
  "@requestObject.spec.containers.securityContext.privileged:true",
  "@requestObject.spec.initContainers.securityContext.privileged:true",
  "@requestObject.spec.hostNetwork:true",
  "@requestObject.spec.hostPID:true",
  "@requestObject.spec.hostIPC:true",
  `@requestObject.spec.volumes.hostPath.path:(${SENSITIVE_HOST_PATHS.map((p) => JSON.stringify(p)).join(" OR ")})`,
  `@requestObject.spec.containers.securityContext.capabilities.add:(${DANGEROUS_CAPABILITIES.join(" OR ")})`,
].join(" OR ");

const owned = (spec: Record<string, unknown>, name = "nginx-deployment-5cdcc99dbf-x2kqp", namespace = "default") => ({
  ...podManifest(name, namespace, spec),
  metadata: {
    name,
    generateName: name.replace(/[a-z0-9]+$/, ""),
    namespace,
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: name.replace(/-[a-z0-9]+$/, ""), controller: true }],
  },
});

export const rule: DetectionRuleProps = {
  id: "controller-pod-host-access",
  name: "EKS: workload controller started a pod with host access outside kube-system",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1611-escape-to-host",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:pods -@objectRef.subresource:* @http.method:create @usr.name:${controllers} -@objectRef.namespace:kube-system (${hostAccess}) ${SUCCEEDED}`,
      groupByFields: ["@objectRef.namespace", "@requestObject.metadata.generateName"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect pods with host access (privileged or with a dangerous capability, the node's network/PID/IPC namespace, a sensitive host path) that a ReplicaSet, StatefulSet, Job or ReplicationController created outside `kube-system`: the pod-template rules report the person who wrote the template, this one reports the pods when the template itself was not seen (written by an excluded identity, logged at `Metadata` level, or created before audit logging was on).",
    "Successful pod creates by the replicaset, statefulset, job and replication controllers outside `kube-system` whose pod spec has host access; one signal per namespace and pod name prefix (`generateName`, one per ReplicaSet). Not covered: DaemonSet pods (node agents live there; the DaemonSet's own template is covered by the template rules and `daemonset-created`), and pods in `kube-system` (see `kube-system-pod-untrusted-image`).",
    [
      "Find the owner: `@requestObject.metadata.ownerReferences` (the ReplicaSet, then its Deployment), and who created or last changed it (search `@objectRef.name` of the owner).",
      "Check the image and why it needs host access; security agents and CNI/CSI plugins are the usual legitimate cases (exclude their namespaces through tuning).",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("the replicaset controller starts a privileged pod in default", {
        verb: "create",
        resource: "pods",
        namespace: "default",
        name: "nginx-deployment-5cdcc99dbf-x2kqp",
        user: serviceAccount("kube-system", "replicaset-controller"),
        requestObject: owned({ containers: [container("nginx", { privileged: true })] }),
      }),
      sample("the job controller starts a hostPID pod in batch", {
        verb: "create",
        resource: "pods",
        namespace: "batch",
        name: "dump-7x2kq",
        user: serviceAccount("kube-system", "job-controller"),
        requestObject: owned({ hostPID: true, containers: [container("dump")] }, "dump-7x2kq", "batch"),
      }),
      sample("the statefulset controller starts a pod mounting the containerd socket", {
        verb: "create",
        resource: "pods",
        namespace: "data",
        name: "agent-0",
        user: serviceAccount("kube-system", "statefulset-controller"),
        requestObject: owned(
          { containers: [container("agent")], volumes: [{ name: "sock", hostPath: { path: "/run/containerd/containerd.sock" } }] },
          "agent-0",
          "data",
        ),
      }),
    ],
    negative: [
      sample("the replicaset controller starts an unprivileged pod", {
        verb: "create",
        resource: "pods",
        namespace: "default",
        name: "nginx-deployment-78f5d695bd-abcde",
        user: serviceAccount("kube-system", "replicaset-controller"),
        requestObject: owned({ containers: [container("nginx", { privileged: false })] }, "nginx-deployment-78f5d695bd-abcde"),
      }),
      sample("the daemon-set controller starts a hostNetwork node agent (DaemonSets are out of scope)", {
        verb: "create",
        resource: "pods",
        namespace: "monitoring",
        name: "node-exporter-x7k2p",
        user: serviceAccount("kube-system", "daemon-set-controller"),
        requestObject: podManifest("node-exporter-x7k2p", "monitoring", {
          hostNetwork: true,
          hostPID: true,
          containers: [container("node-exporter")],
        }),
      }),
      sample("the replicaset controller starts a hostNetwork pod in kube-system (add-ons)", {
        verb: "create",
        resource: "pods",
        namespace: "kube-system",
        name: "aws-load-balancer-controller-6b8d9c-abcde",
        user: serviceAccount("kube-system", "replicaset-controller"),
        requestObject: owned(
          { hostNetwork: true, containers: [container("controller")] },
          "aws-load-balancer-controller-6b8d9c-abcde",
          "kube-system",
        ),
      }),
      sample("a person creating a privileged pod (reported by privileged-pod, not here)", {
        verb: "create",
        resource: "pods",
        namespace: "default",
        name: "priv",
        user: DEVELOPER,
        requestObject: podManifest("priv", "default", { containers: [container("c", { privileged: true })] }),
      }),
    ],
  },
};
