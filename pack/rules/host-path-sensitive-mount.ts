import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, POD_WORKLOADS, SUCCEEDED, WRITES, inPodSpec, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, container, cronJobManifest, podManifest, serviceAccount, sample } from "../samples";

/**
 * Host paths that give control of the node or its containers, container runtime sockets (Docker, containerd,
 * CRI-O, dockershim) and the directories that hold them included: a pod that mounts a runtime socket can start a
 * privileged container on the node.
 */
export const SENSITIVE_HOST_PATHS = [
  "/",
  "/etc",
  "/root",
  "/proc",
  "/var/run",
  "/run",
  "/var/run/docker.sock",
  "/run/docker.sock",
  "/var/run/containerd",
  "/run/containerd",
  "/run/containerd/containerd.sock",
  "/var/run/containerd/containerd.sock",
  "/var/run/crio/crio.sock",
  "/run/crio/crio.sock",
  "/var/run/dockershim.sock",
  "/var/lib/kubelet",
  "/etc/kubernetes",
  "/home",
];

const paths = `(${SENSITIVE_HOST_PATHS.map((p) => JSON.stringify(p)).join(" OR ")})`;

export const rule: DetectionRuleProps = {
  id: "host-path-sensitive-mount",
  name: "EKS: pod mounts a sensitive host path",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1611-escape-to-host",
  queries: [
    {
      query: `${EKS_AUDIT} ${POD_WORKLOADS} ${WRITES} ${inPodSpec("volumes.hostPath.path", paths)} ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  message: ruleMessage(
    "Detect workloads mounting host paths that hand over the node: its root filesystem, `/etc`, `/proc`, the container runtime socket or the kubelet's directory.",
    `Successful create/update/patch of pods and pod-template workloads with a \`hostPath\` volume on one of: ${SENSITIVE_HOST_PATHS.join(", ")}; platform identities excluded.`,
    [
      IDENTIFY_USER,
      "Inspect `@requestObject` for the volume, its mount path and whether it is read-only.",
      "If unexpected, delete the workload and treat the node as compromised (rotate node credentials, replace the node).",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a developer mounts the CRI-O socket", {
        verb: "create",
        resource: "pods",
        namespace: "web",
        name: "crio",
        user: DEVELOPER,
        requestObject: podManifest("crio", "web", {
          containers: [container("c")],
          volumes: [{ name: "sock", hostPath: { path: "/var/run/crio/crio.sock", type: "Socket" } }],
        }),
      }),
      sample("kubernetes-admin runs a pod mounting the containerd socket", {
        verb: "create",
        resource: "pods",
        namespace: "default",
        name: "sock",
        user: KUBERNETES_ADMIN,
        requestObject: podManifest("sock", "default", {
          containers: [container("c")],
          volumes: [{ name: "sock", hostPath: { path: "/run/containerd/containerd.sock", type: "Socket" } }],
        }),
      }),
      sample("a developer's daemonset mounting the host root", {
        verb: "create",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "web",
        name: "collector",
        user: DEVELOPER,
        requestObject: {
          kind: "DaemonSet",
          apiVersion: "apps/v1",
          metadata: { name: "collector", namespace: "web" },
          spec: { template: { spec: { containers: [container("c")], volumes: [{ name: "host", hostPath: { path: "/" } }] } } },
        },
      }),
      sample("a cronjob mounting /etc from the node", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "batch",
        name: "etc-reader",
        user: DEVELOPER,
        requestObject: cronJobManifest("etc-reader", "batch", {
          containers: [container("c")],
          volumes: [{ name: "etc", hostPath: { path: "/etc" } }],
        }),
      }),
    ],
    negative: [
      sample("a cronjob mounting a data directory (not a sensitive path)", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "batch",
        name: "etl",
        user: DEVELOPER,
        requestObject: cronJobManifest("etl", "batch", {
          containers: [container("c")],
          volumes: [{ name: "data", hostPath: { path: "/mnt/data" } }],
        }),
      }),
      sample("a hostPath on a harmless log directory", {
        verb: "create",
        resource: "pods",
        namespace: "default",
        name: "logs",
        user: DEVELOPER,
        requestObject: podManifest("logs", "default", {
          containers: [container("c")],
          volumes: [{ name: "logs", hostPath: { path: "/var/log/app" } }],
        }),
      }),
      sample("the daemon-set controller (excluded) creating aws-node with /var/run/containerd/containerd.sock... and / mounts", {
        verb: "create",
        resource: "pods",
        namespace: "kube-system",
        name: "aws-node-abcde",
        user: serviceAccount("kube-system", "daemon-set-controller"),
        requestObject: podManifest("aws-node-abcde", "kube-system", {
          containers: [container("aws-node")],
          volumes: [{ name: "host", hostPath: { path: "/" } }],
        }),
      }),
      sample("the mount rejected (403)", {
        verb: "create",
        resource: "pods",
        namespace: "default",
        name: "sock",
        user: DEVELOPER,
        code: 403,
        requestObject: podManifest("sock", "default", {
          containers: [container("c")],
          volumes: [{ name: "sock", hostPath: { path: "/run/containerd/containerd.sock" } }],
        }),
      }),
    ],
  },
};
