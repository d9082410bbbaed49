import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EKS_RULE_PACK, RULE_TABLE_BEGIN, RULE_TABLE_END, renderRuleTable, replaceRuleTable } from "../modules/cloud-siem";

const ROOT = path.join(__dirname, "..");
const DOC = path.join(ROOT, "docs", "cloud-siem.md");
const SCRIPT = path.join(ROOT, "scripts", "gen-rule-table.js");

describe("generated rule table", () => {
  test("docs/cloud-siem.md holds the current table of the pack (regenerate with npm run generate)", () => {
    const doc = fs.readFileSync(DOC, "utf8");
    const table = doc.slice(doc.indexOf(RULE_TABLE_BEGIN) + RULE_TABLE_BEGIN.length, doc.indexOf(RULE_TABLE_END)).trim();
    expect(table).toBe(renderRuleTable(EKS_RULE_PACK));
    expect(table.split("\n")).toHaveLength(EKS_RULE_PACK.length + 2);
  });

  test("one row per rule: name, id, severity, tactic, technique, method", () => {
    const rows = renderRuleTable(EKS_RULE_PACK).split("\n");
    expect(rows[0]).toBe("| Rule | Id | Severity | Tactic | Technique | Method |");
    expect(rows).toContain(
      "| EKS: user exec into a pod for the first time | `pod-exec-new-user` | medium | `TA0002-execution` | `T1609-container-administration-command` | new value of `@usr.name` |",
    );
    expect(rows).toContain(
      "| EKS: user exec into pods many times | `pod-exec-burst` | medium | `TA0002-execution` | `T1609-container-administration-command` | threshold `execs > 5` in 5 min |",
    );
  });

  test("replaceRuleTable fails without markers", () => {
    expect(() => replaceRuleTable("# no markers", "x")).toThrow(`the document has no "${RULE_TABLE_BEGIN}" ... "${RULE_TABLE_END}" markers`);
  });

  test("the script prints the same table, and --check detects a stale document", () => {
    expect(execFileSync("node", [SCRIPT], { cwd: ROOT, encoding: "utf8" })).toBe(`${renderRuleTable(EKS_RULE_PACK)}\n`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rule-table-"));
    try {
      const stale = path.join(dir, "doc.md");
      fs.writeFileSync(stale, `# doc\n${RULE_TABLE_BEGIN}\n| old |\n${RULE_TABLE_END}\n`);
      const check = spawnSync("node", [SCRIPT, "--check", stale], { cwd: ROOT, encoding: "utf8" });
      expect(check.status).toBe(1);
      expect(check.stderr).toBe(
        `${stale}: the rule table is stale (${EKS_RULE_PACK.length} rules in the pack); run node scripts/gen-rule-table.js --write ${stale}\n`,
      );
      expect(spawnSync("node", [SCRIPT, "--write", stale], { cwd: ROOT, encoding: "utf8" }).status).toBe(0);
      expect(fs.readFileSync(stale, "utf8")).toBe(`# doc\n${RULE_TABLE_BEGIN}\n${renderRuleTable(EKS_RULE_PACK)}\n${RULE_TABLE_END}\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
