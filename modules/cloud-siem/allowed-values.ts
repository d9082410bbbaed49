/**
 * Allowed values of `datadog_security_monitoring_rule` and friends, as DataDog/datadog provider 3.82.0 validates
 * them client-side (enums generated from datadog-api-client-go v2.51.0) and as the Datadog API checks them.
 * Sources: DataDog/terraform-provider-datadog@v3.82.0 `docs/resources/security_monitoring_rule.md` and
 * `docs/resources/security_notification_rule.md`; Datadog docs "Log Detection Rules"
 * (https://docs.datadoghq.com/security/cloud_siem/detect_and_monitor/custom_detection_rules/).
 */
import type { Severity } from "../../lib/rules/matchable";

/** Signal severities (`case.status`). */
export const SEVERITIES: readonly Severity[] = ["info", "low", "medium", "high", "critical"];

/** `options.evaluation_window`, `options.keep_alive` and `options.max_signal_duration` (seconds). */
export const RULE_WINDOWS_SECONDS: readonly number[] = [0, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Detection methods this model builds (provider 3.82 knows more: anomaly_detection, impossible_travel, ...). */
export const DETECTION_METHODS = ["threshold", "new_value"] as const;
export type DetectionMethod = (typeof DETECTION_METHODS)[number];

/** `query.aggregation` values of provider 3.82. */
export const AGGREGATIONS: readonly string[] = ["count", "cardinality", "sum", "max", "new_value", "geo_data", "event_count", "none"];
/** Aggregations a threshold rule can use (`new_value`/`geo_data` belong to other methods, `none`/`event_count` to other rule types). */
export const THRESHOLD_AGGREGATIONS: readonly string[] = ["count", "cardinality", "sum", "max"];

/** `options.new_value_options.forget_after` (days) in provider 3.82. */
export const NEW_VALUE_FORGET_AFTER_DAYS: readonly number[] = [1, 2, 7, 14, 21, 28];
/** `options.new_value_options.learning_duration` (days) in provider 3.82 (the API now accepts up to 30; 3.82 does not). */
export const NEW_VALUE_LEARNING_DURATION_DAYS: readonly number[] = [0, 1, 7];
export const NEW_VALUE_LEARNING_METHODS: readonly string[] = ["duration", "threshold"];
export const NEW_VALUE_LEARNING_THRESHOLDS: readonly number[] = [0, 1];

/** Provider schema: `case` MaxItems 10. */
export const MAX_CASES = 10;
/** `metrics` of a `new_value` query: up to 5 fields. */
export const MAX_NEW_VALUE_FIELDS = 5;

/** `datadog_security_notification_rule.selectors.severities`. */
export const NOTIFICATION_RULE_SEVERITIES: readonly string[] = ["critical", "high", "medium", "low", "unknown", "info"];
/** `datadog_security_notification_rule.selectors.trigger_source`. */
export const NOTIFICATION_TRIGGER_SOURCES: readonly string[] = ["security_signals", "security_findings"];
/** `datadog_security_notification_rule.selectors.rule_types` (TS client `RuleTypesItems`). */
export const NOTIFICATION_RULE_TYPES: readonly string[] = [
  "application_security", "log_detection", "workload_security", "signal_correlation", "cloud_configuration",
  "infrastructure_configuration", "application_code_vulnerability", "application_library_vulnerability", "attack_path",
  "container_image_vulnerability", "identity_risk", "misconfiguration", "api_security", "host_vulnerability",
  "iac_misconfiguration", "sast_vulnerability", "secret_vulnerability", "workload_activity",
];

/** MITRE ATT&CK Enterprise tactics (attack.mitre.org/tactics/enterprise), in Datadog's `tactic:TAxxxx-<name>` spelling. */
export const MITRE_TACTICS: Readonly<Record<string, string>> = {
  TA0043: "reconnaissance",
  TA0042: "resource-development",
  TA0001: "initial-access",
  TA0002: "execution",
  TA0003: "persistence",
  TA0004: "privilege-escalation",
  TA0005: "defense-evasion",
  TA0006: "credential-access",
  TA0007: "discovery",
  TA0008: "lateral-movement",
  TA0009: "collection",
  TA0011: "command-and-control",
  TA0010: "exfiltration",
  TA0040: "impact",
};

/**
 * Log sources Datadog can give EKS audit data (and its neighbours), for the `source:` lint.
 * - `kubernetes.audit`: EKS audit logs (`kube-apiserver-audit-*` streams) - the Datadog guide; facts §6.1.
 * - `eks`, `kube-apiserver`, `kube-controller-manager`, `kube_scheduler`, `aws-iam-authenticator`: the other EKS
 *   control-plane streams as Forwarder <= 4.5.0 names them (`awslogs_handler.py`); facts §6.1.
 * - `cloudwatch`: what Forwarder >= 4.6.0 sends before the logs backend re-identifies the source; facts §6.1.
 * - `azure.containerservice`, `gcp.k8s.cluster`: the AKS/GKE audit sources Datadog's own Kubernetes rules also query; facts §7.1.
 */
export const KNOWN_LOG_SOURCES: readonly string[] = [
  "kubernetes.audit", "eks", "kube-apiserver", "kube-controller-manager", "kube_scheduler", "aws-iam-authenticator",
  "cloudwatch", "azure.containerservice", "gcp.k8s.cluster",
];
