/**
 * The DuckDB backtest engine (`lib/backtest`) against the JS reference engine (`lib/query`, `lib/rules/signals.ts`):
 * the same match set for every query of every rule on every sample event, the peers' corpora and seeded random
 * events; the same match set for random queries from the grammar; raw events and their archived form agree; and the
 * same signal estimates on generated event sequences with bursts across window edges.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { EKS_RULE_PACK } from "../pack/rules";
import { defineRule } from "../modules/cloud-siem/rule-model";
import type { MatchableRule } from "../lib/rules/matchable";
import type { NormalizedLog } from "../lib/query";
import { compileRules, RuleSet } from "../lib/rules/compile";
import { isArchiveLine, logToArchiveLine } from "../lib/backtest/archive";
import { BacktestDb, duckdbMatchRows, runDuckdbBacktest } from "../lib/backtest/duckdb";
import { readBacktestLine, runNodeBacktest } from "../lib/backtest/node-engine";
import type { InputFile } from "../lib/backtest/inputs";
import { randomEvents, randomQueries, rng, signalSequence } from "./helpers/backtest-random";

jest.setTimeout(120_000);

const PACK = EKS_RULE_PACK.map(defineRule);
const PEERS = resolve(__dirname, "../../shared/corpus/peers");

let dir: string;
let db: BacktestDb;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "backtest-diff-"));
  db = await BacktestDb.open({ threads: 2 });
});

afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, lines: readonly string[]): InputFile {
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return { path, compression: "none" };
}

/** Per line: undefined for a line that is not an event, else the match result of every query slot, in rule order. */
function nodeMatches(set: RuleSet, lines: readonly string[]): (boolean[] | undefined)[] {
  const out: boolean[] = new Array<boolean>(set.queries.size).fill(false);
  const slots = set.rules.flatMap((r) => r.queries.map((q) => q.slot));
  return lines.map((line, i) => {
    const log = readBacktestLine(line, i + 1);
    if (typeof log === "string") return undefined;
    set.queries.evaluate(log, out);
    return slots.map((s) => out[s]);
  });
}

let lastRows: { kind: string; queries: boolean[] }[] = [];

/** Mismatches between the engines, as readable strings (empty when they agree); DuckDB's rows stay in `lastRows`. */
async function differences(set: RuleSet, lines: readonly string[], name: string): Promise<string[]> {
  const file = write(name, lines);
  const rows = await duckdbMatchRows(set.rules, [file], db);
  lastRows = rows;
  const expected = nodeMatches(set, lines);
  const labels = set.rules.flatMap((r) => r.queries.map((q) => `${r.rule.id ?? r.rule.name}/${q.query.name} ${JSON.stringify(q.query.query)}`));
  const out: string[] = [];
  expect(rows).toHaveLength(lines.length);
  lines.forEach((line, i) => {
    const want = expected[i];
    if (want === undefined) {
      if (rows[i].kind !== "error") out.push(`line ${i + 1}: JS says not an event, DuckDB says ${rows[i].kind}: ${line.slice(0, 200)}`);
      return;
    }
    if (rows[i].kind === "error") {
      out.push(`line ${i + 1}: DuckDB says not an event: ${line.slice(0, 200)}`);
      return;
    }
    want.forEach((w, k) => {
      if (rows[i].queries[k] !== w) out.push(`line ${i + 1} ${labels[k]}: JS ${w}, DuckDB ${rows[i].queries[k]}: ${line.slice(0, 300)}`);
    });
  });
  return out;
}

const packSet = () => compileRules(PACK, () => undefined);

describe("same match set as the JS engine", () => {
  test("every rule of the pack on every sample event (each rule matches at least its positive samples)", async () => {
    const lines = PACK.flatMap((r) => [...r.samples.positive, ...r.samples.negative].map((s) => JSON.stringify(s.event)));
    const set = packSet();
    expect(await differences(set, lines, "samples.jsonl")).toEqual([]);
    // Not vacuous: DuckDB finds the positive samples.
    expect(lastRows.filter((r) => r.queries.some(Boolean)).length).toBeGreaterThan(PACK.length);
  });

  test("every rule of the pack on the peers' corpora (../shared/corpus/peers), required when present", async () => {
    const files = ["falco-k8s.jsonl", "panther-k8s.jsonl"].map((f) => join(PEERS, f));
    if (!files.every(existsSync)) {
      // Loud, not silent: the corpora live outside the repository (never copied into it).
      console.warn(`backtest differential: the peers' corpora are absent (${PEERS}); this part of the test did not run`);
      return;
    }
    const lines = files.flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.stringify((JSON.parse(l) as { event: unknown }).event)),
    );
    expect(lines.length).toBeGreaterThan(200);
    expect(await differences(packSet(), lines, "peers.jsonl")).toEqual([]);
  });

  test("every rule of the pack on seeded random events (arrays, missing attributes, numbers vs strings, escaping, case, wrappers)", async () => {
    const lines = randomEvents(rng(20), 600);
    expect(await differences(packSet(), lines, "random-events.jsonl")).toEqual([]);
  });

  test("values written with JSON escapes or other number spellings match as their values", async () => {
    // Each positive sample written so that its values are not in the line as the query spells them: letters of
    // string values as \uXXXX escapes; `/` as `\/`; integers in exponent form (403 as 40.3e1) or rounded from 17
    // digits (200 as 199.99999999999999999); and the same inside a CloudWatch line's message. Any text-level shortcut
    // (the raw-text prefilter of `lib/backtest/prefilter.ts` keeps such lines) must not lose them.
    const numbers = (event: unknown): string =>
      JSON.stringify(event, (_k, v: unknown) => (typeof v === "number" && Number.isInteger(v) ? `@@${v}@@` : v)).replace(
        /"@@(-?\d+)@@"/g,
        (_m, n: string) => (Number(n) > 0 && Number(n) % 2 === 0 ? `${Number(n) - 1}.99999999999999999` : `${Number(n) / 10}e1`),
      );
    const strings = (line: string, letter: (c: string) => string): string =>
      line.replace(/:"([^"\\]*)"/g, (_m, s: string) => `:"${[...s].map(letter).join("")}"`);
    const events = PACK.flatMap((r) => r.samples.positive.map((s) => s.event));
    const unicode = events.map((e) =>
      strings(JSON.stringify(e), (c) => (/[a-z]/.test(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : c)),
    );
    const slashes = events.map((e) => strings(JSON.stringify(e), (c) => (c === "/" ? "\\/" : c)));
    const spelled = events.map(numbers);
    for (const variant of [unicode, slashes, spelled]) {
      // The rewriting changes the text, not the values.
      expect(variant.map((l) => JSON.parse(l) as unknown)).toEqual(events);
    }
    expect(spelled.some((l) => /\d\.\d+e1/.test(l) && l.includes("99999999999999999"))).toBe(true);
    expect(slashes.some((l) => l.includes("\\/"))).toBe(true);
    const all = [...unicode, ...slashes, ...spelled];
    const lines = [...all, ...all.map((l) => JSON.stringify({ timestamp: 1790000000000, message: l }))];
    expect(await differences(packSet(), lines, "hidden-literals.jsonl")).toEqual([]);
    // Not vacuous: every variant of every positive sample matches its rule.
    expect(lastRows.filter((r) => r.queries.some(Boolean)).length).toBeGreaterThanOrEqual(lines.length);
  });

  test("seeded random queries from the grammar on seeded random events", async () => {
    const queries = randomQueries(rng(7), 250);
    const rules: MatchableRule[] = queries.map((query, i) => ({
      id: `q${i}`,
      name: `random query ${i}`,
      severity: "low",
      tags: [],
      enabled: true,
      detectionMethod: "threshold",
      queries: [{ name: "a", query, aggregation: "count", groupByFields: [], distinctFields: [], metrics: [] }],
      cases: [{ status: "low", condition: "a > 0" }],
      evaluationWindowSeconds: 300,
      samples: { positive: [], negative: [] },
    }));
    const set = compileRules(rules, () => undefined);
    const lines = randomEvents(rng(21), 400);
    const diff = await differences(set, lines, "random-queries.jsonl");
    expect(diff.slice(0, 20)).toEqual([]);
    // Not vacuous: the random queries match some events and miss others.
    const matched = lastRows.reduce((n, r) => n + r.queries.filter(Boolean).length, 0);
    expect(matched).toBeGreaterThan(100);
    expect(matched).toBeLessThan(lastRows.length * queries.length * 0.9);
  });

  test("string values with JSON escapes, under suffix and infix wildcards an escape sequence would fake", async () => {
    // DuckDB writes "esc\u001b" as `"esc\u001B"` and "x\u0008" as `"x\b"`: the JSON texts end with `1B` and `b` and
    // contain `001B`, the values do not. A scan that compared JSON text instead of values would rule these lines out.
    const values = ["esc\u001b", "x\u0008", "new\nline", 'say "hi"', "back\\slash", "1B", "b", "plain", "esc", "ünï/中"];
    const faked = ["*1B", "*001B*", "*b"];
    const queries = [...faked, "*n*", "esc*", "new*", "*ash", "plain", "ünï/中", "*/中", "\\1B"].flatMap((v) => [
      `@objectRef.name:${v}`,
      `-@objectRef.name:${v}`,
      `@usr.id:${v}`,
      `-@usr.id:${v}`,
    ]);
    const base = PACK[0].samples.positive[0].event;
    const lines = values.flatMap((v) => [
      JSON.stringify({ ...base, objectRef: { resource: "pods", name: v }, user: { username: v } }),
      JSON.stringify({ ...base, objectRef: { resource: "pods", name: [v] }, user: { username: "alice" } }),
    ]);
    // One query at a time: a line another query keeps would reach the reference evaluator anyway.
    let matches = 0;
    for (const [i, query] of queries.entries()) {
      const set = compileRules([{ ...PACK[0], id: `e${i}`, name: `e${i}`, queries: [{ ...PACK[0].queries[0], query }] }], () => undefined);
      expect(await differences(set, lines, "escapes.jsonl")).toEqual([]);
      if (faked.some((v) => query.startsWith("-") && query.endsWith(`:${v}`))) matches += lastRows.filter((r) => r.queries[0]).length;
    }
    // Not vacuous: the negated terms an escape sequence would fake match the escaped values.
    expect(matches).toBeGreaterThan(0);
  });

  test("a raw audit event and its archived form (Datadog's processed log) match the same queries", async () => {
    const isArchive = (l: string) => {
      try {
        return isArchiveLine(JSON.parse(l));
      } catch {
        return false;
      }
    };
    const raw = randomEvents(rng(22), 300).filter((l) => typeof readBacktestLine(l, 2) !== "string" && !isArchive(l));
    const archived = raw.map((l, i) => JSON.stringify(logToArchiveLine(readBacktestLine(l, 2) as NormalizedLog, `id${i}`)));
    const set = packSet();
    const queries = randomQueries(rng(8), 60);
    const randomSet = compileRules(
      queries.map((query, i) => ({ ...PACK[0], id: `q${i}`, name: `q${i}`, queries: [{ ...PACK[0].queries[0], query }] })),
      () => undefined,
    );
    // The pack: archived lines agree with the JS engine; random queries: archived lines match as the raw ones do.
    expect(await differences(set, archived, "archived.jsonl")).toEqual([]);
    expect(lastRows.map((r) => r.kind)).toEqual(raw.map(() => "archive"));
    const a = await duckdbMatchRows(randomSet.rules, [write("raw.jsonl", raw)], db);
    const b = await duckdbMatchRows(randomSet.rules, [write("archived.jsonl", archived)], db);
    expect(b.map((r) => r.queries)).toEqual(a.map((r) => r.queries));
    expect(a.some((r) => r.queries.some(Boolean))).toBe(true);
  });
});

describe("line order", () => {
  test("kept on a file DuckDB reads in many chunks, with the pack's long IN lists (a join that reorders rows)", async () => {
    // 120,000 lines: every 7th a pod exec by a person (pod-exec-burst matches), the rest configmap reads.
    const lines = Array.from({ length: 120_000 }, (_, i) =>
      JSON.stringify({
        kind: "Event",
        apiVersion: "audit.k8s.io/v1",
        auditID: `o-${i}`,
        verb: i % 7 === 0 ? "create" : "get",
        user: { username: "alice" },
        objectRef:
          i % 7 === 0 ? { resource: "pods", subresource: "exec", namespace: "web", name: "p" } : { resource: "configmaps", namespace: "web" },
        responseStatus: { code: 101 },
        stageTimestamp: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
        // Lines of about 1 KB, as EKS writes them: a file of many buffers.
        annotations: { "authorization.k8s.io/reason": "x".repeat(700) },
      }),
    );
    const set = packSet();
    const column = set.rules.flatMap((r) => r.queries.map(() => r.rule.id)).indexOf("pod-exec-burst");
    const rows = await duckdbMatchRows(set.rules, [write("order.jsonl", lines)], db);
    expect(rows).toHaveLength(lines.length);
    const wrong = rows.map((r, i) => (r.queries[column] !== (i % 7 === 0) ? i : -1)).filter((i) => i >= 0);
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});

describe("same signal estimates as rules match --summary", () => {
  test("pack and window-edge rules on generated bursts (threshold windows, cardinality, New Value, out-of-order and timestamp-less events)", async () => {
    const extra: MatchableRule[] = [
      {
        ...PACK[0],
        id: "burst-count",
        name: "burst count",
        queries: [
          { name: "a", query: "@objectRef.resource:pods", aggregation: "count", groupByFields: ["@usr.name"], distinctFields: [], metrics: [] },
        ],
        cases: [{ status: "low", condition: "a > 3" }],
        evaluationWindowSeconds: 60,
      },
      {
        ...PACK[0],
        id: "burst-distinct",
        name: "burst distinct",
        queries: [
          {
            name: "a",
            query: "@http.status_code:403",
            aggregation: "cardinality",
            groupByFields: ["@usr.name"],
            distinctFields: ["@auditID"],
            metrics: [],
          },
        ],
        cases: [{ status: "low", condition: "a >= 2 || a == 1" }],
        evaluationWindowSeconds: 120,
      },
      {
        ...PACK[0],
        id: "new-ns",
        name: "new namespace per user",
        detectionMethod: "new_value",
        queries: [
          {
            name: "a",
            query: "@http.method:create",
            aggregation: "new_value",
            groupByFields: ["@usr.name"],
            distinctFields: [],
            metrics: ["@objectRef.namespace"],
          },
        ],
        cases: [{ status: "low" }],
        evaluationWindowSeconds: 0,
        newValueOptions: { forgetAfterDays: 1, learningDurationDays: 0 },
      },
    ];
    const set = compileRules([...PACK, ...extra], () => undefined);
    const sequence = signalSequence(rng(30), 3000);
    // The same sequence as CloudWatch lines (the line's `timestamp` is the time of an event without one) and as
    // archived logs: the scan times each form itself.
    const wrapped = sequence.map((line, i) => JSON.stringify({ timestamp: Date.UTC(2026, 10, 1) + i * 60_000, message: line }));
    const archived = sequence.map((line, i) => JSON.stringify(logToArchiveLine(readBacktestLine(line, i + 1) as NormalizedLog, `s${i}`)));
    for (const [name, lines] of [
      ["signals.jsonl", sequence],
      ["signals-cloudwatch.jsonl", wrapped],
      ["signals-archived.jsonl", archived],
    ] as const) {
      const file = write(name, lines);
      const node = await runNodeBacktest(set, [file]);
      const duck = await runDuckdbBacktest(set.rules, [file], db);
      expect(duck.rules).toEqual(node.rules);
      expect({ ...duck.totals, engine: "node" }).toEqual(node.totals);
      // Not vacuous: the window-edge rules raise signals.
      for (const id of ["burst-count", "burst-distinct", "new-ns"]) expect(node.rules.find((r) => r.id === id)?.estimatedSignals).toBeGreaterThan(0);
    }
  });
});
