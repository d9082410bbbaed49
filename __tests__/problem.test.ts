import { Problems, problemText, show, throwProblems } from "../lib/problem";

describe("the one message shape", () => {
  test("field, value received, what is allowed; the reason follows the value when there is one", () => {
    expect(problemText({ field: "case[0].status", received: '"urgent"', allowed: "info, low" })).toBe(
      'case[0].status: received "urgent"; allowed: info, low',
    );
    expect(problemText({ field: "case[0].condition", received: '"b > 0"', why: 'query "b" does not exist', allowed: "the query names a" })).toBe(
      'case[0].condition: received "b > 0" (query "b" does not exist); allowed: the query names a',
    );
  });

  test("values are shown as JSON, a missing value as nothing", () => {
    expect([show("x"), show(5), show(["a"]), show({ k: 1 }), show(null), show(undefined)]).toEqual([
      '"x"',
      "5",
      '["a"]',
      '{"k":1}',
      "null",
      "nothing",
    ]);
  });

  test("a value is one line of plain text: control characters JSON leaves raw are escaped too, non-finite numbers named", () => {
    // C0 controls and the newline are JSON's own escapes; DEL, C1 (\u009b opens a terminal escape like ESC [), the line
    // and paragraph separators and the bidi overrides (Trojan Source) are not, and were printed raw.
    expect(show("a\nb\u001b[2J\u007f\u009b31m\u2028\u202e\u2066z")).toBe('"a\\nb\\u001b[2J\\u007f\\u009b31m\\u2028\\u202e\\u2066z"');
    expect(show(["\u0085"])).toBe('["\\u0085"]');
    expect([show(Number.NaN), show(Infinity), show(-Infinity)]).toEqual(["NaN", "Infinity", "-Infinity"]);
  });

  test("Problems collects in order; described values are not quoted; objections keep their reason", () => {
    const p = new Problems();
    p.add("a", "v", "w");
    p.addDescribed("case", "11 cases", "at most 10");
    p.object("q", "source:x", { why: "unknown source", allowed: "sources y" });
    expect(p.list.map(problemText)).toEqual([
      'a: received "v"; allowed: w',
      "case: received 11 cases; allowed: at most 10",
      'q: received "source:x" (unknown source); allowed: sources y',
    ]);
  });

  test("addAll keeps other checks' problems, under a prefix when given", () => {
    const p = new Problems();
    p.addAll([{ field: "name", received: '""', allowed: "a name" }]);
    p.addAll([{ field: "case[0].status", received: '"x"', allowed: "low", why: "typo" }], "rules.t");
    expect(p.list.map(problemText)).toEqual(['name: received ""; allowed: a name', 'rules.t.case[0].status: received "x" (typo); allowed: low']);
  });

  test("throwProblems throws every problem once, after the place, and nothing when there are none", () => {
    expect(() => throwProblems('rule "t"', [])).not.toThrow();
    expect(() =>
      throwProblems('rule "t"', [
        { field: "a", received: "1", allowed: "2" },
        { field: "b", received: "3", allowed: "4" },
      ]),
    ).toThrow(new Error('rule "t": a: received 1; allowed: 2; b: received 3; allowed: 4'));
  });
});
