/**
 * The terraform tier for the pipeline scripts (scripts/ci/*.sh) and `review --plan`: the same scripts the GitHub and
 * GitLab workflows call, run for real against the AWS part of the synthesized stacks, offline (provider mirror,
 * skip-credentials overrides, crafted state: see __tests__/helpers/terraform-tier.ts).
 *
 * Flow: synth.sh base and head -> environments.sh -> lock.sh -> plan.sh per environment -> review.sh with the plans
 * -> apply.sh (refuses a plan of another configuration; applies an empty plan for real).
 */
import { spawn, spawnSync } from "child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { synthesizeExample } from "../tools/review/example";
import {
  awsOnly,
  craftImportedState,
  findProviderMirror,
  prepareWorkdir,
  terraformAvailable,
  tierSkippedBanner,
  writeCliConfig,
} from "./helpers/terraform-tier";

const ROOT = path.join(__dirname, "..");
const available = terraformAvailable();
const required = process.env.REQUIRE_TERRAFORM === "1";
const mirror = findProviderMirror();
const TIMEOUT = 300_000;

if (!available) process.stderr.write(tierSkippedBanner("terraform pipeline tier"));
if (!available && required) {
  it("terraform pipeline tier is required here (REQUIRE_TERRAFORM=1) but `terraform` is not on the PATH", () => {
    throw new Error("install terraform or unset REQUIRE_TERRAFORM");
  });
}

const tier = available ? describe : describe.skip;

tier(`pipeline scripts against real terraform (provider mirror: ${mirror ?? "none, using the registry"})`, () => {
  const WORK = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-ci-"));
  const CLI_CONFIG = path.join(WORK, "cli.tfrc");
  writeCliConfig(CLI_CONFIG, mirror, path.join(WORK, "plugin-cache"));
  afterAll(() => rmSync(WORK, { recursive: true, force: true }));

  const script = (name: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync("bash", [path.join(ROOT, "scripts/ci", name), ...args], {
      cwd: WORK,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, TF_CLI_CONFIG_FILE: CLI_CONFIG, AWS_EC2_METADATA_DISABLED: "true", TF_LOCK_DIR: path.join(WORK, "locks"), ...env },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (r: { status: number | null; stdout: string; stderr: string }) => {
    if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const planArgs = { TF_PLAN_EXTRA_ARGS: "-refresh=false -lock=false" };
  const platform = `${os.platform()}_${os.arch() === "x64" ? "amd64" : os.arch()}`;
  const lockArgs = mirror !== undefined ? { TF_LOCK_EXTRA_ARGS: `-fs-mirror=${mirror} -platform=${platform}` } : {};

  // Head: the staging threshold raised, production's `payments` cluster dropped.
  const raw = parse(readFileSync(path.join(ROOT, "config/eks-audit-siem.yaml"), "utf8"));
  raw.environments[0].cloudSiem.rules["pod-exec-burst"] = { threshold: 25, evaluationWindowSeconds: 900 };
  raw.environments[1].clusters = raw.environments[1].clusters.filter((c: any) => c.name !== "payments");
  delete raw.environments[1].datadog.forwarder.apiKeySecretArns["eu-west-1"];
  writeFileSync(path.join(WORK, "head.yaml"), stringify(raw));
  const base = path.join(WORK, "base");
  const head = path.join(WORK, "head");
  const aws = path.join(WORK, "head-aws");
  const plans = path.join(WORK, "plans");

  beforeAll(() => {
    ok(script("synth.sh", [ROOT, base], { EKS_AUDIT_SIEM_CONFIG: path.join(ROOT, "config/eks-audit-siem.yaml") }));
    ok(script("synth.sh", [ROOT, head], { EKS_AUDIT_SIEM_CONFIG: path.join(WORK, "head.yaml") }));
    // The AWS part of head, offline: Datadog stripped, skip-credentials overrides; production's state holds what
    // the base adopted (its clusters and log group), as an account that applied the base would have it.
    cpSync(head, aws, { recursive: true });
    for (const env of ["staging", "production"]) {
      const dir = path.join(aws, "stacks", env);
      const stack = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
      prepareWorkdir(dir, stack, env === "staging" ? "111111111111" : "222222222222");
    }
    const baseProduction = awsOnly(JSON.parse(readFileSync(path.join(base, "stacks/production/cdk.tf.json"), "utf8")));
    const state = craftImportedState(baseProduction, "222222222222", {
      bootstrapSelfManagedAddons: null,
      bootstrapClusterCreatorAdminPermissions: null,
    });
    writeFileSync(path.join(aws, "stacks/production/terraform.tfstate"), JSON.stringify(state, null, 2));
  }, TIMEOUT);

  it("environments.sh lists the matrix, in the config's order", () => {
    expect(ok(script("environments.sh", [head], { EKS_AUDIT_SIEM_CONFIG: path.join(WORK, "head.yaml") })).stdout).toBe(
      '[{"environment":"staging","destroy":false},{"environment":"production","destroy":false}]\n',
    );
    expect(script("environments.sh", [WORK]).stderr).toBe(`environments.sh: ${WORK} holds no stacks/; allowed: a synthesized output folder\n`);
  });

  it(
    "lock.sh writes lock files; plan.sh inits with them read-only and saves plan, plan JSON, hash and lock file",
    () => {
      const locked = ok(script("lock.sh", [aws], lockArgs))
        .stdout.trim()
        .split("\n");
      expect(locked.map((f) => path.relative(WORK, f))).toEqual([
        "locks/stacks/production/.terraform.lock.hcl",
        "locks/stacks/staging/.terraform.lock.hcl",
      ]);
      expect(readFileSync(path.join(WORK, "locks/stacks/staging/.terraform.lock.hcl"), "utf8")).toContain(
        'provider "registry.terraform.io/hashicorp/aws"',
      );
      for (const env of ["staging", "production"]) {
        const r = ok(script("plan.sh", [aws, env, plans], planArgs));
        expect(r.stderr).not.toContain("providers are not locked");
        for (const f of ["tfplan", "plan.json", "plan.txt", "cdk.tf.json.sha256", "terraform.lock.hcl"])
          expect(existsSync(path.join(plans, `${env}.${f}`))).toBe(true);
      }
      expect(readFileSync(path.join(plans, "production.plan.txt"), "utf8")).toMatch(/Plan: \d+ to add, \d+ to change, [1-9]\d* to destroy\./);
    },
    TIMEOUT,
  );

  it(
    "review.sh folds the real plans in: the dropped cluster first, with the plan's reason; REVIEW_FAIL_ON_DESTROY=1 exits 3",
    () => {
      const r = ok(script("review.sh", [base, head, plans]));
      expect(r.stdout.split("\n")[0]).toBe("<!-- eks-audit-siem-review -->");
      const production = r.stdout.slice(r.stdout.indexOf("## Environment `production`"), r.stdout.indexOf("## Environment `staging`"));
      expect(production).toMatch(
        /^## Environment `production`\n\n### Danger: destroyed, replaced or moved\n\n- \*\*EKS cluster payments \(eu-west-1\) would be destroyed\*\*/,
      );
      expect(production).toContain(
        "- **EKS cluster payments (eu-west-1) would be destroyed** (`aws_eks_cluster.cluster_payments`; its prevent_destroy goes with the removed block and does not stop this; to stop managing it without destroying it, use a `removed` block with `destroy = false`; real plan: it is no longer in the configuration)",
      );
      expect(production).toContain("(`aws_cloudwatch_log_group.audit_log_group_payments`; real plan: it is no longer in the configuration)");
      const planned = JSON.parse(readFileSync(path.join(plans, "production.plan.json"), "utf8"));
      const deletes = planned.resource_changes.filter((c: any) => c.change.actions.includes("delete")).length;
      expect(production).toMatch(new RegExp(`Real plan: \\d+ to create, \\d+ to update, 0 to replace, ${deletes} to destroy\\.`));
      expect(r.stdout).toContain("  - `case[medium].condition`: `execs > 10` → `execs > 25`");
      expect(script("review.sh", [base, head, plans], { REVIEW_FAIL_ON_DESTROY: "1" }).status).toBe(3);
      // Production's real plan passed as staging's is refused, not shown as staging's clusters destroyed.
      const swapped = spawnSync(
        process.execPath,
        [
          path.join(ROOT, "scripts/run-ts.js"),
          path.join(ROOT, "tools/review/cli.ts"),
          "--plan",
          `staging=${path.join(plans, "production.plan.json")}`,
          base,
          head,
        ],
        { encoding: "utf8" },
      );
      expect({ status: swapped.status, stdout: swapped.stdout }).toEqual({ status: 2, stdout: "" });
      expect(swapped.stderr).toMatch(
        /^review: --plan staging=".*production\.plan\.json" is not a plan of staging's stack: configuration\.root_module\.resources: received "aws_/,
      );
    },
    TIMEOUT,
  );

  it(
    "review --plan reports a real replacement with the path that forces it",
    () => {
      const dir = path.join(WORK, "replace");
      cpSync(path.join(aws, "stacks/production"), path.join(dir, "stacks/production"), { recursive: true });
      rmSync(path.join(dir, "stacks/production/.terraform"), { recursive: true, force: true });
      const file = path.join(dir, "stacks/production/cdk.tf.json");
      const stack = JSON.parse(readFileSync(file, "utf8"));
      // Without the adoption lifecycle, the crafted state's role and subnets differ from the placeholders: replace.
      delete stack.resource.aws_eks_cluster["cluster_checkout-us"].lifecycle;
      writeFileSync(file, JSON.stringify(stack));
      ok(script("plan.sh", [dir, "production", path.join(dir, "plans")], planArgs));
      const r = spawnSync(
        process.execPath,
        [
          path.join(ROOT, "scripts/run-ts.js"),
          path.join(ROOT, "tools/review/cli.ts"),
          "--fail-on-destroy",
          "--plan",
          `production=${path.join(dir, "plans/production.plan.json")}`,
          base,
          head,
        ],
        { encoding: "utf8" },
      );
      expect(r.status).toBe(3);
      expect(r.stdout).toMatch(
        /- \*\*EKS cluster checkout-us would be replaced \(destroyed, then created\)\*\* \(`aws_eks_cluster\.cluster_checkout-us`; real plan: an argument that cannot be updated in place changed: [^)]*role_arn/,
      );
    },
    TIMEOUT,
  );

  it(
    "a dropped cluster in a region no other cluster uses takes its provider along: terraform cannot plan it, as review warns",
    () => {
      // The committed review example (docs/review-example.md) drops checkout-us, production's only us-east-1 cluster.
      const example = synthesizeExample(mkdtempSync(path.join(WORK, "example-")));
      const stackOf = (folder: string) => awsOnly(JSON.parse(readFileSync(path.join(folder, "stacks/production/cdk.tf.json"), "utf8")));
      const dir = path.join(WORK, "orphan");
      prepareWorkdir(dir, stackOf(example.after), "222222222222");
      const state = craftImportedState(stackOf(example.before), "222222222222", {
        bootstrapSelfManagedAddons: null,
        bootstrapClusterCreatorAdminPermissions: null,
      });
      writeFileSync(path.join(dir, "terraform.tfstate"), JSON.stringify(state));
      const init = spawnSync("terraform", ["init", "-input=false", "-no-color"], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, TF_CLI_CONFIG_FILE: CLI_CONFIG, CHECKPOINT_DISABLE: "1" },
      });
      expect(init.status).toBe(0);
      const planned = spawnSync("terraform", ["plan", "-refresh=false", "-lock=false", "-input=false", "-no-color"], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, TF_CLI_CONFIG_FILE: CLI_CONFIG, CHECKPOINT_DISABLE: "1" },
      });
      expect(planned.status).not.toBe(0);
      expect(planned.stderr).toContain("Provider configuration not present");
      expect(planned.stderr).toContain("aws_eks_cluster.cluster_checkout-us");
    },
    TIMEOUT,
  );

  it(
    "apply.sh refuses a plan made from another configuration, and applies exactly the saved plan",
    () => {
      const moved = path.join(WORK, "moved");
      cpSync(aws, moved, { recursive: true });
      const file = path.join(moved, "stacks/staging/cdk.tf.json");
      writeFileSync(file, readFileSync(file, "utf8").replace('"retention_in_days": 30', '"retention_in_days": 14'));
      const refused = script("apply.sh", [moved, "staging", plans]);
      expect({ status: refused.status, stderr: refused.stderr }).toEqual({
        status: 4,
        stderr: `apply.sh: ${moved}/stacks/staging/cdk.tf.json is not the configuration the reviewed plan of staging was made from; plan and review again\n`,
      });
      // A stack with nothing to create applies for real offline: init read-only from the plan's lock file, apply the file.
      const empty = path.join(WORK, "empty");
      const stack = {
        terraform: {
          // Remote state as CI requires (require-remote-state.sh); prepareWorkdir's override keeps it local here.
          backend: { s3: { bucket: "example-terraform-state-111111111111", key: "noop.tfstate", region: "us-east-1" } },
          required_providers: { aws: { source: "aws", version: "5.100.0" } },
        },
        provider: { aws: [{ region: "us-east-1" }] },
      };
      const dir = path.join(empty, "stacks/noop");
      prepareWorkdir(dir, stack, "111111111111");
      ok(script("lock.sh", [empty], lockArgs));
      ok(script("plan.sh", [empty, "noop", path.join(empty, "plans")], planArgs));
      const applied = ok(script("apply.sh", [empty, "noop", path.join(empty, "plans")]));
      expect(applied.stdout).toMatch(/Apply complete! Resources: 0 added, 0 changed, 0 destroyed\./);
    },
    TIMEOUT,
  );
});

tier("pipeline simulation: a sequence of pull requests and merges through the scripts, real terraform on the AWS part", () => {
  const WORK = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-sim-"));
  const CLI_CONFIG = path.join(WORK, "cli.tfrc");
  writeCliConfig(CLI_CONFIG, mirror, path.join(WORK, "plugin-cache"));
  afterAll(() => rmSync(WORK, { recursive: true, force: true }));
  const platform = `${os.platform()}_${os.arch() === "x64" ? "amd64" : os.arch()}`;
  const lockArgs = mirror !== undefined ? { TF_LOCK_EXTRA_ARGS: `-fs-mirror=${mirror} -platform=${platform}` } : {};
  const script = (name: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync("bash", [path.join(ROOT, "scripts/ci", name), ...args], {
      cwd: WORK,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        TF_CLI_CONFIG_FILE: CLI_CONFIG,
        AWS_EC2_METADATA_DISABLED: "true",
        TF_LOCK_DIR: path.join(WORK, "locks"),
        TF_PLAN_EXTRA_ARGS: "-refresh=false",
        ...env,
      },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (r: { status: number | null; stdout: string; stderr: string }) => {
    if (r.status !== 0) throw new Error(`exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const defaultConfig = parse(readFileSync(path.join(ROOT, "config/eks-audit-siem.yaml"), "utf8"));
  /** Synthesizes a config (the default one changed by `edit`) into WORK/<name>; returns the output and config file. */
  const synth = (name: string, edit: (c: any) => void) => {
    const config = structuredClone(defaultConfig);
    edit(config);
    const file = path.join(WORK, `${name}.yaml`);
    writeFileSync(file, stringify(config));
    const out = path.join(WORK, name);
    ok(script("synth.sh", [ROOT, out], { EKS_AUDIT_SIEM_CONFIG: file }));
    return { out, config: file };
  };
  /** The AWS part of one stack of an output, offline (overrides, crafted state of what it adopts), locked. */
  const awsPart = (out: string, env: string, into: string, accountId: string) => {
    const dir = path.join(into, "stacks", env);
    prepareWorkdir(dir, JSON.parse(readFileSync(path.join(out, "stacks", env, "cdk.tf.json"), "utf8")), accountId);
    ok(script("lock.sh", [into], lockArgs));
    return into;
  };
  // `dev`: an environment with an adopted (existing) cluster, in its own account.
  const withDev = (c: any) => {
    const dev = structuredClone(c.environments[1]);
    dev.name = "dev";
    dev.aws.accountId = "333333333333";
    dev.backend = { type: "s3", bucket: "example-terraform-state-333333333333", region: "eu-west-1" };
    dev.clusters = [{ name: "dev-shared", mode: "existing", logRetentionInDays: 30 }];
    delete dev.datadog.forwarder.apiKeySecretArns;
    delete dev.cloudSiem.builtInRules;
    dev.cloudSiem.suppressions = [];
    dev.tags = { ...dev.tags, environment: "dev" };
    c.environments.push(dev);
  };
  const main0 = synth("main0", () => undefined);
  const main1 = synth("main1", withDev);
  const environments = (head: { out: string; config: string }, base: string) =>
    JSON.parse(ok(script("environments.sh", [head.out, base], { EKS_AUDIT_SIEM_CONFIG: head.config })).stdout);
  const child = (list: object, base: string, head: string) => {
    const file = path.join(WORK, "environments.json");
    writeFileSync(file, JSON.stringify(list));
    return parse(
      ok(script("gitlab-child.sh", [file, base, head], { CI_COMMIT_BRANCH: "main", CI_DEFAULT_BRANCH: "main", CI_MERGE_REQUEST_IID: "" })).stdout,
    );
  };

  it(
    "PR 1 adds `dev`: listed last in the config's order, planned, reviewed as new, applied after production",
    () => {
      expect(environments(main1, main0.out)).toEqual([
        { environment: "staging", destroy: false },
        { environment: "production", destroy: false },
        { environment: "dev", destroy: false },
      ]);
      const aws = awsPart(main1.out, "dev", path.join(WORK, "pr1"), "333333333333");
      const planned = ok(script("plan.sh", [aws, "dev", path.join(WORK, "pr1/plans")]));
      // Its adopted cluster is in the crafted state already (as after the import): the rest is added.
      expect(planned.stdout).toMatch(/Plan: [1-9]\d* to add, \d+ to change, 0 to destroy\./);
      const review = ok(script("review.sh", [main0.out, main1.out, path.join(WORK, "pr1/plans")]));
      expect(review.stdout).toContain("## Environment `dev` (new environment)");
      expect(review.stdout).toContain("Nothing would be destroyed, replaced or moved.");
      const c = child(environments(main1, main0.out), main0.out, main1.out);
      expect(c["apply dev"].needs).toEqual([{ job: "plan dev", artifacts: true }, "review", "apply production"]);
      expect(c["approve destroy"]).toBeUndefined();
    },
    TIMEOUT,
  );

  it(
    "PR 2 removes `dev`: a destroy plan from the base's stack, the removed environment first in the review, behind the destroy gate; apply refuses it while main still has `dev`",
    () => {
      const list = environments(main0, main1.out);
      expect(list[list.length - 1]).toEqual({ environment: "dev", destroy: true });
      const aws = awsPart(main1.out, "dev", path.join(WORK, "pr2"), "333333333333");
      const plans = path.join(WORK, "pr2/plans");
      // The adopted cluster carries prevent_destroy: terraform refuses to plan its destroy, and says why.
      const refused = script("plan.sh", [aws, "dev", plans, "--destroy"]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain("Instance cannot be destroyed");
      const listFile = path.join(WORK, "pr2/environments.json");
      writeFileSync(listFile, JSON.stringify(list));
      const review = script("review.sh", [main1.out, main0.out, plans, listFile], { REVIEW_FAIL_ON_DESTROY: "1" });
      expect(review.status).toBe(3);
      // Only dev was planned here: every listed environment without a saved plan is said first to have failed.
      const head = review.stdout.slice(0, review.stdout.indexOf("| Environment |"));
      expect(head).toContain(
        "**Plan failed:** the plan of `dev` failed or is missing (see its plan job); what follows for it is the synthesized change only.",
      );
      expect(review.stdout.split("\n")[1]).toBe("# Review of the synthesized change");
      expect(review.stdout.indexOf("## Environment `dev` (environment removed: every resource destroyed)")).toBeLessThan(
        review.stdout.indexOf("## Environment `production`"),
      );
      expect(review.stdout).toContain("- **EKS cluster dev-shared (eu-west-1) would be destroyed**");
      const c = child(list, main1.out, main0.out);
      expect(c["destroy dev"].needs).toContain("approve destroy");
      // A destroy plan is never applied while main still synthesizes the environment.
      writeFileSync(path.join(plans, "dev.destroy"), "");
      for (const f of ["tfplan", "cdk.tf.json.sha256", "terraform.lock.hcl"]) writeFileSync(path.join(plans, `dev.${f}`), "x");
      const kept = script("apply.sh", [main1.out, "dev", plans]);
      expect({ status: kept.status, stderr: kept.stderr }).toEqual({
        status: 4,
        stderr: `apply.sh: dev has a destroy plan but ${main1.out}/stacks/dev/cdk.tf.json exists (the environment is in the config again); plan and review again\n`,
      });
    },
    TIMEOUT,
  );

  it(
    "a plan waits for the state lock another plan or apply holds (-lock-timeout), and gives up after TF_LOCK_TIMEOUT",
    async () => {
      const out = path.join(WORK, "locked");
      const dir = path.join(out, "stacks/app");
      prepareWorkdir(
        dir,
        {
          terraform: {
            backend: { s3: { bucket: "example-terraform-state-111111111111", key: "locked.tfstate", region: "us-east-1" } },
            required_providers: { aws: { source: "aws", version: "5.100.0" } },
          },
          provider: { aws: [{ region: "us-east-1" }] },
          output: { release: { value: "1" } },
        },
        "111111111111",
      );
      ok(script("lock.sh", [out], lockArgs));
      const state = path.join(dir, "terraform.tfstate");
      writeFileSync(state, JSON.stringify({ version: 4, terraform_version: "1.11.4", serial: 1, lineage: "lock-test", outputs: {}, resources: [] }));
      // Another run holding the lock, as terraform's local backend holds it: an fcntl lock (F_SETLK, as Python's lockf)
      // on the state file and the lock's description beside it (internal/states/statemgr/filesystem.go).
      writeFileSync(
        path.join(dir, ".terraform.tfstate.lock.info"),
        JSON.stringify({
          ID: "other-run",
          Operation: "OperationTypeApply",
          Info: "",
          Who: "ci@other",
          Version: "1.11.4",
          Created: "2026-01-01T00:00:00Z",
          Path: "terraform.tfstate",
        }),
      );
      const hold = (seconds: number) =>
        new Promise<ReturnType<typeof spawn>>((resolve) => {
          const p = spawn("python3", [
            "-c",
            "import fcntl,sys,time; f=open(sys.argv[1],'r+'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(float(sys.argv[2]))",
            state,
            String(seconds),
          ]);
          p.stdout.once("data", () => resolve(p));
        });
      const held = await hold(120);
      const gaveUp = script("plan.sh", [out, "app", path.join(WORK, "lock1")], { TF_LOCK_TIMEOUT: "1s" });
      held.kill();
      expect(gaveUp.status).toBe(1);
      expect(gaveUp.stderr).toContain("Error acquiring the state lock");
      // Held while the plan starts: after init, plan.sh's plan blocks on the lock (without -lock-timeout, terraform
      // fails at once); released a few seconds later, the same plan goes on and succeeds.
      const holder = await hold(120);
      const plan = spawn("bash", [path.join(ROOT, "scripts/ci/plan.sh"), out, "app", path.join(WORK, "lock2")], {
        cwd: WORK,
        env: {
          ...process.env,
          TF_CLI_CONFIG_FILE: CLI_CONFIG,
          AWS_EC2_METADATA_DISABLED: "true",
          TF_LOCK_DIR: path.join(WORK, "locks"),
          TF_LOCK_TIMEOUT: "5m",
        },
      });
      let stderr = "";
      let stdout = "";
      plan.stdout.on("data", (d) => (stdout += String(d)));
      const exited = new Promise<number | null>((resolve) => plan.on("exit", resolve));
      await new Promise<void>((resolve) => {
        plan.on("exit", () => resolve());
        plan.stderr.on("data", (d) => {
          stderr += String(d);
          if (stderr.includes("successfully initialized")) resolve();
        });
      });
      await new Promise((r) => setTimeout(r, 5_000));
      const waiting = plan.exitCode === null;
      holder.kill();
      const code = await exited;
      expect({ waiting, code, stderr: code === 0 ? "" : stderr }).toEqual({ waiting: true, code: 0, stderr: "" });
      expect(stdout).toMatch(/Changes to Outputs/);
    },
    TIMEOUT,
  );

  it("PR 3 moves production's state to another bucket: danger, listed first, gated", () => {
    const moved = synth("moved", (c) => (c.environments[1].backend.bucket = "new-state-bucket-222222222222"));
    const review = script("review.sh", [main0.out, moved.out], { REVIEW_FAIL_ON_DESTROY: "1" });
    expect(review.status).toBe(3);
    const production = review.stdout.slice(review.stdout.indexOf("## Environment `production`"));
    expect(production.slice(production.indexOf("- **"))).toMatch(
      /^- \*\*The state moves: `s3` \(bucket `example-terraform-state-222222222222`, [^)]*\) → `s3` \(bucket `new-state-bucket-222222222222`/,
    );
    expect(child(environments(moved, main0.out), main0.out, moved.out)["approve destroy"]).toBeDefined();
  });

  it("PR 4 renames a rule (a new resource key): the old rule is destroyed, the new one added; gated", () => {
    const renamed = path.join(WORK, "renamed");
    cpSync(main0.out, renamed, { recursive: true });
    const file = path.join(renamed, "stacks/staging/cdk.tf.json");
    const stack = JSON.parse(readFileSync(file, "utf8"));
    const rules = stack.resource.datadog_security_monitoring_rule;
    rules["pod-exec-burst-renamed"] = rules["pod-exec-burst"];
    delete rules["pod-exec-burst"];
    writeFileSync(file, JSON.stringify(stack));
    const review = script("review.sh", [main0.out, renamed], { REVIEW_FAIL_ON_DESTROY: "1" });
    expect(review.status).toBe(3);
    expect(review.stdout).toMatch(/- \*\*Cloud SIEM rule pod-exec-burst \(`[^`]+`\) would be destroyed\*\*/);
    expect(review.stdout).toMatch(/- Cloud SIEM rule pod-exec-burst-renamed \(`[^`]+`\): added/);
  });

  it(
    "merges of two reviewed plans of one environment: the second is stale and refused by terraform; a re-plan applies; drift detection sees none, then a change; removing the environment applies its destroy plan",
    () => {
      // An environment whose plans touch no cloud API (outputs only), so apply runs for real offline.
      const out = path.join(WORK, "outputs");
      const stackOf = (value: string) => ({
        terraform: {
          backend: { s3: { bucket: "example-terraform-state-111111111111", key: "outputs.tfstate", region: "us-east-1" } },
          required_providers: { aws: { source: "aws", version: "5.100.0" } },
        },
        provider: { aws: [{ region: "us-east-1" }] },
        output: { release: { value } },
      });
      prepareWorkdir(path.join(out, "stacks/app"), stackOf("1"), "111111111111");
      ok(script("lock.sh", [out], lockArgs));
      const planA = path.join(WORK, "planA");
      const planB = path.join(WORK, "planB");
      ok(script("plan.sh", [out, "app", planA]));
      ok(script("plan.sh", [out, "app", planB]));
      expect(ok(script("apply.sh", [out, "app", planA])).stdout).toMatch(/Apply complete!/);
      const stale = script("apply.sh", [out, "app", planB]);
      expect(stale.status).toBe(1);
      expect(stale.stderr).toContain("Saved plan is stale");
      // Re-plan after the failure (the workflow_dispatch re-plan of main): applies.
      const planC = path.join(WORK, "planC");
      ok(script("plan.sh", [out, "app", planC]));
      expect(ok(script("apply.sh", [out, "app", planC])).stdout).toMatch(/Apply complete!/);
      // Drift detection: nothing to change, exit 0; a change not applied yet, exit 3 with the plan still written.
      expect(script("plan.sh", [out, "app", path.join(WORK, "drift0")], { TF_PLAN_DETAILED_EXITCODE: "1" }).status).toBe(0);
      writeFileSync(path.join(out, "stacks/app/cdk.tf.json"), JSON.stringify(awsOnly(stackOf("2")), null, 2));
      const drift = script("plan.sh", [out, "app", path.join(WORK, "drift1")], { TF_PLAN_DETAILED_EXITCODE: "1" });
      expect({ status: drift.status, stderr: drift.stderr.split("\n").slice(-2)[0] }).toEqual({
        status: 3,
        stderr: "plan.sh: app has changes: the infrastructure or its state differs from the configuration (drift, or an unapplied change)",
      });
      expect(existsSync(path.join(WORK, "drift1/app.plan.json"))).toBe(true);
      // The environment is then removed from the config: its destroy plan, applied from the configuration saved with
      // it once main no longer synthesizes it (the state stays where the backend keeps it: here, the local override).
      writeFileSync(path.join(out, "stacks/app/cdk.tf.json"), JSON.stringify(awsOnly(stackOf("1")), null, 2));
      const destroyPlans = path.join(WORK, "destroy");
      expect(ok(script("plan.sh", [out, "app", destroyPlans, "--destroy"])).stdout).toMatch(/Changes to Outputs/);
      expect(existsSync(path.join(destroyPlans, "app.destroy"))).toBe(true);
      cpSync(path.join(out, "stacks/app"), path.join(out, "removed/app"), { recursive: true });
      rmSync(path.join(out, "stacks/app"), { recursive: true });
      expect(ok(script("apply.sh", [out, "app", destroyPlans])).stdout).toMatch(/(Apply|Destroy) complete!/);
      const state = JSON.parse(readFileSync(path.join(out, "removed/app/terraform.tfstate"), "utf8"));
      expect(state.outputs).toEqual({});
    },
    TIMEOUT,
  );
});
