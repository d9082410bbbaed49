import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { PassThrough, Readable, Writable } from "stream";
import { gzipSync } from "zlib";
import type { MatchableRule } from "../lib/rules/matchable";
import { CONDITION_ALLOWED } from "../lib/rules/condition";
import { forEachLine, lineTooLongReason, MAX_EVENT_LINE_CHARS } from "../lib/rules/events";
import { compileCondition, MATCH_USAGE, ResolveRulesOptions, runMatch } from "../tools/rules/match";
import { jsonParseError } from "./helpers/assert";
import { sink } from "./helpers/sink";

const FIXTURES = join(__dirname, "fixtures/audit");
const EVENTS = join(FIXTURES, "events.jsonl");
const execEvent = JSON.parse(readFileSync(join(FIXTURES, "exec-kubernetes-admin.json"), "utf8")) as Record<string, unknown>;

function rule(overrides: Partial<MatchableRule> & Pick<MatchableRule, "name">): MatchableRule {
  return {
    severity: "medium",
    tags: ["source:kubernetes", "security:attack"],
    enabled: true,
    detectionMethod: "threshold",
    queries: [],
    cases: [{ status: "medium", condition: "a > 0" }],
    evaluationWindowSeconds: 300,
    samples: { positive: [], negative: [] },
    ...overrides,
  };
}

function query(q: string, extra: Partial<MatchableRule["queries"][number]> = {}): MatchableRule["queries"][number] {
  return { name: "a", query: q, aggregation: "count", groupByFields: [], distinctFields: [], metrics: [], ...extra };
}

const EXEC_QUERY = "source:kubernetes.audit @objectRef.resource:pods @objectRef.subresource:exec @http.method:create @http.status_code:[101 TO 299]";

const execNewUser = rule({
  name: "exec by a new user",
  severity: "medium",
  tags: ["tactic:TA0002-execution"],
  detectionMethod: "new_value",
  queries: [query(EXEC_QUERY, { aggregation: "new_value", metrics: ["@usr.name"] })],
  cases: [{ status: "medium" }],
  evaluationWindowSeconds: 0,
  newValueOptions: { forgetAfterDays: 7, learningDurationDays: 1 },
});

const podActivity = rule({
  name: "pod activity",
  severity: "low",
  tags: [],
  queries: [query("@objectRef.resource:pods", { groupByFields: ["@usr.name"] })],
  cases: [{ status: "low", condition: "a > 1" }],
});

const deniedExec = rule({
  id: "denied-exec",
  name: "denied exec",
  severity: "high",
  tags: ["tactic:TA0007-discovery", "technique:T1613-container-and-resource-discovery"],
  queries: [query("@objectRef.subresource:exec @responseStatus.reason:Forbidden")],
});

const disabled = rule({ name: "disabled", enabled: false, queries: [query("*")] });

const RULES: readonly MatchableRule[] = [execNewUser, podActivity, deniedExec, disabled];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly resolved: ResolveRulesOptions[];
}

async function run(argv: string[], rules: readonly MatchableRule[] = RULES, stdin?: NodeJS.ReadableStream): Promise<Run> {
  const out = sink();
  const err = sink();
  const resolved: ResolveRulesOptions[] = [];
  const code = await runMatch(argv, { stdout: out.stream, stderr: err.stream, stdin }, (opts) => {
    resolved.push(opts);
    return rules;
  });
  return { code, stdout: out.text(), stderr: err.text(), resolved };
}

function jsonLines(text: string): unknown[] {
  return text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));
}

const EXEC_MATCH = { rule: "exec by a new user", severity: "medium", tags: ["tactic:TA0002-execution"] };
const POD_MATCH = { rule: "pod activity", severity: "low", tags: [] };
const DENIED_MATCH = {
  rule: "denied exec",
  severity: "high",
  tags: ["tactic:TA0007-discovery", "technique:T1613-container-and-resource-discovery"],
};

const EXPECTED_PER_LINE = [
  { line: 1, matches: [EXEC_MATCH, POD_MATCH] },
  { line: 3, matches: [EXEC_MATCH, POD_MATCH] },
  { line: 4, matches: [POD_MATCH] },
  { line: 5, error: `invalid JSON: ${jsonParseError("this is not json")}` },
  { line: 6, error: 'expected an audit.k8s.io/v1 Event ("kind": "Event") or a CloudWatch line with "message", got an object with neither' },
  { line: 7, matches: [POD_MATCH, DENIED_MATCH] },
];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "rules-match-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("rules match: one JSON line per input line", () => {
  test("matches, errors and skipped blank lines, in order", async () => {
    const r = await run([EVENTS]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(jsonLines(r.stdout)).toEqual(EXPECTED_PER_LINE);
  });

  test("the exact bytes of a line (key order, no spaces)", async () => {
    const r = await run([EVENTS]);
    expect(r.stdout.split("\n")[0]).toBe(
      '{"line":1,"matches":[{"rule":"exec by a new user","severity":"medium","tags":["tactic:TA0002-execution"]},{"rule":"pod activity","severity":"low","tags":[]}]}',
    );
    expect(r.stdout.endsWith("\n")).toBe(true);
  });

  test("disabled rules are not evaluated", async () => {
    const r = await run([EVENTS]);
    expect(r.stdout).not.toContain('"disabled"');
  });

  test("a gzip file gives the same output (detected by magic bytes, whatever the name)", async () => {
    const gz = join(tmp, "events.log");
    writeFileSync(gz, gzipSync(readFileSync(EVENTS)));
    const r = await run([gz]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual(EXPECTED_PER_LINE);
  });

  test("concatenated gzip members (e.g. several S3 export objects) are read as one stream", async () => {
    const gz = join(tmp, "members.jsonl.gz");
    const lines = readFileSync(EVENTS, "utf8").split("\n");
    writeFileSync(gz, Buffer.concat([gzipSync(lines.slice(0, 3).join("\n") + "\n"), gzipSync(lines.slice(3).join("\n"))]));
    const r = await run([gz]);
    expect(jsonLines(r.stdout)).toEqual(EXPECTED_PER_LINE);
  });

  test("a truncated gzip file fails with exit 1 after the lines it could read", async () => {
    const gz = join(tmp, "truncated.jsonl.gz");
    const full = gzipSync(readFileSync(EVENTS));
    writeFileSync(gz, full.subarray(0, full.length - 20));
    const r = await run([gz]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`rules match: reading ${JSON.stringify(gz)} failed: unexpected end of file\n`);
  });

  test("- reads standard input; CRLF line ends and a final line without newline are handled", async () => {
    const text = `${JSON.stringify(execEvent)}\r\n\r\n   \r\n${JSON.stringify(execEvent)}`;
    const r = await run(["-"], RULES, Readable.from([text.slice(0, 50), text.slice(50)]));
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([
      { line: 1, matches: [EXEC_MATCH, POD_MATCH] },
      { line: 4, matches: [EXEC_MATCH, POD_MATCH] },
    ]);
  });

  test("a line split across many chunks is reassembled", async () => {
    const text = JSON.stringify(execEvent) + "\n";
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += 7) chunks.push(text.slice(i, i + 7));
    const r = await run(["-"], RULES, Readable.from(chunks));
    expect(jsonLines(r.stdout)).toEqual([{ line: 1, matches: [EXEC_MATCH, POD_MATCH] }]);
  });

  test("an event that matches no rule gives an empty matches array", async () => {
    const r = await run(["-"], [deniedExec], Readable.from([JSON.stringify(execEvent) + "\n"]));
    expect(r.stdout).toBe('{"line":1,"matches":[]}\n');
  });

  test("--rule selects rules", async () => {
    const r = await run(["--rule", "denied exec", EVENTS]);
    expect(jsonLines(r.stdout)[5]).toEqual({ line: 7, matches: [DENIED_MATCH] });
    expect(jsonLines(r.stdout)[0]).toEqual({ line: 1, matches: [] });
  });

  test("--rule also takes a rule id (as in config files and the rule table)", async () => {
    const byId = await run(["--rule", "denied-exec", EVENTS]);
    const byName = await run(["--rule", "denied exec", EVENTS]);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toBe(byName.stdout);
    expect(jsonLines(byId.stdout)[5]).toEqual({ line: 7, matches: [DENIED_MATCH] });
  });

  test("--config and --env are passed to the rule resolver", async () => {
    const r = await run(["--config", "my.yaml", "--env=prod", EVENTS]);
    expect(r.resolved).toEqual([{ configPath: "my.yaml", env: "prod" }]);
    const d = await run([EVENTS]);
    expect(d.resolved).toEqual([{ configPath: undefined, env: undefined }]);
  });

  test("stdout backpressure is respected (never more than one buffered chunk pending)", async () => {
    const file = join(tmp, "many.jsonl");
    const line = JSON.stringify(execEvent);
    writeFileSync(file, Array.from({ length: 3000 }, () => line).join("\n") + "\n");
    let maxPending = 0;
    let lines = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        lines += chunk.toString("utf8").split("\n").length - 1;
        setTimeout(cb, 1);
      },
    });
    const origWrite = slow.write.bind(slow);
    (slow as unknown as { write: (c: string) => boolean }).write = (c: string) => {
      const ok = origWrite(c);
      maxPending = Math.max(maxPending, slow.writableLength);
      return ok;
    };
    const err = sink();
    const code = await runMatch([file], { stdout: slow, stderr: err.stream }, () => RULES);
    await new Promise<void>((resolve) => slow.end(resolve));
    expect(code).toBe(0);
    expect(lines).toBe(3000);
    // 3000 lines are ~300 KB of output; without waiting for 'drain' it would all be pending at once.
    expect(maxPending).toBeLessThan(200_000);
  });

  test("a closed stdout (EPIPE) stops quietly with exit 0", async () => {
    const broken = new PassThrough();
    broken.destroy();
    const err = sink();
    const code = await runMatch([EVENTS], { stdout: broken, stderr: err.stream }, () => RULES);
    expect(code).toBe(0);
  });
});

describe("rules match: argument and rule errors", () => {
  const allowed = "allowed: --summary, --as-eks, --config <path>, --env <name>, --rule <id|name>, --help, and one events file (- for standard input)";

  test.each<[string[], string]>([
    [[], `rules match: the events file is missing; ${allowed}`],
    [["--sumary", "x"], `rules match: unknown option "--sumary"; ${allowed}`],
    [["--config"], `rules match: option --config needs a value, got nothing; ${allowed}`],
    [["--env", "--summary", "x"], `rules match: option --env needs a value, got "--summary"; ${allowed}`],
    [["a.jsonl", "b.jsonl"], `rules match: expected one events file, got "a.jsonl" and "b.jsonl"; ${allowed}`],
  ])("%j -> exit 2", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`${message}\n${MATCH_USAGE}`);
    expect(r.resolved).toEqual([]);
  });

  test("a missing events file -> exit 2", async () => {
    const r = await run([join(tmp, "nope.jsonl")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rules match: cannot read the events file ${JSON.stringify(join(tmp, "nope.jsonl"))}: no such file\n`);
  });

  const notRegular = (file: string, kind: string) =>
    `rules match: cannot read the events file ${JSON.stringify(file)}: it is ${kind}; allowed: a regular file, or - to read standard input (e.g. zcat events.jsonl.gz | rules match -)\n`;

  test("a directory -> exit 2", async () => {
    const r = await run([tmp]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(notRegular(tmp, "a directory"));
  });

  test("a device (/dev/zero: it ran out of memory after 640 MB) -> exit 2, before reading it", async () => {
    const r = await run(["/dev/zero"]);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 2,
      stdout: "",
      stderr: notRegular("/dev/zero", "a character device"),
    });
  });

  test("a FIFO (it hung waiting for a writer) -> exit 2, without waiting", async () => {
    const fifo = join(tmp, "events.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const r = await run([fifo]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: notRegular(fifo, "a named pipe (FIFO)") });
  }, 10_000);

  test("an unknown --rule -> exit 2", async () => {
    const r = await run(["--rule", "exec by new user", EVENTS]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'rules match: --rule "exec by new user" is not the id or name of an enabled rule of the selected config; allowed: "exec by a new user", "pod activity", denied-exec ("denied exec")\n',
    );
  });

  test("an invalid rule query -> exit 1 naming the rule and the query", async () => {
    const r = await run([EVENTS], [rule({ name: "broken", queries: [query("@usr.id:system:anonymous")] })]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'rules match: rule "broken": queries[0] (a).query is invalid: invalid query at position 14 (0-based): unescaped \':\' in the value system:anonymous of @usr.id; escape it (system\\:anonymous) or quote the value ("system:anonymous"); query: "@usr.id:system:anonymous"\n',
    );
  });

  test("a resolver error -> exit 1 with its message", async () => {
    const err = sink();
    const out = sink();
    const code = await runMatch([EVENTS], { stdout: out.stream, stderr: err.stream }, () => {
      throw new Error('environment "qa" is not defined in config.yaml; defined: dev, prod');
    });
    expect(code).toBe(1);
    expect(err.text()).toBe('rules match: environment "qa" is not defined in config.yaml; defined: dev, prod\n');
  });

  test("--help prints the usage on stderr, exit 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(MATCH_USAGE);
  });
});

function at(iso: string, user: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...execEvent, stageTimestamp: iso, user: { username: user, groups: ["system:authenticated"] }, ...extra });
}

describe("rules match: a line longer than any CloudWatch line", () => {
  // MAX_EVENT_LINE_CHARS: twice CloudWatch Logs' 1 MB event limit (an event JSON-escaped in a line's message) + 64 KiB.
  const event = JSON.stringify(execEvent);
  const huge = "x".repeat(MAX_EVENT_LINE_CHARS + 1);

  test("is reported on its own line and skipped; the run goes on (it was parsed whole: a file without newlines grew without end)", async () => {
    expect(MAX_EVENT_LINE_CHARS).toBe(2 * 1024 * 1024 + 64 * 1024);
    // In chunks smaller than the line, so the line is dropped while it is read.
    const chunks = [event + "\n", ...huge.match(/.{1,65536}/gs)!, "\n", event + "\n"];
    const r = await run(["--rule", "exec by a new user", "-"], RULES, Readable.from(chunks));
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([
      { line: 1, matches: [EXEC_MATCH] },
      { line: 2, error: lineTooLongReason(MAX_EVENT_LINE_CHARS + 1) },
      { line: 3, matches: [EXEC_MATCH] },
    ]);
    expect(lineTooLongReason(MAX_EVENT_LINE_CHARS + 1)).toBe(
      "line of 2162689 characters skipped: longer than a CloudWatch Logs line can be (allowed: at most 2162688 characters, twice CloudWatch's 1 MB event limit plus 64 KiB)",
    );
  });

  test("--summary counts it as a line that is not an event", async () => {
    const r = await run(["--summary", "--rule", "exec by a new user", "-"], RULES, Readable.from([event + "\n" + huge]));
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).at(-1)).toEqual({ summary: { lines: 2, events: 1, errors: 1, rules: 1 } });
    expect(r.stderr).toBe(`rules match: 1 of 2 lines were not audit events (first: line 2: ${lineTooLongReason(MAX_EVENT_LINE_CHARS + 1)})\n`);
  });

  test("the reader keeps no more than the limit, whatever the chunking, and a line of exactly the limit is read", async () => {
    const read = async (chunks: string[]) => {
      const seen: string[] = [];
      await forEachLine(
        Readable.from(chunks),
        (line, n) => seen.push(`${n}:${line}`),
        () => Promise.resolve(true),
        (n, length) => seen.push(`${n}:too long (${length})`),
        4,
      );
      return seen;
    };
    const expected = ["1:abcd", "2:too long (5)", "3:too long (9)", "4:x", "5:too long (6)"];
    const text = "abcd\nabcde\nabcdefghi\nx\nabcdef";
    expect(await read([text])).toEqual(expected);
    expect(await read(text.split(""))).toEqual(expected);
    expect(await read(["ab", "cd\nabc", "de\nabcdefg", "hi\nx\nab", "cdef"])).toEqual(expected);
  });
});

describe("rules match --summary", () => {
  test("summary of the fixture file", async () => {
    const r = await run(["--summary", EVENTS]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([
      {
        rule: "exec by a new user",
        severity: "medium",
        detectionMethod: "new_value",
        eventsMatched: 2,
        distinct: { fields: ["@usr.name"], count: 2, capped: false },
        // kubernetes-admin on day 0 is learned; bob on day 8 is after the 1-day learning period.
        estimatedSignals: 1,
        estimate:
          "values of @usr.name first seen after the 1-day learning period (measured from the first event's timestamp), or seen again after 7 days of absence; assumes events are in time order",
      },
      {
        rule: "pod activity",
        severity: "low",
        detectionMethod: "threshold",
        eventsMatched: 4,
        distinct: { fields: ["@usr.name"], count: 3, capped: false },
        // kubernetes-admin: 2 events in the same 300 s window (line 1 and line 4) -> a > 1 once.
        estimatedSignals: 1,
        estimate:
          "(group, 300s window) buckets where a case condition holds, grouped by @usr.name; tumbling windows aligned to the epoch, without keep-alive merging (Datadog may merge several into one signal)",
      },
      {
        rule: "denied exec",
        severity: "high",
        detectionMethod: "threshold",
        eventsMatched: 1,
        distinct: null,
        estimatedSignals: 1,
        estimate:
          "(group, 300s window) buckets where a case condition holds; tumbling windows aligned to the epoch, without keep-alive merging (Datadog may merge several into one signal)",
      },
      { summary: { lines: 6, events: 4, errors: 2, rules: 3 } },
    ]);
    expect(r.stderr).toBe(`rules match: 2 of 6 lines were not audit events (first: line 5: invalid JSON: ${jsonParseError("this is not json")})\n`);
  });

  test("new value: learning period, known values, forget-after", async () => {
    const lines = [
      at("2026-11-01T00:00:00Z", "alice"), // learning
      at("2026-11-01T12:00:00Z", "bob"), // learning
      at("2026-11-02T00:00:01Z", "alice"), // known
      at("2026-11-02T01:00:00Z", "carol"), // new -> signal
      at("2026-11-02T02:00:00Z", "carol"), // known now
      at("2026-11-20T00:00:00Z", "bob"), // absent > 7 days -> forgotten -> signal
    ];
    const r = await run(["--summary", "--rule", "exec by a new user", "-"], RULES, Readable.from([lines.join("\n")]));
    const [summary] = jsonLines(r.stdout) as { estimatedSignals: number; eventsMatched: number; distinct: unknown }[];
    expect(summary.eventsMatched).toBe(6);
    expect(summary.distinct).toEqual({ fields: ["@usr.name"], count: 3, capped: false });
    expect(summary.estimatedSignals).toBe(2);
  });

  test("threshold: one signal per (group, window) bucket over the condition", async () => {
    const lines = [
      at("2026-11-01T00:00:00Z", "alice"),
      at("2026-11-01T00:01:00Z", "alice"),
      at("2026-11-01T00:02:00Z", "alice"), // alice: 3 in window 0 -> signal
      at("2026-11-01T00:03:00Z", "bob"), // bob: 1 -> no
      at("2026-11-01T00:05:00Z", "alice"), // new window
      at("2026-11-01T00:06:00Z", "alice"), // alice: 2 -> signal
      at("2026-11-01T00:11:00Z", "alice"), // alice: 1 -> no
    ];
    const r = await run(["--summary", "--rule", "pod activity", "-"], RULES, Readable.from([lines.join("\n")]));
    const [summary] = jsonLines(r.stdout) as { estimatedSignals: number }[];
    expect(summary.estimatedSignals).toBe(2);
  });

  test("threshold with cardinality and two queries", async () => {
    const cardinality = rule({
      name: "many pods",
      queries: [
        query("@objectRef.resource:pods", {
          name: "pods",
          aggregation: "cardinality",
          groupByFields: ["@usr.name"],
          distinctFields: ["@objectRef.name"],
        }),
        query("@objectRef.resource:secrets", { name: "secrets", groupByFields: ["@usr.name"] }),
      ],
      cases: [{ status: "high", condition: "pods >= 2 && secrets == 0" }],
    });
    const pod = (t: string, name: string) => at(t, "alice", { objectRef: { resource: "pods", namespace: "default", name, subresource: "exec" } });
    const lines = [
      pod("2026-11-01T00:00:00Z", "a"),
      pod("2026-11-01T00:00:10Z", "a"),
      pod("2026-11-01T00:00:20Z", "b"),
      pod("2026-11-01T00:10:00Z", "a"),
    ];
    const r = await run(["--summary", "-"], [cardinality], Readable.from([lines.join("\n")]));
    const [summary] = jsonLines(r.stdout) as { estimatedSignals: number; eventsMatched: number }[];
    expect(summary.eventsMatched).toBe(4);
    expect(summary.estimatedSignals).toBe(1);
  });

  test("a condition naming an unknown query is reported, not guessed", async () => {
    const bad = rule({ name: "bad condition", queries: [query("*")], cases: [{ status: "low", condition: "b > 0" }] });
    const r = await run(["--summary", EVENTS], [bad]);
    const [summary] = jsonLines(r.stdout) as { estimatedSignals: unknown; estimate: string }[];
    expect(summary.estimatedSignals).toBeNull();
    expect(summary.estimate).toBe('not estimated: condition: received "b > 0" (query "b" does not exist); allowed: the query names a');
  });

  test("the summary of a gzip file equals the plain one", async () => {
    const gz = join(tmp, "events.jsonl.gz");
    writeFileSync(gz, gzipSync(readFileSync(EVENTS)));
    const plain = await run(["--summary", EVENTS]);
    const zipped = await run(["--summary", gz]);
    expect(zipped.stdout).toBe(plain.stdout);
  });
});

describe("compileCondition", () => {
  test.each<[string, Record<string, number>, boolean]>([
    ["a > 0", { a: 1 }, true],
    ["a > 0", { a: 0 }, false],
    ["a >= 10 || b > 3", { a: 1, b: 4 }, true],
    ["a >= 10 && b > 3", { a: 11, b: 1 }, false],
    ["(a > 1 || b > 1) && a < 5", { a: 2, b: 0 }, true],
    ["a > 1 || b > 1 && a < 5", { a: 9, b: 0 }, true],
    ["a != 1", { a: 1, b: 0 }, false],
    ["b == 0", { a: 1 }, true],
  ])("%s with %j -> %s", (condition, values, expected) => {
    const c = compileCondition(condition, ["a", "b"]);
    expect(typeof c).toBe("function");
    expect((c as (v: Record<string, number>) => boolean)(values)).toBe(expected);
  });

  // The language the rule model accepts, and nothing more: arithmetic and negation fail here as they fail there.
  test.each<[string, string]>([
    ["a >", '"a >" is not a comparison'],
    ["a > 0)", "a ) has no ("],
    ["a > 0 $", '"$" follows a complete condition'],
    ["(a > 0", "a ( has no )"],
    ["(a + b) * 2 > 9", '"a + b" is not a comparison'],
    ["!(a == 0)", '"!" is not a comparison'],
  ])("%s is rejected", (condition, why) => {
    expect(compileCondition(condition, ["a"])).toBe(`condition: received ${JSON.stringify(condition)} (${why}); allowed: ${CONDITION_ALLOWED}`);
  });

  test("a condition naming a query the rule does not have is rejected", () => {
    expect(compileCondition("c > 0", ["a"])).toBe('condition: received "c > 0" (query "c" does not exist); allowed: the query names a');
  });
});

describe("rules match: CloudWatch export-to-S3 lines", () => {
  test("`<timestamp> <event JSON>` lines are read; other text still fails as invalid JSON", async () => {
    const text = `2026-11-20T10:15:02.140Z ${JSON.stringify(execEvent)}\n2026-11-20T10:15:03.000Z not json\n`;
    const r = await run(["-"], RULES, Readable.from([text]));
    expect(jsonLines(r.stdout)).toEqual([
      { line: 1, matches: [EXEC_MATCH, POD_MATCH] },
      { line: 2, error: `invalid JSON: ${jsonParseError("2026-11-20T10:15:03.000Z not json")}` },
    ]);
  });
});

describe("rules match: free text in a rule query", () => {
  test("is reported on stderr (it never matches an audit event offline); stdout is unchanged", async () => {
    const freeText = rule({ name: "free text", queries: [query('source:kubernetes.audit "cannot exec"')] });
    const r = await run(["-"], [freeText], Readable.from([JSON.stringify(execEvent) + "\n"]));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"line":1,"matches":[]}\n');
    expect(r.stderr).toBe(
      'rules match: warning: rule "free text" queries[0] (a) searches free text "cannot exec" at position 24 (0-based); audit events have no message, so this term never matches offline: search an @attribute instead\n',
    );
  });
});
