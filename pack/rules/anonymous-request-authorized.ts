import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IF_UNEXPECTED, ruleMessage } from "../pack-helpers";
import { ANONYMOUS, DEVELOPER, sample } from "../samples";

/**
 * Endpoints anonymous users may reach by default and load balancers probe (health checks). `/healthz*`, `/version`
 * and `/swagger*` are not here because EKS never logs them (EKS audit policy rule 8, level None): a scanner reading
 * `/version` anonymously is invisible on EKS.
 */
export const ANONYMOUS_ALLOWED_PATHS = ["/livez", "/readyz"];

const paths = (list: readonly string[]) => `(${list.map((p) => JSON.stringify(p)).join(" OR ")})`;

export const rule: DetectionRuleProps = {
  id: "anonymous-request-authorized",
  name: "EKS: anonymous request authorized",
  detectionMethod: "threshold",
  tactic: "TA0001-initial-access",
  technique: "T1078.001-default-accounts",
  queries: [
    {
      name: "allowed",
      query: `${EKS_AUDIT} @usr.name:"system:anonymous" @http.status_code:[100 TO 299] -@http.url_details.path:${paths(ANONYMOUS_ALLOWED_PATHS)}`,
      groupByFields: ["@http.url_details.path"],
    },
  ],
  cases: [{ name: "anonymous access", status: "high", condition: "allowed > 0" }],
  message: ruleMessage(
    "Detect unauthenticated requests that the API server allowed beyond the health probes: an RBAC binding to `system:anonymous` or `system:unauthenticated`.",
    `Successful requests by \`system:anonymous\` to any path but ${ANONYMOUS_ALLOWED_PATHS.join(", ")} (Datadog's built-in rule excludes \`/healthz\`, Falco's the three health endpoints). EKS never logs \`/healthz*\`, \`/version\` or \`/swagger*\` (its audit policy sets level None for them), so anonymous reads of those cannot be seen.`,
    [
      "Find which binding lets anonymous users in: `kubectl get clusterrolebindings,rolebindings -A -o wide | grep -E 'system:(anonymous|unauthenticated)'`.",
      "Check the source IPs (`@sourceIPs`) and whether the endpoint is public.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("anonymous lists pods", {
        verb: "list",
        resource: "pods",
        namespace: "default",
        user: ANONYMOUS,
        sourceIP: "198.51.100.7",
        userAgent: "curl/8.5.0",
      }),
      sample("anonymous reads the API discovery document", {
        verb: "get",
        resource: "",
        nonResourceURL: "/apis",
        user: ANONYMOUS,
        sourceIP: "198.51.100.7",
        userAgent: "python-requests/2.31.0",
      }),
    ],
    negative: [
      sample("anonymous liveness probe (non-resource URL)", {
        verb: "get",
        resource: "",
        nonResourceURL: "/livez",
        user: ANONYMOUS,
        sourceIP: "198.51.100.7",
      }),
      sample("a load balancer's readiness probe", {
        verb: "get",
        resource: "",
        nonResourceURL: "/readyz",
        user: ANONYMOUS,
        sourceIP: "10.0.1.17",
        userAgent: "ELB-HealthChecker/2.0",
      }),
      sample("anonymous request refused (403)", { verb: "list", resource: "pods", namespace: "default", user: ANONYMOUS, code: 403 }),
      sample("the same list by an authenticated user", { verb: "list", resource: "pods", namespace: "default", user: DEVELOPER }),
    ],
  },
};
