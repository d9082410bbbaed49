import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, WRITES, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, sample, serviceAccount } from "../samples";

export const rule: DetectionRuleProps = {
  id: "service-external-ips",
  name: "EKS: Service with externalIPs or a patched load-balancer address (CVE-2020-8554)",
  detectionMethod: "threshold",
  tactic: "TA0009-collection",
  technique: "T1557-adversary-in-the-middle",
  queries: [
    {
      // spec.externalIPs: the cluster routes traffic for those addresses to the Service (kubernetes/kubernetes#97076).
      name: "external_ips",
      query: `${EKS_AUDIT} @objectRef.resource:services -@objectRef.subresource:* ${WRITES} @requestObject.spec.externalIPs:* ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
    {
      // The other vector of the CVE: setting status.loadBalancer.ingress[].ip through services/status.
      name: "lb_status",
      query: `${EKS_AUDIT} @objectRef.resource:services @objectRef.subresource:status @http.method:(update OR patch) @requestObject.status.loadBalancer.ingress.ip:* ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [
    { name: "externalIPs set", status: "medium", condition: "external_ips > 0" },
    { name: "load-balancer address patched", status: "high", condition: "lb_status > 0" },
  ],
  message: ruleMessage(
    "Detect CVE-2020-8554 (man-in-the-middle through Services): a Service with `spec.externalIPs`, or a Service's `status.loadBalancer.ingress` IP patched, makes the cluster send traffic for any chosen address (another tenant's, a cloud endpoint's) to the attacker's pods (https://github.com/kubernetes/kubernetes/issues/97076).",
    "Successful create/update/patch of Services setting `spec.externalIPs` (medium; some bare-metal setups use it legitimately, EKS clusters rarely do), and updates/patches of `services/status` setting a load-balancer ingress IP by anyone but the platform (high: on EKS only the AWS Load Balancer Controller and the cloud controller write it, both platform identities).",
    [
      IDENTIFY_USER,
      "Which addresses (`@requestObject.spec.externalIPs`, `@requestObject.status.loadBalancer.ingress.ip`) and whose are they? Block `externalIPs` with an admission policy (the upstream mitigation: the DenyServiceExternalIPs admission plugin or a Kyverno/Gatekeeper policy).",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a developer creates a Service claiming an external address", {
        verb: "create",
        resource: "services",
        namespace: "web",
        user: DEVELOPER,
        requestObject: {
          kind: "Service",
          apiVersion: "v1",
          metadata: { name: "intercept", namespace: "web" },
          spec: { selector: { app: "mitm" }, ports: [{ port: 443 }], externalIPs: ["52.94.236.248"] },
        },
      }),
      sample("kubernetes-admin patches a Service's load-balancer ingress IP", {
        verb: "patch",
        resource: "services",
        subresource: "status",
        namespace: "web",
        name: "intercept",
        user: KUBERNETES_ADMIN,
        requestObject: { status: { loadBalancer: { ingress: [{ ip: "52.94.236.248" }] } } },
      }),
    ],
    negative: [
      sample("a ClusterIP Service without externalIPs", {
        verb: "create",
        resource: "services",
        namespace: "web",
        user: DEVELOPER,
        requestObject: {
          kind: "Service",
          apiVersion: "v1",
          metadata: { name: "api", namespace: "web" },
          spec: { selector: { app: "api" }, ports: [{ port: 80 }] },
        },
      }),
      sample("the AWS Load Balancer Controller (platform) writes a load-balancer status", {
        verb: "patch",
        resource: "services",
        subresource: "status",
        namespace: "web",
        name: "api",
        user: serviceAccount("kube-system", "aws-load-balancer-controller"),
        requestObject: { status: { loadBalancer: { ingress: [{ hostname: "k8s-web-api-0123456789.elb.eu-west-1.amazonaws.com" }] } } },
      }),
    ],
  },
};
