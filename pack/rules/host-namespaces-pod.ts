import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, POD_WORKLOADS, SUCCEEDED, WRITES, inPodSpec, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, container, podManifest, serviceAccount, sample } from "../samples";

const flags = ["hostNetwork", "hostPID", "hostIPC"];
const anyFlag = `(${flags.map((f) => inPodSpec(f, "true")).join(" OR ")})`;

export const rule: DetectionRuleProps = {
  id: "host-namespaces-pod",
  name: "EKS: pod shares the node's network, PID or IPC namespace",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1611-escape-to-host",
  queries: [
    {
      query: `${EKS_AUDIT} ${POD_WORKLOADS} ${WRITES} ${anyFlag} ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect workloads with `hostNetwork`, `hostPID` or `hostIPC`: they see the node's interfaces (and the instance metadata service), its processes, or its shared memory.",
    "Successful create/update/patch of pods and pod-template workloads with one of the three flags true, platform identities excluded.",
    [IDENTIFY_USER, "Check which flag (`@requestObject.spec.hostNetwork`/`hostPID`/`hostIPC`) and why the workload needs it.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin creates a hostPID pod", {
        verb: "create",
        resource: "pods",
        namespace: "default",
        name: "nsenter",
        user: KUBERNETES_ADMIN,
        requestObject: podManifest("nsenter", "default", { hostPID: true, containers: [container("c", { privileged: false })] }),
      }),
      sample("a developer creates a hostNetwork deployment", {
        verb: "create",
        resource: "deployments",
        apiGroup: "apps",
        namespace: "web",
        name: "sniffer",
        user: DEVELOPER,
        requestObject: { kind: "Deployment", spec: { template: { spec: { hostNetwork: true, containers: [container("c")] } } } },
      }),
      sample("kubernetes-admin creates a hostIPC cronjob", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "batch",
        name: "shm",
        user: KUBERNETES_ADMIN,
        requestObject: {
          kind: "CronJob",
          apiVersion: "batch/v1",
          metadata: { name: "shm", namespace: "batch" },
          spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: { hostIPC: true, containers: [container("c")] } } } } },
        },
      }),
    ],
    negative: [
      sample("a cronjob without host namespaces", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "batch",
        name: "shm",
        user: KUBERNETES_ADMIN,
        requestObject: {
          kind: "CronJob",
          apiVersion: "batch/v1",
          metadata: { name: "shm", namespace: "batch" },
          spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: { hostIPC: false, containers: [container("c")] } } } } },
        },
      }),
      sample("a pod with hostNetwork false", {
        verb: "create",
        resource: "pods",
        namespace: "default",
        name: "app",
        user: DEVELOPER,
        requestObject: podManifest("app", "default", { hostNetwork: false, containers: [container("c")] }),
      }),
      sample("kube-proxy pod created by the daemon-set controller (excluded identity)", {
        verb: "create",
        resource: "pods",
        namespace: "kube-system",
        name: "kube-proxy-x7k2p",
        user: serviceAccount("kube-system", "daemon-set-controller"),
        requestObject: podManifest("kube-proxy-x7k2p", "kube-system", { hostNetwork: true, containers: [container("kube-proxy")] }),
      }),
      sample("the hostPID pod rejected (403)", {
        verb: "create",
        resource: "pods",
        namespace: "web",
        name: "nsenter",
        user: DEVELOPER,
        code: 403,
        requestObject: podManifest("nsenter", "web", { hostPID: true, containers: [container("c")] }),
      }),
    ],
  },
};
