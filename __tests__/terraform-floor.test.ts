/**
 * Synthesis starts no process and needs no terraform, yet every stack states its real Terraform floor
 * (`terraform.required_version`), and the project's own validations still stop a bad synth.
 */
import { createRequire } from "module";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { App, Lazy, TerraformStack, TerraformVariable, Testing, Tokenization } from "cdktf";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_CONFIG_PATH, loadConfigFile, validateConfig } from "../config/load";
import { PlatformAuditStack } from "../examples/compose-in-code";
import { skipTokenCreationTraces } from "../lib/cdktf-token-traces";
import { TERRAFORM_FEATURES, featuresOf, importExisting, terraformFloor } from "../lib/terraform-floor";
import { SiemStack } from "../lib/siem-stack";
import { EksAuditLogging, EksClusterSource } from "../modules/eks-audit-logging";
import { EnvironmentStack } from "../stacks/environment-stack";
import { baseConfig } from "./helpers/config";

// The module object itself (not an import namespace), so spies replace what cdktf calls.
const childProcess = createRequire(__filename)("child_process") as typeof import("child_process");
const PROCESS_FUNCTIONS = ["exec", "execFile", "execFileSync", "execSync", "fork", "spawn", "spawnSync"] as const;

/** Runs `fn` with every child_process function replaced by one that records the call and throws. */
function withoutProcesses<T>(fn: () => T): { result: T; started: string[] } {
  const started: string[] = [];
  const spies = PROCESS_FUNCTIONS.map((name) =>
    jest.spyOn(childProcess, name).mockImplementation(((command: string) => {
      started.push(`${name}(${String(command)})`);
      throw new Error(`${name} is not allowed during synth`);
    }) as never),
  );
  try {
    return { result: fn(), started };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});
function app(): App {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-floor-"));
  outdirs.push(outdir);
  return new App({ outdir });
}
const synthesized = (a: App, stack: string) => JSON.parse(readFileSync(path.join(a.outdir, "stacks", stack, "cdk.tf.json"), "utf8"));

describe("synth starts no process", () => {
  it("the spy does catch a process start (control: cdktf's own importFrom probes terraform)", () => {
    const a = app();
    const stack = new TerraformStack(a, "control");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const group = new CloudwatchLogGroup(stack, "g", { name: "g" });
    group.importFrom("g");
    const { result, started } = withoutProcesses(() => group.node.validate());
    expect(started).toEqual(["execSync(terraform version)"]);
    expect(result[0]).toContain("Could not determine version of terraform");
  });

  it("the default example, validations on, through App.synth()", () => {
    const a = app();
    const config = loadConfigFile(DEFAULT_CONFIG_PATH);
    const { started } = withoutProcesses(() => {
      for (const env of config.environments) new EnvironmentStack(a, env.name, { environment: env });
      a.synth();
    });
    expect(started).toEqual([]);
    expect(synthesized(a, "production").import.length).toBeGreaterThan(0);
  });

  it("the constructs composed in a user's own stack (examples/compose-in-code.ts), and Testing.synth", () => {
    const a = app();
    const { started } = withoutProcesses(() => {
      const stack = new PlatformAuditStack(a, "platform");
      a.synth();
      Testing.synth(stack, true);
    });
    expect(started).toEqual([]);
  });

  it("importExisting writes the same import block as importFrom, with the provider", () => {
    const a = app();
    const stack = new TerraformStack(a, "s");
    const west = new AwsProvider(stack, "aws_west", { region: "us-west-2", alias: "west" });
    const group = new CloudwatchLogGroup(stack, "g", { name: "/aws/eks/x/cluster" });
    importExisting(group, "/aws/eks/x/cluster", west);
    expect(group.node.validate()).toEqual([]);
    a.synth();
    expect(synthesized(a, "s").import).toEqual([{ id: "/aws/eks/x/cluster", provider: "aws.west", to: "aws_cloudwatch_log_group.g" }]);
  });

  it("a construct's own validation error still stops synth (validation is not switched off)", () => {
    const a = app();
    const stack = new TerraformStack(a, "s");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const logging = new EksAuditLogging(stack, "x", { clusterName: "x", cluster: EksClusterSource.existingCluster({ logGroupExists: true }) });
    logging.node.addValidation({ validate: () => ["x: received a broken thing; allowed: a good one"] });
    expect(() => withoutProcesses(() => a.synth())).toThrow("x: received a broken thing; allowed: a good one");
  });
});

describe("terraform.required_version states the stack's real floor", () => {
  const floorOf = (config: any, name: string) => {
    const a = app();
    const env = validateConfig(config, "test").environments.find((e) => e.name === name)!;
    new EnvironmentStack(a, env.name, { environment: env });
    a.synth();
    return synthesized(a, name).terraform.required_version;
  };

  it("is >= 1.11 with the write-only secret (the default), and the key variable is ephemeral", () => {
    const a = app();
    const config = loadConfigFile(DEFAULT_CONFIG_PATH);
    for (const env of config.environments) new EnvironmentStack(a, env.name, { environment: env });
    a.synth();
    for (const name of ["staging", "production"]) {
      const stack = synthesized(a, name);
      expect(stack.terraform.required_version).toBe(">= 1.11");
      expect(stack.variable.datadog_api_key).toMatchObject({ ephemeral: true, sensitive: true });
      expect(stack.variable.datadog_api_key.description).not.toContain("at apply time");
      expect(stack.variable.datadog_api_key.description).toContain("terraform plan and terraform apply");
    }
  });

  it("is >= 1.5 for adopted clusters with an existing secret (import blocks, nothing newer)", () => {
    const config = baseConfig();
    config.environments[1].datadog.forwarder = {
      apiKeySecretArns: { "eu-west-1": "arn:aws:secretsmanager:eu-west-1:222222222222:secret:dd-api-key-AbCdEf" },
    };
    expect(floorOf(config, "production")).toBe(">= 1.5");
  });

  it("without write-only secrets: the variable is only sensitive, the floor is the stack's other features", () => {
    const config = baseConfig();
    config.environments[0].datadog.forwarder = { apiKeySecretWriteOnly: false };
    const a = app();
    const environment = validateConfig(config, "test").environments[0];
    new EnvironmentStack(a, environment.name, { environment });
    a.synth();
    const stack = synthesized(a, "staging");
    expect(stack.variable.datadog_api_key.ephemeral).toBeUndefined();
    expect(stack.variable.datadog_api_key.description).toContain("stored in the saved plan and in state");
    expect(stack.terraform.required_version).toBe(">= 1.1"); // nullable variable; no import, no write-only argument
  });

  it("is >= 1.10 with S3-native state locking", () => {
    const config = baseConfig();
    config.environments[0].datadog.forwarder = { apiKeySecretWriteOnly: false };
    config.environments[0].backend = { type: "s3", bucket: "tf-state", region: "us-east-1", useLockfile: true };
    expect(floorOf(config, "staging")).toBe(">= 1.10");
  });

  it("is >= 1.6 when an import id is an expression (the built-in rule review)", () => {
    expect(featuresOf({ import: [{ to: "a.b", id: "${data.x.ids[0]}" }] })).toEqual([
      TERRAFORM_FEATURES.importBlock,
      TERRAFORM_FEATURES.importIdExpression,
    ]);
    expect(terraformFloor(featuresOf({ import: [{ to: "a.b", id: "${data.x.ids[0]}" }] })).version).toBe("1.6");
  });

  it("reads features from keys at any depth, and names the ones that set the floor", () => {
    const fragment = {
      resource: { aws_secretsmanager_secret_version: { v: { secret_string_wo: "${var.k}", secret_string_wo_version: 1 } } },
      moved: [{ from: "a", to: "b" }],
    };
    expect(terraformFloor(featuresOf(fragment))).toEqual({ version: "1.11", because: [TERRAFORM_FEATURES.writeOnlyArgument] });
    expect(terraformFloor([])).toEqual({ version: "1.0", because: [expect.objectContaining({ since: "1.0" })] });
    expect(terraformFloor([TERRAFORM_FEATURES.removed, TERRAFORM_FEATURES.moved]).version).toBe("1.7");
  });

  it("is computed at synth, so elements added after the stack is constructed count too", () => {
    const a = app();
    const stack = new SiemStack(a, "late");
    new TerraformVariable(stack, "k", { type: "string" }).addOverride("ephemeral", true);
    a.synth();
    expect(synthesized(a, "late").terraform.required_version).toBe(">= 1.10");
  });
});

describe("cdktf token creation traces (main.ts turns them off for speed)", () => {
  const traces = createRequire(__filename)("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: () => string[] };
  const lazyTrace = (): string[] => (Tokenization.reverseString(Lazy.stringValue({ produce: () => "x" })).tokens[0] as any).creationStack;
  const original = traces.captureStackTrace;
  afterAll(() => {
    traces.captureStackTrace = original;
  });

  it("are kept with CDKTF_TOKEN_TRACES=1, and dropped otherwise, for every token cdktf creates afterwards", () => {
    expect(skipTokenCreationTraces({ CDKTF_TOKEN_TRACES: "1" })).toBe(false);
    expect(lazyTrace().length).toBeGreaterThan(0);
    expect(skipTokenCreationTraces({})).toBe(true);
    expect(lazyTrace()).toEqual([]);
  });
});
