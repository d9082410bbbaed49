/**
 * End-to-end check of the `rules` entry point as a process: compiles `tools/rules/cli.ts` and what it imports into a
 * temporary folder (not `dist/`, so it does not depend on the rest of the project building), then spawns node on it.
 */
import { spawnSync } from "child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";

const ROOT = resolve(__dirname, "..");
const FIXTURE = join(ROOT, "__tests__/fixtures/audit/events.jsonl");
const GUIDE_RULE = "EKS: user exec into a pod for the first time";

let out: string;
let entry: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "rules-cli-"));
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, "node_modules/typescript/bin/tsc"),
      "--outDir",
      out,
      "--rootDir",
      ROOT,
      "--module",
      "commonjs",
      "--target",
      "ES2022",
      "--moduleResolution",
      "node",
      "--esModuleInterop",
      "--resolveJsonModule",
      "--skipLibCheck",
      "--strict",
      "--types",
      "node",
      join(ROOT, "tools/rules/cli.ts"),
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  entry = join(out, "tools/rules/cli.js");
}, 120_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

function rules(args: string[], input?: string) {
  // The compiled files live outside the project: resolve packages from its node_modules.
  const env = { ...process.env, NODE_PATH: join(ROOT, "node_modules") };
  return spawnSync(process.execPath, [entry, ...args], { cwd: ROOT, encoding: "utf8", input, env });
}

test("match prints one JSON line per non-blank input line and exits 0", () => {
  const r = rules(["match", "--rule", GUIDE_RULE, FIXTURE]);
  expect(r.status).toBe(0);
  expect(r.stderr).toBe("");
  const lines = r.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as { line: number; matches?: { rule: string }[]; error?: string });
  expect(lines.map((l) => l.line)).toEqual([1, 3, 4, 5, 6, 7]);
  expect(lines.map((l) => (l.matches === undefined ? "error" : l.matches.map((m) => m.rule).join(",")))).toEqual([
    GUIDE_RULE,
    GUIDE_RULE,
    "",
    "error",
    "error",
    "",
  ]);
});

test("every rule of the pack is evaluated by default, with its severity and tags", () => {
  const r = rules(["match", FIXTURE]);
  expect(r.status).toBe(0);
  const first = JSON.parse(r.stdout.split("\n")[0]) as { matches: { rule: string; severity: string; tags: string[] }[] };
  const guide = first.matches.find((m) => m.rule === GUIDE_RULE);
  expect(guide).toEqual({
    rule: GUIDE_RULE,
    severity: "medium",
    tags: ["source:kubernetes", "security:attack", "tactic:TA0002-execution", "technique:T1609-container-administration-command"],
  });
});

test("standard input with -", () => {
  const r = rules(["match", "--rule", GUIDE_RULE, "-"], "\n{}\n");
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(
    '{"line":2,"error":"expected an audit.k8s.io/v1 Event (\\"kind\\": \\"Event\\") or a CloudWatch line with \\"message\\", got an object with neither"}\n',
  );
});

test("bad arguments: exit 2, nothing on stdout", () => {
  const r = rules(["match", "--bogus", FIXTURE]);
  expect(r.status).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.split("\n")[0]).toBe(
    'rules match: unknown option "--bogus"; allowed: --summary, --as-eks, --config <path>, --env <name>, --rule <id|name>, --help, and one events file (- for standard input)',
  );
});

test("an unknown command: exit 2", () => {
  const r = rules(["macth"]);
  expect(r.status).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.split("\n")[0]).toBe('rules: unknown command "macth"; allowed: match, new, noise, backtest');
});

test("new writes a rule file into the pack and registers it (export a Log Explorer query to a rule)", () => {
  const pack = mkdtempSync(join(tmpdir(), "rules-new-pack-"));
  cpSync(join(ROOT, "pack/rules"), pack, { recursive: true });
  const query = "source:kubernetes.audit @objectRef.resource:namespaces @http.method:delete @http.status_code:[200 TO 299]";
  const r = rules([
    "new",
    "--pack-dir",
    pack,
    "--name",
    "Fixture: namespace removed",
    "--query",
    query,
    "--method",
    "threshold",
    "--count",
    "0",
    "--window",
    "300",
    "--group-by",
    "@usr.name",
    "--severity",
    "high",
    "--tactic",
    "TA0005-defense-evasion",
    "--technique",
    "T1485-data-destruction",
  ]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const file = readFileSync(join(pack, "fixture-namespace-removed.ts"), "utf8");
  expect(file).toContain(JSON.stringify(query));
  expect(readFileSync(join(pack, "index.ts"), "utf8")).toContain("fixture-namespace-removed");
  // The guide's own typo is refused with a suggestion, and nothing is written.
  const typo = rules([
    "new",
    "--pack-dir",
    pack,
    "--name",
    "typo",
    "--query",
    "source:kubernetes.aduit",
    "--method",
    "new_value",
    "--field",
    "@usr.name",
    "--tactic",
    "TA0002-execution",
    "--technique",
    "T1609-container-administration-command",
  ]);
  expect(typo.status).toBe(2);
  expect(typo.stderr).toContain('did you mean "kubernetes.audit"?');
  expect(existsSync(join(pack, "typo.ts"))).toBe(false);
  rmSync(pack, { recursive: true, force: true });
});
