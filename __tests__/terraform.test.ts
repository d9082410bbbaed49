/**
 * The terraform tier: the real `terraform` and the real hashicorp/aws 5.100.0 provider (from a filesystem mirror)
 * init, validate and plan every stack of the default example, and prove that adopting an existing cluster changes
 * nothing but its logging setting.
 *
 * Runs wherever `terraform` is on the PATH. `.ci/run` sets REQUIRE_TERRAFORM=1 when it is, so a broken tier fails
 * CI instead of being skipped.
 */
import { App } from "cdktf";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_CONFIG_PATH, loadConfigFile, validateConfig } from "../config/load";
import { AppConfig } from "../config/schema";
import { ADOPTED_CLUSTER_IGNORED_ATTRIBUTES } from "../modules/eks-audit-logging";
import { PlatformAuditStack } from "../examples/compose-in-code";
import { EnvironmentStack } from "../stacks/environment-stack";
import {
  AdoptedClusterState,
  PlanSummary,
  findProviderMirror,
  prepareWorkdir,
  summarizePlan,
  terraform,
  terraformAvailable,
  tierSkippedBanner,
  writeCliConfig,
  zipEntries,
} from "./helpers/terraform-tier";
import { parse as parseYaml } from "yaml";

const available = terraformAvailable();
const required = process.env.REQUIRE_TERRAFORM === "1";
const WORK = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-tf-"));
const CLI_CONFIG = path.join(WORK, "cli.tfrc");
const mirror = findProviderMirror();
writeCliConfig(CLI_CONFIG, mirror, path.join(WORK, "plugin-cache"));

if (!available) {
  // Loud, not silent: the reason is in the test name and on stderr.
  process.stderr.write(tierSkippedBanner("terraform tier"));
}

/** Synthesizes one environment of a config and returns its cdk.tf.json. */
function synthEnvironment(config: AppConfig, name: string): any {
  const app = new App({ outdir: mkdtempSync(path.join(WORK, "synth-")) });
  const env = config.environments.find((e) => e.name === name)!;
  new EnvironmentStack(app, env.name, { environment: env });
  app.synth();
  return JSON.parse(readFileSync(path.join(app.outdir, "stacks", name, "cdk.tf.json"), "utf8"));
}

interface PlanRun {
  readonly summary: PlanSummary;
  readonly output: string;
}

/** init + validate + plan -refresh=false, then `show -json` of the plan. */
function plan(label: string, stack: any, accountId: string, variant?: AdoptedClusterState): PlanRun {
  const dir = path.join(WORK, label);
  prepareWorkdir(dir, stack, accountId, variant);
  for (const args of [
    ["init", "-input=false", "-no-color", "-backend=true"],
    ["validate", "-no-color"],
    ["plan", "-refresh=false", "-input=false", "-no-color", "-lock=false", "-out=plan.bin"],
  ]) {
    const r = terraform(args, dir, CLI_CONFIG);
    if (r.status !== 0) throw new Error(`terraform ${args[0]} failed in ${label}:\n${r.stdout}\n${r.stderr}`);
    if (args[0] === "plan") {
      const show = terraform(["show", "-json", "plan.bin"], dir, CLI_CONFIG);
      if (show.status !== 0) throw new Error(`terraform show failed in ${label}: ${show.stderr}`);
      return { summary: summarizePlan(JSON.parse(show.stdout)), output: r.stdout };
    }
  }
  throw new Error("unreachable");
}

/** Actions on the cluster and its log group; the rest of the stack (forwarder, integration role) is only created. */
const LEGACY = ["aws_cloudwatch_log_group.audit_log_group_legacy", "aws_eks_cluster.cluster_legacy"];
const legacyChanges = (p: PlanRun) => p.summary.changes.filter((c) => LEGACY.includes(c.address));
const othersOnlyCreated = (p: PlanRun) =>
  p.summary.changes.filter((c) => !LEGACY.includes(c.address) && c.actions.join(",") !== "create").map((c) => c.address);
const actionsOf = (p: PlanRun) => Object.fromEntries(legacyChanges(p).map((c) => [c.address, c.actions.join(",")]));
const noDestroy = (p: PlanRun) => p.summary.changes.filter((c) => c.actions.includes("delete")).map((c) => c.address);

const tier = available ? describe : describe.skip;
const TIMEOUT = 240_000;

if (!available && required) {
  it("terraform tier is required here (REQUIRE_TERRAFORM=1) but `terraform` is not on the PATH", () => {
    throw new Error("install terraform or unset REQUIRE_TERRAFORM");
  });
}

tier(`terraform tier (terraform ${available ? "found" : "NOT FOUND - skipped"}; provider mirror: ${mirror ?? "none, using the registry"})`, () => {
  const config = loadConfigFile(DEFAULT_CONFIG_PATH);

  it.each(config.environments.map((e) => e.name))(
    "default example, stack %s: init, validate and plan succeed, nothing destroyed",
    (name) => {
      const env = config.environments.find((e) => e.name === name)!;
      const run = plan(`default-${name}`, synthEnvironment(config, name), env.aws.accountId);
      expect(noDestroy(run)).toEqual([]);
      const byAction = (action: string) =>
        run.summary.changes
          .filter((c) => c.actions.join(",") === action)
          .map((c) => c.address)
          .sort();
      // Only the adopted objects change in place; everything else is new; nothing is replaced.
      expect(run.summary.changes.filter((c) => !["create", "update"].includes(c.actions.join(",")))).toEqual([]);
      const types = new Set(byAction("create").map((a) => a.split(".")[0]));
      expect([...types].sort()).toEqual(
        expect.arrayContaining([
          "aws_cloudformation_stack",
          "aws_cloudwatch_log_subscription_filter",
          "aws_iam_policy",
          "aws_iam_role",
          "aws_iam_role_policy_attachment",
          "aws_secretsmanager_secret",
        ]),
      );
      if (name === "staging") {
        expect(byAction("update")).toEqual([]);
        expect(byAction("create")).toEqual(
          expect.arrayContaining(["aws_cloudwatch_log_group.audit_log_group_staging-apps", "aws_eks_cluster.cluster_staging-apps"]),
        );
      } else {
        expect(byAction("update")).toEqual([
          "aws_cloudwatch_log_group.audit_log_group_payments",
          "aws_eks_cluster.cluster_checkout-us",
          "aws_eks_cluster.cluster_payments",
        ]);
        expect(byAction("create")).toContain("aws_cloudwatch_log_group.audit_log_group_checkout-us");
      }
    },
    TIMEOUT,
  );

  it(
    "the code-composition example (examples/compose-in-code.ts) plans too, changing only the adopted cluster's logging",
    () => {
      const app = new App({ outdir: mkdtempSync(path.join(WORK, "synth-")) });
      new PlatformAuditStack(app, "platform");
      app.synth();
      const stack = JSON.parse(readFileSync(path.join(app.outdir, "stacks", "platform", "cdk.tf.json"), "utf8"));
      const run = plan("example-compose", stack, "555555555555");
      expect(run.summary.changes.filter((c) => c.actions.join(",") !== "create")).toEqual([
        { address: "aws_eks_cluster.cluster_platform", actions: ["update"], changedAttributes: ["enabled_cluster_log_types"], replacePaths: [] },
      ]);
    },
    TIMEOUT,
  );

  describe("the Datadog API key and a saved plan (TF_VAR_datadog_api_key set to a marker, as CI sets it)", () => {
    const MARKER = "dd-api-key-marker-7f3a9c2e5b1d";
    /** Synthesizes staging with or without write-only secrets, then init + plan -out with the key in the environment. */
    const savedPlan = (label: string, writeOnly: boolean) => {
      const raw = parseYaml(readFileSync(DEFAULT_CONFIG_PATH, "utf8"));
      const staging = raw.environments.find((e: any) => e.name === "staging");
      staging.datadog.forwarder = { ...(staging.datadog.forwarder ?? {}), apiKeySecretWriteOnly: writeOnly };
      const config = validateConfig(raw, DEFAULT_CONFIG_PATH);
      const dir = path.join(WORK, label);
      prepareWorkdir(dir, synthEnvironment(config, "staging"), config.environments.find((e) => e.name === "staging")!.aws.accountId);
      rmSync(path.join(dir, "offline.auto.tfvars.json"), { force: true }); // the key comes from the environment only
      const env = { TF_VAR_datadog_api_key: MARKER };
      for (const args of [
        ["init", "-input=false", "-no-color"],
        ["plan", "-refresh=false", "-input=false", "-no-color", "-lock=false", "-out=plan.bin"],
      ]) {
        const r = terraform(args, dir, CLI_CONFIG, env);
        if (r.status !== 0) throw new Error(`terraform ${args[0]} failed in ${label}:\n${r.stdout}\n${r.stderr}`);
      }
      const show = terraform(["show", "-json", "plan.bin"], dir, CLI_CONFIG);
      expect(show.status).toBe(0);
      const planFile = readFileSync(path.join(dir, "plan.bin"));
      const entries = zipEntries(planFile);
      return { planFile, entries, showJson: show.stdout, plan: JSON.parse(show.stdout) };
    };
    const holdsMarker = (b: Buffer | string) => b.includes(MARKER);

    it(
      "write-only secret (the default): the marker is in no file of plan.bin, not in `terraform show -json`, not in the planned state",
      () => {
        const p = savedPlan("key-write-only", true);
        expect(p.entries.has("tfplan")).toBe(true);
        expect(holdsMarker(p.planFile)).toBe(false);
        expect([...p.entries].filter(([, content]) => holdsMarker(content)).map(([name]) => name)).toEqual([]);
        expect(holdsMarker(p.showJson)).toBe(false);
        // What apply would write to state: the write-only argument is null there, the version number is kept.
        const version = p.plan.resource_changes.find((c: any) => c.type === "aws_secretsmanager_secret_version");
        expect(version.change.actions).toEqual(["create"]);
        expect(version.change.after.secret_string_wo ?? null).toBeNull();
        expect(version.change.after.secret_string_wo_version).toBe(1);
        expect(p.plan.variables?.datadog_api_key).toBeUndefined();
      },
      TIMEOUT,
    );

    it(
      "control, apiKeySecretWriteOnly: false: the same check finds the marker in plan.bin and in `terraform show -json`",
      () => {
        const p = savedPlan("key-in-state", false);
        expect([...p.entries].filter(([, content]) => holdsMarker(content)).map(([name]) => name)).toContain("tfplan");
        expect(holdsMarker(p.showJson)).toBe(true);
      },
      TIMEOUT,
    );
  });

  describe("adopting an existing cluster (state holds it with logging off)", () => {
    const adoptConfig = (logGroupExists: boolean, lifecycle = true): any => {
      const c = validateConfig(
        {
          environments: [
            {
              name: "adopt",
              aws: { accountId: "444444444444", region: "eu-central-1" },
              datadog: { site: "datadoghq.eu" },
              tags: { team: "sec" },
              clusters: [{ name: "legacy", mode: "existing", logGroupExists, logRetentionInDays: 180 }],
            },
          ],
        },
        "adopt.yaml",
      );
      const stack = synthEnvironment(c, "adopt");
      if (!lifecycle) delete stack.resource.aws_eks_cluster.cluster_legacy.lifecycle;
      return stack;
    };
    const variants: Array<[string, AdoptedClusterState]> = [
      ["bootstrap flags unset in state (as import leaves them)", { bootstrapSelfManagedAddons: null, bootstrapClusterCreatorAdminPermissions: null }],
      [
        "bootstrap flags false in state (terraform-provider-aws #39058)",
        { bootstrapSelfManagedAddons: false, bootstrapClusterCreatorAdminPermissions: false },
      ],
    ];

    it.each(variants)(
      "%s: exactly one in-place update of the cluster, of enabled_cluster_log_types only; log group created first",
      (label, variant) => {
        const run = plan(`adopt-new-lg-${label.slice(0, 20).replace(/\W/g, "_")}`, adoptConfig(false), "444444444444", variant);
        const cluster = run.summary.changes.find((c) => c.address === "aws_eks_cluster.cluster_legacy")!;
        expect(cluster).toEqual({
          address: "aws_eks_cluster.cluster_legacy",
          actions: ["update"],
          changedAttributes: ["enabled_cluster_log_types"],
          replacePaths: [],
        });
        expect(actionsOf(run)).toEqual({ "aws_cloudwatch_log_group.audit_log_group_legacy": "create", "aws_eks_cluster.cluster_legacy": "update" });
        expect(othersOnlyCreated(run)).toEqual([]);
        expect(run.output).toMatch(/Plan: \d+ to add, 1 to change, 0 to destroy\./);
        expect(run.output).not.toMatch(/forces replacement|must be replaced/);
      },
      TIMEOUT,
    );

    it.each(variants)(
      "%s: with the log group EKS already created, its retention is set in place",
      (label, variant) => {
        const run = plan(`adopt-old-lg-${label.slice(0, 20).replace(/\W/g, "_")}`, adoptConfig(true), "444444444444", variant);
        expect(othersOnlyCreated(run)).toEqual([]);
        expect(legacyChanges(run)).toEqual([
          {
            address: "aws_cloudwatch_log_group.audit_log_group_legacy",
            actions: ["update"],
            changedAttributes: ["retention_in_days", "tags_all"],
            replacePaths: [],
          },
          { address: "aws_eks_cluster.cluster_legacy", actions: ["update"], changedAttributes: ["enabled_cluster_log_types"], replacePaths: [] },
        ]);
        expect(run.output).toMatch(/Plan: \d+ to add, 2 to change, 0 to destroy\./);
      },
      TIMEOUT,
    );

    it(
      "control: without the lifecycle the same plan would REPLACE (destroy) the cluster, so the guard is what protects it",
      () => {
        const run = plan("adopt-no-lifecycle", adoptConfig(true, false), "444444444444", variants[1][1]);
        const cluster = run.summary.changes.find((c) => c.address === "aws_eks_cluster.cluster_legacy")!;
        expect(cluster.actions).toEqual(["delete", "create"]);
        expect(run.output).toMatch(/must be replaced/);
      },
      TIMEOUT,
    );

    it(
      "ignores every argument and block of aws_eks_cluster in the real provider schema except enabled_cluster_log_types",
      () => {
        const dir = path.join(WORK, "schema");
        prepareWorkdir(dir, adoptConfig(false), "444444444444");
        expect(terraform(["init", "-input=false", "-no-color"], dir, CLI_CONFIG).status).toBe(0);
        const r = terraform(["providers", "schema", "-json"], dir, CLI_CONFIG);
        expect(r.status).toBe(0);
        const schema = JSON.parse(r.stdout).provider_schemas["registry.terraform.io/hashicorp/aws"].resource_schemas.aws_eks_cluster.block;
        const settable = [
          ...Object.entries<any>(schema.attributes)
            .filter(([, a]) => a.optional === true || a.required === true)
            .map(([k]) => k),
          ...Object.keys(schema.block_types),
        ].filter((k) => !["enabled_cluster_log_types", "id", "timeouts"].includes(k));
        expect([...ADOPTED_CLUSTER_IGNORED_ATTRIBUTES].sort()).toEqual(settable.sort());
      },
      TIMEOUT,
    );
  });
});
