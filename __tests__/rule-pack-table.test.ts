import * as fs from "fs";
import * as path from "path";
import { EKS_RULE_PACK } from "../modules/cloud-siem";
import { RULE_TABLE_BEGIN, RULE_TABLE_END, renderRuleTable, replaceRuleTable } from "../generate/rule-table";

const ROOT = path.join(__dirname, "..");
const DOC = path.join(ROOT, "docs", "cloud-siem.md");

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
});
