import {
  CONDITION_ALLOWED,
  conditionProblems,
  conditionQueries,
  evaluateCondition,
  formatCondition,
  parseCondition,
  singleThreshold,
  withThreshold,
} from "../lib/rules/condition";

describe("parseCondition / formatCondition", () => {
  test.each<[string, string]>([
    ["a>0", "a > 0"],
    ["  execs   >=  10 ", "execs >= 10"],
    ["a > 1 && b < 2 || c == 3", "a > 1 && b < 2 || c == 3"],
    ["(a > 1 || b < 2) && c != 3", "(a > 1 || b < 2) && c != 3"],
    ["((a > 1))", "a > 1"],
    ["a > 1 && (b > 2 && c > 3)", "a > 1 && b > 2 && c > 3"],
    ["a <= 2.5", "a <= 2.5"],
  ])("%s formats as %s, and formatting is stable", (text, formatted) => {
    const node = parseCondition(text);
    expect(formatCondition(node)).toBe(formatted);
    expect(formatCondition(parseCondition(formatted))).toBe(formatted);
  });

  test("&& binds tighter than ||", () => {
    const node = parseCondition("a > 1 || b > 1 && c > 1");
    expect(node.kind).toBe("or");
    expect(evaluateCondition(node, { a: 2 })).toBe(true);
    expect(evaluateCondition(node, { b: 2 })).toBe(false);
    expect(evaluateCondition(node, { b: 2, c: 2 })).toBe(true);
  });

  test.each<[string, string]>([
    ["", "the condition is empty"],
    ["   ", "the condition is empty"],
    ["a >", '"a >" is not a comparison'],
    ["3 < a", '"3 < a" is not a comparison'],
    ["a > b", '"a > b" is not a comparison'],
    ["a = 1", '"a = 1" is not a comparison'],
    ["a > 1 &&", 'the condition ends after "&&"'],
    ["(", 'the condition ends after "("'],
    ["(a > 1", "a ( has no )"],
    ["a > 1)", "a ) has no ("],
    ["a > 1 b > 2", '"b > 2" follows a complete condition'],
    ["a + 1 > 2", '"a + 1 > 2" is not a comparison'],
    ["!(a > 1)", '"!" is not a comparison'],
  ])("%j is rejected: %s", (text, message) => {
    expect(() => parseCondition(text)).toThrow(message);
  });
});

describe("evaluateCondition", () => {
  test.each<[string, Record<string, number>, boolean]>([
    ["a > 0", {}, false],
    ["a == 0", {}, true],
    ["a >= 3", { a: 3 }, true],
    ["a < 3", { a: 3 }, false],
    ["a <= 3", { a: 3 }, true],
    ["a != 3", { a: 4 }, true],
    ["a > 1 && b > 1", { a: 2, b: 1 }, false],
    ["a > 1 || b > 1", { a: 0, b: 2 }, true],
  ])("%s with %j is %s", (text, values, expected) => {
    expect(evaluateCondition(parseCondition(text), values)).toBe(expected);
  });
});

describe("conditionQueries / conditionProblems", () => {
  test("query names in order of first use, once each", () => {
    expect(conditionQueries(parseCondition("b > 1 || (a > 2 && b < 9)"))).toEqual(["b", "a"]);
  });

  test("a valid condition over existing queries has no problems", () => {
    expect(conditionProblems("a > 1 || b > 1", ["a", "b"])).toEqual([]);
  });

  test("every unknown query is named, with the queries that exist", () => {
    expect(conditionProblems("x > 1 || a > 1 || y > 1", ["a", "b"])).toEqual([
      { field: "", received: '"x > 1 || a > 1 || y > 1"', why: 'query "x" does not exist', allowed: "the query names a, b" },
      { field: "", received: '"x > 1 || a > 1 || y > 1"', why: 'query "y" does not exist', allowed: "the query names a, b" },
    ]);
  });

  test("a syntax error says what the language allows", () => {
    expect(conditionProblems("a >> 1", ["a"])).toEqual([
      { field: "", received: '"a >> 1"', why: '"a > > 1" is not a comparison', allowed: CONDITION_ALLOWED },
    ]);
    expect(CONDITION_ALLOWED).toMatch(/^"<query name> <operator> <number>" comparisons \(operators: >, >=, <, <=, ==, !=\)/);
  });
});

describe("singleThreshold / withThreshold", () => {
  test.each<[string, { query: string; threshold: number } | undefined]>([
    ["secrets > 10", { query: "secrets", threshold: 10 }],
    [" (a>3) ", { query: "a", threshold: 3 }],
    ["a >= 3", undefined],
    ["a > 3 || b > 3", undefined],
    ["not a condition", undefined],
  ])("%j -> %j", (text, expected) => {
    expect(singleThreshold(text)).toEqual(expected);
  });

  test("withThreshold rewrites the number and keeps the query", () => {
    expect(withThreshold(" (secrets>10) ", 25)).toBe("secrets > 25");
  });

  test("withThreshold refuses a condition without a single threshold", () => {
    expect(() => withThreshold("a > 1 && b > 1", 5)).toThrow('condition "a > 1 && b > 1" is not "<query> > <n>"');
  });
});
