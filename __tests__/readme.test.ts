import { readFileSync } from "fs";
import * as path from "path";
import { EKS_RULE_PACK } from "../modules/cloud-siem";
import { RULE_TABLE_BEGIN, RULE_TABLE_END, renderRuleTable } from "../generate/rule-table";

const ROOT = path.join(__dirname, "..");
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("README", () => {
  it("holds the current table of the rule pack (regenerate with npm run generate)", () => {
    const table = readme.slice(readme.indexOf(RULE_TABLE_BEGIN) + RULE_TABLE_BEGIN.length, readme.indexOf(RULE_TABLE_END)).trim();
    expect(table).toBe(renderRuleTable(EKS_RULE_PACK));
  });

  it("gives the two set-up commands, and CI runs the same test command", () => {
    expect(readme).toContain("npm ci && npm run synth");
    expect(readme).toMatch(/^npm test\s/m);
    expect(readFileSync(path.join(ROOT, ".ci/run"), "utf8")).toMatch(/^npm test$/m);
  });
});
