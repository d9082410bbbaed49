/**
 * `npm run generate` (scripts/generate.js, generate/generate.ts): one command rewrites every generated artifact, so a
 * new rule is one new file plus that command.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AuditLogFilterPattern } from "../modules/datadog-forwarder";
import { EXCLUSION_PRESET_NAMES } from "../modules/log-explorer";
import { renderExclusionPresetTable, renderFilterPatternTable, replaceBlock } from "../generate/generate";

const ROOT = path.join(__dirname, "..");
const GENERATE = path.join("scripts", "generate.js");

function generate(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [GENERATE, ...args], { cwd, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The project's files: what git tracks or would track, or (outside a git checkout) the tree minus build output. */
function projectFiles(): string[] {
  const git = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  if (git.status === 0) return git.stdout.split("\n").filter((f) => f !== "");
  const skip = new Set(["node_modules", "dist", "cdktf.out", ".git"]);
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
      .filter((e) => !skip.has(e.name))
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  return walk("");
}

/** A throw-away copy of the project's files, with node_modules linked. */
function projectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "generate-flow-"));
  for (const f of projectFiles()) {
    if (!fs.existsSync(path.join(ROOT, f))) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/** A new rule as a contributor writes it after copying a neighbour: own id, name, query and samples. */
const NEW_RULE = `import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, ruleMessage } from "../pack-helpers";
import { DEVELOPER, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "fixture-kube-system-configmap-deleted",
  name: "Fixture: ConfigMap deleted in kube-system",
  detectionMethod: "threshold",
  tactic: "TA0040-impact",
  technique: "T1485-data-destruction",
  queries: [{ query: \`\${EKS_AUDIT} @objectRef.resource:configmaps @objectRef.namespace:kube-system @http.method:delete @http.status_code:[200 TO 299] \${NOT_PLATFORM}\`, groupByFields: ["@usr.name"] }],
  cases: [{ status: "medium", condition: "a > 0" }],
  evaluationWindowSeconds: 300,
  keepAliveSeconds: 3600,
  maxSignalDurationSeconds: 86400,
  message: ruleMessage(
    "Detect the deletion of a ConfigMap in kube-system.",
    "Successful \`delete\` of a kube-system ConfigMap by anyone but EKS, control-plane and kube-system identities.",
    [IDENTIFY_USER, "Check which ConfigMap was deleted.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [sample("a developer deletes a kube-system ConfigMap", { verb: "delete", resource: "configmaps", namespace: "kube-system", name: "fixture-settings", user: DEVELOPER, code: 200 })],
    negative: [
      sample("the deletion is denied (403)", { verb: "delete", resource: "configmaps", namespace: "kube-system", name: "fixture-settings", user: DEVELOPER, code: 403 }),
      sample("a read, not a deletion", { verb: "get", resource: "configmaps", namespace: "kube-system", name: "fixture-settings", user: DEVELOPER, code: 200 }),
    ],
  },
};
`;

describe("generated documentation samples", () => {
  test("the filter pattern table shows every preset's exact pattern (pipes escaped for Markdown) and what it drops and keeps", () => {
    const rows = renderFilterPatternTable().split("\n");
    expect(rows).toHaveLength(2 + AuditLogFilterPattern.NAMES.length);
    const row = rows.find((r) => r.startsWith("| `drop-health-checks-and-system-reads` |"))!;
    expect(row).toContain(AuditLogFilterPattern.DROP_HEALTH_CHECKS_AND_SYSTEM_READS.pattern.replace(/\|/g, "\\|"));
    expect(row).toContain("any access to secrets, whoever makes it");
  });

  test("the exclusion preset table has one row per preset with its query", () => {
    const rows = renderExclusionPresetTable().split("\n");
    expect(rows.slice(2).map((r) => r.split(" | ")[0])).toEqual(EXCLUSION_PRESET_NAMES.map((n) => `| \`${n}\``));
  });

  test("a document without the block's markers is an error, not a silent no-op", () => {
    expect(() => replaceBlock("# doc", "X", "y")).toThrow(
      'the document has no "<!-- BEGIN GENERATED X (npm run generate) -->" ... "<!-- END GENERATED X -->" markers',
    );
    expect(replaceBlock("a\n<!-- BEGIN GENERATED X (npm run generate) -->\nold\n<!-- END GENERATED X -->\nb", "X", "new")).toBe(
      "a\n<!-- BEGIN GENERATED X (npm run generate) -->\nnew\n<!-- END GENERATED X -->\nb",
    );
  });
});

describe("npm run generate", () => {
  test("every generated artifact of this checkout is up to date (--check writes nothing)", () => {
    const r = generate(ROOT, "--check");
    expect(r).toEqual({ status: 0, stdout: "every generated artifact is up to date\n", stderr: "" });
  }, 60_000);

  test("refuses an unknown option", () => {
    expect(generate(ROOT, "--chek")).toEqual({
      status: 2,
      stdout: "",
      stderr:
        'generate: unknown option "--chek"; allowed: --check, --accept-removed-addresses\nusage: npm run generate [-- --check] [-- --accept-removed-addresses]\n',
    });
  }, 60_000);

  test("a bad rule file: one paragraph, no stack trace, exit 1, and nothing written (it half-wrote the index, docs and schema)", () => {
    const dir = projectCopy();
    try {
      const rules = path.join(dir, "pack/rules");
      const artifacts = [
        "pack/rules/index.ts",
        "docs/reference.md",
        "docs/cloud-siem.md",
        "config/eks-audit-siem.schema.json",
        "__tests__/addresses/staging.txt",
      ];
      const contents = () => artifacts.map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
      const before = contents();
      const badRules: [string, string, string][] = [
        [
          "a duplicate id",
          NEW_RULE.replace('id: "fixture-kube-system-configmap-deleted"', 'id: "csr-approved"'),
          'generate: nothing written: cloud siem "staging/cloud-siem/rules": rules.csr-approved.id: received "csr-approved" (also the id of rules[',
        ],
        [
          "an invalid status",
          NEW_RULE.replace('status: "medium"', 'status: "urgent"'),
          'generate: nothing written: rule "fixture-kube-system-configmap-deleted": case[0].status: received "urgent"; allowed: info, low, medium, high, critical\n',
        ],
        [
          "a syntax error",
          NEW_RULE.replace('id: "fixture-kube-system-configmap-deleted",', 'id: "fixture-kube-system-configmap-deleted"'),
          "generate: nothing written: pack/rules/fixture-bad.ts:7:3: ',' expected.\n",
        ],
      ];
      for (const [what, source, message] of badRules) {
        fs.writeFileSync(path.join(rules, "fixture-bad.ts"), source);
        const r = generate(dir);
        expect({ what, status: r.status, stdout: r.stdout, lines: r.stderr.split("\n").length }).toEqual({ what, status: 1, stdout: "", lines: 2 });
        expect(r.stderr.startsWith(message)).toBe(true);
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(contents()).toEqual(before);
        // --check says the same and writes nothing either (once: each run loads the pack and builds the stacks).
        if (what === "a duplicate id") expect(generate(dir, "--check")).toEqual({ status: 1, stdout: "", stderr: r.stderr });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test("one new rule file + generate: every artifact follows, and the suites that read them pass", () => {
    const dir = projectCopy();
    try {
      fs.writeFileSync(path.join(dir, "pack/rules/fixture-kube-system-configmap-deleted.ts"), NEW_RULE);
      const stale = generate(dir, "--check");
      expect(stale.status).toBe(1);
      const r = generate(dir);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(
        r.stdout
          .split("\n")
          .filter((l) => l !== "")
          .sort(),
      ).toEqual([
        "updated __tests__/addresses/example-platform.txt",
        "updated __tests__/addresses/production.txt",
        "updated __tests__/addresses/staging.txt",
        "updated config/eks-audit-siem.schema.json",
        "updated docs/cloud-siem.md",
        "updated docs/reference.md",
        "updated pack/rules/index.ts",
      ]);
      expect(generate(dir, "--check").status).toBe(0);
      // The new rule's address was added; nothing was removed.
      expect(fs.readFileSync(path.join(dir, "__tests__/addresses/staging.txt"), "utf8")).toMatch(
        /^datadog_security_monitoring_rule\.fixture-kube-system-configmap-deleted$/m,
      );
      // The suites that read generated artifacts or the pack, run in the copy (the type gate first).
      execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json", "--noEmit"], { cwd: dir, stdio: "pipe" });
      const suites = [
        "addresses",
        "config",
        "readme",
        "rule-pack",
        "rule-pack-samples",
        "rule-pack-table",
        "stacks",
        "example-compose",
        "cloud-siem-eks",
      ];
      const jest = spawnSync(
        process.execPath,
        [require.resolve("jest/bin/jest"), "--ci", "--maxWorkers=1", ...suites.map((s) => `__tests__/${s}.test.ts`)],
        // Not the outer run's temp-folder marker: the nested run must not remove the outer run's temp folder. Nor its
        // tier (npm run test:generate): the nested suites are unit suites.
        { cwd: dir, encoding: "utf8", env: { ...process.env, EKS_AUDIT_SIEM_JEST_TMPDIR: "", JEST_TIER: "", CHECKPOINT_DISABLE: "1" } },
      );
      const summary = /^Tests: .*$/m.exec(jest.stderr)?.[0] ?? jest.stderr.slice(-3000);
      expect({ status: jest.status, summary }).toEqual({ status: 0, summary });
      expect(summary).toMatch(/^Tests: +\d+ passed, \d+ total$/);

      // Removing the rule again: its address stays in the snapshots (the address test fails) until the removal is accepted.
      fs.rmSync(path.join(dir, "pack/rules/fixture-kube-system-configmap-deleted.ts"));
      const refused = generate(dir);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(
        "generate: 3 snapshotted Terraform address(es) no longer exist; Terraform would destroy these resources:\n- staging: ",
      );
      const staging = () => fs.readFileSync(path.join(dir, "__tests__/addresses/staging.txt"), "utf8");
      expect(staging()).toContain("datadog_security_monitoring_rule.fixture-kube-system-configmap-deleted\n");
      const accepted = generate(dir, "--accept-removed-addresses");
      expect({ status: accepted.status, stderr: accepted.stderr }).toEqual({ status: 0, stderr: "" });
      expect(accepted.stdout).toContain(
        "removed from the snapshot (accepted): staging: datadog_security_monitoring_rule.fixture-kube-system-configmap-deleted",
      );
      expect(staging()).not.toContain("fixture-kube-system-configmap-deleted");
      expect(generate(dir, "--check").status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
