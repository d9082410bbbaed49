/**
 * CI templates: GitHub workflows parsed and validated by GitHub's own parser (@actions/workflow-parser via
 * scripts/validate-workflows.js), their shape (OIDC, matrix, protected environments, concurrency, order), the
 * GitLab equivalent, and the comment scripts against a fake `gh`. The scripts' terraform steps run in
 * __tests__/terraform-pipeline.test.ts.
 */
import { spawnSync } from "child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");
const files = readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml"))
  .sort();
const wf = (name: string) => parse(readFileSync(path.join(WORKFLOWS, name), "utf8"));
const validate = (paths: string[]) => spawnSync(process.execPath, [path.join(ROOT, "scripts/validate-workflows.js"), ...paths], { encoding: "utf8" });

describe("GitHub workflows", () => {
  it("are the three expected files", () => {
    expect(files).toEqual(["apply-environment.yml", "apply.yml", "pull-request.yml"]);
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
    ]);
    expect(jobs("apply.yml")).toEqual([
      { id: "reviewed-run", needs: [] },
      { id: "staging", needs: ["reviewed-run"] },
      { id: "production", needs: ["reviewed-run", "staging"] },
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

  it("pull request: npm ci + npm test, synth of base and head, plan per environment as a matrix with OIDC, plans kept, one review comment", () => {
    const pr = wf("pull-request.yml");
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    const runs = (job: string) =>
      pr.jobs[job].steps
        .map((s: any) => s.run)
        .filter(Boolean)
        .join("\n");
    expect(runs("test")).toBe("npm ci\nnpm test");
    expect(runs("synth")).toContain("head/scripts/ci/synth.sh head out/head && head/scripts/ci/synth.sh base out/base");
    expect(pr.jobs.synth.steps[1].with.ref).toBe("${{ github.event.pull_request.base.sha }}");
    expect(pr.jobs.plan.strategy.matrix.environment).toBe("${{ fromJSON(needs.synth.outputs.environments) }}");
    expect(pr.jobs.plan.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(runs("plan")).toBe('scripts/ci/plan.sh out/head "${{ matrix.environment }}" plans');
    expect(pr.jobs.plan.steps.find((s: any) => s.uses?.startsWith("actions/upload-artifact")).with.name).toBe("plan-${{ matrix.environment }}");
    expect(runs("review")).toContain('scripts/ci/pr-comment.sh "${{ github.repository }}" "${{ github.event.pull_request.number }}" review.md');
    expect(pr.jobs.review.permissions["pull-requests"]).toBe("write");
    expect(pr.permissions).toEqual({ contents: "read" });
  });

  it("merge: the reviewed run's saved plan per environment, protected environment, one run per environment, production after staging", () => {
    const apply = wf("apply.yml");
    expect(apply.on).toEqual({ push: { branches: ["main"] } });
    expect(apply.jobs.production.needs).toContain("staging");
    for (const env of ["staging", "production"]) {
      expect(apply.jobs[env].uses).toBe("./.github/workflows/apply-environment.yml");
      expect(apply.jobs[env].with.environment).toBe(env);
      expect(apply.jobs[env].permissions["id-token"]).toBe("write");
    }
    const job = wf("apply-environment.yml").jobs.apply;
    expect(job.environment).toBe("${{ inputs.environment }}");
    expect(job.concurrency).toEqual({ group: "terraform-apply-${{ inputs.environment }}", "cancel-in-progress": false });
    const download = job.steps.find((s: any) => s.uses?.startsWith("actions/download-artifact"));
    expect(download.with["run-id"]).toBe("${{ inputs.run-id }}");
    expect(job.steps.map((s: any) => s.run).filter(Boolean)).toEqual([
      "npm ci",
      "scripts/ci/synth.sh . out",
      'scripts/ci/apply.sh out "${{ inputs.environment }}" plans',
    ]);
  });

  it("hold no long-lived AWS keys: credentials by OIDC role, Datadog keys from secrets", () => {
    for (const f of files) {
      const text = readFileSync(path.join(WORKFLOWS, f), "utf8");
      expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
      for (const m of text.matchAll(/(DD_API_KEY|DD_APP_KEY|TF_VAR_datadog_api_key): (.*)/g))
        expect(m[2]).toMatch(/^\$\{\{ secrets\.DD_(API|APP)_KEY \}\}$/);
      for (const m of text.matchAll(/role-to-assume: (.*)/g))
        expect(m[1]).toMatch(/^\$\{\{ fromJSON\(vars\.AWS_(PLAN|APPLY)_ROLES\)\[(matrix|inputs)\.environment\] \}\}$/);
    }
  });
});

describe("GitLab CI equivalent (ci/gitlab/.gitlab-ci.yml)", () => {
  const gl = parse(readFileSync(path.join(ROOT, "ci/gitlab/.gitlab-ci.yml"), "utf8"), { merge: true });

  it("plans per environment with an OIDC ID token, applies manually per protected environment, one at a time, production after staging", () => {
    expect(gl.stages).toEqual(["test", "synth", "plan", "review", "apply"]);
    expect(gl.plan.parallel.matrix).toEqual([{ ENVIRONMENT: ["staging", "production"] }]);
    expect(gl.plan.id_tokens).toEqual({ AWS_ID_TOKEN: { aud: "sts.amazonaws.com" } });
    expect(gl["apply staging"]).toEqual(expect.objectContaining({ environment: { name: "staging" }, resource_group: "terraform-staging" }));
    expect(gl["apply production"]).toEqual(expect.objectContaining({ environment: { name: "production" }, resource_group: "terraform-production" }));
    expect(gl["apply production"].needs).toContain("apply staging");
    expect(gl["apply production"].rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", when: "manual" }]);
    expect(gl.test.script).toEqual(["npm ci", "npm test"]);
  });
});

describe("every script the CI files call exists and is executable", () => {
  const texts = [
    ...files.map((f) => readFileSync(path.join(WORKFLOWS, f), "utf8")),
    readFileSync(path.join(ROOT, "ci/gitlab/.gitlab-ci.yml"), "utf8"),
  ];
  const scripts = [...new Set(texts.flatMap((t) => [...t.matchAll(/scripts\/ci\/([a-z-]+\.sh)/g)].map((m) => m[1])))].sort();
  it.each(scripts)("%s", (name) => {
    const file = path.join(ROOT, "scripts/ci", name);
    expect(existsSync(file)).toBe(true);
    expect(() => accessSync(file, constants.X_OK)).not.toThrow();
    expect(spawnSync("bash", ["-n", file]).status).toBe(0);
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
