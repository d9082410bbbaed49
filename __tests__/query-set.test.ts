import { readFileSync } from "fs";
import { join } from "path";
import { normalizeAuditEvent } from "../lib/audit";
import { compileNode, compileQuerySet, NormalizedLog, parseQuery, requiredValues } from "../lib/query";
import { defineRule, EKS_RULE_PACK } from "../modules/cloud-siem";

describe("requiredValues", () => {
  test.each<[string, { path: string[]; values: string[] } | undefined]>([
    [
      "source:kubernetes.audit @objectRef.resource:pods @objectRef.subresource:exec @http.method:create @http.status_code:[101 TO 299]",
      { path: ["objectRef", "resource"], values: ["pods"] },
    ],
    ["@a:(x OR y) @b:z", { path: ["a"], values: ["x", "y"] }],
    ['@a:"x y"', { path: ["a"], values: ["x y"] }],
    ["(@a:x OR @b:y) @c:z", { path: ["c"], values: ["z"] }],
    ["@n:200 @m:ok", { path: ["m"], values: ["ok"] }],
    ["@n:200", undefined],
    ["-@a:x", undefined],
    ["@a:x* @b:[1 TO 2]", undefined],
    ["@a:x OR @b:y", undefined],
    ["source:kubernetes.audit env:prod", undefined],
  ])("%s", (query, expected) => {
    const r = requiredValues(parseQuery(query));
    expect(r === undefined ? undefined : { path: r.path, values: r.values }).toEqual(expected);
  });
});

function log(attributes: Record<string, unknown>): NormalizedLog {
  return { source: "kubernetes.audit", tags: [], attributes };
}

/** The set's answers must equal evaluating each query alone, for every log. */
function expectEquivalent(queries: readonly string[], logs: readonly NormalizedLog[]): number {
  const nodes = queries.map(parseQuery);
  const alone = nodes.map(compileNode);
  const set = compileQuerySet(nodes);
  const out: boolean[] = [];
  let matches = 0;
  for (const l of logs) {
    set.evaluate(l, out);
    const expected = alone.map((p) => p(l));
    expect(out).toEqual(expected);
    matches += expected.filter(Boolean).length;
  }
  return matches;
}

describe("compileQuerySet gives the same answers as each query alone", () => {
  test("hand-written edge cases: arrays, booleans, dotted keys, numbers, case", () => {
    const queries = [
      "@a:x",
      "@a:(x OR y) @b:z",
      "@flag:true",
      "@flag:false",
      "@list:x",
      "@objs.k:v",
      "@annotations.authorization.k8s.io/decision:allow",
      "@a:X",
      "@n:200",
      "@n:abc",
      "-@a:x",
      "@a:x OR @b:z",
    ];
    const logs = [
      log({ a: "x", b: "z" }),
      log({ a: "y", b: "z" }),
      log({ a: "X" }),
      log({ flag: true }),
      log({ flag: "false" }),
      log({ list: ["w", "x"] }),
      log({ objs: [{ k: "u" }, { k: "v" }] }),
      log({ annotations: { "authorization.k8s.io/decision": "allow" } }),
      log({ n: 200 }),
      log({ n: "abc" }),
      log({ a: null }),
      log({}),
    ];
    // 1 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 11 (-@a:x) + 2
    expect(expectEquivalent(queries, logs)).toBe(24);
  });

  test("the EKS pack's queries over every sample event of the pack and the fixtures", () => {
    const rules = EKS_RULE_PACK.map(defineRule);
    const queries = rules.flatMap((r) => r.queries.map((q) => q.query));
    const events = rules.flatMap((r) => [...r.samples.positive, ...r.samples.negative].map((s) => s.event));
    const fixtures = readFileSync(join(__dirname, "fixtures/audit/events.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("{") && l.includes("audit.k8s.io"))
      .map((l) => JSON.parse(l) as unknown);
    const logs = [...events, ...fixtures].map((e) => normalizeAuditEvent(e));
    // every positive sample matches at least one query, so the comparison covers matches as well as misses
    expect(expectEquivalent(queries, logs)).toBeGreaterThanOrEqual(rules.reduce((n, r) => n + r.samples.positive.length, 0));
  });
});
