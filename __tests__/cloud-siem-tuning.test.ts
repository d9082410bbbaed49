import { Testing } from "cdktf";
import { normalizeAuditEvent } from "../lib/audit";
import { compileQuery } from "../lib/query";
import {
  CloudSiemRules,
  CloudSiemTuning,
  EKS_RULE_PACK,
  SuppressionProps,
  cloudSiemPropsFromTuning,
  defineRule,
  isRealRfc3339,
  tuneRules,
} from "../modules/cloud-siem";

const byId = (rules: readonly { id: string }[], id: string) => rules.find((r) => r.id === id) as any;
const synthProps = (tuning: CloudSiemTuning) =>
  JSON.parse(Testing.synthScope((scope) => new CloudSiemRules(scope, "siem", cloudSiemPropsFromTuning(EKS_RULE_PACK, tuning))));
const HANDLES =
  "@slack-<channel>, @pagerduty-<service>, @opsgenie-<team>, @webhook-<name>, @teams-<channel>, @jira-<project>, @servicenow-<name>, @workflow-<id> or @<email address>";

describe("identity attribute", () => {
  test("defaults to @usr.id everywhere (queries, group-by, New Value metrics, messages); @usr.name keeps the rule files as written", () => {
    const tuned = tuneRules(EKS_RULE_PACK, {});
    for (const rule of tuned) {
      const text = JSON.stringify({ q: rule.queries, m: rule.message, g: rule.groupSignalsBy });
      expect(text).not.toMatch(/@usr\.name/);
    }
    expect(byId(tuned, "pod-exec-burst").queries[0].groupByFields).toEqual(["@usr.id"]);
    expect(byId(tuned, "secret-read-new-user").queries[0].metrics).toEqual(["@usr.id"]);
    expect(byId(tuned, "privileged-pod").message).toContain("`{{@usr.id}}`");
    const asWritten = tuneRules(EKS_RULE_PACK, { identityAttribute: "@usr.name" });
    asWritten.forEach((r, i) => {
      expect(r.queries).toEqual(EKS_RULE_PACK[i].queries);
      expect(r.message).toBe(EKS_RULE_PACK[i].message);
    });
  });

  test("every rule's samples still hold with @usr.id (the pipeline fills both attributes from user.username)", () => {
    for (const rule of tuneRules(EKS_RULE_PACK, {})) {
      for (const q of rule.queries) expect(q.query).not.toContain("@usr.name");
      const matches = (e: unknown) => rule.queries.some((q) => compileQuery(q.query)(normalizeAuditEvent(e)));
      for (const s of rule.samples?.positive ?? []) expect([rule.id, s.description, matches(s.event)]).toEqual([rule.id, s.description, true]);
      for (const s of rule.samples?.negative ?? []) expect([rule.id, s.description, matches(s.event)]).toEqual([rule.id, s.description, false]);
    }
  });

  test("an unknown attribute is rejected naming the field, the value and the allowed values", () => {
    expect(() => tuneRules(EKS_RULE_PACK, { identityAttribute: "@user.username" as never })).toThrow(
      'cloud siem tuning: identityAttribute: received "@user.username"; allowed: @usr.id, @usr.name',
    );
    expect(() => tuneRules(EKS_RULE_PACK, { guideExecRule: "yes" as never })).toThrow(
      'cloud siem tuning: guideExecRule: received "yes"; allowed: true, false',
    );
  });
});

describe("tuneRules", () => {
  test("is pure: the pack is not modified and an empty tuning changes nothing but explicit defaults", () => {
    const before = JSON.stringify(EKS_RULE_PACK);
    const tuned = tuneRules(EKS_RULE_PACK, { rules: { "pod-attach": { enabled: false, severity: "critical" } } });
    expect(JSON.stringify(EKS_RULE_PACK)).toBe(before);
    expect(tuneRules(EKS_RULE_PACK, { identityAttribute: "@usr.name" }).map((r) => defineRule(r))).toEqual(EKS_RULE_PACK.map((r) => defineRule(r)));
    expect(byId(tuned, "pod-attach").enabled).toBe(false);
  });

  test("disables a rule (kept with enabled = false) and overrides severity on every case", () => {
    const out = synthProps({ rules: { "pod-attach": { enabled: false }, "pod-exec-new-user": { severity: "high" } } });
    const rules = Object.values<any>(out.resource.datadog_security_monitoring_rule);
    expect(rules.find((r) => r.name === "EKS: user attached to a running container").enabled).toBe(false);
    expect(rules.find((r) => r.name === "EKS: user exec into a pod for the first time").case).toEqual([{ status: "high", notifications: [] }]);
  });

  test("routes notifications per (overridden) severity into cases, plus per-rule extras, without duplicates", () => {
    const tuned = tuneRules(EKS_RULE_PACK, {
      notifications: { high: ["@pagerduty-eks-security"], medium: ["@slack-sec-alerts"], low: ["@slack-sec-low"] },
      rules: { "pod-attach": { severity: "high", notifications: ["@secops@example.com", "@pagerduty-eks-security"] } },
    });
    expect(byId(tuned, "pod-attach").cases).toEqual([
      { status: "high", condition: "a > 0", notifications: ["@pagerduty-eks-security", "@secops@example.com"] },
    ]);
    expect(byId(tuned, "pod-exec-new-user").cases).toEqual([{ status: "medium", notifications: ["@slack-sec-alerts"] }]);
    expect(byId(tuned, "nodeport-service").cases[0].notifications).toEqual(["@slack-sec-low"]);
  });

  test("appends global and per-rule exclusions as -(...) to every query of the rule", () => {
    const tuned = tuneRules(EKS_RULE_PACK, {
      exclusionQuery: '@usr.id:"system:serviceaccount:argocd:argocd-application-controller"',
      rules: { "secrets-listed-cluster-wide": { exclusionQuery: '@usr.id:"system:serviceaccount:external-secrets:external-secrets"' } },
    });
    const original = byId(EKS_RULE_PACK, "secrets-listed-cluster-wide").queries[0].query.replace(/@usr\.name/g, "@usr.id");
    expect(byId(tuned, "secrets-listed-cluster-wide").queries[0].query).toBe(
      `${original} -(@usr.id:"system:serviceaccount:argocd:argocd-application-controller") -(@usr.id:"system:serviceaccount:external-secrets:external-secrets")`,
    );
    expect(byId(tuned, "pod-attach").queries[0].query).toBe(
      `${byId(EKS_RULE_PACK, "pod-attach").queries[0].query.replace(/@usr\.name/g, "@usr.id")} -(@usr.id:"system:serviceaccount:argocd:argocd-application-controller")`,
    );
  });

  test("changes the threshold and window of the guide's threshold alternative, raising keep-alive to match", () => {
    const tuned = byId(tuneRules(EKS_RULE_PACK, { rules: { "pod-exec-burst": { threshold: 20, evaluationWindowSeconds: 7200 } } }), "pod-exec-burst");
    expect(tuned.cases[0].condition).toBe("execs > 20");
    expect(tuned.evaluationWindowSeconds).toBe(7200);
    expect(tuned.keepAliveSeconds).toBe(7200);
    expect(tuned.maxSignalDurationSeconds).toBe(86400);
  });

  test.each<[string, CloudSiemTuning, string]>([
    [
      "an exclusion on the identity attribute the rules do not use (it would exclude nothing)",
      { exclusionQuery: '@usr.name:"system:serviceaccount:argocd:argocd-application-controller"' },
      'cloud siem tuning: exclusionQuery: received "@usr.name:\\"system:serviceaccount:argocd:argocd-application-controller\\"" (@usr.name is not the identity attribute of the rules); allowed: a query on @usr.id (cloudSiem.identityAttribute; docs/cloud-siem.md "Identity attribute")',
    ],
    [
      "unknown rule id, with a did-you-mean",
      { rules: { "pod-exec-new-usr": { enabled: false } } },
      `cloud siem tuning: rules.pod-exec-new-usr: received {"enabled":false} (no such rule in the pack; did you mean "pod-exec-new-user"?); allowed: rule ids of the pack: ${EKS_RULE_PACK.map((r) => r.id).join(", ")}`,
    ],
    [
      "unknown severity",
      { rules: { "pod-attach": { severity: "urgent" as never } } },
      'cloud siem tuning: rules.pod-attach.severity: received "urgent"; allowed: info, low, medium, high, critical',
    ],
    [
      "unknown option",
      { rules: { "pod-attach": { treshold: 3 } as never } },
      'cloud siem tuning: rules.pod-attach.treshold: received 3 (no such option; did you mean "threshold"?); allowed: the tuning options enabled, severity, threshold, evaluationWindowSeconds, keepAliveSeconds, maxSignalDurationSeconds, exclusionQuery, notifications',
    ],
    [
      "threshold on a new value rule",
      { rules: { "pod-exec-new-user": { threshold: 3 } } },
      'cloud siem tuning: rules.pod-exec-new-user.threshold: received 3 (the rule is a new_value rule); allowed: only for threshold rules with one case "<query> > <n>"',
    ],
    [
      "negative threshold",
      { rules: { "pod-attach": { threshold: -1 } } },
      "cloud siem tuning: rules.pod-attach.threshold: received -1; allowed: a whole number >= 0",
    ],
    [
      "window on a new value rule",
      { rules: { "pod-exec-new-user": { evaluationWindowSeconds: 300 } } },
      "cloud siem tuning: rules.pod-exec-new-user.evaluationWindowSeconds: received 300 (the rule is a new_value rule); allowed: only for threshold rules",
    ],
    [
      "notification handle without @",
      { notifications: { high: ["pagerduty-eks"] } },
      `cloud siem tuning: notifications.high[0]: received "pagerduty-eks"; allowed: ${HANDLES}`,
    ],
    [
      "severity key misspelled",
      { notifications: { hihg: ["@pagerduty-eks"] } as never },
      'cloud siem tuning: notifications.hihg: received ["@pagerduty-eks"] (not a severity; did you mean "high"?); allowed: the severities info, low, medium, high, critical',
    ],
    [
      "per-rule handle invalid",
      { rules: { "pod-attach": { notifications: ["@slack"] } } },
      `cloud siem tuning: rules.pod-attach.notifications[0]: received "@slack"; allowed: ${HANDLES}`,
    ],
    [
      "unknown delivery",
      { notificationDelivery: "email" as never },
      'cloud siem tuning: notificationDelivery: received "email"; allowed: case, notification_rule',
    ],
    [
      "exclusion that does not parse",
      { exclusionQuery: "@usr.name:(a OR b" },
      `cloud siem tuning: exclusionQuery: received "@usr.name:(a OR b" (it does not parse at position 10 (0-based): the value group of @usr.name is never closed; add the matching ')'); allowed: a Datadog log search query such as source:kubernetes.audit`,
    ],
  ])("fails: %s", (_title, tuning, message) => {
    expect(() => tuneRules(EKS_RULE_PACK, tuning)).toThrow(message);
    try {
      tuneRules(EKS_RULE_PACK, tuning);
    } catch (error) {
      expect((error as Error).message).toBe(message);
    }
  });

  test("fails in the rule model when a tuned window breaks the timing order (keep-alive tuned explicitly)", () => {
    expect(() => synthProps({ rules: { "pod-attach": { evaluationWindowSeconds: 7200, keepAliveSeconds: 3600 } } })).toThrow(
      'cloud siem "stack/siem": rules.pod-attach.options: received evaluation_window 7200, keep_alive 3600, max_signal_duration 86400 (out of order); allowed: evaluation_window <= keep_alive <= max_signal_duration',
    );
  });
});

describe("notification rules as the alternative to per-case notifications", () => {
  const tuning: CloudSiemTuning = {
    notificationDelivery: "notification_rule",
    notifications: { critical: ["@pagerduty-eks"], high: ["@pagerduty-eks"], medium: ["@slack-sec"] },
  };

  test("case notifications stay empty and one datadog_security_notification_rule per severity is emitted", () => {
    const out = synthProps(tuning);
    for (const rule of Object.values<any>(out.resource.datadog_security_monitoring_rule)) {
      for (const c of rule.case) expect(c.notifications).toEqual([]);
    }
    expect(out.resource.datadog_security_notification_rule).toEqual({
      "eks-audit-critical-kubernetes-signals": expect.anything(),
      "eks-audit-high-kubernetes-signals": expect.anything(),
      "eks-audit-medium-kubernetes-signals": expect.anything(),
    });
    expect(Object.values(out.resource.datadog_security_notification_rule)[1]).toEqual({
      name: "EKS audit: high Kubernetes signals",
      enabled: true,
      targets: ["@pagerduty-eks"],
      time_aggregation: 0,
      selectors: { trigger_source: "security_signals", rule_types: ["log_detection"], severities: ["high"], query: "source:kubernetes" },
    });
  });

  test.each<[string, object, string]>([
    [
      "no targets",
      { name: "n", targets: [] },
      'cloud siem "stack/siem": securityNotificationRules[0].targets: received []; allowed: at least one handle',
    ],
    [
      "bad rule type",
      { name: "n", targets: ["@slack-sec"], ruleTypes: ["log_detections"] },
      'cloud siem "stack/siem": securityNotificationRules[0].selectors.rule_types[0]: received "log_detections" (not a rule type; did you mean "log_detection"?); allowed: application_security, log_detection, workload_security, signal_correlation, cloud_configuration, infrastructure_configuration, application_code_vulnerability, application_library_vulnerability, attack_path, container_image_vulnerability, identity_risk, misconfiguration, api_security, host_vulnerability, iac_misconfiguration, sast_vulnerability, secret_vulnerability, workload_activity',
    ],
    [
      "bad severity",
      { name: "n", targets: ["@slack-sec"], severities: ["urgent"] },
      'cloud siem "stack/siem": securityNotificationRules[0].selectors.severities[0]: received "urgent"; allowed: info, low, medium, high, critical',
    ],
    [
      "a misspelled option",
      { name: "n", targets: ["@slack-sec"], severity: ["high"] },
      'cloud siem "stack/siem": securityNotificationRules[0].severity: received ["high"] (no such option; did you mean "severities"?); allowed: the options name, targets, severities, ruleTypes, query, timeAggregationSeconds, enabled',
    ],
    [
      "negative time aggregation",
      { name: "n", targets: ["@slack-sec"], timeAggregationSeconds: -5 },
      'cloud siem "stack/siem": securityNotificationRules[0].time_aggregation: received -5; allowed: a whole number of seconds >= 0',
    ],
  ])("fails: %s", (_t, rule, message) => {
    expect(() => synthProps({ securityNotificationRules: [rule as never] })).toThrow(message);
  });

  test("fails: two notification rules with the same name", () => {
    expect(() =>
      synthProps({
        securityNotificationRules: [
          { name: "Sec", targets: ["@slack-a"] },
          { name: "sec", targets: ["@slack-b"] },
        ],
      }),
    ).toThrow(
      'cloud siem "stack/siem": securityNotificationRules[1].name: received "sec" (also the name of securityNotificationRules[0]); allowed: unique names',
    );
  });
});

describe("suppressions", () => {
  const base: SuppressionProps = {
    name: "CI deployer port-forwards",
    description: "CHG-1234: the CI deployer port-forwards to run smoke tests",
    ruleIds: ["pod-port-forward"],
    suppressionQuery: '@usr.id:"system:serviceaccount:ci:deployer"',
    expirationDate: "2027-03-31T00:00:00Z",
  };

  test("emits datadog_security_monitoring_suppression selecting rules by their id tag", () => {
    const out = synthProps({
      suppressions: [
        base,
        {
          name: "Argo CD",
          ruleIds: ["secrets-listed-cluster-wide", "pod-attach"],
          ruleQuery: "severity:high",
          dataExclusionQuery: String.raw`@usr.id:system\:serviceaccount\:argocd\:*`,
        },
      ],
    });
    expect(out.resource.datadog_security_monitoring_suppression).toEqual({
      "ci-deployer-port-forwards": {
        name: "CI deployer port-forwards",
        enabled: true,
        description: "CHG-1234: the CI deployer port-forwards to run smoke tests",
        rule_query: "type:log_detection source:kubernetes eks_audit_siem_rule:pod-port-forward",
        suppression_query: '@usr.id:"system:serviceaccount:ci:deployer"',
        expiration_date: "2027-03-31T00:00:00Z",
      },
      "argo-cd": {
        name: "Argo CD",
        enabled: true,
        rule_query:
          "type:log_detection source:kubernetes (eks_audit_siem_rule:secrets-listed-cluster-wide OR eks_audit_siem_rule:pod-attach) (severity:high)",
        data_exclusion_query: String.raw`@usr.id:system\:serviceaccount\:argocd\:*`,
      },
    });
  });

  test.each<[string, Partial<SuppressionProps>, string]>([
    [
      "unknown rule id",
      { ruleIds: ["pod-portforward"] },
      // The unknown id also leaves the suppression query without rules to check it against (the second problem).
      `cloud siem "stack/siem": 2 problems:\n- suppressions[0].ruleIds[0]: received "pod-portforward" (not a rule of this construct; did you mean "pod-port-forward"?); allowed: ${EKS_RULE_PACK.map((r) => r.id).join(", ")}\n- suppressions[0].suppression_query: received `,
    ],
    [
      "no rule selection",
      { ruleIds: undefined },
      'cloud siem "stack/siem": suppressions[0].rule_query: received nothing; allowed: ruleIds naming rules of the pack, or a ruleQuery, or both',
    ],
    [
      "nothing to suppress",
      { suppressionQuery: undefined },
      'cloud siem "stack/siem": suppressions[0].suppression_query: received nothing; allowed: a suppressionQuery, a dataExclusionQuery, or both',
    ],
    [
      "expiration on 30 February",
      { expirationDate: "2027-02-30T00:00:00Z" },
      'cloud siem "stack/siem": suppressions[0].expiration_date: received "2027-02-30T00:00:00Z"; allowed: an RFC3339 date-time that exists, e.g. 2027-01-31T00:00:00Z',
    ],
    [
      "expiration without time zone",
      { expirationDate: "2027-03-31T00:00:00" },
      'cloud siem "stack/siem": suppressions[0].expiration_date: received "2027-03-31T00:00:00"; allowed: an RFC3339 date-time that exists, e.g. 2027-01-31T00:00:00Z',
    ],
    [
      "expiration before start",
      { startDate: "2027-04-01T00:00:00+02:00" },
      'cloud siem "stack/siem": suppressions[0].expiration_date: received "2027-03-31T00:00:00Z" (not after start_date "2027-04-01T00:00:00+02:00"); allowed: a date-time after start_date',
    ],
    [
      "a misspelled option",
      { expiry: "2027-01-01T00:00:00Z" } as never,
      'cloud siem "stack/siem": suppressions[0].expiry: received "2027-01-01T00:00:00Z" (no such option); allowed: the options name, description, enabled, ruleIds, ruleQuery, suppressionQuery, dataExclusionQuery, startDate, expirationDate',
    ],
    [
      "a suppression query on the identity attribute the rules do not use",
      { suppressionQuery: '@usr.name:"system:serviceaccount:ci:deployer"' },
      `cloud siem "stack/siem": suppressions[0].suppression_query: received "@usr.name:\\"system:serviceaccount:ci:deployer\\"" (@usr.name is not an attribute of the rules it suppresses); allowed: a query on @usr.id (the identity attribute of its rules, cloudSiem.identityAttribute)`,
    ],
    [
      "a data exclusion query on the other identity attribute",
      { suppressionQuery: undefined, dataExclusionQuery: String.raw`@usr.name:system\:serviceaccount\:ci\:*` },
      String.raw`cloud siem "stack/siem": suppressions[0].data_exclusion_query: received "@usr.name:system\\:serviceaccount\\:ci\\:*" (@usr.name is not an attribute of the rules it suppresses)`,
    ],
    [
      "data exclusion with the guide's typo",
      { dataExclusionQuery: "source:kubernetes.aduit" },
      'cloud siem "stack/siem": suppressions[0].data_exclusion_query: received "source:kubernetes.aduit" (source "kubernetes.aduit" is not a source Datadog has for EKS audit data; did you mean "kubernetes.audit"?); allowed: sources kubernetes.audit, eks, kube-apiserver, kube-controller-manager, kube_scheduler, aws-iam-authenticator, cloudwatch, azure.containerservice, gcp.k8s.cluster',
    ],
  ])("fails: %s", (_t, change, message) => {
    expect(() => synthProps({ suppressions: [{ ...base, ...change }] })).toThrow(message);
  });

  test("fails: two suppressions with the same name", () => {
    expect(() => synthProps({ suppressions: [base, base] })).toThrow(
      'cloud siem "stack/siem": suppressions[1].name: received "CI deployer port-forwards" (also the name of suppressions[0]); allowed: unique names',
    );
  });

  test("RFC3339 check is calendar-aware and clock-free", () => {
    expect(isRealRfc3339("2028-02-29T23:59:59.5-05:30")).toBe(true);
    expect(isRealRfc3339("2027-02-29T00:00:00Z")).toBe(false);
    expect(isRealRfc3339("2100-02-29T00:00:00Z")).toBe(false);
    expect(isRealRfc3339("2027-13-01T00:00:00Z")).toBe(false);
    expect(isRealRfc3339("2027-01-01T24:00:00Z")).toBe(false);
    expect(isRealRfc3339("2020-01-01T00:00:00Z")).toBe(true);
  });
});
