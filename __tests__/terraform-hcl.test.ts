/**
 * The terraform tier for HCL output (`cdktf synth --hcl`, i.e. an App with hclOutput): every stack of the default
 * example and the code-composition example is written as HCL that `terraform fmt` parses, and whose AWS part
 * (Datadog blocks removed: no Datadog provider binary offline) `terraform init` and `validate` accept.
 */
import { App } from "cdktf";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_CONFIG_PATH, loadConfigFile } from "../config/load";
import { PlatformAuditStack } from "../examples/compose-in-code";
import { EnvironmentStack } from "../stacks/environment-stack";
import {
  awsOnly,
  awsOnlyHcl,
  findProviderMirror,
  offlineOverrides,
  terraform,
  terraformAvailable,
  tierSkippedBanner,
  writeCliConfig,
} from "./helpers/terraform-tier";

const available = terraformAvailable();
const required = process.env.REQUIRE_TERRAFORM === "1";
const mirror = findProviderMirror();
const TIMEOUT = 240_000;

if (!available) process.stderr.write(tierSkippedBanner("terraform HCL tier"));
if (!available && required) {
  it("terraform HCL tier is required here (REQUIRE_TERRAFORM=1) but `terraform` is not on the PATH", () => {
    throw new Error("install terraform or unset REQUIRE_TERRAFORM");
  });
}

const tier = available ? describe : describe.skip;

tier(`HCL output against real terraform (provider mirror: ${mirror ?? "none, using the registry"})`, () => {
  const WORK = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-hcl-"));
  const CLI_CONFIG = path.join(WORK, "cli.tfrc");
  writeCliConfig(CLI_CONFIG, mirror, path.join(WORK, "plugin-cache"));
  afterAll(() => rmSync(WORK, { recursive: true, force: true }));

  /** Synthesizes the stacks `build` adds twice, as HCL and as JSON; returns both folders. */
  function synthBoth(build: (app: App) => void): { hcl: string; json: string } {
    const hcl = mkdtempSync(path.join(WORK, "hcl-"));
    const json = mkdtempSync(path.join(WORK, "json-"));
    // What `cdktf synth --hcl` sets: the stack's synthesizer reads it (cdktf lib/terraform-stack.ts).
    process.env.SYNTH_HCL_OUTPUT = "true";
    try {
      const a = new App({ outdir: hcl, hclOutput: true });
      build(a);
      a.synth();
    } finally {
      delete process.env.SYNTH_HCL_OUTPUT;
    }
    const b = new App({ outdir: json });
    build(b);
    b.synth();
    return { hcl, json };
  }

  const config = loadConfigFile(DEFAULT_CONFIG_PATH);
  const cases: Array<[string, (app: App) => void, string]> = [
    ...config.environments.map((env): [string, (app: App) => void, string] => [
      env.name,
      (app) => void new EnvironmentStack(app, env.name, { environment: env }),
      env.name,
    ]),
    ["examples/compose-in-code.ts", (app) => void new PlatformAuditStack(app, "platform"), "platform"],
  ];

  it.each(cases)(
    "%s: terraform fmt parses the HCL; its AWS part passes terraform init and validate",
    (_label, build, stackName) => {
      const out = synthBoth(build);
      const file = path.join(out.hcl, "stacks", stackName, "cdk.tf");
      const hcl = readFileSync(file, "utf8");
      expect(hcl).not.toContain("TfToken");
      // Policies and the dashboard as jsonencode() of objects; rule queries with escaped backslashes.
      expect(hcl).toMatch(/assume_role_policy = jsonencode\(\{\n/);
      expect(hcl).toMatch(/required_version = ">= \d+\.\d+"/);

      const dir = mkdtempSync(path.join(WORK, `${stackName}-`));
      copyFileSync(file, path.join(dir, "cdk.tf"));
      const fmt = terraform(["fmt", "-no-color", "cdk.tf"], dir, CLI_CONFIG);
      expect(fmt.stderr.replace(/[\s\S]*?(Error:)/, "$1")).not.toContain("Error:");
      expect(fmt.status).toBe(0);

      writeFileSync(path.join(dir, "cdk.tf"), awsOnlyHcl(readFileSync(path.join(dir, "cdk.tf"), "utf8")));
      const jsonStack = awsOnly(JSON.parse(readFileSync(path.join(out.json, "stacks", stackName, "cdk.tf.json"), "utf8")));
      for (const [name, content] of Object.entries(offlineOverrides(jsonStack)))
        writeFileSync(path.join(dir, name), JSON.stringify(content, null, 2));
      for (const args of [
        ["init", "-input=false", "-no-color"],
        ["validate", "-no-color"],
      ]) {
        const r = terraform(args, dir, CLI_CONFIG);
        if (r.status !== 0) throw new Error(`terraform ${args[0]} failed for ${stackName}:\n${r.stdout}\n${r.stderr}`);
      }
    },
    TIMEOUT,
  );

  it(
    "a rule query's backslashes survive: the HCL string decodes to the JSON output's value",
    () => {
      const env = config.environments[0];
      const out = synthBoth((app) => void new EnvironmentStack(app, env.name, { environment: env }));
      const json = JSON.parse(readFileSync(path.join(out.json, "stacks", env.name, "cdk.tf.json"), "utf8"));
      const query: string = json.resource.datadog_security_monitoring_rule["admission-webhook-changed"].query[0].query;
      expect(query).toContain("\\:");
      const dir = mkdtempSync(path.join(WORK, "decode-"));
      // Terraform evaluates the HCL string literal exactly as the HCL file holds it.
      const hcl = readFileSync(path.join(out.hcl, "stacks", env.name, "cdk.tf"), "utf8");
      const literal = hcl
        .split("\n")
        .map((l) => l.trim())
        .find((l) => l.startsWith("query") && l.includes("mutatingwebhookconfigurations"))!
        .replace(/^query\s*=\s*/, "");
      writeFileSync(path.join(dir, "main.tf"), `output "q" {\n  value = ${literal}\n}\n`);
      for (const args of [
        ["init", "-input=false", "-no-color"],
        ["apply", "-auto-approve", "-input=false", "-no-color"],
      ])
        expect(terraform(args, dir, CLI_CONFIG).status).toBe(0);
      const shown = terraform(["output", "-json", "q"], dir, CLI_CONFIG);
      expect(JSON.parse(shown.stdout)).toBe(query);
    },
    TIMEOUT,
  );
});
