import type { DetectionRuleProps } from "../rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_SYSTEM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, NODE, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "csr-created-by-user",
  name: "EKS: certificate signing request created by a person",
  detectionMethod: "threshold",
  tactic: "TA0006-credential-access",
  technique: "T1649-steal-or-forge-authentication-certificates",
  queries: [{ query: `${EKS_AUDIT} @objectRef.resource:certificatesigningrequests -@objectRef.subresource:* @http.method:create ${SUCCEEDED} ${NOT_SYSTEM}`, groupByFields: ["@usr.name"] }],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect CSRs created by people: an approved CSR for a client signer is a long-lived credential (for any user or group it names).",
    "Successful CSR creates by anything that is not an `eks:` or `system:` identity (nodes and `eks:` controllers create CSRs all day).",
    [IDENTIFY_USER, "Decode the request (`@requestObject.spec.request`): which subject and groups (`system:masters`?) and which `signerName`? Was it approved, and by whom (`certificatesigningrequests/approval`)?", IF_UNEXPECTED],
  ),
  samples: {
    positive: [sample("kubernetes-admin submits a client certificate CSR", { verb: "create", resource: "certificatesigningrequests", apiGroup: "certificates.k8s.io", name: "mallory", user: KUBERNETES_ADMIN, requestObject: { kind: "CertificateSigningRequest", apiVersion: "certificates.k8s.io/v1", metadata: { name: "mallory" }, spec: { signerName: "kubernetes.io/kube-apiserver-client", usages: ["client auth"], request: "LS0tLS1CRUdJTi..." } } })],
    negative: [
      sample("a node (excluded) requesting its serving certificate", { verb: "create", resource: "certificatesigningrequests", apiGroup: "certificates.k8s.io", name: "csr-8x7kq", user: NODE }),
      sample("the CSR denied (403)", { verb: "create", resource: "certificatesigningrequests", apiGroup: "certificates.k8s.io", name: "mallory", user: DEVELOPER, code: 403 }),
      sample("listing CSRs (read)", { verb: "list", resource: "certificatesigningrequests", apiGroup: "certificates.k8s.io", user: DEVELOPER }),
    ],
  },
};
