import { Testing } from "cdktf";
import { loadConfigFile, validateConfig, DEFAULT_CONFIG_PATH } from "../config/load";
import { EnvironmentStack } from "../stacks/environment-stack";
import { baseConfig } from "./helpers/config";

/** Synthesizes every environment of a config; returns each stack's full JSON (backend included). */
function synthAll(config = loadConfigFile(DEFAULT_CONFIG_PATH)): Record<string, any> {
  const app = Testing.app();
  const stacks = config.environments.map((env) => new EnvironmentStack(app, env));
  return Object.fromEntries(stacks.map((s) => [s.node.id, JSON.parse(Testing.synth(s))]));
}

function fullStack(envIndex: number, config = loadConfigFile(DEFAULT_CONFIG_PATH)): any {
  const app = Testing.app();
  const stack = new EnvironmentStack(app, config.environments[envIndex]);
  app.synth();
  return JSON.parse(require("fs").readFileSync(require("path").join(app.outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8"));
}

describe("EnvironmentStack: one stack per environment, named after it", () => {
  const all = synthAll();

  it("creates a stack per environment", () => {
    expect(Object.keys(all)).toEqual(["staging", "production"]);
  });

  it("pins the Terraform addresses of stateful resources", () => {
    const addresses = (s: any) =>
      Object.entries<any>(s.resource).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`)).sort();
    expect(addresses(all.staging)).toEqual(["aws_cloudwatch_log_group.audit_log_group_staging-apps", "aws_eks_cluster.cluster_staging-apps"]);
    expect(addresses(all.production)).toEqual([
      "aws_cloudwatch_log_group.audit_log_group_checkout-us",
      "aws_cloudwatch_log_group.audit_log_group_payments",
      "aws_eks_cluster.cluster_checkout-us",
      "aws_eks_cluster.cluster_payments",
    ]);
  });

  it("configures one AWS provider per region, aliased by region, locked to the account, with the environment's tags", () => {
    expect(all.production.provider.aws).toEqual([
      { region: "eu-west-1", allowed_account_ids: ["222222222222"], default_tags: [{ tags: { team: "platform-security", environment: "production" } }] },
      { alias: "us-east-1", region: "us-east-1", allowed_account_ids: ["222222222222"], default_tags: [{ tags: { team: "platform-security", environment: "production" } }] },
    ]);
    expect(all.production.resource.aws_eks_cluster["cluster_checkout-us"].provider).toBe("aws.us-east-1");
    expect(all.production.resource.aws_cloudwatch_log_group["audit_log_group_checkout-us"].provider).toBe("aws.us-east-1");
    expect(all.production.resource.aws_eks_cluster.cluster_payments.provider).toBe("aws");
  });

  it("points the Datadog provider at the environment's site, with no keys", () => {
    expect(all.staging.provider.datadog).toEqual([{ api_url: "https://api.datadoghq.com/" }]);
    expect(all.production.provider.datadog).toEqual([{ api_url: "https://api.datadoghq.eu/" }]);
  });

  it("pins provider versions", () => {
    expect(all.staging.terraform.required_providers).toEqual({
      aws: { source: "aws", version: "5.100.0" },
      datadog: { source: "DataDog/datadog", version: "3.82.0" },
    });
  });
});

describe("EnvironmentStack: backends", () => {
  it("keeps local state in the project folder, by a relative path", () => {
    expect(fullStack(0).terraform.backend).toEqual({ local: { path: "../../../terraform.staging.tfstate" } });
  });

  it("uses S3 with native locking and encryption", () => {
    expect(fullStack(1).terraform.backend).toEqual({
      s3: { bucket: "example-terraform-state-222222222222", key: "eks-audit-siem/production.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true },
    });
  });

  it("supports a custom local path and DynamoDB locking", () => {
    const c = baseConfig();
    c.environments[0].backend = { type: "local", path: "state/staging.tfstate" };
    c.environments[1].backend = { type: "s3", bucket: "b-1", key: "k/p.tfstate", region: "eu-west-1", useLockfile: false, dynamodbTable: "locks" };
    const config = validateConfig(c, "x.yaml");
    expect(fullStack(0, config).terraform.backend).toEqual({ local: { path: "../../../state/staging.tfstate" } });
    expect(fullStack(1, config).terraform.backend).toEqual({ s3: { bucket: "b-1", key: "k/p.tfstate", region: "eu-west-1", encrypt: true, dynamodb_table: "locks" } });
  });
});
