import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_CONTROL_PLANE, NOT_SYSTEM, ruleMessage } from "../pack-helpers";
import { DEVELOPER, eksIdentity, serviceAccount, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "secret-read-failures",
  name: "EKS: principal fails to read several secrets",
  detectionMethod: "threshold",
  tactic: "TA0006-credential-access",
  technique: "T1552.007-container-api",
  queries: [
    {
      name: "failed",
      query: `${EKS_AUDIT} @objectRef.resource:secrets @http.method:get (@http.status_code:(401 OR 403) OR (@http.status_code:404 ${NOT_SYSTEM})) ${NOT_CONTROL_PLANE}`,
      aggregation: "cardinality",
      distinctFields: ["@objectRef.name"],
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ name: "several secrets", status: "medium", condition: "failed > 3" }],
  evaluationWindowSeconds: 300,
  keepAliveSeconds: 3600,
  maxSignalDurationSeconds: 7200,
  message: ruleMessage(
    "Detect a principal refused (401/403) or pointed at missing secrets (404) for more than 3 different secret names in 5 minutes: guessing secret names with a foothold identity.",
    "Cardinality of `@objectRef.name` over failed secret `get`s, per principal; EKS and control-plane identities excluded, and 404s counted for people only (applications polling a secret that does not exist yet are common). One misconfigured application retrying one secret stays below the threshold.",
    [
      IDENTIFY_USER,
      "List the secret names and namespaces tried: names an attacker guesses (`aws`, `db`, `token`, `admin`) or a deployment referencing secrets that do not exist?",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a developer denied a secret (one of several)", {
        verb: "get",
        resource: "secrets",
        namespace: "production",
        name: "db-credentials",
        user: DEVELOPER,
        code: 403,
      }),
      sample("a developer asks for a secret that does not exist", {
        verb: "get",
        resource: "secrets",
        namespace: "production",
        name: "aws-keys",
        user: DEVELOPER,
        code: 404,
      }),
      sample("an application service account denied a secret", {
        verb: "get",
        resource: "secrets",
        namespace: "production",
        name: "admin-token",
        user: serviceAccount("web", "frontend"),
        code: 403,
      }),
    ],
    negative: [
      sample("a successful read", { verb: "get", resource: "secrets", namespace: "production", name: "db-credentials", user: DEVELOPER }),
      sample("an application polling a secret that does not exist yet (404, service account)", {
        verb: "get",
        resource: "secrets",
        namespace: "web",
        name: "tls-cert",
        user: serviceAccount("web", "frontend"),
        code: 404,
      }),
      sample("EKS (excluded identity) denied a secret", {
        verb: "get",
        resource: "secrets",
        namespace: "kube-system",
        name: "x",
        user: eksIdentity("authenticator"),
        code: 403,
      }),
      sample("a denied configmap read", { verb: "get", resource: "configmaps", namespace: "production", name: "app", user: DEVELOPER, code: 403 }),
    ],
  },
};
