/**
 * The hostile-input suite: seeded mutations of the config (types, lengths, encodings, Terraform template syntax,
 * control characters, deletions, text forms YAML and JSON allow) and of each CLI's arguments and inputs (`rules
 * match`, `rules new`, `eval-corpus`, `review`), all run in-process. Every case must end with exit 0, or exit 1 or 2
 * with one paragraph naming what was wrong (no stack trace, no internal error), and a failed case leaves the
 * previous output untouched. A case that synthesizes must write no live template of the user's text.
 *
 * Reproduce one case: the failure lists each case's seed and what it did; `HOSTILE_SEED=<n>` changes the seed.
 */
import { createHash } from "crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { Readable } from "stream";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { runSynth } from "../stacks/synth-app";
import { runMatch } from "../tools/rules/match";
import { runNew } from "../tools/rules/new";
import { runEvalCorpus } from "../tools/eval-corpus/cli";
import { main as reviewMain } from "../tools/review/review";
import { resolveRules } from "../tools/rules/cli";
import { sink } from "./helpers/sink";
import {
  CONTROL,
  ENCODINGS,
  Rng,
  TEMPLATES,
  YAML_TEXT_MUTATIONS,
  errorShapeProblems,
  hostileValue,
  liveTemplates,
  mutateDocument,
  truncate,
} from "./helpers/hostile";

const ROOT = path.join(__dirname, "..");
const SEED = Number(process.env.HOSTILE_SEED ?? 20261206);
const DEFAULT_CONFIG = path.join(ROOT, "config/eks-audit-siem.yaml");
const EVENTS = path.join(ROOT, "__tests__/fixtures/audit/events.jsonl");

const work = mkdtempSync(path.join(tmpdir(), "hostile-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Relative path -> sha1 of every file under `dir` (folders too, so an added empty folder shows). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const rel = path.relative(dir, p);
      if (statSync(p).isDirectory()) {
        out.set(`${rel}/`, "dir");
        walk(p);
      } else out.set(rel, createHash("sha1").update(readFileSync(p)).digest("hex"));
    }
  };
  walk(dir);
  return out;
}

function sameSnapshot(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** Unescaped references to the API key variable (`$${var.datadog_api_key}` is literal text). */
function liveApiKeyUses(json: string): number {
  return json.match(/(?<!\$)\$\{var\.datadog_api_key\}/g)?.length ?? 0;
}

interface Outcome {
  readonly code: number;
  readonly stderr: string;
}

/** How many cases each describe block ran, checked against what it claims. */
const counts = { config: 0, cli: 0 };

/** Collects the failures of one test's cases, then reports them together (the case list is the reproduction). */
class Cases {
  public readonly failures: string[] = [];

  public constructor(private readonly block: keyof typeof counts) {}

  public check(what: string, outcome: Outcome, extra: string[] = []): void {
    counts[this.block]++;
    const problems = [...extra];
    if (![0, 1, 2].includes(outcome.code)) problems.push(`exit ${outcome.code}`);
    if (outcome.code !== 0) problems.push(...errorShapeProblems(outcome.stderr));
    if (problems.length > 0) this.failures.push(`${what}: ${problems.join("; ")}\n${outcome.stderr.slice(0, 600)}`);
  }
}

describe("hostile config", () => {
  let cases: Cases;
  beforeEach(() => (cases = new Cases("config")));
  const outdir = path.join(work, "cdktf.out");
  const defaultText = readFileSync(DEFAULT_CONFIG, "utf8");
  const defaultDoc = parseYaml(defaultText) as unknown;
  let baseline: Map<string, string>;
  /** How often each stack of the default example references the API key variable (the secret's value). */
  const apiKeyUses = new Map<string, number>();

  function synth(file: string): Outcome & { stdout: string } {
    const stdout = sink();
    const stderr = sink();
    const code = runSynth({ env: { EKS_AUDIT_SIEM_CONFIG: file, CDKTF_OUTDIR: outdir }, stdout: stdout.stream, stderr: stderr.stream });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  beforeAll(() => {
    const first = synth(DEFAULT_CONFIG);
    if (first.code !== 0) throw new Error(`the default example does not synthesize: ${first.stderr}`);
    baseline = snapshot(outdir);
    for (const stack of readdirSync(path.join(outdir, "stacks"))) {
      const json = readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8");
      apiKeyUses.set(stack, liveApiKeyUses(json));
      expect(liveTemplates(json)).toEqual([]);
    }
  }, 60_000);

  /** Runs one config file; checks the outcome; puts the baseline output back after a success. */
  function runCase(what: string, file: string): void {
    const r = synth(file);
    const extra: string[] = [];
    if (r.code === 0) {
      for (const stack of readdirSync(path.join(outdir, "stacks"))) {
        const json = readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8");
        const live = liveTemplates(json);
        if (live.length > 0) extra.push(`stack ${stack} holds live templates: ${JSON.stringify(live)}`);
        const keyUses = liveApiKeyUses(json);
        if (what.includes("datadog_api_key") && keyUses > (apiKeyUses.get(stack) ?? 0))
          extra.push(`stack ${stack} references var.datadog_api_key ${keyUses} times`);
      }
      rmSync(outdir, { recursive: true, force: true });
      const again = synth(DEFAULT_CONFIG);
      if (again.code !== 0) throw new Error(`the default example no longer synthesizes after ${what}: ${again.stderr}`);
    } else {
      if (!r.stderr.includes(path.basename(file))) extra.push("the message does not name the config file");
      if (!sameSnapshot(baseline, snapshot(outdir))) extra.push("the previous output changed");
    }
    cases.check(what, r, extra);
  }

  test("document mutations, YAML and JSON", () => {
    const rng = new Rng(SEED);
    for (let k = 0; k < 260; k++) {
      const m = mutateDocument(rng, defaultDoc);
      const json = k % 3 === 0;
      const file = path.join(work, `doc-${k}.${json ? "json" : "yaml"}`);
      writeFileSync(file, json ? JSON.stringify(m.doc, null, 2) : stringifyYaml(m.doc));
      runCase(`case doc-${k} (seed ${SEED}): ${m.what}`, file);
    }
    expect(cases.failures).toEqual([]);
  }, 120_000);

  test("text forms: tags, aliases, number forms, encodings, truncation", () => {
    const rng = new Rng(SEED + 1);
    YAML_TEXT_MUTATIONS.forEach((m, k) => {
      const file = path.join(work, `text-${k}.yaml`);
      writeFileSync(file, m.apply(defaultText));
      runCase(`text ${m.what}`, file);
    });
    for (let k = 0; k < 40; k++) {
      const json = k % 2 === 0;
      const text = json ? JSON.stringify(defaultDoc, null, 2) : defaultText;
      const file = path.join(work, `cut-${k}.${json ? "json" : "yaml"}`);
      writeFileSync(file, truncate(rng, text));
      runCase(`truncated ${path.basename(file)} (seed ${SEED + 1})`, file);
    }
    for (const [what, text] of [
      ["JSON trailing comma", '{"environments": [],}'],
      ["JSON comment", '{"environments": [] // no\n}'],
      [
        "JSON 1e400",
        '{"environments": [{"name": "a", "aws": {"accountId": "111111111111", "region": "us-east-1"}, "clusters": [{"name": "c", "mode": "existing", "logRetentionInDays": 1e400}]}]}',
      ],
      ["JSON big integer", '{"environments": [{"name": "a", "aws": {"accountId": 111111111111111111111, "region": "us-east-1"}}]}'],
      ["JSON lone surrogate", '{"environments": [{"name": "\\ud800"}]}'],
      ["JSON deep nesting", `{"environments": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`],
    ] as const) {
      const file = path.join(work, `${what.replace(/\W+/g, "-")}.json`);
      writeFileSync(file, text);
      runCase(what, file);
    }
    expect(cases.failures).toEqual([]);
  }, 120_000);

  test("the suite ran as many cases as it claims", () => {
    expect(counts.config).toBe(260 + YAML_TEXT_MUTATIONS.length + 40 + 6);
  });
});

describe("hostile CLI arguments and inputs", () => {
  let cases: Cases;
  beforeEach(() => (cases = new Cases("cli")));
  /** The fixture's audit events (it also holds a line that is not JSON, on purpose). */
  const events = readFileSync(EVENTS, "utf8")
    .split("\n")
    .filter((l) => l.trim().startsWith("{"));

  async function match(argv: string[]): Promise<Outcome & { stdout: string }> {
    const stdout = sink();
    const stderr = sink();
    // `-` reads standard input: an empty stream here.
    const code = await runMatch(argv, { stdout: stdout.stream, stderr: stderr.stream, stdin: Readable.from([]) }, resolveRules);
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  /** An events line mutated: cut, garbled, a hostile value planted in it, or not an object at all. */
  function hostileLine(rng: Rng): { what: string; line: string } {
    const line = rng.pick(events);
    switch (rng.int(6)) {
      case 0:
        return { what: "truncated line", line: truncate(rng, line) };
      case 1: {
        const m = mutateDocument(rng, JSON.parse(line));
        return { what: m.what, line: JSON.stringify(m.doc) };
      }
      case 2:
        return { what: "not an object", line: JSON.stringify(hostileValue(rng)) };
      case 3:
        return { what: "deep nesting", line: `${"[".repeat(50_000)}${"]".repeat(50_000)}` };
      case 4:
        return { what: "a 300 KB line", line: JSON.stringify({ ...JSON.parse(line), pad: "x".repeat(300_000) }) };
      default:
        return { what: "garbage", line: String(rng.pick([...CONTROL, ...ENCODINGS, ...TEMPLATES])) };
    }
  }

  test("rules match: hostile events files", async () => {
    const rng = new Rng(SEED + 2);
    for (let k = 0; k < 60; k++) {
      const planted = [hostileLine(rng), hostileLine(rng)];
      const lines = [...events];
      for (const p of planted) lines.splice(rng.int(lines.length + 1), 0, p.line);
      const file = path.join(work, `events-${k}.jsonl`);
      writeFileSync(file, lines.join("\n"));
      const argv = k % 2 === 0 ? ["--summary", file] : [file];
      const r = await match(argv);
      const extra = r.code === 0 ? [] : [`a bad line stopped the run`];
      cases.check(`rules match ${argv.join(" ")} with ${planted.map((p) => p.what).join(", ")} (seed ${SEED + 2})`, r, extra);
    }
    expect(cases.failures).toEqual([]);
  }, 60_000);

  test("rules match: hostile arguments", async () => {
    const rng = new Rng(SEED + 3);
    const words = [
      "--summary",
      "--config",
      "--env",
      "--rule",
      "--bogus",
      "-x",
      "-",
      "",
      "--",
      "--config=",
      "--rule=",
      EVENTS,
      work,
      "/dev/null",
      "missing.jsonl",
    ];
    for (let k = 0; k < 60; k++) {
      const argv = Array.from({ length: 1 + rng.int(4) }, () =>
        rng.next() < 0.7 ? rng.pick(words) : String(rng.pick([...TEMPLATES, ...CONTROL, ...ENCODINGS])),
      );
      const r = await match(argv);
      cases.check(`rules match ${JSON.stringify(argv)} (seed ${SEED + 3})`, r);
    }
    expect(cases.failures).toEqual([]);
  }, 60_000);

  test("rules new: hostile names, queries and options leave the pack untouched when refused", async () => {
    const packDir = path.join(work, "pack");
    cpSync(path.join(ROOT, "pack/rules"), packDir, { recursive: true });
    const before = snapshot(packDir);
    const rng = new Rng(SEED + 4);
    /** One hostile option value: replaced whole, or planted inside the valid value. */
    const hostile = (valid: string): string => {
      const value = String(rng.pick([...TEMPLATES, ...CONTROL, ...ENCODINGS, "", "-x", "@usr.name:*", "a".repeat(600), "1e400", "-5"]));
      return rng.next() < 0.5 ? value : `${valid} ${value}`;
    };
    let accepted = 0;
    for (let k = 0; k < 60; k++) {
      // A valid command, with one option (or, one time in four, a second one too) made hostile.
      const options: [string, string][] = [
        ["--name", `Hostile rule ${k}`],
        ["--query", "@http.method:create @objectRef.resource:pods"],
        ["--method", "threshold"],
        ["--count", "3"],
        ["--group-by", "@usr.id"],
        ["--severity", "medium"],
        ["--tactic", "TA0002-execution"],
        ["--technique", "T1609-container-administration-command"],
      ];
      for (let n = rng.next() < 0.25 ? 2 : 1; n > 0; n--) {
        const at = rng.int(options.length);
        options[at] = [options[at][0], hostile(options[at][1])];
      }
      const argv = [...options.flat(), "--pack-dir", packDir];
      const stdout = sink();
      const stderr = sink();
      const code = await runNew(argv, { stdout: stdout.stream, stderr: stderr.stream }, { packDir });
      const extra: string[] = [];
      if (code !== 0 && !sameSnapshot(before, snapshot(packDir))) extra.push("the pack changed");
      cases.check(`rules new ${JSON.stringify(argv.slice(0, -2))} (seed ${SEED + 4})`, { code, stderr: stderr.text() }, extra);
      if (code === 0) {
        accepted++;
        rmSync(packDir, { recursive: true, force: true });
        cpSync(path.join(ROOT, "pack/rules"), packDir, { recursive: true });
      }
    }
    expect(cases.failures).toEqual([]);
    // Both outcomes happen: text that is only odd is written literally, the rest refused.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(60);
  }, 120_000);

  test("eval-corpus: hostile corpus lines and arguments", () => {
    const rng = new Rng(SEED + 5);
    const corpusLine = (event: unknown): string => JSON.stringify({ rule: "hostile", test: "t", expected: true, event });
    for (let k = 0; k < 60; k++) {
      const lines = events.slice(0, 3).map((l) => corpusLine(JSON.parse(l)));
      const bad = hostileLine(rng);
      lines.splice(rng.int(lines.length + 1), 0, rng.next() < 0.5 ? bad.line : corpusLine(bad.line));
      const file = path.join(work, `corpus-${k}.jsonl`);
      writeFileSync(file, lines.join("\n"));
      const argv = rng.next() < 0.2 ? [rng.pick(["--json", "--bogus", work, "missing.jsonl"]), file] : [file];
      const stdout = sink();
      const stderr = sink();
      const code = runEvalCorpus(argv, { stdout: stdout.stream, stderr: stderr.stream });
      cases.check(`eval-corpus ${JSON.stringify(argv)} with ${bad.what} (seed ${SEED + 5})`, { code, stderr: stderr.text() });
    }
    expect(cases.failures).toEqual([]);
  }, 60_000);

  test("review: hostile folders, stacks and plans", async () => {
    const rng = new Rng(SEED + 6);
    const stackJson = {
      terraform: { backend: { local: { path: "x.tfstate" } } },
      resource: { aws_cloudwatch_log_group: { g: { name: "/aws/eks/x/cluster" } } },
    };
    let out = "";
    let err = "";
    const write =
      (to: "out" | "err") =>
      (chunk: string | Uint8Array): boolean => {
        if (to === "out") out += chunk.toString();
        else err += chunk.toString();
        return true;
      };
    const so = jest.spyOn(process.stdout, "write").mockImplementation(write("out"));
    const se = jest.spyOn(process.stderr, "write").mockImplementation(write("err"));
    try {
      for (let k = 0; k < 60; k++) {
        const dir = (name: string, content: string | undefined): string => {
          const d = path.join(work, `review-${k}-${name}`);
          mkdirSync(path.join(d, "stacks", "staging"), { recursive: true });
          if (content !== undefined) writeFileSync(path.join(d, "stacks", "staging", "cdk.tf.json"), content);
          return d;
        };
        const m = mutateDocument(rng, stackJson);
        const text = rng.next() < 0.3 ? truncate(rng, JSON.stringify(stackJson)) : JSON.stringify(m.doc);
        const before = dir("before", JSON.stringify(stackJson));
        const after = dir("after", rng.next() < 0.1 ? undefined : text);
        const plan = path.join(work, `review-${k}-plan.json`);
        const planDoc = mutateDocument(rng, {
          format_version: "1.2",
          resource_changes: [{ address: "a.b", type: "a", change: { actions: ["delete"] } }],
        });
        writeFileSync(plan, JSON.stringify(planDoc.doc));
        const argv = [before, after];
        if (rng.next() < 0.5) argv.unshift("--plan", `${rng.pick(["staging", "prod", "a=b", String(rng.pick(CONTROL))])}=${plan}`);
        if (rng.next() < 0.2) argv.push(rng.pick(["--bogus", "--fail-on-destroy", work]));
        out = "";
        err = "";
        const code = await reviewMain(argv);
        const extra = code === 0 || code === 3 ? (out.trim() === "" ? ["no review printed"] : []) : [];
        cases.check(
          `review ${JSON.stringify(argv)} after ${m.what}; plan ${planDoc.what} (seed ${SEED + 6})`,
          { code: code === 3 ? 0 : code, stderr: err },
          extra,
        );
      }
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
    expect(cases.failures).toEqual([]);
  }, 60_000);

  test("the suite ran as many cases as it claims", () => {
    expect(counts.cli).toBe(5 * 60);
  });
});
