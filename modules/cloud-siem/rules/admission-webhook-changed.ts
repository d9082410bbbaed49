import type { DetectionRuleProps } from "../rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, sample } from "../samples";

const webhook = (kind: string) => ({
  kind,
  apiVersion: "admissionregistration.k8s.io/v1",
  metadata: { name: "inject" },
  webhooks: [
    {
      name: "inject.example.com",
      clientConfig: { url: "https://203.0.113.50/mutate" },
      rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
    },
  ],
});

export const rule: DetectionRuleProps = {
  id: "admission-webhook-changed",
  name: "EKS: admission webhook created, changed or deleted",
  detectionMethod: "threshold",
  tactic: "TA0005-defense-evasion",
  technique: "T1578-modify-cloud-compute-infrastructure",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:(mutatingwebhookconfigurations OR validatingwebhookconfigurations) @http.method:(create OR update OR patch OR delete) ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  decreaseCriticalityBasedOnEnv: true,
  message: ruleMessage(
    "Detect changes to admission webhooks: a mutating webhook can inject containers or credentials into every new pod, and deleting a validating webhook switches policy enforcement off.",
    "Successful create/update/patch/delete of mutating or validating webhook configurations, platform identities excluded (tools that rotate their own `caBundle`, such as cert-manager, should be excluded through tuning).",
    [
      IDENTIFY_USER,
      "Read `@requestObject.webhooks`: where does `clientConfig` point (a service in the cluster or an external URL?), which resources and operations does it intercept?",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin creates a mutating webhook pointing outside the cluster", {
        verb: "create",
        resource: "mutatingwebhookconfigurations",
        apiGroup: "admissionregistration.k8s.io",
        name: "inject",
        user: KUBERNETES_ADMIN,
        requestObject: webhook("MutatingWebhookConfiguration"),
      }),
      sample("a developer deletes a validating webhook", {
        verb: "delete",
        resource: "validatingwebhookconfigurations",
        apiGroup: "admissionregistration.k8s.io",
        name: "gatekeeper-validating-webhook-configuration",
        user: DEVELOPER,
      }),
    ],
    negative: [
      sample("EKS (excluded identity) updating its pod-identity webhook", {
        verb: "update",
        resource: "mutatingwebhookconfigurations",
        apiGroup: "admissionregistration.k8s.io",
        name: "pod-identity-webhook",
        user: eksIdentity("pod-identity-mutating-webhook"),
        requestObject: webhook("MutatingWebhookConfiguration"),
      }),
      sample("listing webhooks (read)", {
        verb: "list",
        resource: "validatingwebhookconfigurations",
        apiGroup: "admissionregistration.k8s.io",
        user: DEVELOPER,
      }),
      sample("the delete denied (403)", {
        verb: "delete",
        resource: "validatingwebhookconfigurations",
        apiGroup: "admissionregistration.k8s.io",
        name: "gatekeeper-validating-webhook-configuration",
        user: DEVELOPER,
        code: 403,
      }),
    ],
  },
};
