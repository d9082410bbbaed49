import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "kube-system-daemonset",
  name: "EKS: DaemonSet created or changed in kube-system",
  detectionMethod: "threshold",
  tactic: "TA0002-execution",
  technique: "T1610-deploy-container",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:daemonsets @objectRef.namespace:kube-system @http.method:(create OR update OR patch) ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  decreaseCriticalityBasedOnEnv: true,
  message: ruleMessage(
    "Detect DaemonSets created or changed in `kube-system` by a person: code that runs on every node, among the system workloads (EKS add-ons are managed by `eks:addon-manager` and excluded).",
    "Successful create/update/patch of daemonsets in kube-system, platform identities excluded.",
    [
      IDENTIFY_USER,
      "Compare the image and spec in `@requestObject` with the add-on versions you run (aws-node, kube-proxy, ebs-csi-node...).",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin patches the aws-node DaemonSet image", {
        verb: "patch",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "kube-system",
        name: "aws-node",
        user: KUBERNETES_ADMIN,
        requestObject: { spec: { template: { spec: { containers: [{ name: "aws-node", image: "203.0.113.50:5000/aws-node:latest" }] } } } },
      }),
    ],
    negative: [
      sample("EKS addon manager (excluded identity) updating aws-node", {
        verb: "update",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "kube-system",
        name: "aws-node",
        user: eksIdentity("addon-manager"),
      }),
      sample("a DaemonSet in an application namespace", {
        verb: "create",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "monitoring",
        name: "node-exporter",
        user: DEVELOPER,
      }),
      sample("reading kube-system daemonsets (list)", {
        verb: "list",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "kube-system",
        user: DEVELOPER,
      }),
    ],
  },
};
