import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, sample, serviceAccount } from "../samples";

/**
 * Namespaces where the security tooling of a typical EKS cluster runs (default install namespaces of the Datadog
 * Agent, Falco, Kyverno, OPA Gatekeeper, Sysdig, Aqua, Prisma Cloud Defender, GuardDuty's EKS runtime agent
 * `amazon-guardduty`, Tetragon and KubeArmor, as their install docs write them).
 */
export const SECURITY_TOOLING_NAMESPACES: readonly string[] = [
  "datadog",
  "falco",
  "kyverno",
  "gatekeeper-system",
  "sysdig-agent",
  "aqua",
  "twistlock",
  "amazon-guardduty",
  "tetragon",
  "kubearmor",
];

const namespaces = `(${SECURITY_TOOLING_NAMESPACES.join(" OR ")})`;

export const rule: DetectionRuleProps = {
  id: "security-tooling-disabled",
  name: "EKS: security tooling deleted, scaled to zero, or its policies removed",
  detectionMethod: "threshold",
  tactic: "TA0005-defense-evasion",
  technique: "T1562.001-disable-or-modify-tools",
  queries: [
    {
      // The agents themselves: their DaemonSets/Deployments deleted, or scaled to zero (scale subresource or a patch).
      name: "agents",
      query: `${EKS_AUDIT} ((@objectRef.namespace:${namespaces} ((@objectRef.resource:(daemonsets OR deployments OR statefulsets) -@objectRef.subresource:* @http.method:(delete OR deletecollection)) OR (@objectRef.resource:(deployments OR statefulsets) @http.method:(update OR patch) @requestObject.spec.replicas:0))) OR (@objectRef.resource:namespaces -@objectRef.subresource:* @objectRef.name:${namespaces} @http.method:delete)) ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
    {
      // Their policies: Kyverno policies, Gatekeeper constraints and templates, ValidatingAdmissionPolicies.
      name: "policies",
      query: `${EKS_AUDIT} ((@objectRef.apiGroup:kyverno.io @objectRef.resource:(clusterpolicies OR policies)) OR @objectRef.apiGroup:constraints.gatekeeper.sh OR (@objectRef.apiGroup:templates.gatekeeper.sh @objectRef.resource:constrainttemplates) OR (@objectRef.apiGroup:admissionregistration.k8s.io @objectRef.resource:(validatingadmissionpolicies OR validatingadmissionpolicybindings))) @http.method:(delete OR deletecollection) ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [
    { name: "security agent removed", status: "high", condition: "agents > 0" },
    { name: "security policy removed", status: "high", condition: "policies > 0" },
  ],
  message: ruleMessage(
    "Detect security tooling being switched off: the Datadog Agent, Falco, Kyverno, Gatekeeper and similar agents deleted or scaled to zero, their namespace deleted, or their policies (Kyverno policies, Gatekeeper constraints and templates, ValidatingAdmissionPolicies) deleted. Attackers do this before the noisy part.",
    `Successful delete of DaemonSets, Deployments or StatefulSets in ${SECURITY_TOOLING_NAMESPACES.join(", ")}, updates/patches setting \`spec.replicas\` to 0 there (the \`scale\` subresource and \`kubectl scale\` send it), deletion of those namespaces, and deletion of admission policies, platform identities excluded. Tools installed elsewhere need their namespace added to \`SECURITY_TOOLING_NAMESPACES\` (pack/rules/security-tooling-disabled.ts).`,
    [
      IDENTIFY_USER,
      "Was a maintenance window or an uninstall planned? Check what the same identity did next, while the tool was off.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin deletes the Falco DaemonSet", {
        verb: "delete",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "falco",
        name: "falco",
        user: KUBERNETES_ADMIN,
      }),
      sample("a developer scales the Datadog Cluster Agent to zero", {
        verb: "patch",
        resource: "deployments",
        subresource: "scale",
        apiGroup: "apps",
        namespace: "datadog",
        name: "datadog-cluster-agent",
        user: DEVELOPER,
        requestObject: {
          kind: "Scale",
          apiVersion: "autoscaling/v1",
          metadata: { name: "datadog-cluster-agent", namespace: "datadog" },
          spec: { replicas: 0 },
        },
      }),
      sample("kubernetes-admin deletes the kyverno namespace", { verb: "delete", resource: "namespaces", name: "kyverno", user: KUBERNETES_ADMIN }),
      sample("a developer deletes a Kyverno ClusterPolicy", {
        verb: "delete",
        resource: "clusterpolicies",
        apiGroup: "kyverno.io",
        apiVersion: "v1",
        name: "disallow-privileged-containers",
        user: DEVELOPER,
      }),
      sample("kubernetes-admin deletes a ValidatingAdmissionPolicyBinding", {
        verb: "delete",
        resource: "validatingadmissionpolicybindings",
        apiGroup: "admissionregistration.k8s.io",
        name: "restrict-host-path-binding",
        user: KUBERNETES_ADMIN,
      }),
    ],
    negative: [
      sample("a rollout restart patches the Datadog Cluster Agent (replicas unchanged)", {
        verb: "patch",
        resource: "deployments",
        apiGroup: "apps",
        namespace: "datadog",
        name: "datadog-cluster-agent",
        user: DEVELOPER,
        requestObject: { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-11-20T10:00:00Z" } } } } },
      }),
      sample("the garbage collector (platform) deletes an orphaned DaemonSet in falco", {
        verb: "delete",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "falco",
        name: "falco-old",
        user: serviceAccount("kube-system", "generic-garbage-collector"),
      }),
      sample("a Deployment deleted in an application namespace", {
        verb: "delete",
        resource: "deployments",
        apiGroup: "apps",
        namespace: "payments",
        name: "api",
        user: DEVELOPER,
      }),
      sample("deleting the Falco DaemonSet refused (403)", {
        verb: "delete",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "falco",
        name: "falco",
        user: DEVELOPER,
        code: 403,
      }),
    ],
  },
};
