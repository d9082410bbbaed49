import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IF_UNEXPECTED, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { NODE, eksIdentity, sample, serviceAccount } from "../samples";

/**
 * Address ranges that are not the public internet: RFC 1918, shared address space (100.64.0.0/10, used by EKS custom
 * networking), loopback, link-local, IPv6 unique-local and link-local.
 */
export const NON_PUBLIC_CIDRS: readonly string[] = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
];

/**
 * Identities that only machines inside the cluster use: nodes, kube-system service accounts, the control plane. EKS's
 * own `eks:` identities are left out: EKS acts from AWS service infrastructure (e.g. `eks:addon-manager` from AWS
 * Lambda addresses, as Panther's test events for the same detection show).
 */
const SYSTEM = String.raw`@usr.name:(system\:node\:* OR system\:serviceaccount\:kube-system\:* OR system\:kube-controller-manager OR system\:kube-scheduler OR system\:kube-proxy OR system\:apiserver)`;

export const rule: DetectionRuleProps = {
  id: "system-identity-public-ip",
  name: "EKS: system identity calls the API from a new public address",
  detectionMethod: "new_value",
  tactic: "TA0001-initial-access",
  technique: "T1078.004-cloud-accounts",
  queries: [
    {
      // CIDR() search: https://docs.datadoghq.com/logs/explorer/search_syntax/#search-using-cidr-notation (on an array
      // attribute such as sourceIPs, any address in the array).
      query: `${EKS_AUDIT} ${SYSTEM} NOT(CIDR(@sourceIPs, ${NON_PUBLIC_CIDRS.join(", ")})) ${SUCCEEDED}`,
      metrics: ["@sourceIPs"],
    },
  ],
  cases: [{ status: "medium" }],
  // With private endpoint access off (the EKS API's default, `endpointPrivateAccess`:
  // https://docs.aws.amazon.com/eks/latest/APIReference/API_VpcConfigRequest.html) nodes reach the public endpoint from
  // their NAT gateway's address, or, in public subnets, from their own public address: each new node is a new value.
  newValueOptions: { forgetAfterDays: 28, learningDurationDays: 7 },
  message: ruleMessage(
    "Detect a node, kube-system service account or control-plane identity successfully calling the API server from a public address it has not used before: its credentials (a node's IAM role, a service account token) are being used outside the cluster.",
    `New Value on \`@sourceIPs\` over successful requests by those identities (EKS's own \`eks:\` identities excluded: they act from AWS service addresses) from addresses outside ${NON_PUBLIC_CIDRS.join(", ")}. A cluster whose nodes reach a public API endpoint through NAT gateways calls from the gateways' addresses: the week of learning learns them, and a new gateway alerts once. Nodes in public subnets call from their own public addresses while private endpoint access is off, so each new node would alert once: turn on private endpoint access (calls from the VPC then use private addresses) or disable this rule. Each new address alerts once (forgotten after 28 idle days).`,
    [
      "Is `@sourceIPs` one of your NAT gateways' or egress addresses (VPC console → NAT gateways), or the public address of a new node (EC2 console → instances)? If yes, it is a new gateway or node.",
      "If not: which identity (`@usr.name`), and what did it do from there? Revoke the token (delete the pod or rotate the service account) or the node role's session.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a node's credentials used from an internet address", {
        verb: "create",
        resource: "serviceaccounts",
        subresource: "token",
        namespace: "kube-system",
        name: "kube-proxy",
        user: NODE,
        sourceIP: "198.51.100.23",
        code: 201,
      }),
      sample("CoreDNS's token used from an internet address", {
        verb: "list",
        resource: "secrets",
        namespace: "kube-system",
        user: serviceAccount("kube-system", "coredns"),
        sourceIP: "203.0.113.200",
      }),
    ],
    negative: [
      sample("a node from its VPC address", {
        verb: "get",
        resource: "pods",
        namespace: "kube-system",
        name: "coredns-1",
        user: NODE,
        sourceIP: "10.0.12.34",
      }),
      sample("the controller manager from the control plane's address", {
        verb: "list",
        resource: "nodes",
        user: { username: "system:kube-controller-manager", groups: ["system:authenticated"] },
        sourceIP: "172.16.52.10",
      }),
      sample("EKS's add-on manager from an AWS Lambda address (eks: identities are not system identities here)", {
        verb: "get",
        resource: "daemonsets",
        apiGroup: "apps",
        namespace: "kube-system",
        name: "aws-node",
        user: eksIdentity("addon-manager"),
        sourceIP: "35.163.244.48",
      }),
      sample("a node's refused request from an internet address", {
        verb: "get",
        resource: "secrets",
        namespace: "kube-system",
        name: "x",
        user: NODE,
        sourceIP: "198.51.100.23",
        code: 403,
      }),
      sample("a person from the internet (not a system identity)", { verb: "list", resource: "pods", namespace: "web", sourceIP: "203.0.113.24" }),
    ],
  },
};
