import { Testing, TerraformStack } from "cdktf";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { EKS_RULE_PACK, EksCloudSiem, EksCloudSiemProps } from "../modules/cloud-siem";

function synth(props?: EksCloudSiemProps): string {
  const app = Testing.app();
  const stack = new TerraformStack(app, "production");
  new DatadogProvider(stack, "datadog", {});
  new EksCloudSiem(stack, "cloud-siem", props);
  return Testing.synth(stack);
}

describe("EksCloudSiem (the config file's cloudSiem section)", () => {
  test("with no props deploys the whole EKS pack, and nothing else", () => {
    const out = JSON.parse(synth());
    expect(Object.keys(out.resource)).toEqual(["datadog_security_monitoring_rule"]);
    expect(Object.keys(out.resource.datadog_security_monitoring_rule)).toHaveLength(EKS_RULE_PACK.length);
    expect(out.data).toBeUndefined();
  });

  test("pins the Terraform address of every pack rule and of the built-in rule review (construct IDs are API)", () => {
    const out = JSON.parse(
      synth({ builtInRules: { rules: [{ name: "A Kubernetes user was assigned cluster administrator permissions", overlap: "keep-both" }] } }),
    );
    // A pack rule's address is its rule id (so a renamed display name never moves it).
    expect(Object.keys(out.resource.datadog_security_monitoring_rule)).toEqual(EKS_RULE_PACK.map((r) => r.id).sort());
    expect(Object.keys(out.resource.datadog_security_monitoring_default_rule)).toEqual([
      "a-kubernetes-user-was-assigned-cluster-administrator-permissions",
    ]);
  });

  test("built-in rules inherit the per-severity targets with per-case delivery", () => {
    const out = JSON.parse(
      synth({
        notifications: { high: ["@pagerduty-eks"] },
        builtInRules: { rules: [{ name: "A new Kubernetes admission controller was created", overlap: "keep-both" }] },
      }),
    );
    const rule = Object.values(out.resource.datadog_security_monitoring_default_rule)[0] as any;
    expect(rule.dynamic.case.content.notifications).toBe(
      '${lookup({"info":[],"low":[],"medium":[],"high":["@pagerduty-eks"],"critical":[]}, builtin_case.value.status, [])}',
    );
  });

  test("with notification rules, built-in rule cases get no targets (the notification rules route them)", () => {
    const out = JSON.parse(
      synth({
        notificationDelivery: "notification_rule",
        notifications: { high: ["@pagerduty-eks"] },
        builtInRules: { rules: [{ name: "A new Kubernetes admission controller was created", overlap: "keep-both" }] },
      }),
    );
    const rule = Object.values(out.resource.datadog_security_monitoring_default_rule)[0] as any;
    expect(rule.dynamic.case.content.notifications).toBe(
      '${lookup({"info":[],"low":[],"medium":[],"high":[],"critical":[]}, builtin_case.value.status, [])}',
    );
    expect(Object.values(out.resource.datadog_security_notification_rule).map((n: any) => n.targets)).toEqual([["@pagerduty-eks"]]);
  });

  test("tuning errors surface from the construct", () => {
    expect(() => synth({ rules: { "pod-exce": { enabled: false } } })).toThrow(
      'cloud siem tuning: rules.pod-exce: received {"enabled":false} (no such rule in the pack); allowed: rule ids of the pack: ',
    );
  });

  test("fails on misspelled options of the config section", () => {
    expect(() => synth({ notification: { high: ["@pagerduty-eks"] }, builtInRules: { rules: [], tagFilter: [] } } as never)).toThrow(
      'cloud siem "production/cloud-siem": 2 problems:\n- notification: received {"high":["@pagerduty-eks"]} (no such option; did you mean "notifications"?); allowed: the options pack, rules, exclusionQuery, notifications, notificationDelivery, suppressions, securityNotificationRules, ruleTags, builtInRules, identityAttribute, guideExecRule, datadogProvider\n- builtInRules.tagFilter: received [] (no such option; did you mean "tagsFilter"?); allowed: the options rules, notifications, tagsFilter',
    );
  });

  test("an aliased Datadog provider (datadogProvider) reaches every resource, data source and import block", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "production");
    new DatadogProvider(stack, "datadog", {});
    const second = new DatadogProvider(stack, "datadog-eu", { alias: "eu", apiUrl: "https://api.datadoghq.eu/" });
    new EksCloudSiem(stack, "cloud-siem", {
      datadogProvider: second,
      notificationDelivery: "notification_rule",
      notifications: { high: ["@pagerduty-eks"] },
      suppressions: [{ name: "ci deployer", ruleIds: ["pod-exec-burst"], suppressionQuery: "@usr.id:ci-deployer" }],
      builtInRules: { rules: [{ name: "A new Kubernetes admission controller was created", overlap: "keep-both" }] },
    });
    const out = JSON.parse(Testing.synth(stack));
    const types = [
      "datadog_security_monitoring_rule",
      "datadog_security_monitoring_suppression",
      "datadog_security_notification_rule",
      "datadog_security_monitoring_default_rule",
    ];
    for (const type of types) {
      const providers = Object.values<{ provider?: string }>(out.resource[type]).map((r) => r.provider);
      expect([type, new Set(providers)]).toEqual([type, new Set(["datadog.eu"])]);
    }
    expect(Object.values<{ provider?: string }>(out.data.datadog_security_monitoring_rules).map((d) => d.provider)).toEqual(["datadog.eu"]);
    expect(out.import.map((i: { provider?: string }) => i.provider)).toEqual(["datadog.eu"]);
    // Without it, no resource names a provider: the stack's default one applies.
    type Blocks = Record<string, Record<string, object>>;
    const plain = JSON.parse(
      synth({ builtInRules: { rules: [{ name: "A new Kubernetes admission controller was created", overlap: "keep-both" }] } }),
    ) as { resource: Blocks; data: Blocks };
    const elements = [...Object.values(plain.resource), ...Object.values(plain.data)].flatMap((byName) => Object.values(byName));
    expect(elements.length).toBeGreaterThan(EKS_RULE_PACK.length);
    expect(elements.filter((e) => "provider" in e)).toEqual([]);
  });

  test("synthesis is deterministic", () => {
    const props: EksCloudSiemProps = {
      ruleTags: ["env:production"],
      notifications: { medium: ["@slack-sec"] },
      builtInRules: { rules: [{ name: "x" }] },
    };
    expect(synth(props)).toBe(synth(props));
  });
});
