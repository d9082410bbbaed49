import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "namespace-created",
  name: "EKS: new namespace created",
  detectionMethod: "threshold",
  tactic: "TA0005-defense-evasion",
  technique: "T1564-hide-artifacts",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:namespaces -@objectRef.subresource:* @http.method:create ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name", "@objectRef.name"],
    },
  ],
  cases: [{ status: "low", condition: "a > 0" }],
  message: ruleMessage(
    'Detect a new namespace: a place to run workloads away from the namespaces people watch (Datadog\'s built-in rule "New Kubernetes Namespace Created" covers the same activity).',
    "Successful namespace creates, platform identities excluded; one signal per identity and namespace name. Pipelines that create a namespace per environment or preview will alert; exclude their service accounts through tuning.",
    [IDENTIFY_USER, "What was deployed into the namespace right after (`@objectRef.namespace` equal to the new name)?", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin creates a namespace", {
        verb: "create",
        resource: "namespaces",
        name: "tools",
        user: KUBERNETES_ADMIN,
        requestObject: { kind: "Namespace", apiVersion: "v1", metadata: { name: "tools" } },
      }),
      sample("a developer creates a namespace (metadata-level event)", { verb: "create", resource: "namespaces", name: "sandbox", user: DEVELOPER }),
    ],
    negative: [
      sample("EKS (excluded identity) creating a namespace", {
        verb: "create",
        resource: "namespaces",
        name: "amazon-cloudwatch",
        user: eksIdentity("addon-manager"),
      }),
      sample("a namespace's finalize subresource", {
        verb: "update",
        resource: "namespaces",
        name: "sandbox",
        subresource: "finalize",
        user: KUBERNETES_ADMIN,
      }),
      sample("creation denied (403)", { verb: "create", resource: "namespaces", name: "sandbox", user: DEVELOPER, code: 403 }),
      sample("listing namespaces", { verb: "list", resource: "namespaces", user: DEVELOPER }),
    ],
  },
};
