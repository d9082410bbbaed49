#!/usr/bin/env node
/**
 * Benchmark of the iteration loop: median wall time (and peak RSS where /usr/bin/time exists) of
 *   - `node dist/main.js`       the synth itself, already compiled
 *   - `npm run synth`            incremental tsc + synth (the documented fast path)
 *   - `npx cdktf synth`          the cdktf CLI path
 *   - `npm test`                 the whole suite (terraform tier included when terraform is on the PATH)
 * on the default example. Numbers go to stdout as a Markdown table, with the machine's core count.
 *
 * Usage: npm run bench [-- --runs N] [-- --test-runs N] [-- --skip-test]
 * Not part of `npm test`: speed is measured here, never asserted in timed tests.
 */
const { spawnSync } = require("child_process");
const { existsSync } = require("fs");
const os = require("os");
const path = require("path");

const root = path.join(__dirname, "..");
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`bench: ${name} needs a positive integer; received ${JSON.stringify(args[i + 1])}\n`);
    process.exit(2);
  }
  return n;
};
const runs = flag("--runs", 5);
const testRuns = flag("--test-runs", 3);
const skipTest = args.includes("--skip-test");
const timeBin = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

function measure(label, command, commandArgs, n) {
  const times = [];
  const rss = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    const r = timeBin
      ? spawnSync(timeBin, ["-f", "%M", command, ...commandArgs], { cwd: root, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" }, maxBuffer: 1 << 28 })
      : spawnSync(command, commandArgs, { cwd: root, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" }, maxBuffer: 1 << 28 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) {
      process.stderr.write(`bench: ${label} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}\n`);
      process.exit(1);
    }
    times.push(seconds);
    if (timeBin) rss.push(Number(r.stderr.trim().split("\n").pop()) / 1024);
    process.stderr.write(`  ${label} run ${i + 1}/${n}: ${seconds.toFixed(2)} s\n`);
  }
  return { label, n, median: median(times), min: Math.min(...times), max: Math.max(...times), rss: rss.length > 0 ? median(rss) : undefined };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

process.stderr.write("bench: compiling once so every measured run starts warm\n");
spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });

const results = [
  measure("node dist/main.js (synth only)", "node", ["dist/main.js"], runs),
  measure("npm run synth (tsc incremental + synth)", "npm", ["run", "--silent", "synth"], runs),
  measure("npx cdktf synth", "npx", ["cdktf", "synth"], Math.min(runs, 3)),
];
if (!skipTest) results.push(measure("npm test", "npm", ["test", "--silent"], testRuns));

const cpu = os.cpus();
console.log(`Machine: ${cpu.length} cores (${cpu[0] ? cpu[0].model.trim() : "unknown CPU"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)} at the end`);
console.log("");
console.log("| command | runs | median (s) | min (s) | max (s) | peak RSS, median (MB; of the timed process tree's largest process) |");
console.log("|---|---|---|---|---|---|");
for (const r of results) {
  console.log(`| \`${r.label}\` | ${r.n} | ${r.median.toFixed(2)} | ${r.min.toFixed(2)} | ${r.max.toFixed(2)} | ${r.rss === undefined ? "n/a" : r.rss.toFixed(0)} |`);
}
