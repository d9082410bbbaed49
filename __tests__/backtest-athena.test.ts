/**
 * The Athena side of the backtest (`lib/backtest/athena.ts`): the table DDL with partition projection on Datadog's
 * archive layout and the candidates query, checked as text (Athena itself is not reachable here), and the query's
 * filter, the same text the DuckDB engine runs, run in DuckDB: it keeps every positive sample of the pack.
 */
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { EKS_RULE_PACK } from "../pack/rules";
import { defineRule } from "../modules/cloud-siem/rule-model";
import { parseQuery } from "../lib/query";
import { archiveLocation, athenaCandidatesQuery, athenaTableDdl } from "../lib/backtest/athena";
import { BacktestDb, linesSql } from "../lib/backtest/duckdb";
import { BacktestInputError } from "../lib/backtest/inputs";
import { PREFILTER_MACROS, prefilterSql } from "../lib/backtest/prefilter";
import { sqlString } from "../lib/backtest/sql";

const PACK = EKS_RULE_PACK.map(defineRule);
const NODES = PACK.flatMap((r) => r.queries.map((q) => parseQuery(q.query)));

test("the table projects dt=YYYYMMDD/hour=HH partitions of the archive location", () => {
  const ddl = athenaTableDdl(archiveLocation("--athena", "s3://my-archive/dd/"), "20260101");
  expect(ddl).toContain("CREATE EXTERNAL TABLE IF NOT EXISTS dd_archive_lines (line string)\nPARTITIONED BY (dt string, hour string)");
  expect(ddl).toContain("LOCATION 's3://my-archive/dd/'");
  expect(ddl).toContain("'projection.dt.type' = 'date',\n  'projection.dt.format' = 'yyyyMMdd',\n  'projection.dt.range' = '20260101,NOW'");
  expect(ddl).toContain("'projection.hour.type' = 'integer',\n  'projection.hour.range' = '0,23',\n  'projection.hour.digits' = '2'");
  expect(ddl).toContain("'storage.location.template' = 's3://my-archive/dd/dt=${dt}/hour=${hour}/'");
});

test("the candidates query reads the day range and filters with the prefilter's text", () => {
  const q = athenaCandidatesQuery(NODES, { from: "20261101", to: "20261130" });
  expect(q.startsWith("SELECT line\nFROM dd_archive_lines\nWHERE dt BETWEEN '20261101' AND '20261130'\n  AND ")).toBe(true);
  expect(q).toContain(prefilterSql(NODES, "line"));
  expect(q.endsWith('ORDER BY "$path"')).toBe(true);
  // Only functions Athena's engine (Trino) has: strpos and regexp_like; no DuckDB macro or JSON function.
  const functions = new Set([...q.matchAll(/([a-z_]+)\(/g)].map((m) => m[1]));
  expect([...functions].sort()).toEqual(["regexp_like", "strpos"]);
});

test("the same filter, run in DuckDB, keeps every positive sample of the pack and drops unrelated lines", async () => {
  const dir = mkdtempSync(join(tmpdir(), "backtest-athena-"));
  const db = await BacktestDb.open({ threads: 1 });
  try {
    const positives = PACK.flatMap((r) => r.samples.positive.map((s) => JSON.stringify(s.event)));
    const unrelated = ['{"kind":"Event","verb":"get","objectRef":{"resource":"leases","namespace":"x"}}', '{"hello":"world"}'];
    const file = join(dir, "lines.jsonl");
    writeFileSync(file, [...positives, ...unrelated].join("\n") + "\n");
    for (const m of PREFILTER_MACROS) await db.run(m);
    const where = athenaCandidatesQuery(NODES, { from: "20261101", to: "20261101" })
      .split("\n  AND ")[1]
      .replace(/\nORDER BY .*$/, "");
    const rows = await db.rows(`SELECT line FROM (${linesSql([{ path: file, compression: "none" }])}) WHERE ${where}`);
    expect(rows.map((r) => r.line)).toEqual(positives);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the filter keeps lines whose matching values the text hides, and drops lines that cannot match", async () => {
  const nodes = ["@x:Infinity", "@objectRef.resource:pods", "@code:403", "@impersonatedUser.username:*"].map((q) => parseQuery(q));
  const keep = [
    '{"x":1e999}',
    '{"objectRef":{"resource":"p\\u006fds"}}',
    '{"code":40.3e1}',
    '{"code":402.99999999999999999}',
    '{"impersonatedUser":{"username":1}}',
  ];
  const drop = ['{"objectRef":{"resource":"leases"}}', '{"x":"Infinite","code":404}', '{"note":"monitoring pods"}'];
  const db = await BacktestDb.open({ threads: 1 });
  try {
    for (const m of PREFILTER_MACROS) await db.run(m);
    const values = [...keep, ...drop].map((l) => `(${sqlString(l)})`).join(", ");
    const rows = await db.rows(`SELECT line FROM (VALUES ${values}) t(line) WHERE ${prefilterSql(nodes, "line")}`);
    expect(rows.map((r) => r.line)).toEqual(keep);
    // `@x:Infinity` alone still keeps a number written 1e999 (it is "Infinity" as text).
    const [alone] = await db.rows(`SELECT ${prefilterSql([parseQuery("@x:Infinity")], "line")} AS kept FROM (VALUES ('{"x":1e999}')) t(line)`);
    expect(alone.kept).toBe(true);
  } finally {
    await db.close();
  }
});

test("an archive location that is not s3://bucket/prefix/ is refused with the option and value", () => {
  for (const bad of ["s3://bucket/prefix", "https://bucket/prefix/", "s3://bucket/dt=*/", "s3://b/'x/"]) {
    expect(() => archiveLocation("--athena", bad)).toThrow(BacktestInputError);
    expect(() => archiveLocation("--athena", bad)).toThrow(`--athena: received ${JSON.stringify(bad)}; allowed: the archive's S3 location`);
  }
  expect(archiveLocation("--athena", "s3://bucket/")).toBe("s3://bucket/");
});
