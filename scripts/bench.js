#!/usr/bin/env node
/**
 * Benchmark of synthesis: median wall time and median peak RSS (of the largest process, from /usr/bin/time) of
 *   - the default example: `npm run synth`, the same without npm (`node scripts/run-ts.js main.ts`), and a floor
 *     program that only loads cdktf and the same provider modules and synthesizes empty stacks
 *     (`scripts/synth-floor.js`); npm's own start-up (`npm run env`); the ratio synth / floor; `npx cdktf synth`;
 *   - scale: 1, 10, 50 and 100 environments x 3 clusters with the full rule pack (`scripts/bench-config.js`);
 *   - `npm test` (unless --skip-test).
 * The runs of the default example alternate between its commands. Markdown on stdout, with the machine. Not part of
 * `npm test`: speed is measured here, never asserted in tests.
 *
 * Usage: npm run bench [-- --runs N] [-- --test-runs N] [-- --skip-test] [-- --skip-cli] [-- --sizes 1,10,50,100]
 */
"use strict";
const { spawnSync } = require("child_process");
const { existsSync, mkdtempSync, rmSync, writeFileSync } = require("fs");
const os = require("os");
const path = require("path");
const { benchConfig } = require("./bench-config");

const root = path.join(__dirname, "..");
const args = process.argv.slice(2);
const KNOWN = new Set(["--runs", "--test-runs", "--skip-test", "--skip-cli", "--sizes"]);
for (const a of args) {
  if (a.startsWith("--") && !KNOWN.has(a)) {
    process.stderr.write(`bench: unknown option ${a}; allowed: ${[...KNOWN].join(", ")}\n`);
    process.exit(2);
  }
}
const positive = (name, fallback) => {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`bench: ${name} needs a positive integer; received ${JSON.stringify(args[i + 1])}\n`);
    process.exit(2);
  }
  return n;
};
const runs = positive("--runs", 5);
const testRuns = positive("--test-runs", 3);
const sizesArg = args.includes("--sizes") ? (args[args.indexOf("--sizes") + 1] ?? "") : "1,10,50,100";
if (!/^[1-9]\d*(,[1-9]\d*)*$/.test(sizesArg)) {
  process.stderr.write(`bench: --sizes needs a comma-separated list of positive integers; received ${JSON.stringify(sizesArg)}\n`);
  process.exit(2);
}
const sizes = sizesArg.split(",").map(Number);
const timeBin = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const work = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-bench-"));
const baseEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
delete baseEnv.EKS_AUDIT_SIEM_CONFIG;
delete baseEnv.CDKTF_OUTDIR;

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a command once: wall seconds and peak RSS (MB, when /usr/bin/time exists). */
function runOnce(label, command, commandArgs, env) {
  const start = process.hrtime.bigint();
  const options = { cwd: root, encoding: "utf8", env: { ...baseEnv, ...env }, maxBuffer: 1 << 28 };
  const r = timeBin ? spawnSync(timeBin, ["-f", "%M", command, ...commandArgs], options) : spawnSync(command, commandArgs, options);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) {
    process.stderr.write(`bench: ${label} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}\n`);
    process.exit(1);
  }
  return { seconds, rss: timeBin ? Number(r.stderr.trim().split("\n").pop()) / 1024 : undefined };
}

/**
 * Runs each case n times, alternating between the cases (a, b, c, a, b, c, ...) so a change of the machine's load
 * hits every case alike; per case the median wall seconds and median peak RSS (MB).
 */
function measureAll(cases, n) {
  const samples = cases.map(() => []);
  for (let i = 0; i < n; i++) {
    cases.forEach((c, k) => {
      const sample = runOnce(c.label, c.command, c.args, c.env ?? {});
      samples[k].push(sample);
      process.stderr.write(`  ${c.label} run ${i + 1}/${n}: ${sample.seconds.toFixed(2)} s\n`);
    });
  }
  return cases.map((c, k) => {
    const times = samples[k].map((x) => x.seconds);
    const rss = samples[k].map((x) => x.rss).filter((x) => x !== undefined);
    return {
      label: c.label,
      n,
      median: median(times),
      min: Math.min(...times),
      max: Math.max(...times),
      rss: rss.length > 0 ? median(rss) : undefined,
    };
  });
}

/** Runs a command n times; median wall seconds and median peak RSS (MB). */
function measure(label, command, commandArgs, n, env = {}) {
  return measureAll([{ label, command, args: commandArgs, env }], n)[0];
}

/** The provider modules main.ts loads, for the floor program (from esbuild's metafile of the app). */
function providerModules() {
  const result = require("esbuild").buildSync({
    entryPoints: [path.join(root, "main.ts")],
    bundle: true,
    platform: "node",
    packages: "external",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const modules = new Set();
  for (const input of Object.values(result.metafile.inputs))
    for (const i of input.imports) if (i.external && i.path.startsWith("@cdktf/")) modules.add(i.path);
  const file = path.join(work, "provider-modules.json");
  writeFileSync(file, JSON.stringify([...modules].sort()));
  return file;
}

const seconds = (x) => x.toFixed(2);
const mb = (r) => (r.rss === undefined ? "n/a" : r.rss.toFixed(0));
try {
  process.stderr.write("bench: one warm-up synth (fills the esbuild cache, like any second run)\n");
  measure("warm-up", "node", ["scripts/run-ts.js", "main.ts"], 1);

  const modulesFile = providerModules();
  const [floor, direct, npmSynth, npmOnly] = measureAll(
    [
      { label: "floor: cdktf + provider modules, 2 empty stacks", command: "node", args: ["scripts/synth-floor.js", modulesFile, "2"] },
      { label: "node scripts/run-ts.js main.ts", command: "node", args: ["scripts/run-ts.js", "main.ts"] },
      { label: "npm run synth", command: "npm", args: ["run", "--silent", "synth"] },
      // npm's own start-up, through the same run-script path (`env` is npm's built-in script).
      { label: "npm run env (npm's own start-up)", command: "npm", args: ["run", "--silent", "env"] },
    ],
    runs,
  );
  const defaults = [floor, direct, npmSynth, npmOnly];
  if (!args.includes("--skip-cli")) defaults.push(measure("npx cdktf synth", "npx", ["cdktf", "synth"], Math.min(runs, 3)));

  const scale = sizes.map((n) => {
    const config = path.join(work, `bench-${n}.json`);
    writeFileSync(config, JSON.stringify(benchConfig(n)));
    const r = measure(`${n} environment(s) x 3 clusters`, "node", ["scripts/run-ts.js", "main.ts"], Math.min(runs, 3), {
      EKS_AUDIT_SIEM_CONFIG: config,
      CDKTF_OUTDIR: path.join(work, `out-${n}`),
    });
    return { ...r, environments: n };
  });
  const tests = args.includes("--skip-test") ? undefined : measure("npm test", "npm", ["test", "--silent"], testRuns);

  const cpu = os.cpus();
  console.log(
    `Machine: ${cpu.length} cores (${cpu[0] ? cpu[0].model.trim() : "unknown CPU"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)} at the end`,
  );
  console.log("");
  console.log("Default example (2 environments):");
  console.log("");
  console.log("| command | runs | median (s) | min (s) | max (s) | peak RSS, median (MB) |");
  console.log("|---|---|---|---|---|---|");
  for (const r of [...defaults, ...(tests ? [tests] : [])])
    console.log(`| \`${r.label}\` | ${r.n} | ${seconds(r.median)} | ${seconds(r.min)} | ${seconds(r.max)} | ${mb(r)} |`);
  console.log("");
  console.log(
    `Synth / floor: ${(direct.median / floor.median).toFixed(2)}x without npm; through npm ${(npmSynth.median / floor.median).toFixed(2)}x, ` +
      `or ${((npmSynth.median - npmOnly.median) / floor.median).toFixed(2)}x without npm's own start-up (goal 1.3x, never above 2x).`,
  );
  console.log("");
  console.log("Scale (environments x 3 clusters, full rule pack; `node scripts/run-ts.js main.ts`):");
  console.log("");
  console.log("| environments | runs | median (s) | per environment (ms) | peak RSS, median (MB) |");
  console.log("|---|---|---|---|---|");
  for (const r of scale)
    console.log(`| ${r.environments} | ${r.n} | ${seconds(r.median)} | ${((r.median * 1000) / r.environments).toFixed(0)} | ${mb(r)} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
