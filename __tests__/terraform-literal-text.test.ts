/**
 * The terraform tier for literal text (lib/literal-text.ts): the real terraform plans the hostile config (every
 * string field holding template syntax, __tests__/helpers/hostile-config.ts) and the plan holds the text itself,
 * not what a template would read on the plan runner. A control plans the same stack with one pattern left
 * unescaped and finds the file's content: the check can fail.
 */
import { App } from "cdktf";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { validateConfig } from "../config/load";
import { AppConfig } from "../config/schema";
import { EnvironmentStack } from "../stacks/environment-stack";
import { findProviderMirror, prepareWorkdir, terraform, terraformAvailable, tierSkippedBanner, writeCliConfig } from "./helpers/terraform-tier";
import { baseConfig } from "./helpers/config";
import { HOST_FILE_TEMPLATE, hostileConfig } from "./helpers/hostile-config";

const available = terraformAvailable();
const required = process.env.REQUIRE_TERRAFORM === "1";
const mirror = findProviderMirror();
const TIMEOUT = 300_000;

if (!available) process.stderr.write(tierSkippedBanner("terraform literal-text tier"));
if (!available && required) {
  it("terraform literal-text tier is required here (REQUIRE_TERRAFORM=1) but `terraform` is not on the PATH", () => {
    throw new Error("install terraform or unset REQUIRE_TERRAFORM");
  });
}

const tier = available ? describe : describe.skip;

tier(`literal text against real terraform (provider mirror: ${mirror ?? "none, using the registry"})`, () => {
  const WORK = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-literal-"));
  const CLI_CONFIG = path.join(WORK, "cli.tfrc");
  writeCliConfig(CLI_CONFIG, mirror, path.join(WORK, "plugin-cache"));
  afterAll(() => rmSync(WORK, { recursive: true, force: true }));

  // A file only the plan runner has (in terraform's working folder; as long a name as /etc/hostname, so field
  // lengths stay valid), with content found nowhere else: what an evaluated template would read.
  const SECRET_FILE = "runner.secret";
  const SECRET = `runner-secret-${process.pid}-${Date.now()}`;
  const READ_SECRET = HOST_FILE_TEMPLATE.replace("/etc/hostname", SECRET_FILE);

  function synth(config: AppConfig, name: string): Record<string, any> {
    const app = new App({ outdir: mkdtempSync(path.join(WORK, "synth-")) });
    const environment = config.environments.find((e) => e.name === name)!;
    new EnvironmentStack(app, environment.name, { environment });
    app.synth();
    return JSON.parse(readFileSync(path.join(app.outdir, "stacks", name, "cdk.tf.json"), "utf8")) as Record<string, any>;
  }

  /** init + plan -refresh=false; the text of `terraform show -json` of the plan. */
  function planShow(label: string, stack: Record<string, any>, accountId: string): string {
    const dir = path.join(WORK, label);
    prepareWorkdir(dir, stack, accountId);
    writeFileSync(path.join(dir, SECRET_FILE), `${SECRET}\n`);
    for (const args of [
      ["init", "-input=false", "-no-color"],
      ["plan", "-refresh=false", "-input=false", "-no-color", "-lock=false", "-out=plan.bin"],
    ]) {
      const r = terraform(args, dir, CLI_CONFIG);
      if (r.status !== 0) throw new Error(`terraform ${args[0]} failed in ${label}:\n${r.stdout}\n${r.stderr}`);
    }
    const show = terraform(["show", "-json", "plan.bin"], dir, CLI_CONFIG);
    if (show.status !== 0) throw new Error(`terraform show failed in ${label}: ${show.stderr}`);
    return show.stdout;
  }

  /** Every filter_pattern the plan creates. */
  const filterPatterns = (plan: string): string[] =>
    (JSON.parse(plan) as { resource_changes: Array<{ type: string; change: { after: { filter_pattern?: string } } }> }).resource_changes
      .filter((rc) => rc.type === "aws_cloudwatch_log_subscription_filter")
      .map((rc) => rc.change.after.filter_pattern ?? "");

  // The hostile config, its templates reading the secret file instead of /etc/hostname.
  const hostile = JSON.parse(JSON.stringify(hostileConfig().config).split("/etc/hostname").join(SECRET_FILE)) as unknown;
  const config = validateConfig(hostile, "hostile.json");
  const production = config.environments.find((e) => e.name === "production")!;

  it(
    "plans the hostile config: the plan holds the literal template text, never the file's content",
    () => {
      const plan = planShow("hostile", synth(config, "production"), production.aws.accountId);
      const patterns = filterPatterns(plan);
      expect(patterns.length).toBeGreaterThan(0);
      for (const p of patterns) expect(p).toContain(`${READ_SECRET}%{ if true }`);
      expect(plan).not.toContain(SECRET);
      // Every other injected field the AWS part plans (the secret ARN of an existing key) is literal too.
      expect(plan.split(READ_SECRET.replace(/"/g, '\\"')).length - 1).toBeGreaterThan(patterns.length);
    },
    TIMEOUT,
  );

  it(
    "control: the same stack with one pattern left unescaped is planned with the file's content (what the escaping prevents)",
    () => {
      const stack = synth(config, "production");
      const filters = stack.resource.aws_cloudwatch_log_subscription_filter as Record<string, { filter_pattern: string }>;
      const first = Object.values(filters)[0];
      first.filter_pattern = first.filter_pattern.split("$${").join("${").split("%%{").join("%{");
      const plan = planShow("control", stack, production.aws.accountId);
      expect(filterPatterns(plan).some((p) => p.includes(SECRET))).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "apiKeySecretWriteOnly: false and ${var.datadog_api_key} in a pattern: the key is only in the secret, the pattern is literal",
    () => {
      const c = baseConfig();
      c.environments[0].datadog.forwarder = {
        apiKeySecretWriteOnly: false,
        subscription: { filter: "custom", pattern: '{ $.user.username = "${var.datadog_api_key}" }' },
      };
      const env = validateConfig(c, "key.json").environments[0];
      const plan = planShow("api-key", synth(validateConfig(c, "key.json"), env.name), env.aws.accountId);
      // prepareWorkdir gives the variable this placeholder value (offline.auto.tfvars.json).
      const key = "offline-placeholder-datadog_api_key";
      expect(filterPatterns(plan)).toEqual(['{ $.user.username = "${var.datadog_api_key}" }']);
      const holding = (JSON.parse(plan) as { resource_changes: Array<{ address: string; change: { after: unknown } }> }).resource_changes
        .filter((rc) => JSON.stringify(rc.change.after).includes(key))
        .map((rc) => rc.address);
      expect(holding).toEqual(["aws_secretsmanager_secret_version.datadog_api_key_us-east-1"]);
    },
    TIMEOUT,
  );
});
