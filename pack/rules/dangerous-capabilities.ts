import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, POD_WORKLOADS, SUCCEEDED, WRITES, inContainers, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, container, cronJobManifest, podManifest, serviceAccount, sample, workloadManifest } from "../samples";

/** Capabilities that allow breaking out of the container or taking over the node's network or kernel. */
export const DANGEROUS_CAPABILITIES = ["SYS_ADMIN", "SYS_PTRACE", "SYS_MODULE", "SYS_RAWIO", "DAC_READ_SEARCH", "NET_ADMIN", "BPF", "ALL"];
const caps = `(${DANGEROUS_CAPABILITIES.join(" OR ")})`;

export const rule: DetectionRuleProps = {
  id: "dangerous-capabilities",
  name: "EKS: container granted a dangerous Linux capability",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1611-escape-to-host",
  queries: [
    {
      query: `${EKS_AUDIT} ${POD_WORKLOADS} ${WRITES} ${inContainers("securityContext.capabilities.add", caps)} ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  message: ruleMessage(
    `Detect containers adding ${DANGEROUS_CAPABILITIES.join(", ")}: each is enough to escape the container or control the node.`,
    "Successful create/update/patch of pods and pod-template workloads whose `securityContext.capabilities.add` lists one of them, platform identities excluded.",
    [
      IDENTIFY_USER,
      "Check the capability and the image; network tools may need NET_ADMIN, almost nothing legitimate needs SYS_ADMIN or SYS_MODULE outside kube-system.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin runs a pod with SYS_ADMIN", {
        verb: "create",
        resource: "pods",
        namespace: "default",
        name: "capsys",
        user: KUBERNETES_ADMIN,
        requestObject: podManifest("capsys", "default", { containers: [container("c", { capabilities: { add: ["SYS_ADMIN"] } })] }),
      }),
      sample("a developer's statefulset template adding SYS_PTRACE", {
        verb: "create",
        resource: "statefulsets",
        apiGroup: "apps",
        namespace: "web",
        name: "debugger",
        user: DEVELOPER,
        requestObject: workloadManifest("StatefulSet", "debugger", "web", {
          containers: [container("c", { capabilities: { add: ["SYS_PTRACE"] } })],
        }),
      }),
      sample("a cronjob whose container adds SYS_MODULE", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "batch",
        name: "mod",
        user: DEVELOPER,
        requestObject: cronJobManifest("mod", "batch", { containers: [container("c", { capabilities: { add: ["SYS_MODULE"] } })] }),
      }),
    ],
    negative: [
      sample("a container adding only NET_BIND_SERVICE", {
        verb: "create",
        resource: "pods",
        namespace: "default",
        name: "web",
        user: DEVELOPER,
        requestObject: podManifest("web", "default", {
          containers: [container("c", { capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] } })],
        }),
      }),
      sample("aws-node (NET_ADMIN) created by the daemon-set controller (excluded identity)", {
        verb: "create",
        resource: "pods",
        namespace: "kube-system",
        name: "aws-node-abcde",
        user: serviceAccount("kube-system", "daemon-set-controller"),
        requestObject: podManifest("aws-node-abcde", "kube-system", {
          containers: [container("aws-node", { capabilities: { add: ["NET_ADMIN", "NET_RAW"] } })],
        }),
      }),
      sample("SYS_ADMIN pod rejected (403)", {
        verb: "create",
        resource: "pods",
        namespace: "web",
        name: "capsys",
        user: DEVELOPER,
        code: 403,
        requestObject: podManifest("capsys", "web", { containers: [container("c", { capabilities: { add: ["SYS_ADMIN"] } })] }),
      }),
    ],
  },
};
