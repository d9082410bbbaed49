/**
 * The pack is quiet on a benign busy cluster week (pack/busy-cluster.ts) and still fires on attacks dropped into
 * that week; `rules noise` reports it and docs/cloud-siem.md shows it (kept current by `npm run generate`).
 */
import * as fs from "fs";
import * as path from "path";
import { PassThrough } from "stream";
import { eksLoggedEvents, normalizeAuditEvent, NormalizedLog } from "../lib/audit";
import { compileRules } from "../lib/rules/compile";
import { REQUEST_ID_FIELD } from "../lib/rules/count-requests";
import { BUSY_WEEK_START_MS, busyClusterWeek } from "../pack/busy-cluster";
import { defaultPackRules, noiseRows, renderNoiseTable, signalTimes } from "../pack/noise";
import { runNoise } from "../tools/rules/noise";

const DAY = 86_400_000;
const week = busyClusterWeek();
const rules = defaultPackRules();
// The same computation as `busyWeekNoise()` (what `rules noise` and `npm run generate` print), on the events above.
const noise = { rows: noiseRows(rules, week, 7), events: week.length, days: 7 };

describe("the benign busy cluster week", () => {
  test("is deterministic, time-ordered, passed through EKS's policy (no core events, watches logged twice)", () => {
    expect(busyClusterWeek({ days: 1 })).toEqual(busyClusterWeek({ days: 1 }));
    const stamps = week.map((e) => String(e.stageTimestamp));
    expect([...stamps].sort()).toEqual(stamps);
    expect(week.some((e) => (e.objectRef as { resource?: string } | undefined)?.resource === "events")).toBe(false);
    const stages = new Map<string, string[]>();
    for (const e of week) stages.set(String(e.auditID), [...(stages.get(String(e.auditID)) ?? []), String(e.stage)]);
    const watch = week.find((e) => e.verb === "watch")!;
    expect(stages.get(String(watch.auditID))).toEqual(["ResponseStarted", "ResponseComplete"]);
    expect(week.length).toBeGreaterThan(50_000);
  });

  test("raises no high or critical signal, and at most 3 medium signals a day", () => {
    const { rows } = noise;
    const band = (severities: readonly string[]) => rows.filter((r) => severities.includes(r.severity));
    expect(band(["high", "critical"]).filter((r) => r.total > 0)).toEqual([]);
    for (let d = 0; d < 7; d++) expect(band(["medium"]).reduce((n, r) => n + r.perDay[d], 0)).toBeLessThanOrEqual(3);
  });

  test("the table in docs/cloud-siem.md is the current one", () => {
    const { rows, events, days } = noise;
    const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "cloud-siem.md"), "utf8");
    expect(doc).toContain(renderNoiseTable(rows, events, days));
  });

  test("rules noise prints the table; bad arguments exit 2", () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (d) => (text += d));
    const err = new PassThrough();
    let errText = "";
    err.on("data", (d) => (errText += d));
    expect(runNoise(["--seed", "x"], { stdout: out, stderr: err })).toBe(2);
    expect(errText).toContain('rules noise: --seed needs a whole number, got "x"');
    expect(runNoise(["--json"], { stdout: out, stderr: err })).toBe(0);
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.at(-1).summary).toEqual({ events: week.length, days: 7, rules: rules.length });
  });
});

describe("attacks dropped into the busy week still fire", () => {
  // Thursday noon, aligned to every evaluation window of the pack; New Value rules deployed a week earlier (so the
  // 7-day learning periods are over, and Monday to Wednesday are learned).
  const at = BUSY_WEEK_START_MS + 3 * DAY + 12 * 3_600_000;
  const options = { learningStartMs: at - 7 * DAY };
  // The week's logs each rule's queries match, found in one pass (the rest cannot change its signals).
  const set = compileRules(rules, () => undefined);
  const matchedBy = rules.map(() => [] as NormalizedLog[]);
  const results = new Array<boolean>(set.queries.size).fill(false);
  for (const e of week) {
    const log = normalizeAuditEvent(e);
    if (set.queries.evaluate(log, results) === 0) continue;
    set.rules.forEach((c, r) => {
      if (c.queries.some((q) => results[q.slot])) matchedBy[r].push(log);
    });
  }
  const inSlot = (ts: number) => ts >= at && ts < at + 3_600_000;

  /**
   * 25 copies of each positive sample, 2 s apart, with distinct audit IDs; for rules that count distinct values
   * (names, paths), also distinct object names (or paths).
   */
  function attack(samples: readonly Record<string, unknown>[], vary: boolean): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    let k = 0;
    for (let copy = 0; copy < 25; copy++) {
      for (const s of samples) {
        const t = new Date(at + k++ * 2000).toISOString();
        const ref = s.objectRef as { name?: string } | undefined;
        const uri = String(s.requestURI);
        const q = uri.indexOf("?");
        const p = q < 0 ? uri : uri.slice(0, q);
        const original = ref?.name;
        const name = !vary || original === undefined ? undefined : `${original}-c${copy}`;
        const newPath = !vary ? p : name === undefined || original === undefined ? `${p}/c${copy}` : p.replace(original, name);
        const request = {
          ...s,
          auditID: `${String(s.auditID)}-c${copy}`,
          ...(ref === undefined || name === undefined ? {} : { objectRef: { ...ref, name } }),
          requestURI: newPath + (q < 0 ? "" : uri.slice(q)),
          requestReceivedTimestamp: t,
          stageTimestamp: t,
        };
        out.push(...eksLoggedEvents(request).events);
      }
    }
    return out;
  }

  test.each(rules.map((r, i) => [r.id ?? r.name, i] as const))("%s", (_id, i) => {
    const rule = rules[i];
    const vary = rule.queries.some((q) => q.aggregation === "cardinality" && q.distinctFields.some((f) => f !== REQUEST_ID_FIELD));
    const attackLogs = attack(
      rule.samples.positive.map((s) => s.event),
      vary,
    ).map((e) => normalizeAuditEvent(e));
    const weekLogs = matchedBy[i];
    const logs = [...weekLogs, ...attackLogs].sort((a, b) => (a.timestampMs ?? 0) - (b.timestampMs ?? 0));
    expect(signalTimes([rule], weekLogs, options)[0].filter(inSlot)).toEqual([]);
    expect(signalTimes([rule], logs, options)[0].filter(inSlot).length).toBeGreaterThan(0);
  });
});
