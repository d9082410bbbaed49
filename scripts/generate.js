#!/usr/bin/env node
/**
 * npm run generate [-- --check] [-- --accept-removed-addresses]
 * Rewrites every generated artifact (see tools/generate.ts). Reads the TypeScript sources directly
 * (scripts/ts-require.js): no build step, and a rule file added a moment ago is seen.
 */
"use strict";
const path = require("path");
require("./ts-require");

const ROOT = path.join(__dirname, "..");
const USAGE = "usage: npm run generate [-- --check] [-- --accept-removed-addresses]\n";

function main(argv) {
  const unknown = argv.filter((a) => a !== "--check" && a !== "--accept-removed-addresses");
  if (unknown.length > 0) {
    process.stderr.write(`generate: unknown option ${unknown[0]}\n${USAGE}`);
    return 2;
  }
  const check = argv.includes("--check");
  // The pack index first: everything else loads the pack through it.
  const { writePackIndex } = require("../tools/pack-index-writer.ts");
  const indexChanged = writePackIndex(path.join(ROOT, "modules", "cloud-siem", "rules"), check);
  // A rule (or case) that can never fire on EKS is an error, not a table row (modules/cloud-siem/eks-samples.ts).
  const { deadPackRules } = require("../modules/cloud-siem/eks-samples.ts");
  const dead = deadPackRules();
  if (dead.length > 0) {
    process.stderr.write(
      `generate: ${dead.length} rule queries can never match on EKS:\n${dead.map((d) => `- ${d}\n`).join("")}fix or remove them\n`,
    );
    return 1;
  }
  const { generateArtifacts } = require("../tools/generate.ts");
  const accept = argv.includes("--accept-removed-addresses");
  const result = generateArtifacts({ projectDir: ROOT, check, acceptRemovedAddresses: accept });
  const changed = [...(indexChanged ? ["modules/cloud-siem/rules/index.ts"] : []), ...result.changed];
  for (const file of changed) process.stdout.write(`${check ? "stale" : "updated"} ${file}\n`);
  if (changed.length === 0) process.stdout.write("every generated artifact is up to date\n");
  if (result.removedAddresses.length > 0 && accept) {
    process.stdout.write(result.removedAddresses.map((a) => `removed from the snapshot (accepted): ${a}\n`).join(""));
  } else if (result.removedAddresses.length > 0) {
    process.stderr.write(
      `generate: ${result.removedAddresses.length} snapshotted Terraform address(es) no longer exist; Terraform would destroy these resources:\n` +
        result.removedAddresses.map((a) => `- ${a}\n`).join("") +
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
