#!/usr/bin/env node
/**
 * Validates GitHub Actions workflow files with GitHub's own parser (`@actions/workflow-parser`, the schema the
 * Actions service and the VS Code extension use): `node scripts/validate-workflows.js <file>...`.
 *
 * Prints one JSON object, { "<file>": { "errors": [...], "jobs": [{ id, needs }] } },
 * and exits 1 when any file has errors.
 *
 * The parser ships as ES modules that import JSON without import attributes, which Node 20 refuses; esbuild (already
 * the project's TypeScript runner) bundles it in memory into one CommonJS module first.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const Module = require("module");

function loadParser() {
  const code = require("esbuild").buildSync({
    stdin: { contents: 'export * from "@actions/workflow-parser";', resolveDir: path.join(__dirname, ".."), loader: "js" },
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    write: false,
    logLevel: "silent",
  }).outputFiles[0].text;
  const m = new Module(path.join(__dirname, "workflow-parser.bundle.js"), module);
  m._compile(code, m.id);
  return m.exports;
}

async function main(files) {
  if (files.length === 0) {
    process.stderr.write("usage: node scripts/validate-workflows.js <workflow.yml>...\n");
    return 2;
  }
  const { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } = loadParser();
  const out = {};
  let failed = false;
  for (const file of files) {
    const parsed = parseWorkflow({ name: file, content: fs.readFileSync(file, "utf8") }, new NoOperationTraceWriter());
    const errors = parsed.context.errors.getErrors().map((e) => e.message);
    let jobs = [];
    if (parsed.value !== undefined) {
      const template = await convertWorkflowTemplate(parsed.context, parsed.value);
      for (const e of template.errors ?? []) if (!errors.includes(e.Message)) errors.push(e.Message);
      jobs = (template.jobs ?? []).map((j) => ({
        id: j.id.value,
        needs: (j.needs ?? []).map((n) => n.value),
      }));
    }
    if (errors.length > 0) failed = true;
    out[file] = { errors, jobs };
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`validate-workflows: ${e.message}\n`);
    process.exitCode = 1;
  },
);
