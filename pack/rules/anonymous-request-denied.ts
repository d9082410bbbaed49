import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, ruleMessage } from "../pack-helpers";
import { ANONYMOUS, DEVELOPER, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "anonymous-request-denied",
  name: "EKS: anonymous requests denied on many paths (probing)",
  detectionMethod: "threshold",
  tactic: "TA0007-discovery",
  technique: "T1613-container-and-resource-discovery",
  queries: [
    {
      name: "denied",
      query: `${EKS_AUDIT} @usr.name:"system:anonymous" @http.status_code:(401 OR 403)`,
      aggregation: "cardinality",
      distinctFields: ["@http.url_details.path"],
    },
  ],
  cases: [{ name: "many denied paths", status: "low", condition: "denied > 20" }],
  evaluationWindowSeconds: 300,
  keepAliveSeconds: 3600,
  maxSignalDurationSeconds: 86400,
  message: ruleMessage(
    "Detect unauthenticated callers refused on more than 20 different API paths in 5 minutes: someone scanning the cluster endpoint (vulnerability scanners, API discovery).",
    "Cardinality of `@http.url_details.path` over anonymous requests answered 401 or 403, cluster-wide (one signal per probing wave). On a public endpoint internet scanners trigger it routinely: it says the endpoint is reachable and probed; restrict `publicAccessCidrs` or use a private endpoint. Allowed anonymous requests are reported by `anonymous-request-authorized`.",
    [
      "List the paths and the source IPs (`@sourceIPs`, `@http.useragent` / `@userAgent`): a known scanner, or paths that suggest a targeted attempt?",
      "Check the cluster endpoint's exposure (EKS `publicAccessCidrs`, private endpoint access).",
    ],
  ),
  samples: {
    positive: [
      sample("an anonymous scanner denied a PHP path (one of many)", {
        verb: "get",
        resource: "",
        nonResourceURL: "/vendor/phpunit/src/Util/PHP/eval-stdin.php",
        user: ANONYMOUS,
        code: 403,
        userAgent: "python-requests/2.31.0",
      }),
      sample("anonymous denied listing namespaces", { verb: "list", resource: "namespaces", user: ANONYMOUS, code: 403, userAgent: "curl/8.5.0" }),
    ],
    negative: [
      sample("anonymous allowed on /readyz (a load balancer probe)", {
        verb: "get",
        resource: "",
        nonResourceURL: "/readyz",
        user: ANONYMOUS,
        code: 200,
      }),
      sample("an authenticated user denied (reported by forbidden-burst)", { verb: "list", resource: "namespaces", user: DEVELOPER, code: 403 }),
    ],
  },
};
