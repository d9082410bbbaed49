#!/usr/bin/env node
/**
 * npm run generate [-- --check] [-- --accept-removed-addresses]
 * Rewrites every generated artifact (see generate/generate.ts). Reads the TypeScript sources directly
 * (scripts/ts-require.js): no build step, and a rule file added a moment ago is seen.
 *
 * All or nothing: the pack index and every artifact are computed first (the pack is loaded through the new index
 * before it is written), then written. A rule file that does not compile or validate (a duplicate id, an invalid
 * status, a syntax error) stops it with one paragraph, exit 1, and no file is touched.
 */
"use strict";
const path = require("path");
const { useSource } = require("./ts-require");

const ROOT = path.join(__dirname, "..");
const USAGE = "usage: npm run generate [-- --check] [-- --accept-removed-addresses]\n";

function main(argv) {
  const { CommandLineError, parseCommandLine } = require("../lib/cli-args.ts");
  let line;
  try {
    line = parseCommandLine(
      argv,
      { check: { type: "boolean" }, "accept-removed-addresses": { type: "boolean" } },
      "allowed: --check, --accept-removed-addresses",
    );
    if (line.positionals.length > 0)
      throw new CommandLineError(`unexpected argument ${JSON.stringify(line.positionals[0])}; allowed: --check, --accept-removed-addresses`);
  } catch (e) {
    if (!(e instanceof CommandLineError)) throw e;
    process.stderr.write(`generate: ${e.message}\n${USAGE}`);
    return 2;
  }
  const check = line.has("check");
  const accept = line.has("accept-removed-addresses");
  let changed;
  let removedAddresses;
  try {
    // The pack index first: everything else loads the pack through it (from memory until it is written).
    const { packIndexUpdate } = require("../generate/pack-index-writer.ts");
    const index = packIndexUpdate(path.join(ROOT, "pack", "rules"));
    if (index.changed) useSource(index.path, index.content);
    // A rule (or case) that can never fire on EKS is an error, not a table row (pack/eks-samples.ts).
    const { deadPackRules } = require("../pack/eks-samples.ts");
    const dead = deadPackRules();
    if (dead.length > 0) throw new Error(`${dead.length} rule queries can never match on EKS: ${dead.join("; ")}; fix or remove them`);
    const { planArtifacts } = require("../generate/generate.ts");
    const plan = planArtifacts({ projectDir: ROOT, acceptRemovedAddresses: accept });
    changed = [...(index.changed ? [{ relative: path.relative(ROOT, index.path), content: index.content }] : []), ...plan.changed];
    removedAddresses = plan.removedAddresses;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`generate: nothing written: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    return 1;
  }
  if (!check) require("../generate/generate.ts").writeArtifacts(ROOT, changed);
  for (const file of changed) process.stdout.write(`${check ? "stale" : "updated"} ${file.relative}\n`);
  if (changed.length === 0) process.stdout.write("every generated artifact is up to date\n");
  if (removedAddresses.length > 0 && accept) {
    process.stdout.write(removedAddresses.map((a) => `removed from the snapshot (accepted): ${a}\n`).join(""));
  } else if (removedAddresses.length > 0) {
    process.stderr.write(
      `generate: ${removedAddresses.length} snapshotted Terraform address(es) no longer exist; Terraform would destroy these resources:\n` +
        removedAddresses.map((a) => `- ${a}\n`).join("") +
        "kept in the snapshots (the address test fails): restore the construct ids, or add a `moved` block and run npm run generate -- --accept-removed-addresses\n",
    );
    return 1;
  }
  if (check && changed.length > 0) {
    process.stderr.write("generate: stale generated artifacts; run npm run generate\n");
    return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
