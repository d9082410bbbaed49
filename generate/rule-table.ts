/**
 * The Markdown table of a rule pack (rule, id, severity, tactic, technique, method), as written into
 * `docs/reference.md` and `docs/cloud-siem.md` between the markers by `npm run generate` (generate/generate.ts).
 */
import { DetectionRuleProps, defineRule } from "../modules/cloud-siem/rule-model";

export const RULE_TABLE_BEGIN = "<!-- BEGIN GENERATED RULE TABLE (npm run generate) -->";
export const RULE_TABLE_END = "<!-- END GENERATED RULE TABLE -->";

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** One row per rule, in pack order. */
export function renderRuleTable(pack: readonly DetectionRuleProps[]): string {
  const rows = pack.map((props) => {
    const r = defineRule(props);
    const method =
      r.detectionMethod === "new_value"
        ? `new value of ${r.queries[0].metrics.map((m) => `\`${m}\``).join(", ")}`
        : `threshold \`${r.cases.map((c) => c.condition).join(" / ")}\` in ${r.evaluationWindowSeconds / 60} min`;
    return `| ${cell(r.name)} | \`${r.id}\` | ${r.severity} | \`${r.tactic}\` | \`${r.technique}\` | ${cell(method)} |`;
  });
  return ["| Rule | Id | Severity | Tactic | Technique | Method |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

/** `doc` with the table between the markers replaced; throws when the markers are missing. */
export function replaceRuleTable(doc: string, table: string): string {
  const begin = doc.indexOf(RULE_TABLE_BEGIN);
  const end = doc.indexOf(RULE_TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`the document has no "${RULE_TABLE_BEGIN}" ... "${RULE_TABLE_END}" markers`);
  return `${doc.slice(0, begin + RULE_TABLE_BEGIN.length)}\n${table}\n${doc.slice(end)}`;
}
