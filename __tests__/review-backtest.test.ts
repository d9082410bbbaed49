/**
 * `review --backtest`: before/after signals per day of the detection rules a change adds, alters (threshold, query,
 * the suppressions that apply), removes or disables, on a generated event sequence whose numbers are counted by hand
 * (`exampleLogSample`: exec bursts of 30 and 15 by alice and bob in one window of day 1, 12 by carol later that day,
 * 26 by alice and 5 by dave on day 2; 3 pod attaches); both engines give the same review; bad inputs are one line.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { main, reviewCommand, runReview } from "../tools/review/review";
import { captureMain } from "./helpers/capture-main";
import { exampleLogSample, synthesizeExample } from "../tools/review/example";

jest.setTimeout(120_000);

const WORK = mkdtempSync(path.join(os.tmpdir(), "review-backtest-test-"));
const { before } = synthesizeExample(WORK);
const SAMPLE = path.join(WORK, "sample.jsonl");
writeFileSync(SAMPLE, exampleLogSample());
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

const RULE = "datadog_security_monitoring_rule";
const SUPPRESSION = "datadog_security_monitoring_suppression";

/** A copy of the base output with `edit` applied to the staging stack's JSON. */
function staging(edit: (stack: any) => void): string {
  const dir = mkdtempSync(path.join(WORK, "edit-"));
  cpSync(before, dir, { recursive: true });
  const file = path.join(dir, "stacks", "staging", "cdk.tf.json");
  const stack = JSON.parse(readFileSync(file, "utf8"));
  edit(stack);
  writeFileSync(file, JSON.stringify(stack));
  return dir;
}

const burst = (stack: any) => stack.resource[RULE]["pod-exec-burst"];

async function review(after: string, ...options: string[]): Promise<string> {
  const engine = options.includes("--engine") ? [] : ["--engine", "node"];
  return (await reviewCommand([...engine, ...options, "--backtest", SAMPLE, before, after])).markdown;
}

/** The lines of the review under the item that starts with `item`. */
function under(markdown: string, item: string): string[] {
  const lines = markdown.split("\n");
  const at = lines.findIndex((l) => l.startsWith(item));
  if (at < 0) throw new Error(`no item starting with ${item} in:\n${markdown}`);
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith("  ")) break;
    out.push(l.trim());
  }
  return out;
}

const BURST_ITEM = "- Cloud SIEM rule pod-exec-burst (";

describe("review --backtest on a generated sequence", () => {
  it("a raised threshold: fewer signals per day after (4 windows over 10 execs, 2 over 25, in 2 days)", async () => {
    const after = staging((s) => (burst(s).case[0].condition = "execs > 25"));
    const markdown = await review(after);
    expect(under(markdown, BURST_ITEM)[0]).toBe("- backtest: signals/day 2 → 1, events matched 88 → 88 (threshold 10 → 25)");
    expect(markdown).toContain("1 file(s), 91 events over 2 day(s)");
  });

  it("both engines give the same review, and the same JSON numbers", async () => {
    const after = staging((s) => {
      burst(s).case[0].condition = "execs > 14";
      burst(s).query[0].query += " -@usr.id:carol";
    });
    const json = (engine: string) => path.join(WORK, `${engine}.json`);
    const node = await review(after, "--engine", "node", "--backtest-json", json("node"));
    const duckdb = await review(after, "--engine", "duckdb", "--backtest-json", json("duckdb"));
    expect(under(node, BURST_ITEM)[0]).toBe("- backtest: signals/day 2 → 1.5, events matched 88 → 76 (threshold 10 → 14; query execs changed)");
    expect(duckdb.replace("(duckdb engine", "(node engine")).toBe(node);
    const numbers = (engine: string) => {
      const doc = JSON.parse(readFileSync(json(engine), "utf8"));
      expect(doc.engine).toBe(engine);
      return doc.rules;
    };
    expect(numbers("duckdb")).toEqual(numbers("node"));
    expect(numbers("node")).toEqual([
      {
        environment: "staging",
        address: `${RULE}.pod-exec-burst`,
        kind: "changed",
        changes: [
          { setting: "threshold", before: "10", after: "14", modeled: true },
          { setting: "query", of: "execs", modeled: true },
        ],
        before: { state: "run", eventsMatched: 88, estimatedSignals: 4, signalsPerDay: 2, estimate: expect.any(String) },
        after: { state: "run", eventsMatched: 76, estimatedSignals: 3, signalsPerDay: 1.5, estimate: expect.any(String) },
      },
    ]);
  });

  it("a new rule shows (new rule) → its signals", async () => {
    const after = staging((s) => {
      const copy = structuredClone(burst(s));
      copy.name = "EKS: exec bursts, copy";
      copy.case[0].condition = "execs > 12";
      s.resource[RULE]["pod-exec-burst-copy"] = copy;
    });
    const markdown = await review(after);
    expect(under(markdown, "- Cloud SIEM rule pod-exec-burst-copy")[0]).toBe("- backtest: signals/day (new rule) → 1.5, events matched 88");
    expect(markdown).not.toContain(BURST_ITEM);
  });

  it("a changed query: the events it matches and the signals change", async () => {
    const after = staging((s) => (burst(s).query[0].query += " -@usr.id:bob"));
    expect(under(await review(after), BURST_ITEM)[0]).toBe("- backtest: signals/day 2 → 1.5, events matched 88 → 73 (query execs changed)");
  });

  it("a suppression added for the rule: its resource is unchanged, the backtest shows it under its own item", async () => {
    const after = staging((s) => {
      s.resource[SUPPRESSION] = {
        alice: {
          enabled: true,
          name: "alice debugs payments",
          rule_query: "type:log_detection source:kubernetes eks_audit_siem_rule:pod-exec-burst",
          suppression_query: '@usr.id:"alice"',
        },
        // Selects no rule of the stack: changes nothing the backtest models.
        other: { enabled: true, name: "other", rule_query: "eks_audit_siem_rule:no-such-rule", suppression_query: "@usr.id:bob" },
      };
    });
    const markdown = await review(after);
    expect(under(markdown, `- \`${RULE}.pod-exec-burst\`: changed by the suppressions that apply to it`)).toEqual([
      "- backtest: signals/day 2 → 1, events matched 88 → 32 (suppression `alice debugs payments` (none) → applies)",
    ]);
    expect(markdown.match(/backtest: /g)).toHaveLength(1);
  });

  it("a suppression's name is inert Markdown in the backtest line (no heading, HTML, link or mention)", async () => {
    const after = staging((s) => {
      s.resource[SUPPRESSION] = {
        hostile: {
          enabled: true,
          name: "<details>@team [x](https://e.example)\n# h",
          rule_query: "eks_audit_siem_rule:pod-exec-burst",
          suppression_query: "@usr.id:bob",
        },
      };
    });
    const line = under(await review(after), `- \`${RULE}.pod-exec-burst\``)[0];
    expect(line).toBe(
      "- backtest: signals/day 2 → 1.5, events matched 88 → 73 (suppression `<details>@team [x](https://e.example)\\n# h` (none) → applies)",
    );
  });

  it("a suppression's data exclusion query changed, and a disabled suppression applies to nothing", async () => {
    const base = staging((s) => {
      s.resource[SUPPRESSION] = {
        x: { enabled: true, name: "x", rule_query: "eks_audit_siem_rule:pod-exec-burst", data_exclusion_query: "@usr.id:bob" },
      };
    });
    const changed = path.join(WORK, "excl-changed");
    cpSync(base, changed, { recursive: true });
    const file = path.join(changed, "stacks/staging/cdk.tf.json");
    const stack = JSON.parse(readFileSync(file, "utf8"));
    stack.resource[SUPPRESSION].x.data_exclusion_query = "@usr.id:(bob OR carol)";
    writeFileSync(file, JSON.stringify(stack));
    const markdown = (await reviewCommand(["--engine", "node", "--backtest", SAMPLE, base, changed])).markdown;
    expect(under(markdown, `- \`${RULE}.pod-exec-burst\``)[0]).toBe(
      "- backtest: signals/day 1.5 → 1, events matched 73 → 61 (suppression x applies → changed)",
    );
    stack.resource[SUPPRESSION].x.enabled = false;
    writeFileSync(file, JSON.stringify(stack));
    const disabled = (await reviewCommand(["--engine", "node", "--backtest", SAMPLE, base, changed])).markdown;
    expect(under(disabled, `- \`${RULE}.pod-exec-burst\``)[0]).toBe(
      "- backtest: signals/day 1.5 → 2, events matched 73 → 88 (suppression x applies → (none))",
    );
  });

  it("a removed and a disabled rule: before → (removed), before → (disabled)", async () => {
    const after = staging((s) => {
      delete s.resource[RULE]["pod-exec-burst"];
      s.resource[RULE]["pod-attach"].enabled = false;
    });
    const markdown = await review(after);
    expect(under(markdown, BURST_ITEM)[0]).toBe("- backtest: signals/day 2 → (removed), events matched 88");
    expect(under(markdown, "- Cloud SIEM rule pod-attach")[0]).toBe("- backtest: signals/day 1.5 → (disabled), events matched 3");
  });

  it("a change the backtest does not model: not run, and says what changed", async () => {
    const after = staging((s) => {
      burst(s).message = "new text";
      burst(s).options.keep_alive = 7200;
    });
    const markdown = await review(after);
    expect(under(markdown, BURST_ITEM)[0]).toBe("- backtest: not run, no setting it models changed (keep-alive 3600 s → 7200 s (not modeled))");
    expect(markdown).toContain("no detection rule changed, so nothing was run");
  });

  it("without --backtest the review is the same as before (no backtest line)", async () => {
    const after = staging((s) => (burst(s).case[0].condition = "execs > 25"));
    const plain = runReview([before, after]).markdown;
    expect(plain).not.toContain("backtest");
    expect((await reviewCommand([before, after])).markdown).toBe(plain);
  });
});

describe("review --backtest: bad arguments and inputs are one line, exit 2", () => {
  async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const r = await captureMain(main, argv);
    return { ...r, stderr: r.stderr.split(WORK).join("<work>") };
  }

  it.each([
    [
      ["--backtest", "/no/such/sample.jsonl"],
      'review: --backtest: input "/no/such/sample.jsonl": no such file or directory; allowed: files, directories, globs (quoted) and s3:// URLs',
    ],
    [["--engine", "node"], "review: --engine without --backtest; allowed: --backtest <input> with them, or none of them"],
    [["--backtest", "x", "--engine", "spark"], 'review: --engine is "spark"; allowed: duckdb, node'],
    [
      ["--backtest", "x", "--from", "2026-11-02"],
      "review: --from and --to go together (received only --from); allowed: both, or neither to read everything",
    ],
    [
      ["--backtest", "x", "--from", "2026-11-31", "--to", "2026-12-01"],
      'review: --from: received "2026-11-31"; allowed: a UTC day as YYYY-MM-DD (e.g. 2026-11-01)',
    ],
    [["--backtest", `${"<work>"}/nothing-*.jsonl`], 'review: --backtest: no file matched "<work>/nothing-*.jsonl"'],
  ])("%j", async (options, message) => {
    const argv = options.map((o) => o.split("<work>").join(WORK));
    expect(await cli([...argv, before, before])).toEqual({ code: 2, stdout: "", stderr: `${message}\n` });
  });

  it("a rule whose query the backtest cannot parse names the environment, the rule and the field", async () => {
    const after = staging((s) => (burst(s).query[0].query = "@usr.id:(alice"));
    const r = await cli(["--engine", "node", "--backtest", SAMPLE, before, after]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'review: --backtest: environment "staging", datadog_security_monitoring_rule.pod-exec-burst: query[0].query: received "@usr.id:(alice" ' +
        "(invalid query at position 8 (0-based): the value group of @usr.id is never closed; add the matching ')'; query: \"@usr.id:(alice\"); " +
        "allowed: a Datadog log search query\n",
    );
  });

  it("a line that is not an event is counted in the summary, not fatal", async () => {
    const mixed = path.join(WORK, "mixed.jsonl");
    writeFileSync(mixed, `${exampleLogSample()}not json\n`);
    const after = staging((s) => (burst(s).case[0].condition = "execs > 25"));
    const r = await cli(["--engine", "node", "--backtest", mixed, before, after]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("91 events over 2 day(s); 1 of 92 lines were not audit events or archived logs");
  });
});
