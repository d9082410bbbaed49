import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import {
  EKS_AUDIT,
  IDENTIFY_USER,
  IF_UNEXPECTED,
  NOT_PLATFORM,
  POD_WORKLOADS,
  SUCCEEDED,
  WRITES,
  inContainers,
  inPodSpec,
  ruleMessage,
} from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, container, cronJobManifest, podManifest, serviceAccount, sample, workloadManifest } from "../samples";

const asRoot = `(${inPodSpec("securityContext.runAsUser", "0")} OR ${inContainers("securityContext.runAsUser", "0")} OR ${inPodSpec("securityContext.runAsNonRoot", "false")} OR ${inContainers("securityContext.runAsNonRoot", "false")})`;

export const rule: DetectionRuleProps = {
  id: "run-as-root-pod",
  name: "EKS: workload explicitly runs as root",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1611-escape-to-host",
  queries: [{ query: `${EKS_AUDIT} ${POD_WORKLOADS} ${WRITES} ${asRoot} ${SUCCEEDED} ${NOT_PLATFORM}`, groupByFields: ["@usr.name"] }],
  cases: [{ status: "low", condition: "a > 0" }],
  message: ruleMessage(
    "Detect pods and pod templates that explicitly ask to run as root (`runAsUser: 0` or `runAsNonRoot: false`, at pod or container level): root in the container is one kernel bug or misconfiguration away from root on the node.",
    "Successful create/update/patch of pods and pod-template workloads (`spec`, `spec.template.spec`, `spec.jobTemplate.spec.template.spec`) with `runAsUser: 0` or `runAsNonRoot: false`, platform identities excluded. Blind spot: an image whose default user is root and a manifest that says nothing also runs as root; only Pod Security admission (`restricted`) catches that.",
    [
      IDENTIFY_USER,
      "Read the security context in `@requestObject` and ask why the workload needs root (package installs at start-up, binding low ports and file ownership usually have non-root fixes).",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a developer creates a pod whose container sets runAsUser 0", {
        verb: "create",
        resource: "pods",
        namespace: "web",
        name: "root",
        user: DEVELOPER,
        requestObject: podManifest("root", "web", { containers: [container("c", { runAsUser: 0 })] }),
      }),
      sample("kubernetes-admin deploys with pod-level runAsNonRoot false", {
        verb: "create",
        resource: "deployments",
        apiGroup: "apps",
        namespace: "web",
        name: "legacy",
        user: KUBERNETES_ADMIN,
        requestObject: workloadManifest("Deployment", "legacy", "web", { securityContext: { runAsNonRoot: false }, containers: [container("c")] }),
      }),
      sample("a cronjob whose init container runs as uid 0", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "batch",
        name: "fix-perms",
        user: DEVELOPER,
        requestObject: cronJobManifest("fix-perms", "batch", {
          initContainers: [container("chown", { runAsUser: 0 })],
          containers: [container("c")],
        }),
      }),
    ],
    negative: [
      sample("a pod running as uid 1000 with runAsNonRoot true", {
        verb: "create",
        resource: "pods",
        namespace: "web",
        name: "app",
        user: DEVELOPER,
        requestObject: podManifest("app", "web", {
          securityContext: { runAsNonRoot: true, runAsUser: 1000 },
          containers: [container("c", { runAsUser: 1000 })],
        }),
      }),
      sample("a pod with runAsGroup 0 only (group, not user)", {
        verb: "create",
        resource: "pods",
        namespace: "web",
        name: "grp",
        user: DEVELOPER,
        requestObject: podManifest("grp", "web", { containers: [container("c", { runAsUser: 1000, runAsGroup: 0 })] }),
      }),
      sample("a kube-system controller creating a root pod (excluded identity)", {
        verb: "create",
        resource: "pods",
        namespace: "kube-system",
        name: "kube-proxy-x7k2p",
        user: serviceAccount("kube-system", "daemon-set-controller"),
        requestObject: podManifest("kube-proxy-x7k2p", "kube-system", { containers: [container("kube-proxy", { runAsUser: 0 })] }),
      }),
      sample("the root pod rejected by Pod Security admission (403)", {
        verb: "create",
        resource: "pods",
        namespace: "web",
        name: "root",
        user: DEVELOPER,
        code: 403,
        requestObject: podManifest("root", "web", { containers: [container("c", { runAsUser: 0 })] }),
      }),
    ],
  },
};
