import * as fs from "fs";
import { createRequire } from "module";
import * as os from "os";
import * as path from "path";
import { PassThrough } from "stream";
import * as ts from "typescript";
import { normalizeAuditEvent } from "../lib/audit";
import { matchesQuery, parseQuery } from "../lib/query";
import { DetectionRuleProps, defineRule, renderPackIndex } from "../modules/cloud-siem";
import { GUIDE_EXEC_QUERY } from "../pack/rules/pod-exec-new-user";
import { NEW_USAGE, runNew } from "../tools/rules/new";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { Testing } from "cdktf";
import { CloudSiemRules } from "../modules/cloud-siem";
import { SiemStack } from "../lib/siem-stack";
import { foreignTemplates } from "../lib/self-contained-stack";
import { only } from "./helpers/assert";

const ROOT = path.join(__dirname, "..");

/** A throw-away copy of the project parts a rule file needs: lib/, modules/cloud-siem/*.ts and pack/*.ts, plus two pack rules (node_modules linked). */
function tempProject(): { root: string; packDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "rules-new-"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
  fs.cpSync(path.join(ROOT, "lib"), path.join(root, "lib"), { recursive: true });
  const siem = path.join(root, "modules", "cloud-siem");
  const pack = path.join(root, "pack");
  const packDir = path.join(pack, "rules");
  fs.mkdirSync(siem, { recursive: true });
  fs.mkdirSync(packDir, { recursive: true });
  for (const f of fs.readdirSync(path.join(ROOT, "modules", "cloud-siem"))) {
    if (f.endsWith(".ts") && f !== "index.ts" && f !== "cloud-siem-rules.ts" && f !== "builtin-rule-review.ts" && f !== "tuning.ts") {
      fs.copyFileSync(path.join(ROOT, "modules", "cloud-siem", f), path.join(siem, f));
    }
  }
  for (const f of fs.readdirSync(path.join(ROOT, "pack"))) {
    if (f.endsWith(".ts")) fs.copyFileSync(path.join(ROOT, "pack", f), path.join(pack, f));
  }
  for (const id of ["pod-attach", "daemonset-created"]) fs.copyFileSync(path.join(ROOT, "pack", "rules", `${id}.ts`), path.join(packDir, `${id}.ts`));
  fs.writeFileSync(path.join(packDir, "index.ts"), renderPackIndex(["pod-attach", "daemonset-created"]));
  return { root, packDir };
}

async function run(argv: string[], packDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const code = await runNew(argv, { stdout, stderr }, { packDir });
  return { code, stdout: out, stderr: err };
}

function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [path.join(ROOT, "node_modules", "@types")],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

/** `{ name: "n", "group-by": "@usr.name" }` → `["--name", "n", "--group-by", "@usr.name"]`. */
function flags(options: Record<string, string>): string[] {
  return Object.entries(options).flatMap(([flag, value]) => [`--${flag}`, value]);
}

/** The MITRE pair most cases use. */
const EXECUTION = { tactic: "TA0002-execution", technique: "T1609-container-administration-command" };

/** Loads a TypeScript module the test wrote (ts-jest transpiles it). */
const requireWritten = createRequire(__filename);

function load(file: string): DetectionRuleProps {
  return (requireWritten(file) as { rule: DetectionRuleProps }).rule;
}

describe("rules new (export a Log Explorer query to a rule)", () => {
  let project: { root: string; packDir: string };
  beforeEach(() => {
    project = tempProject();
  });
  afterEach(() => {
    fs.unlinkSync(path.join(project.root, "node_modules")); // the link, never the project's node_modules
    fs.rmSync(project.root, { recursive: true, force: true });
  });

  test("writes a threshold rule file that type-checks, validates, and whose stub positive sample matches the query", async () => {
    const query = "source:kubernetes.audit @objectRef.resource:namespaces @http.method:delete @http.status_code:[200 TO 299]";
    const result = await run(
      flags({
        name: "Fixture: namespace removed",
        query,
        method: "threshold",
        count: "0",
        window: "600",
        "group-by": "@usr.name",
        severity: "high",
        tactic: "TA0040-impact",
        technique: "T1485-data-destruction",
      }),
      project.packDir,
    );
    expect(result).toEqual({
      code: 0,
      stdout:
        "created fixture-namespace-removed.ts\nupdated index.ts (3 rules)\nnext: review the TODOs in fixture-namespace-removed.ts (samples, exclusions, message), then run `npm run generate`, then `npm test`\n",
      stderr: "",
    });
    const file = path.join(project.packDir, "fixture-namespace-removed.ts");
    expect(typeErrors(file)).toEqual([]);
    const rule = defineRule(load(file));
    expect(rule).toMatchObject({
      id: "fixture-namespace-removed",
      name: "Fixture: namespace removed",
      detectionMethod: "threshold",
      severity: "high",
      tactic: "TA0040-impact",
      technique: "T1485-data-destruction",
      evaluationWindowSeconds: 600,
      keepAliveSeconds: 3600,
      maxSignalDurationSeconds: 86400,
    });
    expect(rule.queries).toEqual([{ name: "a", query, aggregation: "count", groupByFields: ["@usr.name"], distinctFields: [], metrics: [] }]);
    expect(rule.cases).toEqual([{ status: "high", condition: "a > 0", notifications: [] }]);
    const node = parseQuery(query);
    expect(rule.samples.positive.map((s) => matchesQuery(node, normalizeAuditEvent(s.event)))).toEqual([true]);
    // The EKS-identity near-miss would match this query (it excludes no identity): left out, not written failing.
    expect(rule.samples.negative.map((s) => matchesQuery(node, normalizeAuditEvent(s.event)))).toEqual([false, false]);
    expect(fs.readFileSync(file, "utf8")).toContain("// TODO: exclude EKS and system identities");
    expect(fs.readFileSync(path.join(project.packDir, "index.ts"), "utf8")).toBe(
      renderPackIndex(["daemonset-created", "fixture-namespace-removed", "pod-attach"]),
    );
  }, 60_000);

  test("writes the guide's New Value rule from its query; the pack index discovers it", async () => {
    const result = await run(
      flags({ name: "Guide exec", query: GUIDE_EXEC_QUERY, method: "new_value", field: "@usr.name", ...EXECUTION }),
      project.packDir,
    );
    expect(result.code).toBe(0);
    const file = path.join(project.packDir, "guide-exec.ts");
    expect(typeErrors(file)).toEqual([]);
    const rule = defineRule(load(file));
    expect(rule.detectionMethod).toBe("new_value");
    expect(rule.queries[0]).toMatchObject({ query: GUIDE_EXEC_QUERY, aggregation: "new_value", metrics: ["@usr.name"] });
    expect(rule.cases).toEqual([{ status: "medium", notifications: [] }]);
    expect(rule.newValueOptions).toEqual({ forgetAfterDays: 28, learningDurationDays: 1, learningMethod: "duration", learningThreshold: 0 });
    const node = parseQuery(GUIDE_EXEC_QUERY);
    expect(rule.samples.positive[0].event).toMatchObject({
      verb: "create",
      objectRef: { resource: "pods", subresource: "exec", namespace: "default" },
      responseStatus: { code: 101 },
    });
    expect(matchesQuery(node, normalizeAuditEvent(rule.samples.positive[0].event))).toBe(true);
    const pack = (requireWritten(path.join(project.packDir, "index.ts")) as { EKS_RULE_PACK: DetectionRuleProps[] }).EKS_RULE_PACK;
    expect(pack.map((r) => r.id)).toEqual(["daemonset-created", "guide-exec", "pod-attach"]);
  }, 60_000);

  test("writes a name and query holding template syntax that reach Terraform as literal text (lib/literal-text.ts)", async () => {
    const name = 'Exec by ${trimspace(file("/etc/hostname"))} %{ if true }x%{ endif }';
    const query = 'source:kubernetes.audit @objectRef.subresource:exec @usr.name:"${trimspace(file(\\"/etc/hostname\\"))}"';
    const result = await run(flags({ name, id: "hostile-exec", query, method: "threshold", count: "0", ...EXECUTION }), project.packDir);
    expect(result.code).toBe(0);
    const app = Testing.app();
    const stack = new SiemStack(app, "rules");
    new DatadogProvider(stack, "datadog", {});
    new CloudSiemRules(stack, "siem", { rules: [load(path.join(project.packDir, "hostile-exec.ts"))] });
    const json = JSON.parse(Testing.synth(stack)) as {
      resource: { datadog_security_monitoring_rule: Record<string, { name: string; message: string; query: Array<{ query: string }> }> };
    };
    fs.rmSync(app.outdir, { recursive: true, force: true });
    const rule = only(json.resource.datadog_security_monitoring_rule);
    expect(rule.name).toBe('Exec by $${trimspace(file("/etc/hostname"))} %%{ if true }x%%{ endif }');
    expect(rule.message).toContain(rule.name);
    expect(rule.query[0].query).toContain('@usr.name:"$${trimspace(file(\\"/etc/hostname\\"))}"');
    expect(foreignTemplates(json)).toEqual([]);
  }, 60_000);

  test("refuses to overwrite an existing rule (exit 1) and leaves it untouched", async () => {
    const before = fs.readFileSync(path.join(project.packDir, "pod-attach.ts"), "utf8");
    const result = await run(
      flags({ name: "x", id: "pod-attach", query: "source:kubernetes.audit", method: "threshold", count: "1", ...EXECUTION }),
      project.packDir,
    );
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: "rules new: rule file pod-attach.ts already exists in the pack; refusing to overwrite it (choose another --name or --id)\n",
    });
    expect(fs.readFileSync(path.join(project.packDir, "pod-attach.ts"), "utf8")).toBe(before);
  });

  test("refuses a name already used by another rule", async () => {
    const result = await run(
      flags({
        name: "EKS: user attached to a running container",
        id: "other",
        query: "source:kubernetes.audit",
        method: "threshold",
        count: "1",
        ...EXECUTION,
      }),
      project.packDir,
    );
    expect(result.stderr).toBe(
      'rules new: --name: received "EKS: user attached to a running container" (already used by pod-attach.ts); allowed: unique rule names\n',
    );
    expect(result.code).toBe(2);
  });

  test("checks the name against the rules' names, not the files' text (a sample's pod name refused it)", async () => {
    // pod-attach.ts holds `name: "frontend-6d4cf56db6-8jz2m",` in a sample event: not a rule name.
    expect(fs.readFileSync(path.join(project.packDir, "pod-attach.ts"), "utf8")).toContain('name: "frontend-6d4cf56db6-8jz2m",');
    const result = await run(
      flags({
        name: "frontend-6d4cf56db6-8jz2m",
        query: "source:kubernetes.audit @http.method:delete",
        method: "threshold",
        count: "1",
        ...EXECUTION,
      }),
      project.packDir,
    );
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
    expect(fs.existsSync(path.join(project.packDir, "frontend-6d4cf56db6-8jz2m.ts"))).toBe(true);
  });

  test.each([
    ["a newline", "EKS: pod deleted\nby a user", '"EKS: pod deleted\\nby a user"'],
    ["an escape sequence", "EKS: pod deleted \u001b[31m", '"EKS: pod deleted \\u001b[31m"'],
    ["a C1 control", "EKS: pod deleted \u009b31m", '"EKS: pod deleted \\u009b31m"'],
  ])("refuses a name with %s, shown escaped", async (_what, name, shown) => {
    const result = await run(flags({ name, query: "source:kubernetes.audit", method: "threshold", count: "1", ...EXECUTION }), project.packDir);
    expect(result.stderr).toBe(
      `rules new: --name: received ${shown} (it holds a line break or a control character); allowed: one line of text\n${NEW_USAGE}\n`,
    );
    expect(result.code).toBe(2);
    expect(fs.readdirSync(project.packDir).sort()).toEqual(["daemonset-created.ts", "index.ts", "pod-attach.ts"]);
  });

  test.each<[string, string[], string]>([
    [
      "missing everything",
      [],
      "5 problems:\n" +
        "- --name: received nothing; allowed: the Datadog rule name (required)\n" +
        "- --query: received nothing; allowed: the Log Explorer query (required)\n" +
        "- --method: received nothing; allowed: new_value or threshold (required)\n" +
        "- --tactic: received nothing; allowed: the MITRE ATT&CK tactic, e.g. TA0002-execution (required)\n" +
        "- --technique: received nothing; allowed: the MITRE ATT&CK technique, e.g. T1609-container-administration-command (required)",
    ],
    [
      "no tactic or technique: never guessed",
      flags({ name: "n", query: "source:kubernetes.audit", method: "threshold", count: "1" }),
      "2 problems:\n- --tactic: received nothing; allowed: the MITRE ATT&CK tactic, e.g. TA0002-execution (required)\n" +
        "- --technique: received nothing; allowed: the MITRE ATT&CK technique, e.g. T1609-container-administration-command (required)",
    ],
    [
      "a placeholder query",
      flags({ name: "n", query: "<query>", method: "threshold", count: "1", ...EXECUTION }),
      '--query: received "<query>" (it holds the placeholder "<query>"); allowed: the real Log Explorer query, copied from Log Explorer',
    ],
    [
      "a query with a TODO",
      flags({ name: "n", query: "source:kubernetes.audit TODO", method: "threshold", count: "1", ...EXECUTION }),
      '--query: received "source:kubernetes.audit TODO" (it holds the placeholder "TODO"); allowed: the real Log Explorer query, copied from Log Explorer',
    ],
    [
      "unknown method",
      flags({ name: "n", query: "source:kubernetes.audit", method: "anomaly", ...EXECUTION }),
      '--method: received "anomaly"; allowed: new_value, threshold',
    ],
    [
      "new value without field",
      flags({ name: "n", query: "source:kubernetes.audit", method: "new_value", ...EXECUTION }),
      "--field: received nothing; allowed: the attribute whose new values are detected, e.g. @usr.name (required with --method new_value)",
    ],
    [
      "threshold without count",
      flags({ name: "n", query: "source:kubernetes.audit", method: "threshold", ...EXECUTION }),
      "--count: received nothing; allowed: signal when more than <count> logs match in the window (required with --method threshold)",
    ],
    [
      "threshold options on new value",
      flags({ name: "n", query: "source:kubernetes.audit", method: "new_value", field: "@usr.name", count: "3", ...EXECUTION }),
      '--count: received "3"; allowed: absent unless --method is threshold',
    ],
    [
      "count not a number",
      flags({ name: "n", query: "source:kubernetes.audit", method: "threshold", count: "five", ...EXECUTION }),
      '--count: received "five"; allowed: a whole number',
    ],
    [
      "bad severity",
      flags({ name: "n", query: "source:kubernetes.audit", method: "threshold", count: "1", severity: "urgent", ...EXECUTION }),
      '--severity: received "urgent"; allowed: info, low, medium, high, critical',
    ],
    [
      "unknown option",
      flags({ name: "n", qeury: "x" }),
      'unknown option "--qeury"; allowed: --name, --query, --method, --field, --count, --window, --group-by, --severity, --tactic, --technique, --id, --forget-after, --learning-duration, --pack-dir, --reindex, --help',
    ],
  ])("fails with usage: %s", async (_t, argv, message) => {
    const result = await run(argv, project.packDir);
    expect(result).toEqual({ code: 2, stdout: "", stderr: `rules new: ${message}\n${NEW_USAGE}\n` });
    expect(fs.readdirSync(project.packDir).sort()).toEqual(["daemonset-created.ts", "index.ts", "pod-attach.ts"]);
  });

  test.each<[string, string[], string]>([
    [
      "the guide's typo in the query",
      flags({ name: "Typo", query: "source:kubernetes.aduit @objectRef.subresource:exec", method: "new_value", field: "@usr.name", ...EXECUTION }),
      'rule "typo": query[0].query: received "source:kubernetes.aduit @objectRef.subresource:exec" (source "kubernetes.aduit" is not a source Datadog has for EKS audit data; did you mean "kubernetes.audit"?); allowed: sources kubernetes.audit, eks, kube-apiserver, kube-controller-manager, kube_scheduler, aws-iam-authenticator, cloudwatch, azure.containerservice, gcp.k8s.cluster',
    ],
    [
      "an unbalanced query",
      flags({ name: "Paren", query: "source:kubernetes.audit @objectRef.resource:(pods", method: "threshold", count: "1", ...EXECUTION }),
      `rule "paren": query[0].query: received "source:kubernetes.audit @objectRef.resource:(pods" (it does not parse at position 44 (0-based): the value group of @objectRef.resource is never closed; add the matching ')'); allowed: a Datadog log search query such as source:kubernetes.audit`,
    ],
    [
      "a window Datadog does not offer",
      flags({ name: "Win", query: "source:kubernetes.audit", method: "threshold", count: "1", window: "120", ...EXECUTION }),
      'rule "win": options.evaluation_window: received 120; allowed: 0, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400',
    ],
    [
      "a forget-after provider 3.82 rejects",
      flags({ name: "Forget", query: "source:kubernetes.audit", method: "new_value", field: "@usr.name", "forget-after": "30", ...EXECUTION }),
      'rule "forget": options.new_value_options.forget_after: received 30; allowed: 1, 2, 7, 14, 21, 28 days',
    ],
    [
      "a technique MITRE does not name so",
      flags({
        name: "Tech",
        query: "source:kubernetes.audit",
        method: "threshold",
        count: "1",
        tactic: "TA0040-impact",
        technique: "T1485-destroy-data",
      }),
      'rule "tech": technique: received "T1485-destroy-data"; allowed: T1485-data-destruction',
    ],
    [
      "a wrong tactic name",
      flags({
        name: "Tactic",
        query: "source:kubernetes.audit",
        method: "threshold",
        count: "1",
        tactic: "TA0040-destruction",
        technique: "T1485-data-destruction",
      }),
      'rule "tactic": tactic: received "TA0040-destruction"; allowed: TA0040-impact',
    ],
  ])("fails with the model's message: %s", async (_t, argv, message) => {
    const result = await run(argv, project.packDir);
    expect(result).toEqual({ code: 2, stdout: "", stderr: `rules new: ${message}\n` });
    expect(fs.readdirSync(project.packDir).sort()).toEqual(["daemonset-created.ts", "index.ts", "pod-attach.ts"]);
  });

  test("--reindex regenerates the index after a rule file is removed", async () => {
    fs.rmSync(path.join(project.packDir, "daemonset-created.ts"));
    const result = await run(["--reindex"], project.packDir);
    expect(result).toEqual({ code: 0, stdout: "updated index.ts (1 rules)\n", stderr: "" });
    expect(fs.readFileSync(path.join(project.packDir, "index.ts"), "utf8")).toBe(renderPackIndex(["pod-attach"]));
  });
});
