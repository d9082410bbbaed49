/**
 * `rules backtest`: the Datadog archive layout (dt=/hour= partitions, gzip and zstd), partition pruning for
 * --from/--to (counted files), both engines and both input forms agreeing, S3 as far as offline allows, and the
 * one-paragraph errors for bad arguments and inputs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as zlib from "zlib";
import { gzipSync } from "zlib";
import { normalizeAuditEvent } from "../lib/audit";
import { logToArchiveLine } from "../lib/backtest/archive";
import { BacktestDb, s3SecretSql } from "../lib/backtest/duckdb";
import { resolveInputs } from "../lib/backtest/inputs";
import { defineRule } from "../modules/cloud-siem/rule-model";
import { EKS_RULE_PACK } from "../pack/rules";
import { runBacktest } from "../tools/rules/backtest";
import { sink } from "./helpers/sink";

jest.setTimeout(120_000);

const PACK = EKS_RULE_PACK.map(defineRule);
const resolveRules = () => PACK;
const DAYS = ["20261101", "20261102", "20261103"];
let root: string;

async function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const code = await runBacktest(args, { stdout: out.stream, stderr: err.stream }, resolveRules);
  return { code, stdout: out.text().split(root).join("<root>"), stderr: err.text().split(root).join("<root>") };
}

/** The positive samples of the pack, restamped at `day`/`hour`. */
function rawEvents(day: number, hour: number): Record<string, unknown>[] {
  return PACK.flatMap((r) => r.samples.positive.map((s) => s.event)).map((e, i) => {
    const ts = new Date(Date.UTC(2026, 10, 1 + day, hour, 0, i)).toISOString();
    return { ...e, stageTimestamp: ts, requestReceivedTimestamp: ts };
  });
}

const toLines = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x)).join("\n") + "\n";

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "backtest-cli-"));
  const db = await BacktestDb.open({ threads: 1 });
  for (const [d, day] of DAYS.entries()) {
    for (const hour of [0, 13]) {
      const dir = join(root, "archive", `dt=${day}`, `hour=${String(hour).padStart(2, "0")}`);
      mkdirSync(dir, { recursive: true });
      const archived = rawEvents(d, hour).map((e, i) => logToArchiveLine(normalizeAuditEvent(e), `${day}-${hour}-${i}`));
      if (hour === 0) {
        writeFileSync(join(dir, "archive_000001.0000.6a1c.json.gz"), gzipSync(toLines(archived)));
      } else {
        // zstd (Datadog's default archive compression), written by DuckDB itself: Node 20's zlib has no zstd.
        const plain = join(dir, "lines.txt");
        writeFileSync(plain, toLines(archived));
        await db.run(
          `COPY (SELECT line FROM read_csv('${plain}', columns = {'line': 'VARCHAR'}, header = false, delim = E'\\x01', quote = '', escape = '', auto_detect = false))
           TO '${join(dir, "archive_130001.0000.9f3e.json.zst")}' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER E'\\x01', COMPRESSION zstd)`,
        );
        rmSync(plain);
      }
    }
  }
  await db.close();
  // The same events as raw audit events: day 2 as plain JSONL, as CloudWatch export lines, gzip.
  const day2 = [...rawEvents(1, 0), ...rawEvents(1, 13)];
  writeFileSync(join(root, "raw-day2.jsonl"), toLines(day2));
  writeFileSync(
    join(root, "raw-day2-export.log.gz"),
    gzipSync(day2.map((e) => `${String(e.stageTimestamp)} ${JSON.stringify(e)}`).join("\n") + "\n"),
  );
  writeFileSync(join(root, "mislabelled.json"), gzipSync("{}\n"));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const totals = (stdout: string) => (JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { backtest: Record<string, number> }).backtest;
const ruleLines = (stdout: string) => stdout.trim().split("\n").slice(0, -1);

test("a one-day backtest of the archive layout reads that day's files only (gzip and zstd), and equals the raw events' backtest", async () => {
  const oneDay = await run(["--from", "2026-11-02", "--to", "2026-11-02", join(root, "archive")]);
  expect(oneDay.stderr).toBe("");
  expect(oneDay.code).toBe(0);
  expect(totals(oneDay.stdout)).toEqual({
    engine: "duckdb",
    files: 2,
    lines: 2 * rawEvents(0, 0).length,
    events: 2 * rawEvents(0, 0).length,
    errors: 0,
    days: 1,
  });
  const all = await run([join(root, "archive")]);
  expect(totals(all.stdout)).toMatchObject({ files: 6, days: 3 });
  // The archived (processed) logs and the raw events of that day give the same per-rule numbers.
  for (const raw of ["raw-day2.jsonl", "raw-day2-export.log.gz"]) {
    const r = await run([join(root, raw)]);
    expect(r.code).toBe(0);
    expect(ruleLines(r.stdout)).toEqual(ruleLines(oneDay.stdout));
  }
  // Not vacuous: rules match and raise signals.
  const parsed = ruleLines(oneDay.stdout).map((l) => JSON.parse(l) as { eventsMatched: number; estimatedSignals: number | null });
  expect(parsed.filter((r) => r.eventsMatched > 0).length).toBeGreaterThan(PACK.length / 2);
  expect(parsed.some((r) => (r.estimatedSignals ?? 0) > 0)).toBe(true);
});

test("the node engine gives the same result on gzip archives (and says zstd needs --engine duckdb on this Node)", async () => {
  const glob = join(root, "archive", "dt=*", "hour=00", "*.json.gz");
  const duck = await run(["--rule", "pod-exec-burst", "--rule", PACK.find((r) => r.id === "privileged-pod")?.name ?? "", glob]);
  const node = await run(["--engine", "node", "--rule", "pod-exec-burst", "--rule", PACK.find((r) => r.id === "privileged-pod")?.name ?? "", glob]);
  expect(node.code).toBe(0);
  expect(ruleLines(node.stdout)).toEqual(ruleLines(duck.stdout));
  expect(ruleLines(node.stdout)).toHaveLength(2);
  expect({ ...totals(node.stdout), engine: "duckdb" }).toEqual(totals(duck.stdout));
  const zstd = await run(["--engine", "node", join(root, "archive")]);
  if (!("createZstdDecompress" in zlib)) {
    expect(zstd.code).toBe(2);
    expect(zstd.stderr).toMatch(/zstd needs Node.js 22.15 or later for the node engine .*allowed: --engine duckdb/);
  }
});

test("--format markdown prints a table with one row per rule", async () => {
  const r = await run(["--format", "markdown", "--rule", "pod-exec-burst", join(root, "raw-day2.jsonl")]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^Backtest \(duckdb\): 1 file\(s\), \d+ lines/);
  expect(r.stdout).toContain("| rule | severity | events matched | distinct groups | est. signals | signals/day |");
  expect(r.stdout).toMatch(/\| pod-exec-burst \| medium \| \d+ \|/);
});

test("s3:// prefixes are listed one day at a time, read through the credential chain, and need httpfs (a clear error offline)", async () => {
  const patterns: string[] = [];
  const files = await resolveInputs(["s3://bucket/dd-archive/"], { from: "20261130", to: "20261201" }, (p) => {
    patterns.push(p);
    return Promise.resolve([
      `${p.replace("hour=*/*", "hour=05/archive_050000.0000.x.json.zst")}`,
      "s3://bucket/dd-archive/dt=20261202/hour=00/late.json.gz",
    ]);
  });
  expect(patterns).toEqual(["s3://bucket/dd-archive/dt=20261130/hour=*/*", "s3://bucket/dd-archive/dt=20261201/hour=*/*"]);
  expect(files).toEqual([
    { path: "s3://bucket/dd-archive/dt=20261130/hour=05/archive_050000.0000.x.json.zst", compression: "zstd" },
    { path: "s3://bucket/dd-archive/dt=20261201/hour=05/archive_050000.0000.x.json.zst", compression: "zstd" },
  ]);
  expect(s3SecretSql()).toBe("CREATE OR REPLACE SECRET backtest_s3 (TYPE s3, PROVIDER credential_chain)");
  const r = await run(["s3://bucket/dd-archive/"]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(
    /^rules backtest: s3:\/\/ inputs need DuckDB's httpfs extension, which is not installed here .*allowed: install httpfs and aws once/,
  );
});

test.each([
  [["--from", "2026-11-02", join("<root>", "x")], /--from and --to go together/],
  [["--from", "2026-13-02", "--to", "2026-11-02", "x"], /--from: received "2026-13-02"; allowed: a UTC day as YYYY-MM-DD/],
  [["--from", "2026-11-03", "--to", "2026-11-02", "x"], /--from 20261103 is after --to 20261102/],
  [["--engine", "spark", "x"], /--engine: received "spark"; allowed: duckdb, node/],
  [["--rule", "no-such-rule", "<root>/raw-day2.jsonl"], /--rule "no-such-rule" is not the id or name of an enabled rule/],
  [["<root>/missing.jsonl"], /input "<root>\/missing.jsonl": no such file or directory/],
  [["/dev/null"], /input "\/dev\/null": not a regular file/],
  [["<root>/mislabelled.json"], /its content is gzip but its name says uncompressed; allowed: \.gz for gzip/],
  [
    ["--from", "2026-11-02", "--to", "2026-11-02", "<root>/raw-day2.jsonl"],
    /--from\/--to select Datadog archive partitions .* this file is not in one/,
  ],
  [[], /no input given/],
])("bad arguments exit 2 with one paragraph: %j", async (args, message) => {
  const r = await run(args.map((a) => a.replace("<root>", root)));
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});
