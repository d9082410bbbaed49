import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_CONTROL_PLANE, ruleMessage } from "../pack-helpers";
import { ANONYMOUS, DEVELOPER, eksIdentity, serviceAccount, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "forbidden-burst",
  name: "EKS: principal denied on many different endpoints",
  detectionMethod: "threshold",
  tactic: "TA0007-discovery",
  technique: "T1613-container-and-resource-discovery",
  queries: [
    {
      name: "denied",
      query: String.raw`${EKS_AUDIT} @http.status_code:403 ${NOT_CONTROL_PLANE} -@usr.name:system\:anonymous`,
      aggregation: "cardinality",
      distinctFields: ["@http.url_details.path"],
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ name: "many denied endpoints", status: "medium", condition: "denied > 10" }],
  evaluationWindowSeconds: 300,
  keepAliveSeconds: 3600,
  maxSignalDurationSeconds: 7200,
  message: ruleMessage(
    "Detect a principal refused (HTTP 403) on more than 10 different API paths in 5 minutes: permission probing with stolen or low-privilege credentials.",
    "Cardinality of `@http.url_details.path` over 403 responses, per `@usr.name`; EKS and control-plane identities and anonymous requests excluded (see `anonymous-request-denied`). `kube-system` service accounts are counted (as in Datadog's built-in rule): a stolen add-on token probing its permissions is the case to catch, and a misconfigured controller retries the same few paths.",
    [IDENTIFY_USER, "List the denied paths: resources an attacker looks for (secrets, roles, pods/exec) or a misconfigured tool?", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("a developer denied listing secrets cluster-wide", { verb: "list", resource: "secrets", user: DEVELOPER, code: 403 }),
      sample("an application service account denied listing clusterroles", {
        verb: "list",
        resource: "clusterroles",
        apiGroup: "rbac.authorization.k8s.io",
        user: serviceAccount("web", "frontend"),
        code: 403,
      }),
      sample("a kube-system add-on token denied watching endpointslices (stolen tokens probe as their add-on)", {
        verb: "watch",
        resource: "endpointslices",
        apiGroup: "discovery.k8s.io",
        user: serviceAccount("kube-system", "coredns"),
        code: 403,
      }),
    ],
    negative: [
      sample("a successful list (200)", { verb: "list", resource: "pods", namespace: "web", user: DEVELOPER }),
      sample("EKS (excluded identity) denied", {
        verb: "get",
        resource: "configmaps",
        namespace: "kube-system",
        name: "extension-apiserver-authentication",
        user: eksIdentity("authenticator"),
        code: 403,
      }),
      sample("anonymous denied (excluded here)", { verb: "get", resource: "namespaces", user: ANONYMOUS, code: 403 }),
      sample("unauthenticated (401), not forbidden", { verb: "get", resource: "pods", namespace: "web", user: DEVELOPER, code: 401 }),
    ],
  },
};
