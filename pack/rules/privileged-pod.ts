import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, POD_WORKLOADS, SUCCEEDED, WRITES, inContainers, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, container, podManifest, serviceAccount, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "privileged-pod",
  name: "EKS: privileged container created",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1611-escape-to-host",
  queries: [
    {
      query: `${EKS_AUDIT} ${POD_WORKLOADS} ${WRITES} ${inContainers("securityContext.privileged", "true")} ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  message: ruleMessage(
    "Detect pods or workload templates with a privileged container: it has every capability and the host's devices, and escaping to the node is trivial.",
    "Successful create/update/patch of pods and pod-template workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job: `spec.template.spec`; CronJob: `spec.jobTemplate.spec.template.spec`) whose container, init container or ephemeral container (`kubectl debug` through `pods/ephemeralcontainers`) has `securityContext.privileged` true, by a non-platform identity (controllers creating pods from an already-approved template are excluded; the template change itself is caught).",
    [
      IDENTIFY_USER,
      "Inspect the manifest (`@requestObject`): image, namespace, mounts, why privileged is needed (CNI/CSI/agents usually live in kube-system and come from add-ons).",
      "If unexpected, delete the workload and investigate the node it ran on.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a developer adds a privileged debug container (kubectl debug --profile=sysadmin)", {
        verb: "patch",
        resource: "pods",
        subresource: "ephemeralcontainers",
        namespace: "payments",
        name: "payments-api-7c9f8d6b5-x2kqp",
        user: DEVELOPER,
        requestObject: {
          kind: "Pod",
          apiVersion: "v1",
          metadata: { name: "payments-api-7c9f8d6b5-x2kqp", namespace: "payments" },
          spec: { ephemeralContainers: [{ name: "debugger-x7k2p", image: "busybox:1.36", securityContext: { privileged: true } }] },
        },
      }),
      sample("kubernetes-admin runs a privileged pod directly", {
        verb: "create",
        resource: "pods",
        namespace: "default",
        name: "priv",
        user: KUBERNETES_ADMIN,
        requestObject: podManifest("priv", "default", { containers: [container("shell", { privileged: true })] }),
      }),
      sample("a developer creates a deployment whose template is privileged", {
        verb: "create",
        resource: "deployments",
        apiGroup: "apps",
        namespace: "web",
        name: "miner",
        user: DEVELOPER,
        requestObject: {
          kind: "Deployment",
          apiVersion: "apps/v1",
          metadata: { name: "miner", namespace: "web" },
          spec: { replicas: 1, template: { spec: { containers: [container("miner", { privileged: true })] } } },
        },
      }),
      sample("a developer patches a cronjob so that its init container is privileged", {
        verb: "patch",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "batch",
        name: "report",
        user: DEVELOPER,
        code: 200,
        requestObject: {
          kind: "CronJob",
          apiVersion: "batch/v1",
          metadata: { name: "report", namespace: "batch" },
          spec: {
            schedule: "*/5 * * * *",
            jobTemplate: {
              spec: { template: { spec: { initContainers: [container("setup", { privileged: true })], containers: [container("report")] } } },
            },
          },
        },
      }),
    ],
    negative: [
      sample("a cronjob whose containers are not privileged", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "batch",
        name: "report",
        user: DEVELOPER,
        requestObject: {
          kind: "CronJob",
          apiVersion: "batch/v1",
          metadata: { name: "report", namespace: "batch" },
          spec: {
            schedule: "*/5 * * * *",
            jobTemplate: {
              spec: { template: { spec: { containers: [container("report", { privileged: false, allowPrivilegeEscalation: false })] } } },
            },
          },
        },
      }),
      sample("an unprivileged pod", {
        verb: "create",
        resource: "pods",
        namespace: "default",
        name: "app",
        user: DEVELOPER,
        requestObject: podManifest("app", "default", { containers: [container("app", { privileged: false, runAsNonRoot: true })] }),
      }),
      sample("the replicaset controller (excluded kube-system identity) creating a privileged pod from a template", {
        verb: "create",
        resource: "pods",
        namespace: "kube-system",
        name: "aws-node-abcde",
        user: serviceAccount("kube-system", "daemon-set-controller"),
        requestObject: podManifest("aws-node-abcde", "kube-system", { containers: [container("aws-node", { privileged: true })] }),
      }),
      sample("privileged pod rejected by Pod Security admission (403)", {
        verb: "create",
        resource: "pods",
        namespace: "web",
        name: "priv",
        user: DEVELOPER,
        code: 403,
        requestObject: podManifest("priv", "web", { containers: [container("shell", { privileged: true })] }),
      }),
    ],
  },
};
