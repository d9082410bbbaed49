import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_SYSTEM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, serviceAccount, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "secret-read-new-user",
  name: "EKS: secret read by a user for the first time",
  detectionMethod: "new_value",
  tactic: "TA0006-credential-access",
  technique: "T1552.007-container-api",
  queries: [{ query: `${EKS_AUDIT} @objectRef.resource:secrets @http.method:get ${SUCCEEDED} ${NOT_SYSTEM}`, metrics: ["@usr.name"] }],
  cases: [{ status: "low" }],
  newValueOptions: { forgetAfterDays: 28, learningDurationDays: 7 },
  message: ruleMessage(
    "Detect a person reading a secret for the first time (workloads read theirs as service accounts and are excluded).",
    "New Value on `@usr.name` over successful `get` of secrets by identities that are not `eks:`/`system:`; one week of learning, then each new reader alerts once (forgotten after 28 idle days).",
    [IDENTIFY_USER, "Which secret (`@objectRef.namespace`/`@objectRef.name`)? Is reading it part of this person's job?", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("a developer reads a database secret", {
        verb: "get",
        resource: "secrets",
        namespace: "payments",
        name: "postgres-credentials",
        user: DEVELOPER,
      }),
      sample("kubernetes-admin reads a secret", { verb: "get", resource: "secrets", namespace: "web", name: "tls", user: KUBERNETES_ADMIN }),
    ],
    negative: [
      sample("a workload's service account (excluded) reading its secret", {
        verb: "get",
        resource: "secrets",
        namespace: "payments",
        name: "postgres-credentials",
        user: serviceAccount("payments", "payments-api"),
      }),
      sample("the read denied (403)", {
        verb: "get",
        resource: "secrets",
        namespace: "payments",
        name: "postgres-credentials",
        user: DEVELOPER,
        code: 403,
      }),
      sample("updating a secret (a write, not a read)", {
        verb: "update",
        resource: "secrets",
        namespace: "payments",
        name: "postgres-credentials",
        user: DEVELOPER,
      }),
    ],
  },
};
