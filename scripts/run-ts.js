#!/usr/bin/env node
/**
 * Runs a TypeScript entry point of this project from its current sources: `node scripts/run-ts.js main.ts [args]`.
 *
 * The entry and the project files it imports are bundled in memory by esbuild (transpile only, ~0.1 s; packages stay
 * in node_modules), then run in this process. Nothing is written to disk, so the command can never run stale
 * output. Type-checking is not done here: `npm test` and `npm run typecheck` do it.
 */
"use strict";
const path = require("path");
const Module = require("module");

const [entry, ...args] = process.argv.slice(2);
if (entry === undefined) {
  process.stderr.write("usage: node scripts/run-ts.js <entry.ts> [arguments...]\n");
  process.exit(2);
}
const file = path.resolve(entry);

let code;
try {
  code = require("esbuild").buildSync({
    entryPoints: [file],
    bundle: true,
    platform: "node",
    packages: "external",
    format: "cjs",
    target: "node20",
    write: false,
    sourcemap: "inline",
    sourcesContent: false,
    logLevel: "silent",
  }).outputFiles[0].text;
} catch (error) {
  const messages = (error.errors ?? []).map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ""}${e.text}`);
  process.stderr.write(`error: cannot build ${entry}: ${messages.length > 0 ? messages.join("; ") : error.message}\n`);
  process.exit(1);
}

process.setSourceMapsEnabled(true); // stack traces point at the .ts sources
const main = new Module(file, null);
main.filename = file;
main.paths = Module._nodeModulePaths(path.dirname(file));
process.argv = [process.argv[0], file, ...args];
// `require.main === module` in the entry holds, as when node runs a file directly.
process.mainModule = main;
main._compile(code, file);
