import { Testing, TerraformStack } from "cdktf";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { BuiltInRuleReview, BuiltInRuleReviewProps, EksCloudSiem, EksCloudSiemProps } from "../modules/cloud-siem";
import { resolveBuiltInOverlaps } from "../modules/cloud-siem/builtin-rule-review";
import { slug } from "../modules/cloud-siem/suppressions";

const CLUSTER_ADMIN = "A Kubernetes user was assigned cluster administrator permissions";
const WEBHOOK = "A new Kubernetes admission controller was created";

function synth(props: BuiltInRuleReviewProps): any {
  const app = Testing.app();
  const stack = new TerraformStack(app, "stack");
  new DatadogProvider(stack, "datadog", {});
  new BuiltInRuleReview(stack, "builtin-rules", props);
  return JSON.parse(Testing.synth(stack));
}

describe("BuiltInRuleReview", () => {
  const out = synth({
    notifications: { high: ["@pagerduty-eks"], medium: ["@slack-sec"] },
    rules: [{ name: CLUSTER_ADMIN }, { name: WEBHOOK, enabled: false, notifications: { medium: ["@slack-platform"] } }],
  });
  const ds = "data.datadog_security_monitoring_rules.builtin_rules";
  const position = (name: string) => `index(${ds}.rules[*].name, ${JSON.stringify(name)})`;

  test("lists Datadog's built-in Kubernetes rules with the data source (default rules tagged source:kubernetes) and outputs their names", () => {
    expect(out.data.datadog_security_monitoring_rules).toEqual({ builtin_rules: { default_only_filter: true, tags_filter: ["source:kubernetes"] } });
    expect(Object.values(out.output)).toEqual([
      {
        description: "Names of the Datadog built-in rules matching the tags filter (review them; adopt by exact name)",
        value: `\${sort(${ds}.rules[*].name)}`,
      },
    ]);
  });

  test("imports each named rule with an ID looked up by exact name at plan time", () => {
    expect(out.import).toEqual([
      {
        to: "datadog_security_monitoring_default_rule.a-kubernetes-user-was-assigned-cluster-administrator-permissions",
        id: `\${${ds}.rule_ids[${position(CLUSTER_ADMIN)}]}`,
      },
      {
        to: "datadog_security_monitoring_default_rule.a-new-kubernetes-admission-controller-was-created",
        id: `\${${ds}.rule_ids[${position(WEBHOOK)}]}`,
      },
    ]);
  });

  test("pins enabled and per-severity notifications on every case of the rule", () => {
    const rules = out.resource.datadog_security_monitoring_default_rule;
    expect(rules["a-kubernetes-user-was-assigned-cluster-administrator-permissions"]).toEqual({
      enabled: true,
      dynamic: {
        case: {
          for_each: `\${${ds}.rules[${position(CLUSTER_ADMIN)}].case}`,
          iterator: "builtin_case",
          content: {
            status: "${builtin_case.value.status}",
            notifications:
              '${lookup({"info":[],"low":[],"medium":["@slack-sec"],"high":["@pagerduty-eks"],"critical":[]}, builtin_case.value.status, [])}',
          },
        },
      },
    });
    const webhook = rules["a-new-kubernetes-admission-controller-was-created"];
    expect(webhook.enabled).toBe(false);
    expect(webhook.dynamic.case.content.notifications).toBe(
      '${lookup({"info":[],"low":[],"medium":["@slack-platform"],"high":[],"critical":[]}, builtin_case.value.status, [])}',
    );
  });

  test.each<[string, BuiltInRuleReviewProps, string]>([
    [
      "empty name",
      { rules: [{ name: "" }] },
      'built-in rule review "stack/builtin-rules": rules[0].name: received ""; allowed: the exact name of a Datadog built-in rule',
    ],
    [
      "listed twice",
      { rules: [{ name: WEBHOOK }, { name: WEBHOOK }] },
      `built-in rule review "stack/builtin-rules": rules[1].name: received "${WEBHOOK}" (listed twice); allowed: each rule once`,
    ],
    [
      "bad handle",
      { rules: [{ name: WEBHOOK, notifications: { high: ["pagerduty"] } }] },
      'built-in rule review "stack/builtin-rules": rules[0].notifications.high[0]: received "pagerduty"; allowed: @slack-<channel>, @pagerduty-<service>, @opsgenie-<team>, @webhook-<name>, @teams-<channel>, @jira-<project>, @servicenow-<name>, @workflow-<id> or @<email address>',
    ],
    [
      "misspelled option",
      { rules: [{ name: WEBHOOK, enable: false } as never] },
      'built-in rule review "stack/builtin-rules": rules[0].enable: received false (no such option; did you mean "enabled"?); allowed: the options name, enabled, notifications',
    ],
    [
      "bad severity",
      { notifications: { severe: ["@slack-sec"] } as never, rules: [] },
      'built-in rule review "stack/builtin-rules": notifications.severe: received ["@slack-sec"] (not a severity); allowed: the severities info, low, medium, high, critical',
    ],
  ])("fails: %s", (_t, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});

describe("built-in rules that overlap pack rules", () => {
  function synthSiem(props: EksCloudSiemProps): any {
    const app = Testing.app();
    const stack = new TerraformStack(app, "stack");
    new DatadogProvider(stack, "datadog", {});
    new EksCloudSiem(stack, "cloud-siem", props);
    return JSON.parse(Testing.synth(stack));
  }
  const rule = (out: any, id: string) => out.resource.datadog_security_monitoring_rule[id];
  const builtIn = (out: any) => out.resource.datadog_security_monitoring_default_rule[slug(CLUSTER_ADMIN)];

  test("without a choice: a synth error naming both rules and the choices", () => {
    expect(() => synthSiem({ builtInRules: { rules: [{ name: CLUSTER_ADMIN }] } })).toThrow(
      `cloud siem "stack/cloud-siem": builtInRules.rules[0].overlap: received nothing (built-in rule "${CLUSTER_ADMIN}" and pack rule cluster-admin-binding detect the same behaviour: both would signal for one event); allowed: keep-both, keep-built-in, keep-pack`,
    );
  });

  test("keep-built-in disables the pack rule; keep-pack adopts the built-in rule disabled; keep-both keeps both", () => {
    const builtInKept = synthSiem({ builtInRules: { rules: [{ name: CLUSTER_ADMIN, overlap: "keep-built-in" }] } });
    expect([rule(builtInKept, "cluster-admin-binding").enabled, builtIn(builtInKept).enabled]).toEqual([false, true]);
    const packKept = synthSiem({ builtInRules: { rules: [{ name: CLUSTER_ADMIN, overlap: "keep-pack" }] } });
    expect([rule(packKept, "cluster-admin-binding").enabled, builtIn(packKept).enabled]).toEqual([true, false]);
    const both = synthSiem({ builtInRules: { rules: [{ name: CLUSTER_ADMIN, overlap: "keep-both" }] } });
    expect([rule(both, "cluster-admin-binding").enabled, builtIn(both).enabled]).toEqual([true, true]);
  });

  test("no overlap when the pack rule or the built-in rule is already off; a choice on a rule that overlaps nothing is refused", () => {
    expect(resolveBuiltInOverlaps([{ name: CLUSTER_ADMIN }], []).problems).toEqual([]);
    expect(resolveBuiltInOverlaps([{ name: CLUSTER_ADMIN, enabled: false }], ["cluster-admin-binding"]).problems).toEqual([]);
    expect(resolveBuiltInOverlaps([{ name: "Some other rule", overlap: "keep-pack" }], ["cluster-admin-binding"]).problems).toEqual([
      { field: "rules[0].overlap", received: '"keep-pack"', allowed: "no overlap setting", why: '"Some other rule" overlaps no pack rule' },
    ]);
  });
});
