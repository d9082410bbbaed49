#!/usr/bin/env node
/**
 * Benchmark of `rules match` against a baseline that only reads the same file line by line and `JSON.parse`s it.
 * Not part of `npm test`.
 *
 *   node scripts/bench-rules-match.js [--events 1000000] [--runs 3] [--gzip] [--per-line] [--keep]
 *
 * Generates a synthetic EKS audit log (mostly reads by system identities, some writes, execs, secrets reads and
 * denials; every 10th line is a CloudWatch export line) in a temporary folder, then runs, each in its own process:
 *   (a) baseline: stream the file (gunzip if --gzip), split lines, JSON.parse each;
 *   (b) `node scripts/run-ts.js tools/rules/cli.ts match --summary <file>` (what `npm run rules` runs; every rule of the
 *       pack);
 *   (c) with --per-line: the same without --summary, stdout to /dev/null.
 * Runs alternate between the cases. Prints the median events/second, wall and CPU time and peak RSS of each, the
 * median CPU ratio of paired runs (rules match / baseline), and the machine's core count.
 * One untimed run first fills the esbuild cache of `scripts/run-ts.js`, as any second run of `npm run rules` finds it.
 */
"use strict";
const { spawnSync, spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const zlib = require("zlib");

const ROOT = path.resolve(__dirname, "..");
/** The command `npm run rules` runs: the current sources, transpiled by esbuild (cached). */
const RULES = [path.join(ROOT, "scripts/run-ts.js"), "tools/rules/cli.ts"];

function parseArgs(argv) {
  const opts = { events: 1_000_000, runs: 3, gzip: false, perLine: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--events") opts.events = Number(argv[++i]);
    else if (a === "--runs") opts.runs = Number(argv[++i]);
    else if (a === "--gzip") opts.gzip = true;
    else if (a === "--per-line") opts.perLine = true;
    else if (a === "--keep") opts.keep = true;
    else {
      process.stderr.write(
        `bench-rules-match: unknown argument ${JSON.stringify(a)}; allowed: --events <n>, --runs <n>, --gzip, --per-line, --keep\n`,
      );
      process.exit(2);
    }
  }
  if (!Number.isInteger(opts.events) || opts.events <= 0 || !Number.isInteger(opts.runs) || opts.runs <= 0) {
    process.stderr.write("bench-rules-match: --events and --runs must be positive integers\n");
    process.exit(2);
  }
  return opts;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run benchmarks the same file. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USERS = [
  { username: "system:node:ip-10-0-12-7.ec2.internal", groups: ["system:nodes", "system:authenticated"], weight: 30 },
  { username: "system:serviceaccount:kube-system:coredns", groups: ["system:serviceaccounts", "system:authenticated"], weight: 15 },
  { username: "system:kube-controller-manager", groups: ["system:authenticated"], weight: 20 },
  { username: "system:kube-scheduler", groups: ["system:authenticated"], weight: 10 },
  { username: "eks:cloud-controller-manager", groups: ["system:authenticated"], weight: 8 },
  { username: "system:serviceaccount:monitoring:datadog-agent", groups: ["system:serviceaccounts", "system:authenticated"], weight: 10 },
  { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"], arn: "arn:aws:iam::111122223333:user/alice", weight: 3 },
  {
    username: "arn:aws:sts::111122223333:assumed-role/developer/{n}",
    groups: ["developers", "system:authenticated"],
    arn: "arn:aws:sts::111122223333:assumed-role/developer/{n}",
    weight: 4,
  },
];
const TOTAL_WEIGHT = USERS.reduce((s, u) => s + u.weight, 0);
const RESOURCES = ["pods", "configmaps", "leases", "endpoints", "nodes", "secrets", "services", "deployments", "events", "serviceaccounts"];
const NAMESPACES = ["default", "kube-system", "monitoring", "payments", "web"];
const READ_VERBS = ["get", "list", "watch"];
const WRITE_VERBS = ["create", "update", "patch", "delete"];

function makeEvent(r, i, t0) {
  let pick = r() * TOTAL_WEIGHT;
  let user = USERS[0];
  for (const u of USERS) {
    pick -= u.weight;
    if (pick <= 0) {
      user = u;
      break;
    }
  }
  const n = String(Math.floor(r() * 40));
  const username = user.username.replace("{n}", `dev${n}`);
  const resource = RESOURCES[Math.floor(r() * RESOURCES.length)];
  const namespace = NAMESPACES[Math.floor(r() * NAMESPACES.length)];
  const x = r();
  const exec = x < 0.002;
  const verb = exec ? "create" : x < 0.85 ? READ_VERBS[Math.floor(r() * 3)] : WRITE_VERBS[Math.floor(r() * 4)];
  const denied = r() < 0.01;
  const name = `${resource.slice(0, -1)}-${Math.floor(r() * 500)}`;
  const ts = new Date(t0 + i * 500).toISOString().replace("Z", "000Z");
  const event = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "Metadata",
    auditID: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    stage: "ResponseComplete",
    requestURI: exec
      ? `/api/v1/namespaces/${namespace}/pods/${name}/exec?command=sh&stdin=true&tty=true`
      : `/api/v1/namespaces/${namespace}/${resource}${verb === "list" || verb === "watch" ? "?limit=500" : `/${name}`}`,
    verb,
    user: {
      username,
      uid: `aws-iam-authenticator:111122223333:AIDA${n}`,
      groups: user.groups,
      ...(user.arn ? { extra: { arn: [user.arn.replace("{n}", `dev${n}`)], sessionName: [`dev${n}`], accessKeyId: ["ASIAEXAMPLE"] } } : {}),
    },
    sourceIPs: [`10.0.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`],
    userAgent: "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350",
    objectRef: exec
      ? { resource: "pods", namespace, name, apiVersion: "v1", subresource: "exec" }
      : { resource, namespace, ...(verb === "list" || verb === "watch" ? {} : { name }), apiVersion: "v1" },
    responseStatus: denied ? { metadata: {}, status: "Failure", reason: "Forbidden", code: 403 } : { metadata: {}, code: exec ? 101 : 200 },
    requestReceivedTimestamp: ts,
    stageTimestamp: ts,
    annotations: { "authorization.k8s.io/decision": denied ? "forbid" : "allow", "authorization.k8s.io/reason": "" },
  };
  if (i % 10 === 9) {
    return JSON.stringify({ timestamp: t0 + i * 500, message: JSON.stringify(event), logStreamName: "kube-apiserver-audit-0123456789abcdef" });
  }
  return JSON.stringify(event);
}

async function generate(file, events, gzip) {
  const r = rng(42);
  const t0 = Date.UTC(2026, 10, 1);
  const out = fs.createWriteStream(file);
  const sink = gzip ? zlib.createGzip({ level: 6 }) : out;
  if (gzip) sink.pipe(out);
  let buf = "";
  for (let i = 0; i < events; i++) {
    buf += makeEvent(r, i, t0) + "\n";
    if (buf.length > 1 << 20) {
      if (!sink.write(buf)) await new Promise((res) => sink.once("drain", res));
      buf = "";
    }
  }
  sink.end(buf);
  await new Promise((res) => out.on("finish", res));
}

const BASELINE = `
"use strict";
const fs = require("fs");
const zlib = require("zlib");
const { pipeline } = require("stream");
const file = process.argv[2];
(async () => {
  const head = Buffer.alloc(2);
  const fd = fs.openSync(file, "r");
  fs.readSync(fd, head, 0, 2, 0);
  fs.closeSync(fd);
  let input = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  if (head[0] === 0x1f && head[1] === 0x8b) input = pipeline(input, zlib.createGunzip({ chunkSize: 1 << 20 }), () => {});
  input.setEncoding("utf8");
  let rest = "", n = 0;
  for await (const chunk of input) {
    let start = 0, nl = chunk.indexOf("\\n");
    if (nl >= 0 && rest.length > 0) { JSON.parse(rest + chunk.slice(0, nl)); n++; rest = ""; start = nl + 1; nl = chunk.indexOf("\\n", start); }
    while (nl >= 0) { const line = chunk.slice(start, nl); if (line.length > 0) { JSON.parse(line); n++; } start = nl + 1; nl = chunk.indexOf("\\n", start); }
    rest = start < chunk.length ? rest + chunk.slice(start) : rest;
  }
  if (rest.length > 0) { JSON.parse(rest); n++; }
  process.stderr.write("parsed " + n + "\\n");
})();
`;

const PRELOAD =
  'process.on("exit", () => { const u = process.resourceUsage(); require("fs").writeSync(2, "\\nBENCH_MAXRSS_KB=" + u.maxRSS + " BENCH_CPU_US=" + (u.userCPUTime + u.systemCPUTime) + "\\n"); });\n';

function runOnce(args, preload, stdoutToNull) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ["-r", preload, ...args], {
      cwd: ROOT,
      stdio: ["ignore", stdoutToNull ? "ignore" : "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    if (child.stdout) child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const m = /BENCH_MAXRSS_KB=(\d+) BENCH_CPU_US=(\d+)/.exec(stderr);
      if (code !== 0) return reject(new Error(`${args.join(" ")} exited ${code}: ${stderr.slice(0, 500)}`));
      resolve({ seconds, maxRssMb: m ? Number(m[1]) / 1024 : NaN, cpuSeconds: m ? Number(m[2]) / 1e6 : NaN, stdout });
    });
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  process.stderr.write("warming the esbuild cache (scripts/run-ts.js tools/rules/cli.ts --help)...\n");
  const warm = spawnSync(process.execPath, [path.join(ROOT, "scripts/run-ts.js"), "tools/rules/cli.ts", "--help"], { cwd: ROOT, stdio: "ignore" });
  if (warm.status !== 0) {
    process.stderr.write("bench-rules-match: `node scripts/run-ts.js tools/rules/cli.ts --help` failed; fix it first\n");
    process.exit(1);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-rules-match-"));
  const file = path.join(dir, opts.gzip ? "audit.jsonl.gz" : "audit.jsonl");
  const preload = path.join(dir, "preload.js");
  const baseline = path.join(dir, "baseline.js");
  fs.writeFileSync(preload, PRELOAD);
  fs.writeFileSync(baseline, BASELINE);
  try {
    process.stderr.write(`generating ${opts.events} events${opts.gzip ? " (gzip)" : ""}...\n`);
    await generate(file, opts.events, opts.gzip);
    const sizeMb = fs.statSync(file).size / 1048576;
    const loadBefore = os.loadavg();
    const cases = [
      ["baseline (read + JSON.parse)", [baseline, file], false],
      ["rules match --summary", [...RULES, "match", "--summary", file], false],
    ];
    if (opts.perLine) cases.push(["rules match (per line, stdout to /dev/null)", [...RULES, "match", file], true]);
    const results = [];
    // Runs alternate between the cases (a, b, a, b, ...), so a change in the machine's load hits each case alike.
    const runsByCase = cases.map(() => []);
    for (let k = 0; k < opts.runs; k++) {
      for (let c = 0; c < cases.length; c++) {
        const [label, args, toNull] = cases[c];
        process.stderr.write(`${label}: run ${k + 1}/${opts.runs}\n`);
        runsByCase[c].push(await runOnce(args, preload, toNull));
      }
    }
    cases.forEach(([label], c) => {
      const runs = runsByCase[c];
      if (label.startsWith("rules match --summary")) {
        const total = runs[runs.length - 1].stdout.trim().split("\n").pop();
        process.stderr.write(`  ${total}\n`);
      }
      results.push({
        label,
        seconds: median(runs.map((r) => r.seconds)),
        eventsPerSecond: median(runs.map((r) => opts.events / r.seconds)),
        cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
        maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)),
      });
    });
    const cpus = os.cpus();
    const lines = [
      `machine: ${cpus.length} cores (${cpus[0] ? cpus[0].model.trim() : "unknown"}), node ${process.version}, ${os.platform()} ${os.arch()}`,
      `input: ${opts.events} events, ${sizeMb.toFixed(1)} MiB${opts.gzip ? " gzip" : ""}, ${opts.runs} runs each (medians; peak RSS = max over runs)`,
      `load average before the runs: ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`,
      "| run | median wall s | median events/s (wall) | median CPU s (user+sys) | peak RSS MiB |",
      "|---|---:|---:|---:|---:|",
      ...results.map(
        (r) =>
          `| ${r.label} | ${r.seconds.toFixed(2)} | ${Math.round(r.eventsPerSecond).toLocaleString("en-US")} | ${r.cpuSeconds.toFixed(2)} | ${r.maxRssMb.toFixed(0)} |`,
      ),
      "",
      ...runsByCase.slice(1).map((runs, c) => {
        const paired = runs.map((r, k) => r.cpuSeconds / runsByCase[0][k].cpuSeconds);
        return `${cases[c + 1][0]} / baseline, CPU: ${median(paired).toFixed(2)}x (median of ${paired.length} paired runs; goal 1.5x, never above 2x)`;
      }),
    ];
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    if (opts.keep) process.stderr.write(`kept ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`bench-rules-match: ${e.message}\n`);
    process.exit(1);
  });
}

// `scripts/bench-backtest.js` benchmarks the same synthetic log.
module.exports = { generate, median, runOnce, BASELINE, PRELOAD };
