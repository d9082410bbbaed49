/**
 * The package from the outside: `npm pack` (its `prepack` builds `dist/`), then a fresh cdktf app in a temporary
 * folder, with its own package.json, installs the tarball with npm, composes the audit logging, the forwarder and
 * the Cloud SIEM rule pack in its own stack with its own providers, is compiled by tsc against the package's `.d.ts`
 * (through the `exports` map), synthesizes with plain `node`, and the real terraform validates its AWS part. The
 * `bin` entries run from the installed package.
 *
 * Offline: npm installs the tarball itself (`--offline`); the app's cdktf, constructs, providers and the package's
 * runtime dependencies are links to this repository's node_modules, as a workspace would have them, since the npm
 * cache of a machine that ran `npm ci` has their tarballs but not the registry metadata npm needs to resolve them.
 *
 * Packing, installing and synthesizing need only node and npm; the validate step needs terraform and is skipped
 * loudly without it (REQUIRE_TERRAFORM=1, as `.ci/run` sets where terraform is, turns that into a failure).
 */
import { spawnSync } from "child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { findProviderMirror, prepareWorkdir, terraform, terraformAvailable, tierSkippedBanner, writeCliConfig } from "./helpers/terraform-tier";

const ROOT = path.join(__dirname, "..");
const WORK = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-package-"));
const APP = path.join(WORK, "app");
const available = terraformAvailable();
const required = process.env.REQUIRE_TERRAFORM === "1";
const TIMEOUT = 300_000;
const ACCOUNT = "444455556666";

/** What the app links from this repository's node_modules: the package's peer and runtime dependencies. */
const LINKED = ["cdktf", "constructs", "@cdktf/provider-aws", "@cdktf/provider-datadog", "yaml", "@duckdb/node-api"];

/** Links `name` from this repository's node_modules into the app's. */
function link(name: string): void {
  mkdirSync(path.dirname(path.join(APP, "node_modules", name)), { recursive: true });
  symlinkSync(path.join(ROOT, "node_modules", name), path.join(APP, "node_modules", name), "dir");
}

/** The team's own app: its stack, its providers, the package's constructs by their public names. */
const APP_MAIN = `import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { App, LocalBackend, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import {
  AuditLogFilterPattern,
  DatadogForwarder,
  EksAuditLogging,
  EksClusterSource,
  EksCloudSiem,
  ForwarderApiKey,
  SiemStack,
} from "eks-audit-siem";

class TeamAuditStack extends SiemStack {
  constructor(scope: Construct, id: string, retentionInDays: number) {
    super(scope, id);
    new LocalBackend(this, { path: "terraform.team.tfstate" });
    new AwsProvider(this, "aws", { region: "eu-west-1", allowedAccountIds: ["${ACCOUNT}"] });
    new DatadogProvider(this, "datadog", { apiUrl: "https://api.datadoghq.eu/" });
    const audit = new EksAuditLogging(this, "payments", {
      clusterName: "payments",
      cluster: EksClusterSource.existingCluster({ logGroupExists: false }),
      logRetentionInDays: retentionInDays,
    });
    const apiKey = new TerraformVariable(this, "datadog_api_key", { type: "string", sensitive: true, nullable: false });
    apiKey.addOverride("ephemeral", true);
    new DatadogForwarder(this, "Forwarder", {
      datadogSite: "datadoghq.eu",
      environment: "team",
      region: "eu-west-1",
      apiKey: ForwarderApiKey.fromSecretValue(apiKey.stringValue, { writeOnlyVersion: 1 }),
      filterPattern: AuditLogFilterPattern.DROP_HEALTH_CHECKS,
      auditLogGroups: [{ clusterName: audit.clusterName, logGroupName: audit.auditLogGroupName, logGroupArn: audit.auditLogGroupArn }],
    });
    new EksCloudSiem(this, "cloud-siem", { ruleTags: ["team:payments"] });
  }
}

const app = new App({ outdir: process.argv[2] ?? "cdktf.out" });
new TeamAuditStack(app, "team", Number(process.env.RETENTION_DAYS ?? "180"));
app.synth();
`;

/** The other entry points, used as a team's script would: the pack, the query engine, rules match as a library. */
const APP_CHECK = `import { EKS_RULE_PACK, defineRule } from "eks-audit-siem/pack";
import { compileQuery, normalizeAuditEvent } from "eks-audit-siem/query";
import { runMatch } from "eks-audit-siem/rules";
import { Writable } from "stream";

const exec = EKS_RULE_PACK.map(defineRule).find((r) => r.id === "pod-exec-new-user");
if (exec === undefined) throw new Error("pod-exec-new-user is not in the pack");
const query = compileQuery(exec.queries[0].query);
const matches = exec.samples.positive.map((s) => query(normalizeAuditEvent(s.event)));
const misses = exec.samples.negative.map((s) => query(normalizeAuditEvent(s.event)));
let out = "";
const stdout = new Writable({ write(chunk: Buffer, _e, done) { out += chunk.toString(); done(); } });
void runMatch(["--summary", process.argv[2]], { stdout, stderr: process.stderr }, () => [exec]).then((code) => {
  process.stdout.write(JSON.stringify({ rules: EKS_RULE_PACK.length, matches, misses, code, summary: JSON.parse(out.split("\\n")[0]) }));
});
`;

const APP_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "node16",
    moduleResolution: "node16",
    strict: true,
    outDir: "build",
    rootDir: ".",
    types: ["node"],
    skipLibCheck: false,
  },
  files: ["main.ts", "check.ts"],
};

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(command, [...args], { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } });
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function ok(r: Run, what: string): Run {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

interface Packed {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

let packed: Packed;
let stack: any;
const timings: Record<string, number> = {};

function timed<T>(label: string, f: () => T): T {
  const start = Date.now();
  try {
    return f();
  } finally {
    timings[label] = Date.now() - start;
  }
}

beforeAll(() => {
  // Pack once: `prepack` builds dist/ from the sources (tsconfig.build.json); npm's own notices go to stderr.
  const pack = timed("pack", () => ok(run("npm", ["pack", "--json", "--pack-destination", WORK], ROOT), "npm pack"));
  packed = (JSON.parse(pack.stdout) as Packed[])[0];

  mkdirSync(APP, { recursive: true });
  for (const name of LINKED) link(name);
  writeFileSync(path.join(APP, "package.json"), JSON.stringify({ name: "team-audit-app", version: "1.0.0", private: true }, null, 2));
  timed("install", () =>
    ok(run("npm", ["install", "--offline", "--no-audit", "--no-fund", path.join(WORK, packed.filename)], APP), "npm install of the tarball"),
  );
  // The app's compile-time tooling; after the install, which removes what no dependency of the app requires.
  link("@types/node");
  writeFileSync(path.join(APP, "main.ts"), APP_MAIN);
  writeFileSync(path.join(APP, "check.ts"), APP_CHECK);
  writeFileSync(path.join(APP, "tsconfig.json"), JSON.stringify(APP_TSCONFIG, null, 2));
  timed("tsc", () => ok(run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], APP), "tsc of the team's app"));
  timed("synth", () => ok(run(process.execPath, ["build/main.js", "cdktf.out"], APP), "node build/main.js"));
  stack = JSON.parse(readFileSync(path.join(APP, "cdktf.out", "stacks", "team", "cdk.tf.json"), "utf8"));
}, TIMEOUT);

afterAll(() => {
  if (packed !== undefined) {
    process.stderr.write(
      `package: ${packed.filename} ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${packed.files.length} files; ms: ${JSON.stringify(timings)}\n`,
    );
  }
});

describe("the npm package, installed from its tarball into a fresh cdktf app", () => {
  it("ships compiled JavaScript, .d.ts and the changelog, no TypeScript sources, tests or examples", () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["package.json", "CHANGELOG.md", "dist/api/index.js", "dist/api/index.d.ts", "dist/bin/rules.js"]));
    expect(
      files.filter((f) => (f.endsWith(".ts") && !f.endsWith(".d.ts")) || /(^|\/)(__tests__|examples)\//.test(f) || f.includes("tsbuildinfo")),
    ).toEqual([]);
  });

  it("is installed by npm as a real folder (not a link), with its bin entries linked", () => {
    const installed = path.join(APP, "node_modules", "eks-audit-siem");
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(path.join(APP, "package.json"), "utf8")).dependencies["eks-audit-siem"]).toBe(`file:../${packed.filename}`);
    for (const bin of ["eks-audit-siem-rules", "eks-audit-siem-review", "eks-audit-siem-backtest"]) {
      expect(existsSync(path.join(APP, "node_modules", ".bin", bin))).toBe(true);
    }
  });

  it("synthesizes the team's own stack: audit logging adopted, forwarder subscribed, the whole rule pack", () => {
    const resources = stack.resource;
    expect(Object.keys(resources.aws_eks_cluster)).toHaveLength(1);
    expect(Object.values<any>(resources.aws_cloudwatch_log_group)[0].retention_in_days).toBe(180);
    expect(Object.keys(resources.aws_cloudformation_stack)).toHaveLength(1);
    expect(Object.values<any>(resources.aws_cloudwatch_log_subscription_filter)[0].log_group_name).toContain("/aws/eks/payments/cluster");
    const check = JSON.parse(
      ok(run(process.execPath, ["build/check.js", path.join(ROOT, "__tests__/fixtures/audit/events.jsonl")], APP), "check.js").stdout,
    );
    expect(Object.keys(resources.datadog_security_monitoring_rule)).toHaveLength(check.rules);
    expect(stack.provider.aws[0].region).toBe("eu-west-1");
    expect(stack.terraform.required_version).toMatch(/^>= 1\.\d+/);
  });

  it("serves the pack, the query engine and rules match through their subpath exports", () => {
    const check = JSON.parse(
      ok(run(process.execPath, ["build/check.js", path.join(ROOT, "__tests__/fixtures/audit/events.jsonl")], APP), "check.js").stdout,
    );
    expect(check.rules).toBeGreaterThan(40);
    // Every positive sample of the rule matches its query, and not every negative one does (some differ by group).
    expect(check.matches.length).toBeGreaterThan(0);
    expect(check.matches.every((m: boolean) => m)).toBe(true);
    expect(check.misses.some((m: boolean) => !m)).toBe(true);
    expect(check.code).toBe(0);
    expect(check.summary).toMatchObject({ rule: "EKS: user exec into a pod for the first time", eventsMatched: 2 });
  });

  it("keeps its internals private: a path outside the exports map is refused", () => {
    const r = run(process.execPath, ["-e", 'require("eks-audit-siem/dist/modules/cloud-siem/rule-model.js")'], APP);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  it("runs its bin entries: rules match, backtest (DuckDB) and review, from compiled JavaScript", () => {
    copyFileSync(path.join(ROOT, "config", "eks-audit-siem.yaml"), path.join(APP, "eks-audit-siem.yaml"));
    const events = path.join(ROOT, "__tests__/fixtures/audit/events.jsonl");
    const bin = (name: string) => path.join(APP, "node_modules", ".bin", name);
    const match = run(
      bin("eks-audit-siem-rules"),
      ["match", "--summary", "--config", "eks-audit-siem.yaml", "--rule", "pod-exec-new-user", events],
      APP,
    );
    expect(match.status).toBe(0);
    expect(JSON.parse(match.stdout.split("\n")[0])).toMatchObject({ rule: "EKS: user exec into a pod for the first time", eventsMatched: 2 });
    const backtest = run(bin("eks-audit-siem-backtest"), ["--config", "eks-audit-siem.yaml", "--rule", "pod-exec-new-user", events], APP);
    expect(backtest.status).toBe(0);
    expect(JSON.parse(backtest.stdout.split("\n")[1])).toMatchObject({ backtest: { engine: "duckdb", events: 4 } });
    const bad = run(bin("eks-audit-siem-rules"), ["match", "--bogus"], APP);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown option "--bogus"');
    // `rules new` writes rule files into a pack folder; the installed package has none to write into.
    const rule = ["--name", "Team rule", "--query", "source:kubernetes.audit", "--method", "threshold", "--count", "1"];
    const mitre = ["--tactic", "TA0002-execution", "--technique", "T1609-container-administration-command"];
    const newRule = run(bin("eks-audit-siem-rules"), ["new", ...rule, ...mitre], APP);
    expect({ status: newRule.status, stderr: newRule.stderr }).toEqual({
      status: 2,
      stderr:
        "rules new: --pack-dir: received nothing (no project with a pack/rules folder holds this command, as when it runs from an installed package); allowed: the folder of your rule files\n",
    });

    ok(run(process.execPath, ["build/main.js", "cdktf.out.90"], APP, { RETENTION_DAYS: "90" }), "second synth");
    const review = run(bin("eks-audit-siem-review"), ["cdktf.out", "cdktf.out.90"], APP);
    expect(review.status).toBe(0);
    expect(review.stdout).toContain("team");
    expect(review.stdout).toMatch(/180.*→.*90/);
  });
});

const tier = available ? describe : describe.skip;
if (!available) process.stderr.write(tierSkippedBanner("package consumer test (terraform validate)"));
if (!available && required) {
  it("the package consumer test needs terraform here (REQUIRE_TERRAFORM=1) but `terraform` is not on the PATH", () => {
    throw new Error("install terraform or unset REQUIRE_TERRAFORM");
  });
}

tier(`the team's stack under the real terraform (terraform ${available ? "found" : "NOT FOUND - skipped"})`, () => {
  it(
    "terraform init and validate accept its AWS part",
    () => {
      const cliConfig = path.join(WORK, "cli.tfrc");
      writeCliConfig(cliConfig, findProviderMirror(), path.join(WORK, "plugin-cache"));
      const dir = path.join(WORK, "terraform");
      prepareWorkdir(dir, stack, ACCOUNT);
      timed("terraform", () => {
        for (const args of [
          ["init", "-input=false", "-no-color"],
          ["validate", "-no-color"],
        ]) {
          const r = terraform(args, dir, cliConfig);
          if (r.status !== 0) throw new Error(`terraform ${args[0]} failed:\n${r.stdout}\n${r.stderr}`);
          if (args[0] === "validate") expect(r.stdout).toContain("The configuration is valid");
        }
      });
    },
    TIMEOUT,
  );
});
