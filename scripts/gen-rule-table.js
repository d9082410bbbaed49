#!/usr/bin/env node
/**
 * Prints the Markdown table of the EKS rule pack (rule, id, severity, tactic, technique, method), or writes it
 * into a document between the generated-table markers, or checks that the document is up to date.
 *
 *   node scripts/gen-rule-table.js                           print the table
 *   node scripts/gen-rule-table.js --write docs/cloud-siem.md  rewrite the table in the document
 *   node scripts/gen-rule-table.js --check docs/cloud-siem.md  exit 1 when the document's table is stale
 *
 * Reads the TypeScript sources directly (scripts/ts-require.js), so the table always reflects the current rule
 * files. `npm run generate` rewrites the tables of README.md and docs/cloud-siem.md along with every other
 * generated artifact.
 */
"use strict";
const fs = require("fs");
const path = require("path");
require("./ts-require");

const ROOT = path.join(__dirname, "..");

function main(argv) {
  const { EKS_RULE_PACK } = require(path.join(ROOT, "modules", "cloud-siem", "rules", "index.ts"));
  const { renderRuleTable, replaceRuleTable } = require(path.join(ROOT, "modules", "cloud-siem", "rule-table.ts"));
  const table = renderRuleTable(EKS_RULE_PACK);
  const [mode, target] = argv;
  if (mode === undefined) {
    process.stdout.write(`${table}\n`);
    return 0;
  }
  if ((mode !== "--write" && mode !== "--check") || target === undefined || argv.length !== 2) {
    process.stderr.write("usage: node scripts/gen-rule-table.js [--write <doc.md> | --check <doc.md>]\n");
    return 2;
  }
  const doc = fs.readFileSync(target, "utf8");
  const updated = replaceRuleTable(doc, table);
  if (mode === "--write") {
    if (updated !== doc) fs.writeFileSync(target, updated);
    process.stdout.write(`${updated === doc ? "unchanged" : "updated"} ${target} (${EKS_RULE_PACK.length} rules)\n`);
    return 0;
  }
  if (updated !== doc) {
    process.stderr.write(
      `${target}: the rule table is stale (${EKS_RULE_PACK.length} rules in the pack); run node scripts/gen-rule-table.js --write ${target}\n`,
    );
    return 1;
  }
  process.stdout.write(`${target}: the rule table is up to date (${EKS_RULE_PACK.length} rules)\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`gen-rule-table: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
