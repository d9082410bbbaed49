import { Testing, TerraformStack, TerraformVariable } from "cdktf";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { CONDITION_ALLOWED } from "../lib/rules/condition";
import { Problem, ProblemError, under } from "../lib/problem";
import {
  CloudSiemRules,
  DetectionRuleProps,
  EKS_RULE_PACK,
  EXEC_QUERY,
  GUIDE_EXEC_QUERY,
  defineRule,
  LOG_QUERY_ALLOWED,
  lintQuery,
  podExecBurstRule,
  podExecNewUserRule,
  tuneRules,
} from "../modules/cloud-siem";

const WINDOWS = "0, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400";

function threshold(overrides: Partial<DetectionRuleProps> = {}): DetectionRuleProps {
  return {
    id: "t",
    name: "Threshold rule",
    message: "triage",
    detectionMethod: "threshold",
    tactic: "TA0002-execution",
    technique: "T1609-container-administration-command",
    queries: [{ query: "source:kubernetes.audit @objectRef.subresource:exec", groupByFields: ["@usr.name"] }],
    cases: [{ status: "medium", condition: "a > 0" }],
    ...overrides,
  };
}

function newValue(overrides: Partial<DetectionRuleProps> = {}): DetectionRuleProps {
  return {
    id: "nv",
    name: "New value rule",
    message: "triage",
    detectionMethod: "new_value",
    tactic: "TA0002-execution",
    technique: "T1609-container-administration-command",
    queries: [{ query: "source:kubernetes.audit @objectRef.subresource:exec", metrics: ["@usr.name"] }],
    cases: [{ status: "medium" }],
    newValueOptions: { forgetAfterDays: 7 },
    ...overrides,
  };
}

/** The problems `fn` throws (it must throw a ProblemError). */
function problemsOf(fn: () => unknown): readonly Problem[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProblemError) return error.problems;
    throw error;
  }
  throw new Error("expected a ProblemError");
}

function synth(rules: readonly DetectionRuleProps[]): any {
  return JSON.parse(Testing.synthScope((scope) => new CloudSiemRules(scope, "siem", { rules })));
}

describe("rule model validation (exact messages)", () => {
  test.each<[string, DetectionRuleProps, string]>([
    [
      "evaluation window not in the enum",
      threshold({ evaluationWindowSeconds: 120 }),
      `rule "t": options.evaluation_window: received 120; allowed: ${WINDOWS}`,
    ],
    ["keep-alive not in the enum", threshold({ keepAliveSeconds: 7000 }), `rule "t": options.keep_alive: received 7000; allowed: ${WINDOWS}`],
    [
      "max signal duration not in the enum",
      threshold({ maxSignalDurationSeconds: 100000 }),
      `rule "t": options.max_signal_duration: received 100000; allowed: ${WINDOWS}`,
    ],
    [
      "evaluation window longer than keep-alive",
      threshold({ evaluationWindowSeconds: 3600, keepAliveSeconds: 600 }),
      'rule "t": options: received evaluation_window 3600, keep_alive 600, max_signal_duration 86400 (out of order); allowed: evaluation_window <= keep_alive <= max_signal_duration',
    ],
    [
      "keep-alive longer than max signal duration (the API's own 400 example)",
      threshold({ evaluationWindowSeconds: 1800, keepAliveSeconds: 3600, maxSignalDurationSeconds: 1800 }),
      'rule "t": options: received evaluation_window 1800, keep_alive 3600, max_signal_duration 1800 (out of order); allowed: evaluation_window <= keep_alive <= max_signal_duration',
    ],
    [
      "unknown severity",
      threshold({ cases: [{ status: "urgent" as never, condition: "a > 0" }] }),
      'rule "t": case[0].status: received "urgent"; allowed: info, low, medium, high, critical',
    ],
    [
      "unknown aggregation",
      threshold({ queries: [{ query: "source:kubernetes.audit", aggregation: "avg" }] }),
      'rule "t": query[0].aggregation: received "avg"; allowed: count, cardinality, sum, max, new_value, geo_data, event_count, none',
    ],
    [
      "new_value aggregation on a threshold rule",
      threshold({ queries: [{ query: "source:kubernetes.audit", aggregation: "new_value", metrics: ["@usr.name"] }] }),
      'rule "t": query[0].aggregation: received "new_value"; allowed: count, cardinality, sum, max for detection_method threshold',
    ],
    [
      "cardinality without distinct fields",
      threshold({ queries: [{ query: "source:kubernetes.audit", aggregation: "cardinality" }] }),
      'rule "t": query[0].distinct_fields: received []; allowed: at least one field for the cardinality aggregation',
    ],
    [
      "sum without its field",
      threshold({ queries: [{ query: "source:kubernetes.audit", aggregation: "sum" }] }),
      'rule "t": query[0].metrics: received []; allowed: exactly one field for the sum aggregation',
    ],
    [
      "count with metrics",
      threshold({ queries: [{ query: "source:kubernetes.audit", metrics: ["@usr.name"] }] }),
      'rule "t": query[0].metrics: received ["@usr.name"]; allowed: [] for the count aggregation',
    ],
    [
      "unknown detection method",
      threshold({ detectionMethod: "anomaly_detection" as never }),
      'rule "t": options.detection_method: received "anomaly_detection"; allowed: threshold, new_value',
    ],
    [
      "new_value options on a threshold rule",
      threshold({ newValueOptions: { forgetAfterDays: 7 } }),
      'rule "t": options.new_value_options: received {"forgetAfterDays":7}; allowed: only for detection_method new_value',
    ],
    [
      "new value without metrics",
      newValue({ queries: [{ query: "source:kubernetes.audit" }] }),
      'rule "nv": query[0].metrics: received []; allowed: 1 to 5 fields whose new values are detected, e.g. ["@usr.name"]',
    ],
    [
      "new value with 6 fields",
      newValue({ queries: [{ query: "source:kubernetes.audit", metrics: ["@a", "@b", "@c", "@d", "@e", "@f"] }] }),
      'rule "nv": query[0].metrics: received ["@a","@b","@c","@d","@e","@f"]; allowed: 1 to 5 fields whose new values are detected, e.g. ["@usr.name"]',
    ],
    [
      "new value with a count aggregation",
      newValue({ queries: [{ query: "source:kubernetes.audit", aggregation: "count", metrics: ["@usr.name"] }] }),
      'rule "nv": query[0].aggregation: received "count"; allowed: new_value, for detection_method new_value',
    ],
    [
      "new value without forget_after",
      newValue({ newValueOptions: undefined }),
      'rule "nv": options.new_value_options.forget_after: received nothing; allowed: 1, 2, 7, 14, 21, 28 days',
    ],
    [
      "forget_after not in the 3.82 enum",
      newValue({ newValueOptions: { forgetAfterDays: 30 } }),
      'rule "nv": options.new_value_options.forget_after: received 30; allowed: 1, 2, 7, 14, 21, 28 days',
    ],
    [
      "learning_duration not in the 3.82 enum",
      newValue({ newValueOptions: { forgetAfterDays: 7, learningDurationDays: 30 } }),
      'rule "nv": options.new_value_options.learning_duration: received 30; allowed: 0, 1, 7 days',
    ],
    [
      "learning_method unknown",
      newValue({ newValueOptions: { forgetAfterDays: 7, learningMethod: "auto" } }),
      'rule "nv": options.new_value_options.learning_method: received "auto"; allowed: duration, threshold',
    ],
    [
      "learning_threshold unknown",
      newValue({ newValueOptions: { forgetAfterDays: 7, learningThreshold: 5 } }),
      'rule "nv": options.new_value_options.learning_threshold: received 5; allowed: 0, 1',
    ],
    [
      "new value case with a condition",
      newValue({ cases: [{ status: "medium", condition: "a > 0" }] }),
      'rule "nv": case[0].condition: received "a > 0"; allowed: no condition for detection_method new_value',
    ],
    [
      "new value with an evaluation window",
      newValue({ evaluationWindowSeconds: 300 }),
      'rule "nv": options.evaluation_window: received 300; allowed: 0 for detection_method new_value, which uses no evaluation window',
    ],
    [
      "new value with two cases",
      newValue({ cases: [{ status: "medium" }, { status: "high" }] }),
      'rule "nv": case: received 2 cases; allowed: exactly 1 for detection_method new_value',
    ],
    [
      "condition naming a query that does not exist",
      threshold({ cases: [{ status: "high", condition: "execs > 5" }] }),
      'rule "t": case[0].condition: received "execs > 5" (query "execs" does not exist); allowed: the query names a',
    ],
    [
      "condition with the number first",
      threshold({ cases: [{ status: "high", condition: "3 < a" }] }),
      `rule "t": case[0].condition: received "3 < a" ("3 < a" is not a comparison); allowed: ${CONDITION_ALLOWED}`,
    ],
    [
      "threshold case without a condition",
      threshold({ cases: [{ status: "high" }] }),
      'rule "t": case[0].condition: received nothing; allowed: a condition over the query names a, e.g. a > 0',
    ],
    [
      "more than 10 cases",
      threshold({ cases: Array.from({ length: 11 }, () => ({ status: "low" as const, condition: "a > 0" })) }),
      'rule "t": case: received 11 cases; allowed: at most 10',
    ],
    ["no case", threshold({ cases: [] }), 'rule "t": case: received []; allowed: 1 to 10 cases'],
    [
      "no query",
      threshold({ queries: [], cases: [{ status: "low", condition: "a > 0" }] }),
      `rule "t": 2 problems:\n- query: received []; allowed: at least one query\n- case[0].condition: received "a > 0" (query "a" does not exist); allowed: the names of the rule's queries (it has none)`,
    ],
    [
      "duplicate query names",
      threshold({
        queries: [
          { name: "x", query: "source:kubernetes.audit" },
          { name: "x", query: "source:kubernetes.audit" },
        ],
        cases: [{ status: "low", condition: "x > 0" }],
      }),
      'rule "t": query[1].name: received "x" (already used by query[0]); allowed: unique query names',
    ],
    [
      "query name with capitals",
      threshold({ queries: [{ name: "Execs", query: "source:kubernetes.audit" }], cases: [{ status: "low", condition: "a > 0" }] }),
      'rule "t": 2 problems:\n- query[0].name: received "Execs"; allowed: lowercase ASCII letters, digits and _, starting with a letter\n- case[0].condition: received "a > 0" (query "a" does not exist); allowed: the query names Execs',
    ],
    [
      "the guide's typo source:kubernetes.aduit",
      threshold({ queries: [{ query: "source:kubernetes.aduit @objectRef.resource:pods" }] }),
      'rule "t": query[0].query: received "source:kubernetes.aduit @objectRef.resource:pods" (source "kubernetes.aduit" is not a source Datadog has for EKS audit data; did you mean "kubernetes.audit"?); allowed: sources kubernetes.audit, eks, kube-apiserver, kube-controller-manager, kube_scheduler, aws-iam-authenticator, cloudwatch, azure.containerservice, gcp.k8s.cluster',
    ],
    [
      "a source far from every known one",
      threshold({ queries: [{ query: "source:nginx @http.method:get" }] }),
      'rule "t": query[0].query: received "source:nginx @http.method:get" (source "nginx" is not a source Datadog has for EKS audit data); allowed: sources kubernetes.audit, eks, kube-apiserver, kube-controller-manager, kube_scheduler, aws-iam-authenticator, cloudwatch, azure.containerservice, gcp.k8s.cluster',
    ],
    ["unknown tactic name", threshold({ tactic: "TA0002-execute" }), 'rule "t": tactic: received "TA0002-execute"; allowed: TA0002-execution'],
    [
      "tactic without name",
      threshold({ tactic: "TA0002" }),
      'rule "t": tactic: received "TA0002"; allowed: TAxxxx-<kebab-case name>, e.g. TA0002-execution',
    ],
    [
      "technique badly formatted",
      threshold({ technique: "T1609 Container Administration Command" }),
      'rule "t": technique: received "T1609 Container Administration Command"; allowed: Txxxx[.yyy]-<kebab-case name>, e.g. T1609-container-administration-command',
    ],
    ["rule id not kebab-case", threshold({ id: "Pod_Exec" }), 'rule "Pod_Exec": id: received "Pod_Exec"; allowed: kebab-case, e.g. pod-exec'],
    ["empty message", threshold({ message: " " }), 'rule "t": message: received " "; allowed: a non-empty Markdown string'],
    [
      "notification handle without @",
      threshold({ cases: [{ status: "high", condition: "a > 0", notifications: ["slack-sec"] }] }),
      'rule "t": case[0].notifications[0]: received "slack-sec"; allowed: @slack-<channel>, @pagerduty-<service>, @opsgenie-<team>, @webhook-<name>, @teams-<channel>, @jira-<project>, @servicenow-<name>, @workflow-<id> or @<email address>',
    ],
    [
      "group_signals_by not a group-by field",
      threshold({ groupSignalsBy: ["@objectRef.namespace"] }),
      'rule "t": group_signals_by: received ["@objectRef.namespace"] ("@objectRef.namespace" is not a group-by field of query[0]); allowed: a subset of ["@usr.name"]',
    ],
    [
      "several problems in one message",
      threshold({ evaluationWindowSeconds: 120, cases: [{ status: "urgent" as never, condition: "b > 1" }] }),
      `rule "t": 3 problems:\n- case[0].status: received "urgent"; allowed: info, low, medium, high, critical\n- case[0].condition: received "b > 1" (query "b" does not exist); allowed: the query names a\n- options.evaluation_window: received 120; allowed: ${WINDOWS}`,
    ],
  ])("fails: %s", (_title, props, message) => {
    expect(() => defineRule(props)).toThrow(message);
    try {
      defineRule(props);
    } catch (error) {
      expect((error as Error).message).toBe(message);
    }
    // The construct reports the same problems, each under the rule's key in its props, after its construct path.
    expect(() => synth([props])).toThrow(/^cloud siem "stack\/siem": /);
    expect(problemsOf(() => synth([props]))).toEqual(
      under(
        `rules.${props.id}`,
        problemsOf(() => defineRule(props)),
      ),
    );
  });

  test("the construct reports every rule's problems at once, each under rules.<id>", () => {
    const bad = (id: string) => threshold({ id, name: id, cases: [{ status: "urgent" as never, condition: "a > 0" }] });
    expect(() => synth([bad("one"), bad("two")])).toThrow(
      'cloud siem "stack/siem": 2 problems:\n' +
        '- rules.one.case[0].status: received "urgent"; allowed: info, low, medium, high, critical\n' +
        '- rules.two.case[0].status: received "urgent"; allowed: info, low, medium, high, critical',
    );
  });

  test.each<[string, string, string]>([
    [
      "unbalanced parenthesis",
      "source:kubernetes.audit @objectRef.resource:(pods OR secrets",
      "it does not parse at position 44 (0-based): the value group of @objectRef.resource is never closed; add the matching ')'",
    ],
    [
      "unbalanced quote",
      'source:kubernetes.audit @usr.name:"kubernetes-admin',
      `it does not parse at position 34 (0-based): the quoted value is never closed; add the closing '"'`,
    ],
    [
      "unbalanced range",
      "source:kubernetes.audit @http.status_code:[200 TO 299",
      "it does not parse at position 53 (0-based): expected ']' or '}' to close the range of @http.status_code",
    ],
  ])("fails: query with %s, naming the position", (_title, query, why) => {
    expect(lintQuery(query)).toEqual([{ field: "", received: JSON.stringify(query), why, allowed: LOG_QUERY_ALLOWED }]);
    expect(() => defineRule(threshold({ queries: [{ query }] }))).toThrow(
      `rule "t": query[0].query: received ${JSON.stringify(query)} (${why}); allowed: ${LOG_QUERY_ALLOWED}`,
    );
  });

  test("accepts a known source given with a wildcard, and rejects a wildcard that matches no known source", () => {
    expect(lintQuery("source:kubernetes.* @http.method:create")).toEqual([]);
    expect(lintQuery("source:nginx* @http.method:create")).toEqual([
      {
        field: "",
        received: '"source:nginx* @http.method:create"',
        why: 'source "nginx*" is not a source Datadog has for EKS audit data',
        allowed:
          "sources kubernetes.audit, eks, kube-apiserver, kube-controller-manager, kube_scheduler, aws-iam-authenticator, cloudwatch, azure.containerservice, gcp.k8s.cluster",
      },
    ]);
  });

  test("skips the lint for values only known at plan time (tokens) and synthesizes them as references", () => {
    const out = JSON.parse(
      Testing.synthScope((scope) => {
        const query = new TerraformVariable(scope, "query", { type: "string" });
        const pager = new TerraformVariable(scope, "pager", { type: "string" });
        new CloudSiemRules(scope, "siem", {
          rules: [
            threshold({
              queries: [{ query: query.stringValue }],
              cases: [{ status: "high", condition: "a > 0", notifications: [pager.stringValue] }],
            }),
          ],
        });
      }),
    );
    const resource = Object.values(out.resource.datadog_security_monitoring_rule)[0] as any;
    expect(resource.query[0].query).toBe("${var.query}");
    expect(resource.case[0].notifications).toEqual(["${var.pager}"]);
  });

  test("fails: duplicate rule names within a construct", () => {
    expect(() => synth([threshold({ id: "a-rule" }), threshold({ id: "b-rule" })])).toThrow(
      'cloud siem "stack/siem": rules.b-rule.name: received "Threshold rule" (already used by rule "a-rule"); allowed: unique rule names',
    );
  });

  test("fails: duplicate rule ids within a construct", () => {
    expect(() => synth([threshold(), threshold({ name: "Other" })])).toThrow(
      'cloud siem "stack/siem": rules.t.id: received "t" (also the id of rules[0]); allowed: unique rule ids',
    );
  });

  test("fails: invalid ruleTags", () => {
    expect(() => Testing.synthScope((scope) => new CloudSiemRules(scope, "siem", { rules: [threshold()], ruleTags: ["env prod"] }))).toThrow(
      'cloud siem "stack/siem": ruleTags[0]: received "env prod"; allowed: a lowercase Datadog tag key:value (letters, digits, _ - : . /; starting with a letter, not ending with ":", at most 200 characters)',
    );
  });
});

describe("the Datadog guide's rule", () => {
  const guide = podExecNewUserRule({ guide: true });
  const resource = Object.values(synth([guide]).resource.datadog_security_monitoring_rule)[0] as any;

  test("the pack's version detects exec from kubectl < 1.30 (create) and >= 1.30 (WebSockets, get); the guide's is available as written", () => {
    const pack = EKS_RULE_PACK.find((r) => r.id === "pod-exec-new-user")!;
    expect(EXEC_QUERY).toBe(
      "source:kubernetes.audit @objectRef.resource:pods @objectRef.subresource:exec @http.method:(create OR get) @http.status_code:[101 TO 299]",
    );
    // Plus: kube-system add-ons exec'ing into their own pods are left out.
    expect(pack.queries[0].query).toBe(`${EXEC_QUERY} -(@usr.name:system\\:serviceaccount\\:kube-system\\:* @objectRef.namespace:kube-system)`);
    expect(guide.queries[0].query).toBe(GUIDE_EXEC_QUERY);
    // The guide's rule keeps @usr.name whatever the pack's identity attribute; the pack's follows the setting.
    const tuned = tuneRules(EKS_RULE_PACK, { guideExecRule: true, identityAttribute: "@usr.id" });
    expect(tuned.find((r) => r.id === "pod-exec-new-user")!.queries[0]).toEqual({ query: GUIDE_EXEC_QUERY, metrics: ["@usr.name"] });
    expect(tuneRules(EKS_RULE_PACK, {}).find((r) => r.id === "pod-exec-new-user")!.queries[0]).toEqual({
      query: `${EXEC_QUERY} -(@usr.id:system\\:serviceaccount\\:kube-system\\:* @objectRef.namespace:kube-system)`,
      metrics: ["@usr.id"],
    });
  });

  test("has the guide's exact query, New Value on @usr.name, metric and metrics consistent, no query name", () => {
    expect(GUIDE_EXEC_QUERY).toBe(
      "source:kubernetes.audit @objectRef.resource:pods @objectRef.subresource:exec @http.method:create @http.status_code:[101 TO 299]",
    );
    expect(resource.query).toEqual([
      {
        query: GUIDE_EXEC_QUERY,
        aggregation: "new_value",
        data_source: "logs",
        group_by_fields: [],
        distinct_fields: [],
        has_optional_group_by_fields: false,
        metrics: ["@usr.name"],
        metric: "@usr.name",
      },
    ]);
  });

  test("has one case without condition and every timing option explicit", () => {
    expect(resource.case).toEqual([{ status: "medium", notifications: [] }]);
    expect(resource.options).toEqual({
      detection_method: "new_value",
      evaluation_window: 0,
      keep_alive: 3600,
      max_signal_duration: 86400,
      decrease_criticality_based_on_env: false,
      new_value_options: { forget_after: 28, learning_duration: 1, learning_method: "duration", learning_threshold: 0 },
    });
    expect(resource.type).toBe("log_detection");
    expect(resource.enabled).toBe(true);
    expect(resource.tags).toEqual([
      "source:kubernetes",
      "security:attack",
      "tactic:TA0002-execution",
      "technique:T1609-container-administration-command",
      "eks_audit_siem_rule:pod-exec-new-user",
    ]);
  });

  test("its threshold alternative counts execs per user, with N and the window configurable", () => {
    const defaults = Object.values(synth([podExecBurstRule()]).resource.datadog_security_monitoring_rule)[0] as any;
    expect(defaults.query).toEqual([
      {
        name: "execs",
        query: EXEC_QUERY,
        // One exec is two audit events on EKS: distinct requests are counted.
        aggregation: "cardinality",
        data_source: "logs",
        group_by_fields: ["@usr.name"],
        distinct_fields: ["@auditID"],
        has_optional_group_by_fields: false,
      },
    ]);
    expect(defaults.case).toEqual([{ name: "many execs", status: "medium", condition: "execs > 5", notifications: [] }]);
    expect(defaults.options).toEqual({
      detection_method: "threshold",
      evaluation_window: 300,
      keep_alive: 3600,
      max_signal_duration: 86400,
      decrease_criticality_based_on_env: false,
    });

    const tuned = Object.values(
      synth([podExecBurstRule({ maxExecs: 20, evaluationWindowSeconds: 7200 })]).resource.datadog_security_monitoring_rule,
    )[0] as any;
    expect(tuned.case[0].condition).toBe("execs > 20");
    expect(tuned.options).toMatchObject({ evaluation_window: 7200, keep_alive: 7200, max_signal_duration: 86400 });
    expect(() => defineRule(podExecBurstRule({ evaluationWindowSeconds: 100 }))).toThrow(
      `rule "pod-exec-burst": options.evaluation_window: received 100; allowed: ${WINDOWS}`,
    );
  });
});

describe("CloudSiemRules", () => {
  test("pins the Terraform address of every rule to its id (construct IDs are API)", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "stack");
    new DatadogProvider(stack, "datadog", {});
    new CloudSiemRules(stack, "cloud-siem", {
      rules: EKS_RULE_PACK.filter((r) => ["pod-exec-new-user", "pod-exec-burst", "aws-auth-configmap-changed"].includes(r.id)),
    });
    const addresses = Object.keys(JSON.parse(Testing.synth(stack)).resource.datadog_security_monitoring_rule).sort();
    expect(addresses).toEqual(["aws-auth-configmap-changed", "pod-exec-burst", "pod-exec-new-user"]);
  });

  test("synthesizes every pack rule, with its tags and the environment's rule tags", () => {
    const synthesized = JSON.parse(
      Testing.synthScope((scope) => new CloudSiemRules(scope, "siem", { rules: EKS_RULE_PACK, ruleTags: ["env:prod"] })),
    );
    const resources = Object.values<any>(synthesized.resource.datadog_security_monitoring_rule);
    expect(resources).toHaveLength(EKS_RULE_PACK.length);
    for (const r of resources) {
      expect(r.tags).toEqual(expect.arrayContaining(["source:kubernetes", "security:attack", "env:prod"]));
      expect(r.tags.filter((t: string) => t.startsWith("tactic:TA"))).toHaveLength(1);
      expect(r.tags.filter((t: string) => t.startsWith("technique:T"))).toHaveLength(1);
    }
  });

  test("exposes validated rules and resources by id", () => {
    let construct: CloudSiemRules | undefined;
    Testing.synthScope((scope) => {
      construct = new CloudSiemRules(scope, "siem", { rules: [threshold()] });
    });
    expect(construct!.detectionRules.map((r) => r.id)).toEqual(["t"]);
    expect(Object.keys(construct!.securityMonitoringRules)).toEqual(["t"]);
  });

  test("a cardinality query keeps its distinct fields and a disabled rule stays with enabled = false", () => {
    const forbidden = EKS_RULE_PACK.find((r) => r.id === "forbidden-burst")!;
    const resource = Object.values(synth([{ ...forbidden, enabled: false }]).resource.datadog_security_monitoring_rule)[0] as any;
    expect(resource.enabled).toBe(false);
    expect(resource.query[0]).toMatchObject({
      name: "denied",
      aggregation: "cardinality",
      distinct_fields: ["@http.url_details.path"],
      group_by_fields: ["@usr.name"],
    });
    expect(resource.query[0].metrics).toBeUndefined();
    expect(resource.case[0].condition).toBe("denied > 10");
  });
});
