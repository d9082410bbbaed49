import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, KUBE_CONTROLLER_MANAGER, eksIdentity, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "csr-approved",
  name: "EKS: certificate signing request approved outside the node bootstrap flow",
  detectionMethod: "threshold",
  tactic: "TA0006-credential-access",
  technique: "T1649-steal-or-forge-authentication-certificates",
  queries: [
    {
      query: String.raw`${EKS_AUDIT} @objectRef.resource:certificatesigningrequests @objectRef.subresource:approval @http.method:(update OR patch) ${SUCCEEDED} -@usr.name:(eks\:* OR system\:kube-controller-manager OR system\:node\:* OR system\:serviceaccount\:kube-system\:*)`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  message: ruleMessage(
    "Detect a certificate signing request approved by anyone but the control plane: an approved client certificate is a credential that RBAC revocation and access-entry removal do not end (it lives until it expires).",
    "Successful update/patch of the `approval` subresource of certificatesigningrequests, except by EKS (`eks:certificate-controller`), the kube-controller-manager's CSR approver, nodes and `kube-system` controllers (the node bootstrap flow).",
    [
      IDENTIFY_USER,
      "Find the CSR (`@objectRef.name`): who requested it (`spec.username` in the CSR create event), which signer, which groups? A `kubernetes.io/kube-apiserver-client` certificate for `system:masters` is cluster-admin forever.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin approves a CSR (kubectl certificate approve)", {
        verb: "update",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: "mallory",
        subresource: "approval",
        user: KUBERNETES_ADMIN,
      }),
      sample("a developer patches a CSR approval", {
        verb: "patch",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: "csr-x7k2p",
        subresource: "approval",
        user: DEVELOPER,
      }),
    ],
    negative: [
      sample("the kube-controller-manager approving a node's client certificate", {
        verb: "update",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: "csr-node-abcde",
        subresource: "approval",
        user: KUBE_CONTROLLER_MANAGER,
      }),
      sample("EKS's certificate controller approving a kubelet serving certificate", {
        verb: "update",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: "csr-serving-abcde",
        subresource: "approval",
        user: eksIdentity("certificate-controller"),
      }),
      sample("the approval denied (403)", {
        verb: "update",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: "mallory",
        subresource: "approval",
        user: DEVELOPER,
        code: 403,
      }),
      sample("reading a CSR", {
        verb: "get",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: "mallory",
        user: DEVELOPER,
      }),
    ],
  },
};
