import { EKS_RULE_PACK } from "../modules/cloud-siem";
import { RULE_TABLE_BEGIN, RULE_TABLE_END, renderRuleTable, replaceRuleTable } from "../generate/rule-table";

// That README.md and docs/cloud-siem.md hold the current table is checked with every other generated artifact, by
// `npm run generate -- --check` (__tests__/generate.test.ts).
describe("generated rule table", () => {
  test("one row per rule: name, id, severity, tactic, technique, method", () => {
    const rows = renderRuleTable(EKS_RULE_PACK).split("\n");
    expect(rows).toHaveLength(EKS_RULE_PACK.length + 2);
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
