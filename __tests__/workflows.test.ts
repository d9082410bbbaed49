/**
 * CI templates: GitHub workflows parsed and validated by GitHub's own parser (@actions/workflow-parser via
 * scripts/validate-workflows.js), their shape (OIDC, matrix, protected environments, concurrency, order), the
 * GitLab equivalent, and the comment scripts against a fake `gh`. The scripts' terraform steps run in
 * __tests__/terraform-pipeline.test.ts.
 */
import { spawnSync } from "child_process";
import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { exampleLogSample, synthesizeExample } from "../tools/review/example";

const ROOT = path.join(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");
const files = readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml"))
  .sort();
const wf = (name: string) => parse(readFileSync(path.join(WORKFLOWS, name), "utf8"));
const validate = (paths: string[]) => spawnSync(process.execPath, [path.join(ROOT, "scripts/validate-workflows.js"), ...paths], { encoding: "utf8" });

describe("GitHub workflows", () => {
  it("are the three expected files", () => {
    expect(files).toEqual(["apply-environment.yml", "apply.yml", "drift.yml", "pull-request.yml"]);
  });

  it("parse without errors in GitHub's workflow parser, with the jobs in order", () => {
    const r = validate(files.map((f) => path.join(WORKFLOWS, f)));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const jobs = (f: string) => out[path.join(WORKFLOWS, f)].jobs;
    expect(jobs("pull-request.yml")).toEqual([
      { id: "test", needs: [] },
      { id: "synth", needs: [] },
      { id: "plan", needs: ["synth"] },
      { id: "review", needs: ["synth", "plan"] },
      { id: "destroy-approval", needs: ["review"] },
    ]);
    expect(jobs("apply.yml")).toEqual([
      { id: "reviewed-run", needs: [] },
      { id: "replan-synth", needs: [] },
      { id: "replan", needs: ["replan-synth"] },
      { id: "environments", needs: ["reviewed-run", "replan"] },
      { id: "apply", needs: ["environments"] },
      { id: "not-applied", needs: ["environments", "apply"] },
    ]);
  });

  it("the parser really rejects a broken workflow (the check can fail)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "wf-"));
    const broken = readFileSync(path.join(WORKFLOWS, "pull-request.yml"), "utf8").replace("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest");
    writeFileSync(path.join(dir, "broken.yml"), broken);
    const r = validate([path.join(dir, "broken.yml")]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)[path.join(dir, "broken.yml")].errors.join("\n")).toMatch(/runs-onn/);
  });

  it("pull request: npm ci + npm test, synth of base and head, the one environment list as the plan matrix (a removed one as a destroy), plans kept, one review comment", () => {
    const pr = wf("pull-request.yml");
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    const runs = (job: string) =>
      pr.jobs[job].steps
        .map((s: any) => s.run)
        .filter(Boolean)
        .join("\n");
    expect(runs("test")).toContain("npm ci\nnpm test");
    expect(runs("synth")).toContain("head/scripts/ci/synth.sh head out/head && head/scripts/ci/synth.sh base out/base");
    expect(runs("synth")).toContain("head/scripts/ci/environments.sh out/head out/base > out/environments.json");
    expect(pr.jobs.synth.steps[1].with.ref).toBe("${{ github.event.pull_request.base.sha }}");
    expect(pr.jobs.plan.strategy.matrix).toEqual({ include: "${{ fromJSON(needs.synth.outputs.environments) }}" });
    expect(pr.jobs.plan.env).toEqual({
      ENVIRONMENT: "${{ matrix.environment }}",
      STACKS: "${{ matrix.destroy && 'out/base' || 'out/head' }}",
      DESTROY: "${{ matrix.destroy && '--destroy' || '' }}",
    });
    expect(pr.jobs.plan.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(runs("plan")).toContain('scripts/ci/plan.sh "$STACKS" "$ENVIRONMENT" plans $DESTROY');
    expect(pr.jobs.plan.concurrency).toEqual({
      group: "terraform-plan-pr${{ github.event.pull_request.number }}-${{ matrix.environment }}",
      "cancel-in-progress": true,
    });
    expect(pr.jobs.plan.steps.find((s: any) => s.uses?.startsWith("actions/upload-artifact")).with.name).toBe("plan-${{ matrix.environment }}");
    expect(runs("review")).toContain('scripts/ci/pr-comment.sh "${{ github.repository }}" "${{ github.event.pull_request.number }}" review.md');
    expect(runs("review")).toContain("REVIEW_FAIL_ON_DESTROY=1 scripts/ci/review.sh out/base out/head plans out/environments.json > review.md");
    expect(pr.jobs.review.permissions["pull-requests"]).toBe("write");
    expect(pr.permissions).toEqual({ contents: "read" });
  });

  it("the destroy gate is a required environment approval, not a label (labels start no run and re-runs replay old ones)", () => {
    const pr = wf("pull-request.yml");
    expect(JSON.stringify(pr)).not.toContain("labels");
    expect(pr.jobs["destroy-approval"]).toEqual(
      expect.objectContaining({ needs: "review", if: "${{ needs.review.outputs.danger == 'true' }}", environment: "destroy-approval" }),
    );
    expect(pr.jobs.review.outputs.danger).toBe("${{ steps.review.outputs.danger }}");
  });

  it("merge: the list's environments one at a time in its order from the reviewed run, each in its protected environment; a manual run re-plans main", () => {
    const apply = wf("apply.yml");
    expect(apply.on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: null });
    expect(apply.jobs.apply.strategy).toEqual({
      "max-parallel": 1,
      "fail-fast": true,
      matrix: { include: "${{ fromJSON(needs.environments.outputs.list) }}" },
    });
    expect(apply.jobs.apply.uses).toBe("./.github/workflows/apply-environment.yml");
    expect(apply.jobs.apply.with).toEqual({ environment: "${{ matrix.environment }}", "run-id": "${{ needs.environments.outputs.run-id }}" });
    expect(apply.jobs.apply.permissions["id-token"]).toBe("write");
    expect(apply.jobs.replan.steps.map((s: any) => s.run).filter(Boolean)).toContain('scripts/ci/plan.sh out/head "$ENVIRONMENT" plans');
    expect(apply.jobs["not-applied"].if).toBe("${{ always() && (contains(needs.*.result, 'failure') || contains(needs.*.result, 'cancelled')) }}");
    const job = wf("apply-environment.yml").jobs.apply;
    expect(job.environment).toBe("${{ inputs.environment }}");
    expect(job.concurrency).toEqual({ group: "terraform-apply-${{ inputs.environment }}", "cancel-in-progress": false });
    const download = job.steps.find((s: any) => s.uses?.startsWith("actions/download-artifact"));
    expect(download.with["run-id"]).toBe("${{ inputs.run-id }}");
    expect(job.steps.map((s: any) => s.run).filter(Boolean)).toEqual([
      "npm ci",
      'scripts/ci/install-terraform.sh "$TERRAFORM_VERSION" "$RUNNER_TEMP/bin" && echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"',
      "scripts/ci/synth.sh . out",
      'scripts/ci/stack-region.sh "plans/$ENVIRONMENT.cdk.tf.json" >> "$GITHUB_OUTPUT"',
      'scripts/ci/apply.sh out "$ENVIRONMENT" plans',
    ]);
  });

  it("drift: every environment of main planned on a schedule with -detailed-exitcode, read-only", () => {
    const drift = wf("drift.yml");
    expect(Object.keys(drift.on)).toEqual(["schedule", "workflow_dispatch"]);
    const step = drift.jobs.plan.steps.find((s: any) => s.run?.startsWith("scripts/ci/plan.sh"));
    expect(step.env.TF_PLAN_DETAILED_EXITCODE).toBe("1");
    expect(step.env.DD_APP_KEY).toBe("${{ secrets.DD_PLAN_APP_KEY }}");
    expect(JSON.stringify(drift)).not.toContain("AWS_APPLY_ROLES");
  });

  it("pin every action by full commit SHA with its tag in a comment; Dependabot and Renovate update them", () => {
    for (const f of files) {
      const text = readFileSync(path.join(WORKFLOWS, f), "utf8");
      for (const m of text.matchAll(/uses: (\S+)(.*)/g)) {
        if (m[1].startsWith("./")) continue;
        expect(`${m[1]}${m[2]}`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      }
      expect(text).not.toMatch(/hashicorp\/setup-terraform/);
    }
    const dependabot = parse(readFileSync(path.join(ROOT, ".github/dependabot.yml"), "utf8"));
    expect(dependabot.updates.map((u: any) => u["package-ecosystem"])).toContain("github-actions");
    const renovate = JSON.parse(readFileSync(path.join(ROOT, "renovate.json"), "utf8"));
    expect(renovate.extends).toContain("helpers:pinGitHubActionDigests");
    expect(renovate.customManagers[0].fileMatch).toContain("^ci/gitlab/.+\\.ya?ml$");
  });

  it("take the AWS region from the environment's stack (GovCloud works), never a fixed one; plans get a read-only Datadog key", () => {
    for (const f of files) {
      const text = readFileSync(path.join(WORKFLOWS, f), "utf8");
      for (const m of text.matchAll(/aws-region: (.*)/g)) expect(m[1]).toBe("${{ steps.region.outputs.region }}");
    }
    for (const job of [wf("pull-request.yml").jobs.plan, wf("apply.yml").jobs.replan]) {
      const step = job.steps.find((s: any) => s.run?.startsWith("scripts/ci/plan.sh"));
      expect(step.env.DD_APP_KEY).toBe("${{ secrets.DD_PLAN_APP_KEY }}");
    }
  });

  it("hold no long-lived AWS keys: credentials by OIDC role, Datadog keys from secrets", () => {
    for (const f of files) {
      const text = readFileSync(path.join(WORKFLOWS, f), "utf8");
      expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
      for (const m of text.matchAll(/(DD_API_KEY|DD_APP_KEY|TF_VAR_datadog_api_key): (.*)/g))
        expect(m[2]).toMatch(/^\$\{\{ secrets\.DD_(API|APP|PLAN_APP)_KEY \}\}$/);
      for (const m of text.matchAll(/role-to-assume: (.*)/g))
        expect(m[1]).toMatch(/^\$\{\{ fromJSON\(vars\.AWS_(PLAN|APPLY)_ROLES\)\[(matrix|inputs)\.environment\] \}\}$/);
    }
  });
});

describe("GitLab CI (ci/gitlab/): a parent that generates the child pipeline from the one environment list", () => {
  const gl = parse(readFileSync(path.join(ROOT, "ci/gitlab/.gitlab-ci.yml"), "utf8"));
  const jobsFile = parse(readFileSync(path.join(ROOT, "ci/gitlab/environment-jobs.yml"), "utf8"));
  const WORK = mkdtempSync(path.join(os.tmpdir(), "gitlab-child-"));
  const { before: head } = synthesizeExample(WORK);
  // A base that also had an environment `old`, since removed from the config.
  const base = path.join(WORK, "base");
  cpSync(head, base, { recursive: true });
  cpSync(path.join(head, "stacks/staging"), path.join(base, "stacks/old"), { recursive: true });
  const sh = (script: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync("bash", [path.join(ROOT, "scripts/ci", script), ...args], { cwd: WORK, encoding: "utf8", env: { ...process.env, ...env } });
  const child = (baseOut: string, env: NodeJS.ProcessEnv) => {
    const list = path.join(WORK, `environments-${path.basename(baseOut)}.json`);
    const listed = sh("environments.sh", [head, baseOut]);
    expect(listed.stderr).toBe("");
    writeFileSync(list, listed.stdout);
    const r = sh("gitlab-child.sh", [list, baseOut, head], env);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    return parse(r.stdout);
  };
  const defaultBranch = { CI_COMMIT_BRANCH: "main", CI_DEFAULT_BRANCH: "main", CI_MERGE_REQUEST_IID: "" };

  it("parent: test, synth (base from gitlab-base.sh, rerun-safe checkout, the list, the child file), trigger of the child", () => {
    expect(gl.stages).toEqual(["test", "synth", "environments"]);
    const synth = gl.synth.script.join("\n");
    expect(synth).toContain("base_sha=$(scripts/ci/gitlab-base.sh)");
    expect(synth).toContain('scripts/ci/checkout-base.sh "$base_sha" "$CI_PROJECT_DIR/../eks-audit-siem-base"');
    expect(synth).toContain("scripts/ci/environments.sh out/head out/base > out/environments.json");
    expect(synth).toContain("scripts/ci/gitlab-child.sh out/environments.json out/base out/head > child-pipeline.yml");
    expect(gl.environments.trigger).toEqual({ include: [{ artifact: "child-pipeline.yml", job: "synth" }], strategy: "depend" });
    expect(gl.environments.variables).toEqual({ PARENT_PIPELINE_ID: "$CI_PIPELINE_ID", MR_IID: "$CI_MERGE_REQUEST_IID" });
    expect(gl.test.script.slice(-2)).toEqual(["npm ci", "npm test"]);
  });

  it("no eval of a login (its status hides a failure); plan jobs have no protected environment and use read-only, unprotected credentials", () => {
    for (const f of [".gitlab-ci.yml", "environment-jobs.yml"]) {
      const scripts = Object.values<any>(parse(readFileSync(path.join(ROOT, "ci/gitlab", f), "utf8"))).flatMap((j) => [
        ...(j?.script ?? []),
        ...(j?.before_script ?? []),
      ]);
      expect(scripts.join("\n")).not.toMatch(/\beval\b/);
    }
    expect(jobsFile[".plan"].environment).toBeUndefined();
    const plan = jobsFile[".plan"].script.join("\n");
    expect(plan).toContain('scripts/ci/aws-web-identity.sh "$(scripts/ci/role-for.sh "$AWS_PLAN_ROLES" "$ENVIRONMENT")" .aws-credentials.env');
    expect(plan).toContain('DD_APP_KEY="$DD_PLAN_APP_KEY"');
    expect(jobsFile[".apply"].script.join("\n")).toContain('"$AWS_APPLY_ROLES"');
    expect(jobsFile[".terraform"].id_tokens).toEqual({ AWS_ID_TOKEN: { aud: "sts.amazonaws.com" } });
    expect(jobsFile[".review"].when).toBe("always");
  });

  it("merge request pipeline: a plan per listed environment (each job's body defined), the review; no apply", () => {
    const c = child(head, { CI_MERGE_REQUEST_IID: "7", CI_COMMIT_BRANCH: "" });
    expect(Object.keys(c).filter((k) => !["include", "stages"].includes(k))).toEqual(["plan staging", "plan production", "review"]);
    for (const job of Object.values<any>(c)) if (job?.extends !== undefined) expect(jobsFile[job.extends]).toBeDefined();
    expect(c["plan staging"]).toEqual(
      expect.objectContaining({
        variables: { ENVIRONMENT: "staging", STACKS: "out/head", DESTROY: "" },
        resource_group: "terraform-staging",
        needs: [{ pipeline: "$PARENT_PIPELINE_ID", job: "synth" }],
      }),
    );
    expect(c.include).toEqual([{ local: "ci/gitlab/environment-jobs.yml" }]);
  });

  it("default branch: applies chained in the config's order, each in its protected environment; nothing destroyed, no approval job", () => {
    const c = child(head, defaultBranch);
    expect(Object.keys(c).filter((k) => k.startsWith("apply") || k.startsWith("approve"))).toEqual(["apply staging", "apply production"]);
    expect(c["apply production"].needs).toEqual([{ job: "plan production", artifacts: true }, "review", "apply staging"]);
    expect(c["apply staging"]).toEqual(expect.objectContaining({ environment: { name: "staging" }, resource_group: "terraform-staging" }));
    expect(jobsFile[".apply"]).toEqual(expect.objectContaining({ when: "manual", allow_failure: false }));
  });

  it("an environment removed from the config: planned as a destroy from the base, applied last, behind `approve destroy`", () => {
    const c = child(base, defaultBranch);
    expect(c["plan old"].variables).toEqual({ ENVIRONMENT: "old", STACKS: "out/base", DESTROY: "--destroy" });
    expect(Object.keys(c).filter((k) => /^(apply|destroy|approve)/.test(k))).toEqual([
      "approve destroy",
      "apply staging",
      "apply production",
      "destroy old",
    ]);
    expect(c["destroy old"].needs).toEqual([{ job: "plan old", artifacts: true }, "review", "approve destroy", "apply production"]);
    expect(jobsFile[".approve_destroy"]).toEqual(
      expect.objectContaining({ when: "manual", allow_failure: false, environment: { name: "destroy-approval" } }),
    );
  });
});

describe("environments.sh: the one list, in the config's order, removed environments as destroys", () => {
  const WORK = mkdtempSync(path.join(os.tmpdir(), "environments-"));
  const { before, after } = synthesizeExample(WORK);
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync("bash", [path.join(ROOT, "scripts/ci/environments.sh"), ...args], { encoding: "utf8", env: { ...process.env, ...env } });

  it("lists the config's environments in its order (staging first), not by name", () => {
    expect(run([before]).stdout).toBe('[{"environment":"staging","destroy":false},{"environment":"production","destroy":false}]\n');
  });

  it("adds an environment only the base holds as a destroy", () => {
    const base = path.join(WORK, "base");
    cpSync(after, base, { recursive: true });
    cpSync(path.join(after, "stacks/staging"), path.join(base, "stacks/dev"), { recursive: true });
    expect(JSON.parse(run([before, base]).stdout)).toEqual([
      { environment: "staging", destroy: false },
      { environment: "production", destroy: false },
      { environment: "dev", destroy: true },
    ]);
  });

  it("refuses a head output that is not the config's (stale after a config change)", () => {
    const stale = path.join(WORK, "stale");
    cpSync(before, stale, { recursive: true });
    rmSync(path.join(stale, "stacks/production"), { recursive: true });
    const r = run([stale]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'ci-environments: the head output does not hold the config\'s environments ("production" not synthesized); allowed: the output of scripts/ci/synth.sh of the same project, synthesized again after the config changed\n',
    );
  });
});

describe("GitLab helper scripts, run for real", () => {
  const WORK = mkdtempSync(path.join(os.tmpdir(), "gitlab-scripts-"));
  const sh = (script: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = WORK) =>
    spawnSync("bash", [path.join(ROOT, "scripts/ci", script), ...args], {
      cwd,
      encoding: "utf8",
      env: { ...process.env, CI_MERGE_REQUEST_DIFF_BASE_SHA: "", CI_COMMIT_BEFORE_SHA: "", CI_COMMIT_SHA: "", ...env },
    });
  const git = (args: string[], cwd: string) => {
    const r = spawnSync("git", args, {
      cwd,
      encoding: "utf8",
      env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" },
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  const repo = path.join(WORK, "repo");
  mkdirSync(repo);
  git(["init", "-q", "-b", "main"], repo);
  writeFileSync(path.join(repo, "f"), "1");
  git(["add", "f"], repo);
  git(["commit", "-q", "-m", "one"], repo);
  const first = git(["rev-parse", "HEAD"], repo);
  writeFileSync(path.join(repo, "f"), "2");
  git(["commit", "-q", "-am", "two"], repo);
  const second = git(["rev-parse", "HEAD"], repo);

  it("gitlab-base.sh: the MR diff base, else the previous tip, else (all zeros: first push, manual, scheduled) the parent commit", () => {
    expect(sh("gitlab-base.sh", [], { CI_MERGE_REQUEST_DIFF_BASE_SHA: "abc", CI_COMMIT_BEFORE_SHA: first }, repo).stdout).toBe("abc\n");
    expect(sh("gitlab-base.sh", [], { CI_COMMIT_BEFORE_SHA: first }, repo).stdout).toBe(`${first}\n`);
    const zeros = sh("gitlab-base.sh", [], { CI_COMMIT_BEFORE_SHA: "0".repeat(40), CI_COMMIT_SHA: second }, repo);
    expect({ status: zeros.status, stdout: zeros.stdout }).toEqual({ status: 0, stdout: `${first}\n` });
    const root = sh("gitlab-base.sh", [], { CI_COMMIT_BEFORE_SHA: "0".repeat(40), CI_COMMIT_SHA: first }, repo);
    expect({ status: root.status, stdout: root.stdout }).toEqual({ status: 0, stdout: "" });
  });

  it("checkout-base.sh: a rerun in the same build folder replaces the last run's worktree", () => {
    const folder = path.join(WORK, "base-checkout");
    for (const commit of [first, first, second]) {
      const r = sh("checkout-base.sh", [commit, folder], {}, repo);
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
      expect(readFileSync(path.join(folder, "f"), "utf8")).toBe(commit === first ? "1" : "2");
    }
    expect(sh("checkout-base.sh", ["", folder], {}, repo).status).toBe(0);
    expect(readdirSync(folder)).toEqual([]);
  });

  describe("aws-web-identity.sh: a failed login stops the job", () => {
    const fakeAws = (body: string) => {
      const dir = mkdtempSync(path.join(WORK, "aws-"));
      writeFileSync(path.join(dir, "aws"), `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
      return dir;
    };
    // The job's two lines, as GitLab runs them (each line must succeed for the next to run).
    const job = (awsDir: string) =>
      spawnSync(
        "bash",
        [
          "-e",
          "-c",
          `${path.join(ROOT, "scripts/ci/aws-web-identity.sh")} arn:aws:iam::111111111111:role/plan creds.env\n. ./creds.env\necho "continued as $AWS_ACCESS_KEY_ID"`,
        ],
        {
          cwd: awsDir,
          encoding: "utf8",
          env: { ...process.env, PATH: `${awsDir}:${process.env.PATH}`, AWS_ID_TOKEN: "token", AWS_ACCESS_KEY_ID: "runner-key" },
        },
      );

    it("AWS refuses: exit non-zero, no credentials file, the next line never runs", () => {
      const dir = fakeAws("echo 'An error occurred (AccessDenied)' >&2; exit 254");
      const r = job(dir);
      expect(r.status).not.toBe(0);
      expect(r.stdout).not.toContain("continued");
      expect(existsSync(path.join(dir, "creds.env"))).toBe(false);
    });

    it("AWS answers nothing: refused too", () => {
      const r = job(fakeAws("exit 0"));
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("aws-web-identity.sh: AWS returned no credentials for arn:aws:iam::111111111111:role/plan; the job stops here");
    });

    it("AWS answers: the job goes on with the role's credentials", () => {
      const r = job(fakeAws("printf 'AKIAEXAMPLE\\tsecret/with+chars\\ttok=en\\n'"));
      expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: "continued as AKIAEXAMPLE\n" });
    });
  });

  it("role-for.sh: the environment's role from the JSON variable, or one line naming the environment", () => {
    const roles = JSON.stringify({ staging: "arn:aws:iam::111111111111:role/plan", gov: "arn:aws-us-gov:iam::333333333333:role/plan" });
    expect(sh("role-for.sh", [roles, "gov"]).stdout).toBe("arn:aws-us-gov:iam::333333333333:role/plan\n");
    const r = sh("role-for.sh", [roles, "production"]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 2,
      stderr:
        'role-for.sh: no role ARN for environment "production" in the roles variable; allowed: {"<environment>": "arn:<partition>:iam::<account>:role/<name>"}\n',
    });
  });

  it("stack-region.sh: the stack's own region (a GovCloud stack gets us-gov-west-1)", () => {
    const file = path.join(WORK, "gov.cdk.tf.json");
    writeFileSync(file, JSON.stringify({ provider: { aws: [{ alias: "us-gov-east-1", region: "us-gov-east-1" }, { region: "us-gov-west-1" }] } }));
    expect(sh("stack-region.sh", [file]).stdout).toBe("region=us-gov-west-1\n");
  });
});

describe("install-terraform.sh verifies the download before unpacking it", () => {
  const WORK = mkdtempSync(path.join(os.tmpdir(), "install-tf-"));
  const release = path.join(WORK, "terraform", "9.9.9");
  mkdirSync(release, { recursive: true });
  const src = path.join(WORK, "src");
  mkdirSync(src);
  writeFileSync(path.join(src, "terraform"), '#!/usr/bin/env bash\necho \'{"terraform_version":"9.9.9"}\'\n', { mode: 0o755 });
  const zip = "terraform_9.9.9_linux_amd64.zip";
  expect(spawnSync("zip", ["-q", "-j", path.join(release, zip), path.join(src, "terraform")]).status).toBe(0);
  const sha = spawnSync("sha256sum", [path.join(release, zip)], { encoding: "utf8" }).stdout.split(" ")[0];
  const run = (sums: string, env: NodeJS.ProcessEnv) => {
    writeFileSync(path.join(release, "terraform_9.9.9_SHA256SUMS"), sums);
    return spawnSync("bash", [path.join(ROOT, "scripts/ci/install-terraform.sh"), "9.9.9", path.join(WORK, "bin")], {
      encoding: "utf8",
      env: { ...process.env, TERRAFORM_RELEASES_URL: `file://${WORK}`, ...env },
    });
  };
  // No gpg on the PATH: the checksum (and TERRAFORM_SHA256) still guard the install.
  const noGpg = mkdtempSync(path.join(WORK, "path-"));
  for (const tool of ["curl", "awk", "sha256sum", "cut", "mktemp", "rm", "mkdir", "unzip", "head", "grep", "node", "bash"]) {
    const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (found !== "") symlinkSync(found, path.join(noGpg, tool));
  }

  it("a zip whose SHA-256 is not the release's is refused, nothing installed", () => {
    const r = run(`${"0".repeat(64)}  ${zip}\n`, { PATH: noGpg });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`install-terraform.sh: ${zip} has SHA-256 ${sha}; allowed: ${"0".repeat(64)}`);
    expect(existsSync(path.join(WORK, "bin", "terraform"))).toBe(false);
  });

  it("a matching checksum and TERRAFORM_SHA256 install it", () => {
    const r = run(`${sha}  ${zip}\n`, { PATH: noGpg, TERRAFORM_SHA256: sha });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(r.stdout).toContain(`SHA-256 ${sha} verified`);
  });

  it("with gpg, SHA256SUMS not signed by HashiCorp's key is refused", () => {
    if (spawnSync("bash", ["-c", "command -v gpg"]).status !== 0) throw new Error("gpg is needed for this test and is not installed");
    const home = mkdtempSync(path.join(WORK, "gnupg-"));
    const gpg = (args: string[]) => spawnSync("gpg", ["--batch", "--homedir", home, ...args], { encoding: "utf8" });
    expect(gpg(["--passphrase", "", "--quick-gen-key", "Not HashiCorp <x@example.com>", "ed25519", "sign", "never"]).status).toBe(0);
    writeFileSync(path.join(release, "terraform_9.9.9_SHA256SUMS"), `${sha}  ${zip}\n`);
    expect(
      gpg(["--yes", "--detach-sign", "-o", path.join(release, "terraform_9.9.9_SHA256SUMS.sig"), path.join(release, "terraform_9.9.9_SHA256SUMS")])
        .status,
    ).toBe(0);
    writeFileSync(path.join(WORK, "key.asc"), gpg(["--armor", "--export"]).stdout);
    const r = run(`${sha}  ${zip}\n`, { HASHICORP_PGP_KEY_URL: `file://${WORK}/key.asc` });
    expect(r.status).toBe(3);
    expect(r.stderr).toBe(
      "install-terraform.sh: terraform_9.9.9_SHA256SUMS is not signed by HashiCorp's release key C874011F0AB405110D02105534365D9472D7468F; refusing to install\n",
    );
  });
});

describe("every script the CI files call exists and is executable", () => {
  const texts = [
    ...files.map((f) => readFileSync(path.join(WORKFLOWS, f), "utf8")),
    readFileSync(path.join(ROOT, "ci/gitlab/.gitlab-ci.yml"), "utf8"),
    readFileSync(path.join(ROOT, "ci/gitlab/environment-jobs.yml"), "utf8"),
  ];
  const scripts = [...new Set(texts.flatMap((t) => [...t.matchAll(/scripts\/ci\/([a-z-]+\.sh)/g)].map((m) => m[1])))].sort();
  it.each(scripts)("%s", (name) => {
    const file = path.join(ROOT, "scripts/ci", name);
    expect(existsSync(file)).toBe(true);
    expect(() => accessSync(file, constants.X_OK)).not.toThrow();
    expect(spawnSync("bash", ["-n", file]).status).toBe(0);
  });
});

describe("review.sh: the optional backtest of the changed rules (REVIEW_BACKTEST), run for real", () => {
  const WORK = mkdtempSync(path.join(os.tmpdir(), "review-backtest-ci-"));
  const { before, after } = synthesizeExample(WORK);
  const sample = path.join(WORK, "sample.jsonl");
  writeFileSync(sample, exampleLogSample());
  const run = (env: NodeJS.ProcessEnv) =>
    spawnSync("bash", [path.join(ROOT, "scripts/ci/review.sh"), before, after], { encoding: "utf8", env: { ...process.env, ...env } });
  afterAll(() => rmSync(WORK, { recursive: true, force: true }));

  it("unset: no backtest in the review, and one line in the job log says so", () => {
    const r = run({ REVIEW_BACKTEST: "" });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain("backtest");
    expect(r.stderr).toBe(
      "review.sh: REVIEW_BACKTEST is not set: no backtest of the changed detection rules (set it to a sample of the audit logs to see their signals per day before and after)\n",
    );
  });

  it("set: each changed rule shows its signals per day before -> after (DuckDB engine, as CI runs it)", () => {
    const r = run({ REVIEW_BACKTEST: sample });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(r.stdout).toContain("(duckdb engine, the model of `rules backtest`, docs/backtest.md): 1 file(s), 91 events over 2 day(s)");
    expect(r.stdout).toContain("  - backtest: signals/day 2 → 1, events matched 88 → 88 (threshold 10 → 20; evaluation window 900 s → 1800 s)");
    expect(r.stdout).toContain("  - backtest: signals/day 1.5 → (disabled), events matched 3");
  });

  it("a sample that is not there fails the review with one line", () => {
    const r = run({ REVIEW_BACKTEST: path.join(WORK, "gone.jsonl") });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `review: --backtest: input ${JSON.stringify(path.join(WORK, "gone.jsonl"))}: no such file or directory; allowed: files, directories, globs (quoted) and s3:// URLs\n`,
    );
  });

  it("the pull request workflow passes the repository variable to the review step", () => {
    const step = wf("pull-request.yml").jobs.review.steps.find((s: any) => s.id === "review");
    expect(step.env).toEqual({ REVIEW_BACKTEST: "${{ vars.REVIEW_BACKTEST }}" });
    expect(step.run).toContain("scripts/ci/review.sh");
  });
});

describe("pr-comment.sh and reviewed-run.sh against a fake gh", () => {
  /** A `gh` that logs its arguments and answers from a table of canned outputs. */
  function fakeGh(answers: Record<string, string>): { dir: string; log: string } {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fake-gh-"));
    const log = path.join(dir, "calls.log");
    const table = JSON.stringify(answers).replace(/'/g, "'\\''");
    writeFileSync(
      path.join(dir, "gh"),
      `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> '${log}'\nnode -e 'const a=${"JSON.parse(process.argv[1])"};const k=Object.keys(a).find((k)=>process.argv[2].includes(k));if(k)process.stdout.write(a[k])' '${table}' "$*"\n`,
      { mode: 0o755 },
    );
    return { dir, log };
  }
  const run = (script: string, args: string[], gh: { dir: string }) =>
    spawnSync("bash", [path.join(ROOT, "scripts/ci", script), ...args], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${gh.dir}:${process.env.PATH}` },
    });

  it("updates the existing review comment instead of adding one", () => {
    const gh = fakeGh({ "issues/7/comments": "42\n" });
    const review = path.join(gh.dir, "review.md");
    writeFileSync(review, "<!-- eks-audit-siem-review -->\n# Review\n");
    const r = run("pr-comment.sh", ["o/r", "7", review], gh);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: "updated comment 42\n" });
    expect(readFileSync(gh.log, "utf8")).toContain(
      "api --method PATCH repos/o/r/issues/comments/42 -f body=<!-- eks-audit-siem-review -->\n# Review\n",
    );
    expect(readFileSync(gh.log, "utf8")).not.toContain("--method POST");
    // Found by its author and its marker: a comment someone else starts with the marker is not overwritten.
    expect(readFileSync(gh.log, "utf8")).toContain(
      'api --paginate repos/o/r/issues/7/comments --jq .[] | select(.user.login == "github-actions[bot]" and (.body | startswith("<!-- eks-audit-siem-review -->"))) | .id',
    );
  });

  it("cuts a review too long for one comment at a line, closes its open block, and says it was cut", () => {
    const gh = fakeGh({});
    const review = path.join(gh.dir, "review.md");
    const line = "+ 😀 a line of plan text with an emoji (two UTF-16 units) and `backticks`";
    writeFileSync(
      review,
      `<!-- eks-audit-siem-review -->\n# Review\n\n<details>\n<summary>Plan</summary>\n\n\`\`\`\`text\n${`${line}\n`.repeat(2000)}\`\`\`\`\n</details>\n`,
    );
    expect(run("pr-comment.sh", ["o/r", "7", review], gh).stdout).toBe("created a comment\n");
    const body = readFileSync(gh.log, "utf8").split(" -f body=")[1];
    expect(body.length).toBeLessThanOrEqual(65536);
    expect(body).toMatch(
      /\n````\n<\/details>\n\n\*\*Truncated:\*\* this review is 1\d\d,\d{3} characters, more than one comment holds; the full review is in the job's log and summary\.\n$/,
    );
    expect(
      body
        .split("\n")
        .filter((l) => l.startsWith("+ "))
        .every((l) => l === line),
    ).toBe(true);
  });

  it("creates the comment when there is none", () => {
    const gh = fakeGh({});
    const review = path.join(gh.dir, "review.md");
    writeFileSync(review, "<!-- eks-audit-siem-review -->\nx\n");
    expect(run("pr-comment.sh", ["o/r", "7", review], gh).stdout).toBe("created a comment\n");
    expect(readFileSync(gh.log, "utf8")).toContain("api --method POST repos/o/r/issues/7/comments -f body=");
  });

  it("finds the reviewed run of the merged pull request, and refuses a commit that no pull request merged", () => {
    const gh = fakeGh({ "commits/abc/pulls": "def", "runs?head_sha=def": "1234" });
    expect(run("reviewed-run.sh", ["o/r", "abc"], gh).stdout).toBe("run-id=1234\n");
    const none = run("reviewed-run.sh", ["o/r", "zzz"], fakeGh({}));
    expect({ status: none.status, stderr: none.stderr }).toEqual({
      status: 1,
      stderr: "reviewed-run.sh: commit zzz is not the merge of a pull request; allowed: changes reach main through reviewed pull requests\n",
    });
  });
});

describe("plan.sh and apply.sh refuse local state before terraform runs", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "local-state-"));
  // A terraform that fails loudly: the refusal must come first.
  writeFileSync(path.join(dir, "terraform"), "#!/usr/bin/env bash\necho 'terraform was called' >&2\nexit 99\n", { mode: 0o755 });
  const stackWith = (env: string, terraform: object) => {
    const stack = path.join(dir, "out", "stacks", env);
    mkdirSync(stack, { recursive: true });
    writeFileSync(path.join(stack, "cdk.tf.json"), JSON.stringify({ terraform }));
    return stack;
  };
  const run = (script: string, args: string[]) =>
    spawnSync("bash", [path.join(ROOT, "scripts/ci", script), ...args], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    });
  const message = (caller: string, env: string, backend: string) =>
    `${caller}: environment ${env} keeps its state on this runner (backend: ${backend}); allowed in CI: a remote backend. A CI runner's files are gone after the job, so the next apply would find no state and create everything again. Configure S3 state for ${env} in config/eks-audit-siem.yaml: backend: {type: s3, bucket: <state bucket>, region: <bucket region>} (key defaults to eks-audit-siem/${env}.tfstate, encrypted, locked with use_lockfile), then move existing state there with terraform init -migrate-state. Local state is for a laptop.\n`;

  it.each([
    ["a local backend", "staging", { backend: { local: { path: "../../../terraform.staging.tfstate" } } }, "local"],
    ["no backend (Terraform's default: local)", "dev", {}, "none"],
  ])("plan.sh: %s", (_, env, terraform, backend) => {
    stackWith(env, terraform);
    const r = run("plan.sh", ["out", env, "plans"]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: message("plan.sh", env, backend) });
  });

  it("apply.sh refuses it too, even with a plan folder", () => {
    stackWith("staging", { backend: { local: {} } });
    mkdirSync(path.join(dir, "plans"), { recursive: true });
    for (const f of ["tfplan", "cdk.tf.json.sha256", "terraform.lock.hcl"]) writeFileSync(path.join(dir, "plans", `staging.${f}`), "x");
    const r = run("apply.sh", ["out", "staging", "plans"]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: message("apply.sh", "staging", "local") });
  });

  it("an S3 backend passes the check (and reaches terraform)", () => {
    stackWith("production", { backend: { s3: { bucket: "b", key: "k", region: "eu-west-1" } } });
    const r = run("plan.sh", ["out", "production", "plans"]);
    expect(r.stderr).toContain("terraform was called");
  });

  it("the default example's environments all keep remote state", () => {
    const config = parse(readFileSync(path.join(ROOT, "config/eks-audit-siem.yaml"), "utf8"));
    for (const env of config.environments) expect(env.backend?.type).toBe("s3");
  });
});
