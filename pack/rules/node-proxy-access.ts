import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, eksIdentity, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "node-proxy-access",
  name: "EKS: kubelet API reached through the nodes/proxy subresource",
  detectionMethod: "new_value",
  tactic: "TA0002-execution",
  technique: "T1609-container-administration-command",
  queries: [
    // New Value: monitoring that scrapes kubelets through the proxy (Prometheus' cAdvisor job) is learned on day one.
    { query: `${EKS_AUDIT} @objectRef.resource:nodes @objectRef.subresource:proxy ${SUCCEEDED} ${NOT_PLATFORM}`, metrics: ["@usr.name"] },
  ],
  cases: [{ status: "high" }],
  newValueOptions: { forgetAfterDays: 28, learningDurationDays: 1 },
  message: ruleMessage(
    "Detect use of the API server's `nodes/proxy` subresource, which reaches the kubelet API directly (`/exec`, `/run`, `/pods`) and bypasses the audit trail of `pods/exec`.",
    "New Value on `@usr.name` over successful requests on `nodes/proxy` by anyone but EKS, control-plane and kube-system identities: one day of learning (Prometheus scraping cAdvisor through the API server proxy, `/api/v1/nodes/<node>/proxy/metrics/cadvisor`, is learned then), after which each identity that reaches a kubelet through the proxy for the first time alerts once (forgotten after 28 idle days).",
    [
      IDENTIFY_USER,
      "Read the proxied path in `@http.url_details.path`: `/exec/`, `/run/` or `/attach/` are command execution; `/metrics` or `/stats` are usually monitoring.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a developer calls the kubelet /run endpoint through the API server", {
        verb: "create",
        resource: "nodes",
        subresource: "proxy",
        name: "ip-10-0-12-34.eu-west-1.compute.internal",
        user: DEVELOPER,
        code: 200,
        requestURI: "/api/v1/nodes/ip-10-0-12-34.eu-west-1.compute.internal/proxy/run/payments/payments-api-7c9f8d6b5-x2kqp/api",
      }),
    ],
    negative: [
      sample("nodes/proxy denied (403)", {
        verb: "get",
        resource: "nodes",
        subresource: "proxy",
        name: "ip-10-0-12-34.eu-west-1.compute.internal",
        user: DEVELOPER,
        code: 403,
      }),
      sample("EKS identity reading node metrics through the proxy (excluded identity)", {
        verb: "get",
        resource: "nodes",
        subresource: "proxy",
        name: "ip-10-0-12-34.eu-west-1.compute.internal",
        user: eksIdentity("k8s-metrics"),
        requestURI: "/api/v1/nodes/ip-10-0-12-34.eu-west-1.compute.internal/proxy/metrics",
      }),
      sample("reading the node object (no proxy)", {
        verb: "get",
        resource: "nodes",
        name: "ip-10-0-12-34.eu-west-1.compute.internal",
        user: DEVELOPER,
      }),
    ],
  },
};
