/**
 * `review` over synthesized output folders: danger first by human name, old → new per link, exit codes, determinism,
 * and the committed example (docs/review-example.md) kept current.
 */
import { spawnSync } from "child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { main, runReview } from "../tools/review/review";
import { REVIEW_EXAMPLE_DOC, renderReviewExample, synthesizeExample } from "../tools/review/example";
import { captureMain } from "./helpers/capture-main";
import { IGNORED_PARTS } from "../tools/review/stack";

const WORK = mkdtempSync(path.join(os.tmpdir(), "review-test-"));
const { before, after } = synthesizeExample(WORK);
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

/** A copy of a synthesized folder with `edit` applied to one stack's JSON. */
function edited(from: string, env: string, edit: (stack: any) => void): string {
  const dir = mkdtempSync(path.join(WORK, "edit-"));
  cpSync(from, dir, { recursive: true });
  const file = path.join(dir, "stacks", env, "cdk.tf.json");
  const stack = JSON.parse(readFileSync(file, "utf8"));
  edit(stack);
  writeFileSync(file, JSON.stringify(stack));
  return dir;
}

/** Runs the CLI entry in-process; returns exit code, stdout and stderr. */
const cli = (argv: string[]) => captureMain(main, argv);

describe("review of the example change (threshold raised, rule disabled, retention and filter changed, cluster dropped)", () => {
  const { markdown } = runReview([before, after]);
  const production = markdown.slice(markdown.indexOf("## Environment `production`"), markdown.indexOf("## Environment `staging`"));

  it("lists the dropped cluster first, by its name, before any other section", () => {
    const firstDanger = production.indexOf("- **");
    expect(production.slice(firstDanger)).toMatch(/^- \*\*EKS cluster checkout-us \(us-east-1\) would be destroyed\*\*/);
    expect(firstDanger).toBeLessThan(production.indexOf("### Audit logging"));
    expect(markdown.indexOf("## Environment `production`")).toBeLessThan(markdown.indexOf("## Environment `staging`"));
    // Verified against real terraform in terraform-pipeline.test.ts.
    expect(production).toContain("**The provider `aws.us-east-1` is removed together with resources it manages: terraform cannot plan their destroy");
    expect(production).toContain("its prevent_destroy goes with the removed block and does not stop this");
  });

  it("shows each changed setting as old → new", () => {
    expect(markdown).toContain("  - `retention_in_days`: `30` → `14`");
    expect(markdown).toContain("  - `case[medium].condition`: `execs > 10` → `execs > 20`");
    expect(markdown).toContain("  - `options.evaluation_window`: `900` → `1800`");
    expect(production).toMatch(/- Cloud SIEM rule pod-attach \(`[^`]+`\): changed\n {2}- `enabled`: `true` → `false`/);
    expect(production).toMatch(/`filter_pattern`:\n {4}```diff\n {4}- \{ \$\.requestURI != "\/livez\*"[^\n]*\n {4}\+ [^\n]*\$\.verb != "get"/);
  });

  it("does not list unchanged things", () => {
    expect(markdown).not.toContain("pod-exec-new-user");
    expect(markdown).not.toContain("IAM role");
  });

  it("counts per environment", () => {
    expect(production).toContain("| Audit logging | 0 | 0 | 2 | 0 |");
    expect(markdown).toContain("| `staging` | changed | 0 | 0 | 2 |");
  });

  it("--fail-on-destroy exits 3 when something would be destroyed, 0 otherwise", () => {
    expect(runReview(["--fail-on-destroy", before, after]).exitCode).toBe(3);
    expect(runReview([before, after]).exitCode).toBe(0);
    expect(runReview(["--fail-on-destroy", before, before]).exitCode).toBe(0);
  });

  it("is deterministic: the same bytes from copies in other folders", () => {
    const b2 = mkdtempSync(path.join(WORK, "b-"));
    const a2 = mkdtempSync(path.join(WORK, "a-"));
    cpSync(before, b2, { recursive: true });
    cpSync(after, a2, { recursive: true });
    expect(runReview([b2, a2]).markdown).toBe(markdown);
    expect(markdown).not.toContain(WORK);
  });

  it("the committed example is current (npm run --silent review:example -- --write)", async () => {
    expect(readFileSync(path.join(__dirname, "..", REVIEW_EXAMPLE_DOC), "utf8")).toBe(await renderReviewExample());
  }, 60_000);
});

describe("review: replacement, IAM and whole environments", () => {
  it("a changed argument that forces replacement is danger, naming the argument", () => {
    const head = edited(
      before,
      "staging",
      (s) => (s.resource.aws_eks_cluster["cluster_staging-apps"].role_arn = "arn:aws:iam::111111111111:role/other"),
    );
    const { markdown, exitCode } = runReview(["--fail-on-destroy", before, head]);
    expect(exitCode).toBe(3);
    expect(markdown).toContain(
      "- **EKS cluster staging-apps (us-east-1) would be replaced (destroyed, then created)** (`aws_eks_cluster.cluster_staging-apps`; forced by `role_arn`: `arn:aws:iam::111111111111:role/eks-cluster-staging` → `arn:aws:iam::111111111111:role/other`)",
    );
  });

  it("an in-place change (log types) is not danger", () => {
    const head = edited(before, "staging", (s) => (s.resource.aws_eks_cluster["cluster_staging-apps"].enabled_cluster_log_types = ["audit"]));
    const { markdown, exitCode } = runReview(["--fail-on-destroy", before, head]);
    expect(exitCode).toBe(0);
    expect(markdown).toContain("  - `enabled_cluster_log_types`: `api`, `audit` → `audit`");
  });

  it("a new rule shows whether it is on, its severities and its query", () => {
    const head = edited(before, "staging", (s) => {
      const rules = s.resource.datadog_security_monitoring_rule;
      rules["my-new-rule"] = { ...rules["pod-exec-burst"], name: "EKS: my new rule", enabled: false };
    });
    const { markdown } = runReview([before, head]);
    expect(markdown).toMatch(
      /- Cloud SIEM rule my-new-rule \(`EKS: my new rule`\): added\n {2}- `enabled`: `false`\n {2}- severity: `medium` when `execs > 10`\n {2}- query: `source:kubernetes\.audit [^\n]*`\n/,
    );
  });

  it("a Forwarder upgrade is named by version", () => {
    const head = edited(before, "production", (s) => {
      const stack = s.resource.aws_cloudformation_stack["datadog_forwarder_eu-west-1"];
      stack.template_url = stack.template_url.replace("5.4.14", "5.4.15");
    });
    expect(runReview([before, head]).markdown).toContain(
      "- Datadog Forwarder stack datadog-forwarder (eu-west-1): changed\n  - Forwarder version: `5.4.14` → `5.4.15`\n  - `template_url`:",
    );
  });

  it("a changed severity is named first, old → new", () => {
    const head = edited(before, "staging", (s) => (s.resource.datadog_security_monitoring_rule["pod-exec-burst"].case[0].status = "high"));
    expect(runReview([before, head]).markdown).toMatch(/- Cloud SIEM rule pod-exec-burst \(`[^`]+`\): changed\n {2}- severity: `medium` → `high`\n/);
  });

  it("summarizes IAM policy changes as actions added and removed, never as documents", () => {
    let dropped = "";
    const head = edited(before, "staging", (s) => {
      const policy = s.resource.aws_iam_policy.datadog_integration_1;
      const doc = JSON.parse(policy.policy);
      dropped = doc.Statement[0].Action[0];
      doc.Statement[0].Action = [...doc.Statement[0].Action.slice(1), "iam:PassRole"];
      policy.policy = JSON.stringify(doc);
    });
    const { markdown } = runReview([before, head]);
    expect(markdown).toContain("- IAM actions granted to the integration role: 1 added: `iam:PassRole`");
    expect(markdown).toContain(`- IAM actions granted to the integration role: 1 removed: \`${dropped}\``);
    expect(markdown).toContain("- IAM policy DatadogIntegrationRole-ManagedPolicy-1: changed\n  - `policy`: document changed");
    expect(markdown).not.toContain("Statement");
  });

  it("an added and a removed environment get their own sections; a removed one is all danger", () => {
    const onlyStaging = mkdtempSync(path.join(WORK, "only-"));
    cpSync(before, onlyStaging, { recursive: true });
    rmSync(path.join(onlyStaging, "stacks", "production"), { recursive: true });
    const added = runReview([onlyStaging, before]).markdown;
    expect(added).toContain("## Environment `production` (new environment)");
    expect(added).toContain("- EKS cluster payments (eu-west-1): added");
    const removed = runReview(["--fail-on-destroy", before, onlyStaging]);
    expect(removed.exitCode).toBe(3);
    expect(removed.markdown).toContain("## Environment `production` (environment removed: every resource destroyed)");
    expect(removed.markdown).toContain("- **EKS cluster payments (eu-west-1) would be destroyed**");
  });
});

describe("review: bad arguments are one line and exit 2", () => {
  it.each([
    [
      ["--nope", "a", "b"],
      'review: unknown option "--nope"; allowed: --fail-on-destroy, --plan <environment>=<plan.json>, --plan-text <environment>=<plan.txt>, --missing-plan <environment>, --backtest <input>, --engine duckdb|node, --from <day>, --to <day>, --backtest-json <file>',
    ],
    [["only-one"], 'review: expected two synthesized output folders (<before> <after>), got 1: "only-one"'],
    [["--plan", "staging", "a", "b"], 'review: --plan is "staging"; allowed: <environment>=<file of terraform show -json>'],
  ])("%j", async (argv, message) => {
    const r = await cli(argv);
    expect(r).toEqual({ code: 2, stdout: "", stderr: `${message}\n` });
  });

  it("a folder that is not synthesized output", async () => {
    const r = await cli([WORK, after]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `review: ${JSON.stringify(
        WORK,
      )} is not synthesized output (no stacks/<environment>/cdk.tf.json); allowed: a folder written by npm run synth or cdktf synth, e.g. cdktf.out\n`,
    );
  });

  it("a plan for an environment neither folder holds, and a file that is not a plan", async () => {
    expect((await cli(["--plan", `qa=${__filename}`, before, after])).stderr).toBe(
      'review: --plan names environment "qa", which neither folder holds; allowed: "production", "staging"\n',
    );
    const notPlan = path.join(WORK, "not-plan.json");
    writeFileSync(notPlan, "{}");
    const r = await cli(["--plan", `staging=${notPlan}`, before, after]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^review: --plan file ".*not-plan\.json" is not a plan in terraform show -json format \(no format_version\); allowed: the output of terraform show -json <plan file>\n$/,
    );
  });

  it("a plan that is not JSON names its line and column; a missing one says so (lib/json.ts, lib/input-file.ts)", async () => {
    const broken = path.join(WORK, "broken-plan.json");
    writeFileSync(broken, '{\n  "format_version": "1.2",\n  x\n}');
    expect((await cli(["--plan", `staging=${broken}`, before, after])).stderr).toBe(
      `review: --plan file ${JSON.stringify(broken)}: not valid JSON at line 3, column 3: Expected double-quoted property name; allowed: the output of terraform show -json <plan file>\n`,
    );
    const missing = path.join(WORK, "missing-plan.json");
    expect((await cli(["--plan", `staging=${missing}`, before, after])).stderr).toBe(
      `review: cannot read the --plan file ${JSON.stringify(missing)}: no such file; allowed: the output of terraform show -json <plan file>\n`,
    );
  });
});

describe("review: the command as npm runs it (node scripts/run-ts.js tools/review/cli.ts)", () => {
  const ROOT = path.join(__dirname, "..");
  const run = (argv: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, "scripts/run-ts.js"), path.join(ROOT, "tools/review/cli.ts"), ...argv], {
      encoding: "utf8",
    });

  it("prints the review and exits 3 with --fail-on-destroy", () => {
    const r = run(["--fail-on-destroy", before, after]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 3, stderr: "" });
    expect(r.stdout).toBe(runReview([before, after]).markdown);
  });

  it("a bad argument: one line on stderr, exit 2, no stack trace", () => {
    const r = run(["--bogus", before, after]);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 2,
      stdout: "",
      stderr:
        'review: unknown option "--bogus"; allowed: --fail-on-destroy, --plan <environment>=<plan.json>, --plan-text <environment>=<plan.txt>, --missing-plan <environment>, --backtest <input>, --engine duckdb|node, --from <day>, --to <day>, --backtest-json <file>\n',
    });
  });
});

/** The first string leaf of a JSON value in sorted key order that is plain text (no template, no JSON document). */
function firstPlainLeaf(value: any, at: Array<string | number> = []): Array<string | number> | undefined {
  if (typeof value === "string") return value.includes("${") || /^[[{]/.test(value) ? undefined : at;
  const keys: Array<string | number> = Array.isArray(value)
    ? value.map((_, i) => i)
    : value !== null && typeof value === "object"
      ? Object.keys(value)
          .filter((k) => k !== "//")
          .sort()
      : [];
  for (const k of keys) {
    const found = firstPlainLeaf(value[k], [...at, k]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The section of one environment in a review. */
const sectionOf = (markdown: string, env: string) => {
  const start = markdown.indexOf(`## Environment \`${env}\``);
  const next = markdown.indexOf("\n## Environment ", start + 1);
  return markdown.slice(start, next === -1 ? undefined : next);
};

describe("review: every top-level part of a stack is compared (enumerated from the synthesized JSON)", () => {
  const stack = (env: string) => JSON.parse(readFileSync(path.join(before, "stacks", env, "cdk.tf.json"), "utf8"));
  const parts = [...new Set(["staging", "production"].flatMap((env) => Object.keys(stack(env))))].sort();
  const envOf = (part: string) => (part in stack("production") ? "production" : "staging");

  it("knows every part the synth writes: only cdktf's `//` comment is ignored", () => {
    expect(IGNORED_PARTS).toEqual(["//"]);
    expect(parts).toEqual(expect.arrayContaining(["data", "import", "output", "provider", "resource", "terraform", "variable"]));
  });

  it.each(parts.filter((p) => !IGNORED_PARTS.includes(p)))("a changed value in `%s` is named with its new value", (part) => {
    const env = envOf(part);
    let leaf: Array<string | number> = [];
    const head = edited(before, env, (s) => {
      leaf = firstPlainLeaf(s[part])!;
      expect(leaf).toBeDefined();
      const parent = leaf.slice(0, -1).reduce((o: any, k) => o[k], s[part]);
      parent[leaf[leaf.length - 1]] = `${parent[leaf[leaf.length - 1]]}-changed-in-${part}`;
    });
    const section = sectionOf(runReview([before, head]).markdown, env);
    expect(section).not.toContain("No change to the synthesized configuration.");
    expect(section).toContain(`-changed-in-${part}`);
  });

  it.each(parts.filter((p) => !IGNORED_PARTS.includes(p)))("`%s` removed as a whole is named", (part) => {
    const env = envOf(part);
    const head = edited(before, env, (s) => delete s[part]);
    const section = sectionOf(runReview([before, head]).markdown, env);
    expect(section).not.toContain("No change to the synthesized configuration.");
    if (part === "resource") expect(section).toContain("would be destroyed");
    else expect(section).toMatch(new RegExp(`\`${part}[.[]`));
  });

  it("a moved state is danger, listed first, and fails --fail-on-destroy", () => {
    const head = edited(before, "production", (s) => {
      s.terraform.backend.s3.bucket = "other-state-bucket";
      s.terraform.backend.s3.key = "moved/production.tfstate";
    });
    const { markdown, exitCode } = runReview(["--fail-on-destroy", before, head]);
    expect(exitCode).toBe(3);
    const section = sectionOf(markdown, "production");
    expect(section.slice(section.indexOf("- **"))).toMatch(
      /^- \*\*The state moves: `s3` \(bucket `example-terraform-state-222222222222`, key `eks-audit-siem\/production\.tfstate`, region `eu-west-1`\) → `s3` \(bucket `other-state-bucket`, key `moved\/production\.tfstate`, region `eu-west-1`\)\*\* \(`terraform\.backend`; terraform reads the state at the new place/,
    );
    expect(markdown).toContain("**Danger:** something would be destroyed, replaced or moved in `production`");
  });

  it.each([
    [
      "allowed_account_ids",
      (s: any) => (s.provider.aws[0].allowed_account_ids = ["333333333333"]),
      "the accounts it may touch: `222222222222` → `333333333333`",
    ],
    ["region", (s: any) => (s.provider.aws[0].region = "eu-central-1"), "the region it reads and writes: `eu-west-1` → `eu-central-1`"],
    ["api_url", (s: any) => (s.provider.datadog[0].api_url = "https://api.us5.datadoghq.com/"), "the Datadog site it talks to"],
  ])("a provider pointed elsewhere (%s) is danger", (_, edit, text) => {
    const head = edited(before, "production", edit);
    const { markdown, exitCode } = runReview(["--fail-on-destroy", before, head]);
    expect(exitCode).toBe(3);
    expect(sectionOf(markdown, "production")).toContain(text);
  });

  it("default_tags and an import block are named (they were reported as unchanged)", () => {
    const head = edited(before, "production", (s) => {
      s.provider.aws[0].default_tags[0].tags.team = "other-team";
      s.import = s.import.filter((i: any) => i.to !== "aws_eks_cluster.cluster_payments");
    });
    const section = sectionOf(runReview([before, head]).markdown, "production");
    expect(section).toContain("- `provider.aws[default].default_tags[0].tags.team`: `platform-security` → `other-team`");
    expect(section).toContain("- `import[aws_eks_cluster.cluster_payments]`: removed (it adopted the existing `payments`)");
  });
});

describe("review: config text cannot alter the Markdown (hostile names, parsed by the CommonMark reference parser)", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const commonmark = require("commonmark") as {
    Parser: new () => { parse(text: string): any };
  };
  const HOSTILE = [
    "ci deployer\n\n## Environment `fake`\n\nNothing would be destroyed, replaced or moved.",
    "<details><summary>open</summary>",
    "<!-- hidden --> [link](https://evil.example) ![image](https://evil.example/i.png) @octocat",
    "``` fence ```` and ` and ``",
    "carriage\r# return heading\ttab \u202egnp.exe",
  ].join("\n");
  const head = edited(before, "production", (s) => {
    s.resource.datadog_security_monitoring_suppression[Object.keys(s.resource.datadog_security_monitoring_suppression)[0]].name = HOSTILE;
    const rule = s.resource.datadog_security_monitoring_rule["pod-attach"];
    rule.name = HOSTILE;
    rule.query[0].query = `${rule.query[0].query} ${HOSTILE}`;
    const filter = Object.values<any>(s.resource.aws_cloudwatch_log_subscription_filter)[0];
    filter.filter_pattern = `${filter.filter_pattern}\n${HOSTILE}`;
    s.output.eks_audit_dashboard_url.description = HOSTILE;
  });
  const { markdown } = runReview([before, head]);

  /** Every node of the parsed document, with its type. */
  function nodes(text: string): any[] {
    const out: any[] = [];
    const walker = new commonmark.Parser().parse(text).walker();
    for (let e = walker.next(); e !== null; e = walker.next()) if (e.entering) out.push(e.node);
    return out;
  }
  const parsed = nodes(markdown);

  it("adds no heading, HTML, link or image", () => {
    const headings = parsed.filter((n) => n.type === "heading").map((n) => n.firstChild?.literal ?? "");
    expect(parsed.filter((n) => n.type === "heading" && n.level === 2).map((n) => n.lastChild.literal)).toEqual(["production", "staging"]);
    expect(headings).not.toContain("return heading");
    expect(parsed.filter((n) => ["html_block", "html_inline", "link", "image"].includes(n.type))).toEqual([]);
    // Only the review's own summary line (nothing here is destroyed); the hostile copy stays inside code.
    const paragraphs = parsed.filter((n) => n.type === "paragraph" && n.firstChild?.literal?.startsWith("Nothing would be destroyed"));
    expect(paragraphs).toHaveLength(1);
    expect(markdown.indexOf("Nothing would be destroyed")).toBe(markdown.indexOf("\n\nNothing would be destroyed") + 2);
  });

  it("leaves no hostile text outside code: no @mention, no autolink, no control character anywhere", () => {
    const text = parsed
      .filter((n) => n.type === "text")
      .map((n) => n.literal)
      .join("\n");
    expect(text).not.toMatch(/@octocat|evil\.example|<details>|<!--/);
    // eslint-disable-next-line no-control-regex -- no control character may reach the Markdown
    expect(markdown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it("shows the names faithfully: a code span holds exactly the escaped text, backticks included", () => {
    const shown = HOSTILE.replace(/\\/g, "\\\\")
      .replace(/\n/g, "\\n")
      .replace(/\r/g, "\\r")
      .replace(/\t/g, "\\t")
      .replace(/\u202e/g, "\\u202e");
    const spans = parsed.filter((n) => n.type === "code").map((n) => n.literal);
    expect(spans).toContain(shown);
    expect(markdown).toContain("suppression ");
    expect(markdown).not.toContain("'' fence");
  });

  it("a long text's line diff stays inside its fenced block", () => {
    const blocks = parsed.filter((n) => n.type === "code_block").map((n) => n.literal);
    const diff = blocks.find((b) => b.includes("return heading"));
    expect(diff).toContain("+ ``` fence ```` and ` and ``");
    expect(diff).toContain("+ carriage\\r# return heading\\ttab \\u202egnp.exe");
    expect(diff).not.toMatch(/^# return/m);
  });
});

describe("review: escaped template text is shown as deployed", () => {
  it("shows `$${...}` and `%%{...}` (what the synth writes for a user's `${`/`%{`) as the literal text, and references as addresses", () => {
    const head = edited(before, "production", (s) => {
      const suppressions = s.resource.datadog_security_monitoring_suppression;
      suppressions[Object.keys(suppressions)[0]].name = 'ci $${file("/etc/hostname")} %%{ if true }x%%{ endif } $$${y}';
    });
    const { markdown } = runReview([before, head]);
    expect(markdown).toContain('ci ${file("/etc/hostname")} %{ if true }x%{ endif } $${y}');
    expect(markdown).not.toContain("$${file");
  });
});

describe("review --plan: the plan must be a plan of that environment's stack", () => {
  /** A minimal `terraform show -json` of a plan with the given configured resources and changes. */
  const planFile = (name: string, plan: object) => {
    const file = path.join(WORK, `${name}.plan.json`);
    writeFileSync(file, JSON.stringify({ format_version: "1.2", planned_values: {}, configuration: {}, ...plan }));
    return file;
  };
  const resources = (env: string) =>
    Object.entries<any>(JSON.parse(readFileSync(path.join(after, "stacks", env, "cdk.tf.json"), "utf8")).resource).flatMap(([type, byName]) =>
      Object.keys(byName).map((name) => ({ address: `${type}.${name}`, mode: "managed", type, name })),
    );
  const deleting = (r: { address: string; type: string; name: string }) => ({ ...r, change: { actions: ["delete"], before: {}, after: null } });

  it("production's plan passed as staging's is refused, naming the resources that are not staging's", async () => {
    const prod = resources("production");
    const file = planFile("production", {
      configuration: { root_module: { resources: prod } },
      resource_changes: [deleting(prod.find((r) => r.type === "aws_eks_cluster")!)],
    });
    const r = await cli(["--plan", `staging=${file}`, before, after]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^review: --plan staging=".*production\.plan\.json" is not a plan of staging's stack: configuration\.root_module\.resources: received "aws_cloudformation_stack\.datadog_forwarder_eu-west-1", [^;]* and \d+ more \(\d+ of the plan's \d+ configured resources are not in staging's stack\); allowed: only resources of stacks\/staging\/cdk\.tf\.json; plan stacks\/staging of this output and pass its terraform show -json\n$/,
    );
    // The same plan under its own environment is accepted.
    expect((await cli(["--plan", `production=${file}`, before, after])).code).toBe(0);
  });

  it("a plan whose provider points at another region is refused", async () => {
    const file = planFile("region", {
      configuration: { provider_config: { aws: { name: "aws", expressions: { region: { constant_value: "eu-west-1" } } } }, root_module: {} },
    });
    expect((await cli(["--plan", `staging=${file}`, before, after])).stderr).toContain(
      'configuration.provider_config.aws.expressions.region: received "eu-west-1"; allowed: the stack\'s region "us-east-1"',
    );
  });

  it("a state (terraform show -json of a state) is refused as not a plan", async () => {
    const file = path.join(WORK, "state.json");
    writeFileSync(file, JSON.stringify({ format_version: "1.0", terraform_version: "1.11.4", values: { root_module: {} } }));
    expect(await cli(["--plan", `staging=${file}`, before, after])).toEqual({
      code: 2,
      stdout: "",
      stderr: `review: --plan file ${JSON.stringify(file)} is a state (values, no planned_values), not a plan; allowed: the output of terraform show -json <plan file> of a saved plan (terraform plan -out)\n`,
    });
  });

  it("malformed resource_changes entries get one paragraph naming each entry, field and value", async () => {
    const file = planFile("malformed", {
      resource_changes: [
        42,
        { address: "a.b", type: "a", name: "b", change: { actions: "delete" } },
        { address: 7, type: "x", name: "y", change: {} },
      ],
    });
    const r = await cli(["--plan", `staging=${file}`, before, after]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `review: --plan file ${JSON.stringify(file)} is not a plan review can read: resource_changes[0]: received 42; allowed: an object with address, mode, type, name and change; resource_changes[1].change.actions: received "delete"; allowed: a non-empty list of "no-op", "create", "read", "update", "delete", "forget"; resource_changes[2].address: received 7; allowed: a string; and 1 more problems\n`,
    );
  });

  it("a plan with 120,000 changes is reviewed (no call stack overflow), in seconds", () => {
    const N = 120_000;
    const big = mkdtempSync(path.join(WORK, "big-"));
    const stackOf = (n: number) => ({
      provider: { aws: [{ region: "us-east-1" }] },
      resource: { aws_cloudwatch_log_group: Object.fromEntries(Array.from({ length: n }, (_, i) => [`g${i}`, { name: `/g/${i}` }])) },
    });
    for (const [side, n] of [
      ["before", N],
      ["after", 0],
    ] as const) {
      const dir = path.join(big, side, "stacks", "bulk");
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(stackOf(n)));
    }
    const changes = Array.from({ length: N }, (_, i) =>
      deleting({ address: `aws_cloudwatch_log_group.g${i}`, type: "aws_cloudwatch_log_group", name: `g${i}` }),
    );
    const file = planFile("big", { resource_changes: changes });
    const started = Date.now();
    const r = runReview(["--fail-on-destroy", "--plan", `bulk=${file}`, path.join(big, "before"), path.join(big, "after")]);
    expect(r.exitCode).toBe(3);
    expect(r.markdown).toContain(`Real plan: 0 to create, 0 to update, 0 to replace, ${N} to destroy.`);
    expect(r.markdown).toContain(
      "- **CloudWatch log group /g/119999 (us-east-1) would be destroyed** (`aws_cloudwatch_log_group.g119999`; real plan: it is no longer in the configuration)",
    );
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});

describe("review: failed plans first, plan texts collapsed at the end", () => {
  it("--missing-plan says first that the environment's plan failed", () => {
    const { markdown } = runReview(["--missing-plan", "production", before, after]);
    expect(markdown.split("\n").slice(0, 3)).toEqual([
      "# Review of the synthesized change",
      "",
      "**Plan failed:** the plan of `production` failed or is missing (see its plan job); what follows for it is the synthesized change only.",
    ]);
  });

  it("--plan-text shows each plan in a <details> block titled by its summary line, in a fence its text cannot end", () => {
    const file = path.join(WORK, "staging.plan.txt");
    writeFileSync(
      file,
      'Terraform will perform the following actions:\n  ```` name = "x"\r</details>\n\nPlan: 1 to add, 0 to change, 0 to destroy.\n',
    );
    const { markdown } = runReview(["--plan-text", `staging=${file}`, before, after]);
    const tail = markdown.slice(markdown.indexOf("## Saved plans"));
    expect(tail).toBe(
      [
        "## Saved plans",
        "",
        "<details>",
        "<summary>Plan of `staging`: `Plan: 1 to add, 0 to change, 0 to destroy.`</summary>",
        "",
        "`````text",
        "Terraform will perform the following actions:",
        '  ```` name = "x"\\r</details>',
        "",
        "Plan: 1 to add, 0 to change, 0 to destroy.",
        "`````",
        "",
        "</details>",
        "",
      ].join("\n"),
    );
  });
});
