import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, serviceAccount, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "impersonation",
  name: "EKS: request made while impersonating another identity",
  detectionMethod: "threshold",
  tactic: "TA0005-defense-evasion",
  technique: "T1550-use-alternate-authentication-material",
  queries: [
    { query: `${EKS_AUDIT} @impersonatedUser.username:* ${SUCCEEDED} ${NOT_PLATFORM}`, groupByFields: ["@usr.name", "@impersonatedUser.username"] },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect requests made with `--as`/`Impersonate-User`: the request runs with another identity's permissions, and naive searches on the impersonated user miss the real actor.",
    "Successful requests carrying `impersonatedUser`, by user and impersonated user, platform identities excluded.",
    [
      IDENTIFY_USER,
      "Compare the permissions of `{{@impersonatedUser.username}}` with the caller's and list what was done while impersonating.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin lists secrets as a service account", {
        verb: "list",
        resource: "secrets",
        namespace: "payments",
        user: KUBERNETES_ADMIN,
        impersonatedUser: serviceAccount("payments", "payments-api"),
      }),
    ],
    negative: [
      sample("the same list without impersonation", { verb: "list", resource: "secrets", namespace: "payments", user: KUBERNETES_ADMIN }),
      sample("impersonation refused (403)", {
        verb: "list",
        resource: "secrets",
        namespace: "payments",
        user: DEVELOPER,
        code: 403,
        impersonatedUser: serviceAccount("payments", "payments-api"),
      }),
      sample("an EKS identity (excluded) impersonating", {
        verb: "get",
        resource: "configmaps",
        namespace: "kube-system",
        name: "aws-auth",
        user: eksIdentity("authenticator"),
        impersonatedUser: serviceAccount("kube-system", "aws-node"),
      }),
    ],
  },
};
