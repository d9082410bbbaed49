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
  "application_security",
  "log_detection",
  "workload_security",
  "signal_correlation",
  "cloud_configuration",
  "infrastructure_configuration",
  "application_code_vulnerability",
  "application_library_vulnerability",
  "attack_path",
  "container_image_vulnerability",
  "identity_risk",
  "misconfiguration",
  "api_security",
  "host_vulnerability",
  "iac_misconfiguration",
  "sast_vulnerability",
  "secret_vulnerability",
  "workload_activity",
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
 * MITRE ATT&CK Enterprise techniques a Kubernetes audit rule can detect, in Datadog's `technique:Txxxx-<name>`
 * spelling (the technique's name on attack.mitre.org, kebab-case): every technique of the ATT&CK Containers matrix
 * (https://attack.mitre.org/matrices/enterprise/containers/) and the cloud techniques the pack uses. The rule model
 * accepts only these; add a technique here (with its attack.mitre.org name) to use it in a rule.
 */
export const MITRE_TECHNIQUES: Readonly<Record<string, string>> = {
  T1005: "data-from-local-system",
  T1036: "masquerading",
  T1046: "network-service-discovery",
  "T1053.007": "container-orchestration-job",
  T1053: "scheduled-task-job",
  T1068: "exploitation-for-privilege-escalation",
  T1069: "permission-groups-discovery",
  T1070: "indicator-removal",
  "T1078.001": "default-accounts",
  "T1078.003": "local-accounts",
  "T1078.004": "cloud-accounts",
  T1078: "valid-accounts",
  T1087: "account-discovery",
  "T1098.006": "additional-container-cluster-roles",
  T1098: "account-manipulation",
  "T1110.001": "password-guessing",
  "T1110.003": "password-spraying",
  "T1110.004": "credential-stuffing",
  T1110: "brute-force",
  T1133: "external-remote-services",
  "T1136.001": "local-account",
  T1136: "create-account",
  T1190: "exploit-public-facing-application",
  "T1204.003": "malicious-image",
  T1204: "user-execution",
  T1485: "data-destruction",
  T1490: "inhibit-system-recovery",
  T1496: "resource-hijacking",
  T1498: "network-denial-of-service",
  T1499: "endpoint-denial-of-service",
  T1525: "implant-internal-image",
  T1526: "cloud-service-discovery",
  T1528: "steal-application-access-token",
  "T1543.005": "container-service",
  T1543: "create-or-modify-system-process",
  "T1550.001": "application-access-token",
  T1550: "use-alternate-authentication-material",
  "T1552.001": "credentials-in-files",
  "T1552.007": "container-api",
  T1552: "unsecured-credentials",
  T1557: "adversary-in-the-middle",
  "T1562.001": "disable-or-modify-tools",
  T1562: "impair-defenses",
  T1564: "hide-artifacts",
  T1572: "protocol-tunneling",
  T1578: "modify-cloud-compute-infrastructure",
  T1580: "cloud-infrastructure-discovery",
  T1609: "container-administration-command",
  T1610: "deploy-container",
  T1611: "escape-to-host",
  T1612: "build-image-on-host",
  T1613: "container-and-resource-discovery",
  T1649: "steal-or-forge-authentication-certificates",
};

/**
 * Log sources Datadog can give EKS audit data (and its neighbours), for the `source:` lint.
 * - `kubernetes.audit`: EKS audit logs (`kube-apiserver-audit-*` streams) - the Datadog guide (https://docs.datadoghq.com/integrations/guide/amazon-eks-audit-logs/).
 * - `eks`, `kube-apiserver`, `kube-controller-manager`, `kube_scheduler`, `aws-iam-authenticator`: the other EKS
 *   control-plane streams as Forwarder <= 4.5.0 names them (DataDog/datadog-serverless-functions `aws/logs_monitoring/awslogs_handler.py`, 4.5.0).
 * - `cloudwatch`: what Forwarder >= 4.6.0 sends before the logs backend re-identifies the source (same repository, commit 9aecff1f "Move eks support to logs-backend").
 * - `azure.containerservice`, `gcp.k8s.cluster`: the AKS/GKE audit sources Datadog's own Kubernetes rules also query (https://docs.datadoghq.com/security/default_rules/).
 */
export const KNOWN_LOG_SOURCES: readonly string[] = [
  "kubernetes.audit",
  "eks",
  "kube-apiserver",
  "kube-controller-manager",
  "kube_scheduler",
  "aws-iam-authenticator",
  "cloudwatch",
  "azure.containerservice",
  "gcp.k8s.cluster",
];
