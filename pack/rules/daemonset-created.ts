import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_SYSTEM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, container, serviceAccount, sample, workloadManifest } from "../samples";

export const rule: DetectionRuleProps = {
  id: "daemonset-created",
  name: "EKS: person creates a DaemonSet",
  detectionMethod: "threshold",
  tactic: "TA0002-execution",
  technique: "T1610-deploy-container",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:daemonsets -@objectRef.subresource:* @http.method:create -@objectRef.namespace:kube-system ${SUCCEEDED} ${NOT_SYSTEM}`,
      groupByFields: ["@usr.name", "@objectRef.namespace"],
    },
  ],
  cases: [{ status: "low", condition: "a > 0" }],
  message: ruleMessage(
    "Detect a person creating a DaemonSet: one pod on every node, the fastest way to run code (a miner, a credential harvester) across the whole cluster.",
    "Successful DaemonSet creates by people (every `system:` identity excluded) outside `kube-system` (reported, at high severity, by `kube-system-daemonset`). Updates are not reported (rollouts); the pod-template rules report host access in any create or update.",
    [
      IDENTIFY_USER,
      "Read the pod template (`@requestObject.spec.template.spec`): image, host access, tolerations (a DaemonSet that tolerates every taint also lands on control-plane-like nodes).",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("an admin creates a log collector DaemonSet", {
        verb: "create",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "default",
        name: "log-collector",
        user: KUBERNETES_ADMIN,
        requestObject: workloadManifest("DaemonSet", "log-collector", "default", { containers: [container("collector")] }),
      }),
      sample("a developer creates a DaemonSet (metadata-level event)", {
        verb: "create",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "web",
        name: "agent",
        user: DEVELOPER,
      }),
    ],
    negative: [
      sample("a DaemonSet update (rollout)", {
        verb: "update",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "default",
        name: "log-collector",
        user: KUBERNETES_ADMIN,
      }),
      sample("a Deployment create", {
        verb: "create",
        resource: "deployments",
        apiGroup: "apps",
        namespace: "default",
        name: "web",
        user: KUBERNETES_ADMIN,
      }),
      sample("Argo CD's service account creating a DaemonSet (excluded: not a person)", {
        verb: "create",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "monitoring",
        name: "node-exporter",
        user: serviceAccount("argocd", "argocd-application-controller"),
      }),
      sample("creation denied (403)", {
        verb: "create",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "default",
        name: "log-collector",
        user: DEVELOPER,
        code: 403,
      }),
    ],
  },
};
