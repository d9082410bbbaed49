import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, ruleMessage } from "../pack-helpers";
import { DEVELOPER, eksIdentity, serviceAccount, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "permission-enumeration",
  name: "EKS: principal enumerated its permissions",
  detectionMethod: "threshold",
  tactic: "TA0007-discovery",
  technique: "T1613-container-and-resource-discovery",
  queries: [
    {
      query: String.raw`${EKS_AUDIT} @objectRef.resource:selfsubjectrulesreviews @http.method:create ${NOT_PLATFORM} -@usr.name:system\:serviceaccount\:*\:datadog*`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "low", condition: "a > 0" }],
  message: ruleMessage(
    "Detect `kubectl auth can-i --list` (SelfSubjectRulesReview): the first thing an attacker does with stolen credentials, and rare in normal use.",
    "SelfSubjectRulesReview creates by non-platform identities (the Datadog agent's own service accounts excluded, as in Datadog's rule).",
    [IDENTIFY_USER, "A service account enumerating its permissions suggests a compromised pod: find the pod from `@sourceIPs`.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("a developer runs kubectl auth can-i --list", {
        verb: "create",
        resource: "selfsubjectrulesreviews",
        apiGroup: "authorization.k8s.io",
        user: DEVELOPER,
        requestObject: { kind: "SelfSubjectRulesReview", apiVersion: "authorization.k8s.io/v1", spec: { namespace: "default" } },
      }),
      sample("an application service account enumerates its permissions", {
        verb: "create",
        resource: "selfsubjectrulesreviews",
        apiGroup: "authorization.k8s.io",
        user: serviceAccount("web", "frontend"),
        sourceIP: "10.0.45.17",
      }),
    ],
    negative: [
      sample("the Datadog cluster agent's service account (excluded)", {
        verb: "create",
        resource: "selfsubjectrulesreviews",
        apiGroup: "authorization.k8s.io",
        user: serviceAccount("datadog", "datadog-cluster-agent"),
      }),
      sample("EKS (excluded identity)", {
        verb: "create",
        resource: "selfsubjectrulesreviews",
        apiGroup: "authorization.k8s.io",
        user: eksIdentity("authenticator"),
      }),
      sample("a single permission check (SelfSubjectAccessReview), not an enumeration", {
        verb: "create",
        resource: "selfsubjectaccessreviews",
        apiGroup: "authorization.k8s.io",
        user: DEVELOPER,
      }),
    ],
  },
};
