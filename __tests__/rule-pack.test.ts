import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { CloudSiemRules, EKS_RULE_PACK, MITRE_TACTICS, MITRE_TECHNIQUES, defineRule, renderPackIndex } from "../modules/cloud-siem";

const RULES_DIR = path.join(__dirname, "..", "pack", "rules");
const ruleFiles = fs
  .readdirSync(RULES_DIR)
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .map((f) => f.slice(0, -3))
  .sort();

describe("EKS rule pack", () => {
  test("has at least 40 rules, one file per rule, and the index lists exactly the files (regenerate with npm run generate)", () => {
    expect(EKS_RULE_PACK.length).toBeGreaterThanOrEqual(40);
    expect(EKS_RULE_PACK.map((r) => r.id)).toEqual(ruleFiles);
    expect(fs.readFileSync(path.join(RULES_DIR, "index.ts"), "utf8")).toBe(renderPackIndex(ruleFiles));
  });

  test("rule ids and names are unique", () => {
    expect(new Set(EKS_RULE_PACK.map((r) => r.id)).size).toBe(EKS_RULE_PACK.length);
    expect(new Set(EKS_RULE_PACK.map((r) => r.name)).size).toBe(EKS_RULE_PACK.length);
  });

  test("covers the behaviours of issue 4 section 3", () => {
    const ids = EKS_RULE_PACK.map((r) => r.id);
    for (const id of [
      "pod-exec-new-user",
      "pod-exec-burst",
      "pod-attach",
      "ephemeral-container",
      "pod-port-forward",
      "node-proxy-access",
      "privileged-pod",
      "host-path-sensitive-mount",
      "host-namespaces-pod",
      "dangerous-capabilities",
      "cluster-admin-binding",
      "rbac-wildcard-grant",
      "rbac-escalate-bind-impersonate",
      "impersonation",
      "admission-webhook-changed",
      "kube-system-cronjob",
      "kube-system-daemonset",
      "kube-system-pod",
      "kube-system-serviceaccount",
      "serviceaccount-token-requested",
      "csr-created-by-user",
      "aws-auth-configmap-changed",
      "secrets-listed-cluster-wide",
      "secret-read-new-user",
      "permission-enumeration",
      "forbidden-burst",
      "anonymous-request-authorized",
      "nodeport-service",
    ]) {
      expect(ids).toContain(id);
    }
  });

  test("sample events are audit.k8s.io/v1 events as EKS writes them, with unique audit IDs", () => {
    const events = EKS_RULE_PACK.flatMap((r) => [...(r.samples?.positive ?? []), ...(r.samples?.negative ?? [])]).map(
      (s) => s.event as Record<string, any>,
    );
    expect(events.length).toBeGreaterThanOrEqual(EKS_RULE_PACK.length * 3);
    for (const e of events) {
      expect(e).toMatchObject({ kind: "Event", apiVersion: "audit.k8s.io/v1", stage: "ResponseComplete" });
      expect(typeof e.auditID).toBe("string");
      expect(typeof e.verb).toBe("string");
      expect(typeof e.user.username).toBe("string");
      expect(typeof e.responseStatus.code).toBe("number");
      expect(e.requestURI.startsWith("/")).toBe(true);
    }
    expect(new Set(events.map((e) => e.auditID)).size).toBe(events.length);
    const admin = events.find((e) => e.user.username === "kubernetes-admin")!;
    expect(admin.user.extra.arn).toEqual(["arn:aws:sts::111122223333:assumed-role/PlatformAdmin/alice"]);
    expect(events.some((e) => e.user.username.startsWith("eks:"))).toBe(true);
    expect(events.some((e) => e.user.username.startsWith("system:serviceaccount:"))).toBe(true);
  });

  describe.each(EKS_RULE_PACK.map((r) => [r.id, r] as const))("%s", (_id, props) => {
    const rule = defineRule(props);

    test("is valid, tagged with real MITRE ATT&CK tactic and technique, and queries EKS audit logs", () => {
      const [tacticId, ...tacticName] = rule.tactic.split("-");
      expect(MITRE_TACTICS[tacticId]).toBe(tacticName.join("-"));
      const [techniqueId, ...techniqueName] = rule.technique.split("-");
      expect(MITRE_TECHNIQUES[techniqueId]).toBe(techniqueName.join("-"));
      expect(rule.tags.slice(0, 4)).toEqual(["source:kubernetes", "security:attack", `tactic:${rule.tactic}`, `technique:${rule.technique}`]);
      for (const q of rule.queries) expect(q.query.startsWith("source:kubernetes.audit ")).toBe(true);
      expect(rule.message).toContain("## Triage and response\n1. ");
      expect(rule.samples.positive.length).toBeGreaterThanOrEqual(1);
      expect(rule.samples.negative.length).toBeGreaterThanOrEqual(1);
    });

    test("synthesizes one datadog_security_monitoring_rule with its tags and explicit timing options", () => {
      const synthesized = JSON.parse(Testing.synthScope((scope) => new CloudSiemRules(scope, "siem", { rules: [props] })));
      const resources = Object.values<Record<string, any>>(synthesized.resource.datadog_security_monitoring_rule);
      expect(resources).toHaveLength(1);
      const [resource] = resources;
      expect(resource.name).toBe(rule.name);
      expect(resource.type).toBe("log_detection");
      expect(resource.tags).toEqual([...rule.tags, `eks_audit_siem_rule:${rule.id}`]);
      expect(resource.options.detection_method).toBe(rule.detectionMethod);
      expect(resource.options.evaluation_window).toBe(rule.evaluationWindowSeconds);
      expect(resource.options.keep_alive).toBe(rule.keepAliveSeconds);
      expect(resource.options.max_signal_duration).toBe(rule.maxSignalDurationSeconds);
      expect(resource.options.evaluation_window).toBeLessThanOrEqual(resource.options.keep_alive);
      expect(resource.options.keep_alive).toBeLessThanOrEqual(resource.options.max_signal_duration);
      expect(resource.query.map((q: { query: string }) => q.query)).toEqual(rule.queries.map((q) => q.query));
      expect(resource.case[0].status).toBe(rule.severity);
    });
  });
});
