import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, sample, serviceAccount } from "../samples";

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
  name: "EKS: admission webhook created, deleted or pointed at a URL",
  detectionMethod: "threshold",
  tactic: "TA0005-defense-evasion",
  technique: "T1578-modify-cloud-compute-infrastructure",
  queries: [
    {
      // Create and delete, as Datadog's built-in "A new Kubernetes admission controller was created" (create only,
      // Kyverno excluded): Kyverno's admission controller creates and deletes its own webhook configurations.
      name: "created_or_deleted",
      query: String.raw`${EKS_AUDIT} @objectRef.resource:(mutatingwebhookconfigurations OR validatingwebhookconfigurations) @http.method:(create OR delete) ${SUCCEEDED} ${NOT_PLATFORM} -@usr.name:system\:serviceaccount\:kyverno\:kyverno*`,
      groupByFields: ["@usr.name"],
    },
    {
      // Updates are routine (cert-manager's cainjector, istiod, Kyverno, Gatekeeper and Linkerd rewrite caBundle all
      // day, always for in-cluster services): only an update that makes a webhook call a URL is reported.
      name: "external_url",
      query: `${EKS_AUDIT} @objectRef.resource:(mutatingwebhookconfigurations OR validatingwebhookconfigurations) @http.method:(update OR patch) @requestObject.webhooks.clientConfig.url:* ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [
    { name: "webhook created or deleted", status: "medium", condition: "created_or_deleted > 0" },
    { name: "webhook pointed at a URL", status: "medium", condition: "external_url > 0" },
  ],
  decreaseCriticalityBasedOnEnv: true,
  message: ruleMessage(
    "Detect admission webhooks being created or deleted, or pointed at a URL: a mutating webhook can inject containers or credentials into every new pod, and deleting a validating webhook switches policy enforcement off.",
    "Successful create/delete of mutating or validating webhook configurations, and updates/patches whose body sets `webhooks[].clientConfig.url` (a URL instead of an in-cluster service), platform identities and Kyverno's own service accounts excluded. The `caBundle` rewrites of cert-manager's cainjector, istiod, Kyverno, Gatekeeper and Linkerd are updates of service-based webhooks and are not reported.",
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
      sample("a developer points an existing webhook at an external URL", {
        verb: "patch",
        resource: "mutatingwebhookconfigurations",
        apiGroup: "admissionregistration.k8s.io",
        name: "istio-sidecar-injector",
        user: DEVELOPER,
        requestObject: webhook("MutatingWebhookConfiguration"),
      }),
    ],
    negative: [
      sample("cert-manager's cainjector rewrites the caBundle of a service-based webhook", {
        verb: "update",
        resource: "validatingwebhookconfigurations",
        apiGroup: "admissionregistration.k8s.io",
        name: "cert-manager-webhook",
        user: serviceAccount("cert-manager", "cert-manager-cainjector"),
        requestObject: {
          kind: "ValidatingWebhookConfiguration",
          metadata: { name: "cert-manager-webhook" },
          webhooks: [
            {
              name: "webhook.cert-manager.io",
              clientConfig: { service: { name: "cert-manager-webhook", namespace: "cert-manager" }, caBundle: "LS0tLS1CRUdJTi..." },
            },
          ],
        },
      }),
      sample("Kyverno's admission controller creates its own webhook configuration", {
        verb: "create",
        resource: "validatingwebhookconfigurations",
        apiGroup: "admissionregistration.k8s.io",
        name: "kyverno-resource-validating-webhook-cfg",
        user: serviceAccount("kyverno", "kyverno-admission-controller"),
      }),
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
