/**
 * `review` over synthesized output folders: danger first by human name, old → new per link, exit codes, determinism,
 * and the committed example (docs/review-example.md) kept current.
 */
import { spawnSync } from "child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { main, runReview } from "../tools/review";
import { REVIEW_EXAMPLE_DOC, renderReviewExample, synthesizeExample } from "../tools/review-example";

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
function cli(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((s: any) => ((stdout += String(s)), true));
  const err = jest.spyOn(process.stderr, "write").mockImplementation((s: any) => ((stderr += String(s)), true));
  try {
    return { code: main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

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
    expect(production).toMatch(/- Cloud SIEM rule pod-attach \("[^"]+"\): changed\n {2}- `enabled`: `true` → `false`/);
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

  it("the committed example is current (npm run --silent review:example -- --write)", () => {
    expect(readFileSync(path.join(__dirname, "..", REVIEW_EXAMPLE_DOC), "utf8")).toBe(renderReviewExample());
  });
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
      /- Cloud SIEM rule my-new-rule \("EKS: my new rule"\): added\n {2}- `enabled`: `false`\n {2}- severity: `medium` when `execs > 10`\n {2}- query: `source:kubernetes\.audit [^\n]*`\n/,
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
    expect(runReview([before, head]).markdown).toMatch(/- Cloud SIEM rule pod-exec-burst \("[^"]+"\): changed\n {2}- severity: `medium` → `high`\n/);
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
    [["--nope", "a", "b"], 'review: unknown option "--nope"; allowed: --fail-on-destroy, --plan <environment>=<plan.json>'],
    [["only-one"], 'review: expected two synthesized output folders (<before> <after>), got 1: "only-one"'],
    [["--plan", "staging", "a", "b"], 'review: --plan is "staging"; allowed: <environment>=<file of terraform show -json>'],
  ])("%j", (argv, message) => {
    const r = cli(argv);
    expect(r).toEqual({ code: 2, stdout: "", stderr: `${message}\n` });
  });

  it("a folder that is not synthesized output", () => {
    const r = cli([WORK, after]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `review: ${JSON.stringify(
        WORK,
      )} is not synthesized output (no stacks/<environment>/cdk.tf.json); allowed: a folder written by npm run synth or cdktf synth, e.g. cdktf.out\n`,
    );
  });

  it("a plan for an environment neither folder holds, and a file that is not a plan", () => {
    expect(cli(["--plan", `qa=${__filename}`, before, after]).stderr).toBe(
      'review: --plan names environment "qa", which neither folder holds; allowed: "production", "staging"\n',
    );
    const notPlan = path.join(WORK, "not-plan.json");
    writeFileSync(notPlan, "{}");
    const r = cli(["--plan", `staging=${notPlan}`, before, after]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^review: --plan file ".*not-plan\.json" is not a plan in terraform show -json format \(no format_version\); allowed: the output of terraform show -json <plan file>\n$/,
    );
  });
});

describe("review: the command as npm runs it (node scripts/run-ts.js tools/review-cli.ts)", () => {
  const ROOT = path.join(__dirname, "..");
  const run = (argv: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, "scripts/run-ts.js"), path.join(ROOT, "tools/review-cli.ts"), ...argv], {
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
      stderr: 'review: unknown option "--bogus"; allowed: --fail-on-destroy, --plan <environment>=<plan.json>\n',
    });
  });
});
