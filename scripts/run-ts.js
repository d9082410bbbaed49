#!/usr/bin/env node
/**
 * Runs a TypeScript entry point of this project from its current sources: `node scripts/run-ts.js main.ts [args]`.
 *
 * The entry and the project files it imports are bundled by esbuild (transpile only, ~0.1 s; packages stay in
 * node_modules), then run in this process. The bundle is kept in node_modules/.cache/eks-audit-siem/ with the hash
 * of every source it was built from, and reused only while all of them hash the same: the command always runs the
 * current sources. Type-checking is not done here: `npm test` and `npm run typecheck` do it.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const Module = require("module");

const [entry, ...args] = process.argv.slice(2);
if (entry === undefined) {
  process.stderr.write("usage: node scripts/run-ts.js <entry.ts> [arguments...]\n");
  process.exit(2);
}
const file = path.resolve(entry);

/** esbuild options; part of the cache key with esbuild's version. */
const OPTIONS = {
  bundle: true,
  platform: "node",
  packages: "external",
  format: "cjs",
  target: "node20",
  write: false,
  metafile: true,
  logLevel: "silent",
};
const root = path.join(__dirname, "..");
const cacheFile = path.join(root, "node_modules", ".cache", "eks-audit-siem", `${sha1(path.relative(root, file))}.json`);
const cacheKey = sha1(JSON.stringify([OPTIONS, require("esbuild/package.json").version]));

function sha1(content) {
  return crypto.createHash("sha1").update(content).digest("hex");
}

/** The bundle built last time, if every source it was built from is unchanged (so never stale). */
function cachedBundle() {
  let cached;
  try {
    cached = JSON.parse(fs.readFileSync(cacheFile, "utf8"));
  } catch {
    return undefined;
  }
  if (cached.key !== cacheKey) return undefined;
  for (const [input, hash] of Object.entries(cached.inputs)) {
    let content;
    try {
      content = fs.readFileSync(path.join(root, input));
    } catch {
      return undefined;
    }
    if (sha1(content) !== hash) return undefined;
  }
  return cached.code;
}

function build() {
  let result;
  try {
    result = require("esbuild").buildSync({ ...OPTIONS, entryPoints: [file], absWorkingDir: root });
  } catch (error) {
    const messages = (error.errors ?? []).map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ""}${e.text}`);
    process.stderr.write(`error: cannot build ${entry}: ${messages.length > 0 ? messages.join("; ") : error.message}\n`);
    process.exit(1);
  }
  const code = result.outputFiles[0].text;
  // The metafile lists every project source in the bundle (packages stay external), relative to the root.
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs)
      .sort()
      .map((input) => [input, sha1(fs.readFileSync(path.join(root, input)))]),
  );
  try {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(`${cacheFile}.tmp`, JSON.stringify({ key: cacheKey, inputs, code }));
    fs.renameSync(`${cacheFile}.tmp`, cacheFile);
  } catch {
    // A read-only node_modules only costs the next run a rebuild.
  }
  return code;
}

const code = cachedBundle() ?? build();

// No source maps: node would parse the inline maps of every package it loads (~40 ms). Errors reach the user as
// one-line messages; for a stack trace into the sources, bundle with a sourcemap while debugging.
const main = new Module(file, null);
main.filename = file;
main.paths = Module._nodeModulePaths(path.dirname(file));
process.argv = [process.argv[0], file, ...args];
// `require.main === module` in the entry holds, as when node runs a file directly.
process.mainModule = main;
main._compile(code, file);
