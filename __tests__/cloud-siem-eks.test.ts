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
    const out = JSON.parse(synth({ builtInRules: { rules: [{ name: "A Kubernetes user was assigned cluster administrator permissions" }] } }));
    expect(Object.keys(out.resource.datadog_security_monitoring_rule)).toEqual([
      "cloud-siem_rules_admission-webhook-changed_EB0B8D55",
      "cloud-siem_rules_anonymous-request-authorized_357CEF06",
      "cloud-siem_rules_anonymous-request-denied_B106A6F8",
      "cloud-siem_rules_aws-auth-configmap-changed_48EC4C0B",
      "cloud-siem_rules_cluster-admin-binding_17DD6073",
      "cloud-siem_rules_controller-pod-host-access_9BCA7C8F",
      "cloud-siem_rules_cronjob-created_686FC8DC",
      "cloud-siem_rules_csr-approved_81A463E8",
      "cloud-siem_rules_csr-created-by-user_0897565B",
      "cloud-siem_rules_daemonset-created_29CB33EF",
      "cloud-siem_rules_dangerous-capabilities_C72A2CE4",
      "cloud-siem_rules_ephemeral-container_11BB2BC3",
      "cloud-siem_rules_events-deleted_F283060E",
      "cloud-siem_rules_exec-copy-from-pod_1D25750D",
      "cloud-siem_rules_exec-token-read_3CE6DB5E",
      "cloud-siem_rules_forbidden-burst_D261030F",
      "cloud-siem_rules_host-namespaces-pod_1DF924F4",
      "cloud-siem_rules_host-path-sensitive-mount_3A32F7EE",
      "cloud-siem_rules_host-path-volume_5A1B1EA1",
      "cloud-siem_rules_impersonation_581752EA",
      "cloud-siem_rules_ingress-without-tls_1D0E3C56",
      "cloud-siem_rules_kube-system-cronjob_E6EBCF2F",
      "cloud-siem_rules_kube-system-daemonset_6D4D25F3",
      "cloud-siem_rules_kube-system-pod-untrusted-image_08506C52",
      "cloud-siem_rules_kube-system-pod_17ACE42A",
      "cloud-siem_rules_kube-system-serviceaccount_A6B7F4DE",
      "cloud-siem_rules_namespace-created_39516F10",
      "cloud-siem_rules_node-proxy-access_93708172",
      "cloud-siem_rules_nodeport-service_6AF80C8F",
      "cloud-siem_rules_permission-enumeration_004B29D6",
      "cloud-siem_rules_pod-attach_EFD8BF4B",
      "cloud-siem_rules_pod-exec-burst_57F460E5",
      "cloud-siem_rules_pod-exec-new-user_2C526E2A",
      "cloud-siem_rules_pod-port-forward_D751DB35",
      "cloud-siem_rules_privileged-pod_E535743C",
      "cloud-siem_rules_privileged-subject-binding_7D623A51",
      "cloud-siem_rules_rbac-escalate-bind-impersonate_86B48992",
      "cloud-siem_rules_rbac-grant-node-proxy_32058637",
      "cloud-siem_rules_rbac-grant-pod-exec_F19CD66B",
      "cloud-siem_rules_rbac-grant-secrets_AC7C20BD",
      "cloud-siem_rules_rbac-grant-write-verbs_032F45F0",
      "cloud-siem_rules_rbac-wildcard-grant_865D2F97",
      "cloud-siem_rules_run-as-root-pod_D5A25DED",
      "cloud-siem_rules_secret-read-failures_1A4B4178",
      "cloud-siem_rules_secret-read-new-user_3A7DD28E",
      "cloud-siem_rules_secrets-listed-cluster-wide_12624BDE",
      "cloud-siem_rules_secrets-listed-in-namespace_76B15CA0",
      "cloud-siem_rules_serviceaccount-token-requested_C053203E",
      "cloud-siem_rules_system-rbac-modified_9C22BDCD",
    ]);
    expect(Object.keys(out.resource.datadog_security_monitoring_default_rule)).toEqual([
      "cloud-siem_builtin-rules_builtin-a-kubernetes-user-was-assigned-cluster-administrator-permissions_E357E37B",
    ]);
  });

  test("built-in rules inherit the per-severity targets with per-case delivery", () => {
    const out = JSON.parse(synth({ notifications: { high: ["@pagerduty-eks"] }, builtInRules: { rules: [{ name: "A new Kubernetes admission controller was created" }] } }));
    const rule = Object.values(out.resource.datadog_security_monitoring_default_rule)[0] as any;
    expect(rule.dynamic.case.content.notifications).toBe('${lookup({"info":[],"low":[],"medium":[],"high":["@pagerduty-eks"],"critical":[]}, builtin_case.value.status, [])}');
  });

  test("with notification rules, built-in rule cases get no targets (the notification rules route them)", () => {
    const out = JSON.parse(
      synth({ notificationDelivery: "notification_rule", notifications: { high: ["@pagerduty-eks"] }, builtInRules: { rules: [{ name: "A new Kubernetes admission controller was created" }] } }),
    );
    const rule = Object.values(out.resource.datadog_security_monitoring_default_rule)[0] as any;
    expect(rule.dynamic.case.content.notifications).toBe('${lookup({"info":[],"low":[],"medium":[],"high":[],"critical":[]}, builtin_case.value.status, [])}');
    expect(Object.values(out.resource.datadog_security_notification_rule).map((n: any) => n.targets)).toEqual([["@pagerduty-eks"]]);
  });

  test("tuning errors surface from the construct", () => {
    expect(() => synth({ rules: { "pod-exce": { enabled: false } } })).toThrow("cloud siem tuning: rules.pod-exce is not a rule of the pack");
  });

  test("fails on misspelled options of the config section", () => {
    expect(() => synth({ notification: { high: ["@pagerduty-eks"] }, builtInRules: { rules: [], tagFilter: [] } } as never)).toThrow(
      'cloud siem "cloud-siem": notification is not an option; did you mean "notifications"? (allowed: pack, rules, exclusionQuery, notifications, notificationDelivery, suppressions, securityNotificationRules, ruleTags, builtInRules, identityAttribute, guideExecRule); builtInRules.tagFilter is not an option; did you mean "tagsFilter"? (allowed: rules, notifications, tagsFilter)',
    );
  });

  test("synthesis is deterministic", () => {
    const props: EksCloudSiemProps = { ruleTags: ["env:production"], notifications: { medium: ["@slack-sec"] }, builtInRules: { rules: [{ name: "x" }] } };
    expect(synth(props)).toBe(synth(props));
  });
});
