import type { DetectionRuleProps } from "../rule-model";
import { EKS_AUDIT, IF_UNEXPECTED, ruleMessage } from "../pack-helpers";
import { ANONYMOUS, DEVELOPER, sample } from "../samples";

/** Endpoints anonymous users may reach by default and load balancers probe (health checks). */
export const ANONYMOUS_ALLOWED_PATHS = ["/healthz", "/livez", "/readyz"];
/** Endpoints that are allowed by default but tell a scanner what runs there (the version, the API discovery documents). */
export const ANONYMOUS_DISCOVERY_PATHS = ["/version"];

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
      query: `${EKS_AUDIT} @usr.name:"system:anonymous" @http.status_code:[100 TO 299] -@http.url_details.path:${paths([...ANONYMOUS_ALLOWED_PATHS, ...ANONYMOUS_DISCOVERY_PATHS])}`,
      groupByFields: ["@http.url_details.path"],
    },
    {
      name: "version",
      query: `${EKS_AUDIT} @usr.name:"system:anonymous" @http.status_code:[100 TO 299] @http.url_details.path:${paths(ANONYMOUS_DISCOVERY_PATHS)}`,
      groupByFields: ["@http.url_details.path"],
    },
  ],
  cases: [
    { name: "anonymous access", status: "high", condition: "allowed > 0" },
    { name: "anonymous version probe", status: "info", condition: "version > 0" },
  ],
  message: ruleMessage(
    "Detect unauthenticated requests that the API server allowed beyond the health and version probes: an RBAC binding to `system:anonymous` or `system:unauthenticated`.",
    `Successful requests by \`system:anonymous\`: high when the path is not one of ${[...ANONYMOUS_ALLOWED_PATHS, ...ANONYMOUS_DISCOVERY_PATHS].join(", ")}; info (one signal per path and keep-alive) for ${ANONYMOUS_DISCOVERY_PATHS.join(", ")}, which Kubernetes allows anonymously by default (\`system:public-info-viewer\`) and scanners read first. Health probes are never reported (Datadog's built-in rule excludes \`/healthz\`, Falco's excludes the three health endpoints).`,
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
      sample("a scanner reads /version anonymously (info case)", {
        verb: "get",
        resource: "",
        nonResourceURL: "/version",
        user: ANONYMOUS,
        sourceIP: "198.51.100.7",
        userAgent: "python-requests/2.31.0",
      }),
    ],
    negative: [
      sample("anonymous health probe (non-resource URL)", {
        verb: "get",
        resource: "",
        nonResourceURL: "/healthz",
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
