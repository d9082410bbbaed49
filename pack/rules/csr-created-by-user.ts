import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, KUBE_CONTROLLER_MANAGER, NODE, serviceAccount, sample } from "../samples";

const csr = (signerName: string, usages: string[]) => ({
  kind: "CertificateSigningRequest",
  apiVersion: "certificates.k8s.io/v1",
  metadata: { name: "csr" },
  spec: { signerName, usages, request: "LS0tLS1CRUdJTi..." },
});

export const rule: DetectionRuleProps = {
  id: "csr-created-by-user",
  name: "EKS: certificate signing request created outside the node bootstrap flow",
  detectionMethod: "threshold",
  tactic: "TA0006-credential-access",
  technique: "T1649-steal-or-forge-authentication-certificates",
  queries: [
    {
      query: String.raw`${EKS_AUDIT} @objectRef.resource:certificatesigningrequests -@objectRef.subresource:* @http.method:create -@requestObject.spec.signerName:("kubernetes.io/kube-apiserver-client-kubelet" OR "kubernetes.io/kubelet-serving") ${SUCCEEDED} -@usr.name:(eks\:* OR system\:node\:* OR system\:bootstrap\:* OR system\:kube-controller-manager)`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect certificate signing requests that are not part of the node bootstrap flow, by people and service accounts alike: an approved CSR for a client signer is a long-lived credential (for any user or group it names), and a service account asking for one is a stolen token being turned into a certificate.",
    "Successful CSR creates, except by nodes, bootstrap tokens, EKS and the kube-controller-manager, and except the kubelet signers (`kube-apiserver-client-kubelet`, `kubelet-serving`), which only issue node certificates. Metadata-level events have no `signerName` and are reported.",
    [
      IDENTIFY_USER,
      "Decode the request (`@requestObject.spec.request`): which subject and groups (`system:masters`?) and which `signerName`? Was it approved, and by whom (`csr-approved`)?",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin submits a client certificate CSR", {
        verb: "create",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: "mallory",
        user: KUBERNETES_ADMIN,
        requestObject: csr("kubernetes.io/kube-apiserver-client", ["client auth"]),
      }),
      sample("an application service account submits a client certificate CSR", {
        verb: "create",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: "sa-cert",
        user: serviceAccount("default", "compromised-sa"),
        requestObject: csr("kubernetes.io/kube-apiserver-client", ["client auth"]),
      }),
    ],
    negative: [
      sample("a node (excluded) requesting its serving certificate", {
        verb: "create",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: "csr-8x7kq",
        user: NODE,
        requestObject: csr("kubernetes.io/kubelet-serving", ["server auth"]),
      }),
      sample("a kubelet client CSR through a bootstrap identity (kubelet signer)", {
        verb: "create",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: "node-csr-abc",
        user: { username: "kubelet-nodepool-bootstrap", groups: ["system:bootstrappers", "system:authenticated"] },
        requestObject: csr("kubernetes.io/kube-apiserver-client-kubelet", ["client auth"]),
      }),
      sample("the kube-controller-manager creating a CSR", {
        verb: "create",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: "kcm",
        user: KUBE_CONTROLLER_MANAGER,
        requestObject: csr("kubernetes.io/kube-apiserver-client", ["client auth"]),
      }),
      sample("the CSR denied (403)", {
        verb: "create",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: "mallory",
        user: DEVELOPER,
        code: 403,
      }),
      sample("listing CSRs (read)", { verb: "list", resource: "certificatesigningrequests", apiGroup: "certificates.k8s.io", user: DEVELOPER }),
    ],
  },
};
