import { ProblemError, Problems, problemText, show, throwProblems, under } from "../lib/problem";

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

  test("Problems collects in order; described values are not quoted; a shared check's problems go under the field read", () => {
    const p = new Problems();
    p.add("a", "v", "w");
    p.addDescribed("case", "11 cases", "at most 10");
    // A shared check (a query lint) locates its problem at the value itself: field "".
    p.addAll([{ field: "", received: '"source:x"', why: "unknown source", allowed: "sources y" }], "q");
    expect(p.list.map(problemText)).toEqual([
      'a: received "v"; allowed: w',
      "case: received 11 cases; allowed: at most 10",
      'q: received "source:x" (unknown source); allowed: sources y',
    ]);
  });

  test("under joins paths as the config writes them: a.b, a[0], and the prefix alone for the value itself", () => {
    const at = (field: string) => ({ field, received: "1", allowed: "2" });
    expect(under("rules.t", [at("x"), at("[0]"), at("")]).map((p) => p.field)).toEqual(["rules.t.x", "rules.t[0]", "rules.t"]);
    expect(under("", [at("x")]).map((p) => p.field)).toEqual(["x"]);
  });

  test("a collector with a limit cuts shown values and other checks' received values, ending in ...", () => {
    const p = new Problems(10);
    p.add("a", "x".repeat(20), "w");
    p.addAll([{ field: "b", received: "y".repeat(20), allowed: "w" }]);
    expect(p.list.map((x) => x.received)).toEqual(['"xxxxxx...', "yyyyyyy..."]);
  });

  test("the environment, when known, comes first, shown like a value", () => {
    expect(problemText({ environment: "prod", field: "environments[0].name", received: "7", allowed: "a name" })).toBe(
      'environment "prod", environments[0].name: received 7; allowed: a name',
    );
  });

  test("addAll keeps other checks' problems, under a prefix when given", () => {
    const p = new Problems();
    p.addAll([{ field: "name", received: '""', allowed: "a name" }]);
    p.addAll([{ field: "case[0].status", received: '"x"', allowed: "low", why: "typo" }], "rules.t");
    expect(p.list.map(problemText)).toEqual(['name: received ""; allowed: a name', 'rules.t.case[0].status: received "x" (typo); allowed: low']);
  });

  test("throwProblems throws one ProblemError with every problem, after the place, and nothing when there are none", () => {
    expect(() => throwProblems('rule "t"', [])).not.toThrow();
    const problems = [
      { field: "a", received: "1", allowed: "2" },
      { field: "b", received: "3", allowed: "4" },
    ];
    let thrown: unknown;
    try {
      throwProblems('rule "t"', problems);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ProblemError);
    expect((thrown as ProblemError).problems).toEqual(problems);
    expect((thrown as ProblemError).message).toBe('rule "t": 2 problems:\n- a: received 1; allowed: 2\n- b: received 3; allowed: 4');
    expect(() => throwProblems('rule "t"', problems.slice(0, 1))).toThrow(new Error('rule "t": a: received 1; allowed: 2'));
  });
});
