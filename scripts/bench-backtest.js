#!/usr/bin/env node
/**
 * Benchmark of `rules backtest` with both engines against a plain single-threaded `JSON.parse` pass, on the synthetic
 * EKS audit log of `scripts/bench-rules-match.js` (same generator, same seed). Not part of `npm test`.
 *
 *   node scripts/bench-backtest.js [--events 1000000] [--runs 3] [--memory-limit 1GB] [--threads <n>] [--rule <id>]... [--keep]
 *
 * Each run is its own process: (a) baseline read + JSON.parse; (b) `rules backtest --engine node`; (c) `rules backtest
 * --engine duckdb --memory-limit <size>`; every rule of the pack, or the `--rule` ones (what one rule costs is the
 * engines' floor: reading, parsing, classifying and timing every line). Runs alternate between the cases. Prints medians
 * (wall, events/s, CPU) and peak RSS (DuckDB's native memory included), the machine and the load average before and
 * after (other processes share the cores).
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { generate, median, runOnce, BASELINE, PRELOAD } = require("./bench-rules-match.js");

const ROOT = path.resolve(__dirname, "..");
const RULES = [path.join(ROOT, "scripts/run-ts.js"), "tools/rules/cli.ts"];

function parseArgs(argv) {
  const opts = { events: 1_000_000, runs: 3, memoryLimit: "1GB", threads: undefined, rules: [], keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--events") opts.events = Number(argv[++i]);
    else if (a === "--runs") opts.runs = Number(argv[++i]);
    else if (a === "--memory-limit") opts.memoryLimit = argv[++i];
    else if (a === "--threads") opts.threads = Number(argv[++i]);
    else if (a === "--rule" && argv[i + 1] !== undefined && !argv[i + 1].startsWith("--")) opts.rules.push(argv[++i]);
    else if (a === "--keep") opts.keep = true;
    else {
      process.stderr.write(
        `bench-backtest: unknown argument ${JSON.stringify(a)}; allowed: --events <n>, --runs <n>, --memory-limit <size>, --threads <n>, --rule <id>, --keep\n`,
      );
      process.exit(2);
    }
  }
  if (!Number.isInteger(opts.events) || opts.events <= 0 || !Number.isInteger(opts.runs) || opts.runs <= 0) {
    process.stderr.write("bench-backtest: --events and --runs must be positive integers\n");
    process.exit(2);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const warm = spawnSync(process.execPath, [...RULES, "--help"], { cwd: ROOT, stdio: "ignore" });
  if (warm.status !== 0) {
    process.stderr.write("bench-backtest: `node scripts/run-ts.js tools/rules/cli.ts --help` failed; fix it first\n");
    process.exit(1);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-backtest-"));
  const file = path.join(dir, "audit.jsonl");
  const preload = path.join(dir, "preload.js");
  const baseline = path.join(dir, "baseline.js");
  fs.writeFileSync(preload, PRELOAD);
  fs.writeFileSync(baseline, BASELINE);
  try {
    process.stderr.write(`generating ${opts.events} events...\n`);
    await generate(file, opts.events, false);
    const sizeMb = fs.statSync(file).size / 1048576;
    const threads = opts.threads === undefined ? [] : ["--threads", String(opts.threads)];
    const rules = opts.rules.flatMap((r) => ["--rule", r]);
    const cases = [
      ["baseline (read + JSON.parse, 1 thread)", [baseline, file]],
      ["rules backtest --engine node", [...RULES, "backtest", "--engine", "node", ...rules, file]],
      [
        `rules backtest --engine duckdb (memory_limit ${opts.memoryLimit})`,
        [...RULES, "backtest", "--engine", "duckdb", "--memory-limit", opts.memoryLimit, ...threads, ...rules, file],
      ],
    ];
    const loadBefore = os.loadavg();
    const runsByCase = cases.map(() => []);
    for (let k = 0; k < opts.runs; k++) {
      for (let c = 0; c < cases.length; c++) {
        process.stderr.write(`${cases[c][0]}: run ${k + 1}/${opts.runs}\n`);
        runsByCase[c].push(await runOnce(cases[c][1], preload, false));
      }
    }
    const loadAfter = os.loadavg();
    // Both engines must report the same per-rule numbers (the engine name aside).
    const lastOut = (c) => runsByCase[c][runsByCase[c].length - 1].stdout.trim().split("\n");
    const strip = (lines) => lines.map((l) => l.replace(/"engine":"(node|duckdb)"/, '"engine":"-"'));
    const same = JSON.stringify(strip(lastOut(1))) === JSON.stringify(strip(lastOut(2)));
    const cpus = os.cpus();
    const rows = cases.map(([label], c) => {
      const runs = runsByCase[c];
      const seconds = median(runs.map((r) => r.seconds));
      return `| ${label} | ${seconds.toFixed(2)} | ${Math.round(median(runs.map((r) => opts.events / r.seconds))).toLocaleString("en-US")} | ${median(runs.map((r) => r.cpuSeconds)).toFixed(2)} | ${Math.max(...runs.map((r) => r.maxRssMb)).toFixed(0)} |`;
    });
    const lines = [
      `machine: ${cpus.length} cores (${cpus[0] ? cpus[0].model.trim() : "unknown"}), ${(os.totalmem() / 1073741824).toFixed(1)} GiB, node ${process.version}, ${os.platform()} ${os.arch()}`,
      `input: ${opts.events} events, ${sizeMb.toFixed(0)} MiB JSONL, ${opts.runs} runs each (medians; peak RSS = max over runs); rules: ${opts.rules.length === 0 ? "the pack" : opts.rules.join(", ")}`,
      `load average (1/5/15 min) before: ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after: ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`,
      "| run | median wall s | median events/s (wall) | median CPU s (user+sys) | peak RSS MiB |",
      "|---|---:|---:|---:|---:|",
      ...rows,
      "",
      `engines agree on every rule: ${same ? "yes" : "NO"}`,
    ];
    process.stdout.write(lines.join("\n") + "\n");
    if (!same) process.exitCode = 1;
  } finally {
    if (opts.keep) process.stderr.write(`kept ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench-backtest: ${e.message}\n`);
  process.exit(1);
});
