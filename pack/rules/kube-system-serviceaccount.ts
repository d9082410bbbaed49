import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "kube-system-serviceaccount",
  name: "EKS: service account created in kube-system",
  detectionMethod: "threshold",
  tactic: "TA0003-persistence",
  technique: "T1136-create-account",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:serviceaccounts -@objectRef.subresource:* @objectRef.namespace:(kube-system OR kube-public) @http.method:create ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect service accounts created in `kube-system`/`kube-public`: a durable identity hidden among system accounts.",
    "Successful serviceaccount creates in those namespaces, platform identities excluded (EKS add-ons create theirs as `eks:addon-manager`).",
    [IDENTIFY_USER, "Find the bindings of the new account (`@objectRef.name`) and any IRSA/Pod Identity role annotation.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin creates a service account in kube-system", {
        verb: "create",
        resource: "serviceaccounts",
        namespace: "kube-system",
        name: "backup-agent",
        user: KUBERNETES_ADMIN,
        requestObject: { kind: "ServiceAccount", apiVersion: "v1", metadata: { name: "backup-agent", namespace: "kube-system" } },
      }),
    ],
    negative: [
      sample("EKS addon manager (excluded identity) creating the ebs-csi service account", {
        verb: "create",
        resource: "serviceaccounts",
        namespace: "kube-system",
        name: "ebs-csi-controller-sa",
        user: eksIdentity("addon-manager"),
      }),
      sample("a service account in an application namespace", {
        verb: "create",
        resource: "serviceaccounts",
        namespace: "web",
        name: "frontend",
        user: DEVELOPER,
      }),
      sample("the creation denied (403)", {
        verb: "create",
        resource: "serviceaccounts",
        namespace: "kube-system",
        name: "backup-agent",
        user: DEVELOPER,
        code: 403,
      }),
    ],
  },
};
