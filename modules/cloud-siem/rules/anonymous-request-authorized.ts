import type { DetectionRuleProps } from "../rule-model";
import { EKS_AUDIT, IF_UNEXPECTED, ruleMessage } from "../pack-helpers";
import { ANONYMOUS, DEVELOPER, sample } from "../samples";

/** Endpoints anonymous users may reach by default (health and version probes). */
export const ANONYMOUS_ALLOWED_PATHS = ["/healthz", "/livez", "/readyz", "/version"];

export const rule: DetectionRuleProps = {
  id: "anonymous-request-authorized",
  name: "EKS: anonymous request authorized",
  detectionMethod: "threshold",
  tactic: "TA0001-initial-access",
  technique: "T1078.001-default-accounts",
  queries: [{
    query: `${EKS_AUDIT} @usr.name:"system:anonymous" @http.status_code:[100 TO 299] -@http.url_details.path:(${ANONYMOUS_ALLOWED_PATHS.map((p) => JSON.stringify(p)).join(" OR ")})`,
    groupByFields: ["@http.url_details.path"],
  }],
  cases: [{ status: "high", condition: "a > 0" }],
  message: ruleMessage(
    "Detect unauthenticated requests that the API server allowed beyond the health and version probes: an RBAC binding to `system:anonymous` or `system:unauthenticated`.",
    `Successful requests by \`system:anonymous\` whose path is not one of ${ANONYMOUS_ALLOWED_PATHS.join(", ")} (as in Datadog's own rule).`,
    ["Find which binding lets anonymous users in: `kubectl get clusterrolebindings,rolebindings -A -o wide | grep -E 'system:(anonymous|unauthenticated)'`.", "Check the source IPs (`@sourceIPs`) and whether the endpoint is public.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [sample("anonymous lists pods", { verb: "list", resource: "pods", namespace: "default", user: ANONYMOUS, sourceIP: "198.51.100.7", userAgent: "curl/8.5.0" })],
    negative: [
      sample("anonymous health probe (non-resource URL)", { verb: "get", resource: "", nonResourceURL: "/healthz", user: ANONYMOUS, sourceIP: "198.51.100.7" }),
      sample("anonymous request refused (403)", { verb: "list", resource: "pods", namespace: "default", user: ANONYMOUS, code: 403 }),
      sample("the same list by an authenticated user", { verb: "list", resource: "pods", namespace: "default", user: DEVELOPER }),
    ],
  },
};
