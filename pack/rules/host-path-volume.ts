import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, POD_WORKLOADS, SUCCEEDED, WRITES, inPodSpec, ruleMessage } from "../pack-helpers";
import { DEVELOPER, container, cronJobManifest, podManifest, serviceAccount, sample } from "../samples";
import { SENSITIVE_HOST_PATHS } from "./host-path-sensitive-mount";

const sensitive = `(${SENSITIVE_HOST_PATHS.map((p) => JSON.stringify(p)).join(" OR ")})`;

export const rule: DetectionRuleProps = {
  id: "host-path-volume",
  name: "EKS: workload mounts a host directory",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1611-escape-to-host",
  queries: [
    {
      query: `${EKS_AUDIT} ${POD_WORKLOADS} ${WRITES} ${inPodSpec("volumes.hostPath.path", "*")} -${inPodSpec("volumes.hostPath.path", sensitive)} ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "low", condition: "a > 0" }],
  message: ruleMessage(
    "Detect pods and pod templates that mount any directory of the node (`hostPath`) other than the sensitive ones `host-path-sensitive-mount` already reports: host directories outlive the pod, are shared with every pod on the node, and are a common foothold for reading other workloads' data or planting files the node runs.",
    "Successful create/update/patch of pods and pod-template workloads with a `hostPath` volume, none of them a sensitive path, platform identities excluded. Node agents (log shippers, monitoring, CSI drivers) mount host directories by design: exclude their service accounts or namespaces through tuning.",
    [
      IDENTIFY_USER,
      "Read `@requestObject...volumes.hostPath.path` and the matching `volumeMounts` (`readOnly`?): what does the workload read or write on the node?",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a developer's pod mounts /mnt/data from the node", {
        verb: "create",
        resource: "pods",
        namespace: "web",
        name: "data",
        user: DEVELOPER,
        requestObject: podManifest("data", "web", { containers: [container("c")], volumes: [{ name: "data", hostPath: { path: "/mnt/data" } }] }),
      }),
      sample("a cronjob mounting /var/log from the node", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "batch",
        name: "logs",
        user: DEVELOPER,
        requestObject: cronJobManifest("logs", "batch", {
          containers: [container("c")],
          volumes: [{ name: "logs", hostPath: { path: "/var/log" } }],
        }),
      }),
    ],
    negative: [
      sample("an emptyDir volume (not on the node's filesystem path)", {
        verb: "create",
        resource: "pods",
        namespace: "web",
        name: "tmp",
        user: DEVELOPER,
        requestObject: podManifest("tmp", "web", { containers: [container("c")], volumes: [{ name: "tmp", emptyDir: {} }] }),
      }),
      sample("a sensitive path (/etc): reported by host-path-sensitive-mount instead", {
        verb: "create",
        resource: "pods",
        namespace: "web",
        name: "etc",
        user: DEVELOPER,
        requestObject: podManifest("etc", "web", { containers: [container("c")], volumes: [{ name: "etc", hostPath: { path: "/etc" } }] }),
      }),
      sample("the EBS CSI node pod created by the daemon-set controller (excluded identity)", {
        verb: "create",
        resource: "pods",
        namespace: "kube-system",
        name: "ebs-csi-node-abcde",
        user: serviceAccount("kube-system", "daemon-set-controller"),
        requestObject: podManifest("ebs-csi-node-abcde", "kube-system", {
          containers: [container("node")],
          volumes: [{ name: "plugin-dir", hostPath: { path: "/var/lib/kubelet/plugins/ebs.csi.aws.com/" } }],
        }),
      }),
    ],
  },
};
