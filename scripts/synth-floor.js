#!/usr/bin/env node
/**
 * The floor of `npm run synth`, for the benchmark: loads cdktf and every provider module the app loads, then
 * synthesizes one empty stack per environment of the config (default: the default example) into a temp folder.
 * Whatever the real synth takes beyond this is the project's own cost.
 *
 * Usage: node scripts/synth-floor.js <provider-modules.json> [environment-count]
 * (`npm run bench` writes the module list from esbuild's metafile of main.ts.)
 */
"use strict";
const { mkdtempSync, rmSync } = require("fs");
const os = require("os");
const path = require("path");

const [modulesFile, countArg] = process.argv.slice(2);
for (const m of require(path.resolve(modulesFile))) require(m);
const { App, TerraformStack } = require("cdktf");
require("constructs");
require("yaml");

const count = Number(countArg ?? 2);
const outdir = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-floor-"));
const app = new App({ outdir });
for (let i = 0; i < count; i++) new TerraformStack(app, `env-${i}`);
app.synth();
rmSync(outdir, { recursive: true, force: true });
