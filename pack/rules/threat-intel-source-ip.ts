import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { ANONYMOUS, KUBERNETES_ADMIN, auditEvent, sample } from "../samples";
import type { SampleEvent } from "../../lib/rules/matchable";

/**
 * Cloud SIEM's threat-intelligence enrichment: when an IP of a log matches an indicator, Datadog appends a
 * `threat_intel` attribute; detection rules should use `@threat_intel.results.category` (attack, corp_vpn,
 * cryptomining, malware, residential_proxy, tor, scanner) and `@threat_intel.results.intention` (malicious,
 * suspicious, benign, unknown) and no other key (Datadog docs "Threat Intelligence",
 * https://docs.datadoghq.com/security/threat_intelligence/, and "Investigate Security Signals",
 * https://docs.datadoghq.com/security/cloud_siem/triage_and_investigate/investigate_security_signals/).
 */
export const THREAT_INTEL = `(@threat_intel.results.category:(tor OR malware OR attack OR cryptomining OR scanner OR residential_proxy) OR @threat_intel.results.intention:malicious)`;

/** A sample request enriched as Datadog would enrich a log whose source IP matched an indicator. */
function enriched(description: string, spec: Parameters<typeof auditEvent>[0], category: string, intention: string): SampleEvent {
  const event = auditEvent(spec);
  return {
    description,
    event: { ...event, threat_intel: { indicators_matched: [spec.sourceIP], results: [{ category, intention, source: { name: "datadog" } }] } },
  };
}

export const rule: DetectionRuleProps = {
  id: "threat-intel-source-ip",
  name: "EKS: API request from a Tor exit node or a known-malicious IP",
  detectionMethod: "threshold",
  tactic: "TA0001-initial-access",
  technique: "T1078-valid-accounts",
  queries: [
    { name: "allowed", query: `${EKS_AUDIT} ${THREAT_INTEL} ${SUCCEEDED}`, groupByFields: ["@usr.name"] },
    { name: "refused", query: `${EKS_AUDIT} ${THREAT_INTEL} @http.status_code:(401 OR 403)`, groupByFields: ["@usr.name"] },
  ],
  cases: [
    { name: "allowed from a malicious source", status: "high", condition: "allowed > 0" },
    { name: "refused from a malicious source", status: "medium", condition: "refused > 0" },
  ],
  message: ruleMessage(
    "Detect API requests from an address that Datadog's threat intelligence lists as a Tor exit node, a scanner, a residential proxy, or malicious: stolen credentials are often used from there.",
    "Requests whose log carries Cloud SIEM's threat-intelligence enrichment (`@threat_intel.results.category` tor, scanner, residential_proxy, attack, malware, cryptomining, or `@threat_intel.results.intention:malicious`; corporate VPNs excluded): high when the API server allowed it, medium when it refused it.",
    [
      IDENTIFY_USER,
      "Open `@threat_intel` for the indicator and its source; list everything this identity did from that address (`@sourceIPs`).",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      enriched(
        "kubernetes-admin lists secrets from a Tor exit node",
        { verb: "list", resource: "secrets", namespace: "payments", user: KUBERNETES_ADMIN, sourceIP: "185.220.101.4" },
        "tor",
        "suspicious",
      ),
      enriched(
        "a scanner is refused anonymously",
        { verb: "list", resource: "pods", namespace: "default", user: ANONYMOUS, code: 403, sourceIP: "198.51.100.77" },
        "scanner",
        "malicious",
      ),
    ],
    negative: [
      sample("the same list from an address with no indicator", {
        verb: "list",
        resource: "secrets",
        namespace: "payments",
        user: KUBERNETES_ADMIN,
        sourceIP: "203.0.113.25",
      }),
      enriched(
        "a request through the corporate VPN",
        { verb: "list", resource: "pods", namespace: "payments", user: KUBERNETES_ADMIN, sourceIP: "203.0.113.99" },
        "corp_vpn",
        "benign",
      ),
    ],
  },
};
