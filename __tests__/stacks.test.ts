import { Testing } from "cdktf";
import { readFileSync } from "fs";
import { join } from "path";
import { loadConfigFile, validateConfig, DEFAULT_CONFIG_PATH } from "../config/load";
import { EKS_RULE_PACK } from "../modules/cloud-siem";
import { EnvironmentStack } from "../stacks/environment-stack";
import { baseConfig } from "./helpers/config";
import { elementsByAddress, suppressionOf } from "../lib/policy/suppressions";

/** Synthesizes every environment of a config; returns each stack's full JSON (backend included). */
function synthAll(config = loadConfigFile(DEFAULT_CONFIG_PATH)): Record<string, any> {
  const app = Testing.app();
  const stacks = config.environments.map((env) => new EnvironmentStack(app, env.name, { environment: env }));
  return Object.fromEntries(stacks.map((s) => [s.node.id, JSON.parse(Testing.synth(s))]));
}

function fullStack(envIndex: number, config = loadConfigFile(DEFAULT_CONFIG_PATH)): any {
  const app = Testing.app();
  const environment = config.environments[envIndex];
  const stack = new EnvironmentStack(app, environment.name, { environment });
  app.synth();
  return JSON.parse(readFileSync(join(app.outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8"));
}

describe("EnvironmentStack: one stack per environment, named after it", () => {
  const all = synthAll();

  it("creates a stack per environment", () => {
    expect(Object.keys(all)).toEqual(["staging", "production"]);
  });

  // Every resource address of each stack is pinned by the snapshots in __tests__/addresses (address-snapshots.test.ts).

  it("configures one AWS provider per region, aliased by region, locked to the account, with the environment's tags", () => {
    expect(all.production.provider.aws).toEqual([
      {
        region: "eu-west-1",
        allowed_account_ids: ["222222222222"],
        default_tags: [{ tags: { team: "platform-security", environment: "production" } }],
      },
      {
        alias: "us-east-1",
        region: "us-east-1",
        allowed_account_ids: ["222222222222"],
        default_tags: [{ tags: { team: "platform-security", environment: "production" } }],
      },
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

describe("EnvironmentStack: the chain wired together", () => {
  const all = synthAll();
  const p = all.production;
  const at = (type: string, name: string) => p.resource[type][name];

  it("deploys one forwarder per region with clusters, on that region's provider", () => {
    const eu = at("aws_cloudformation_stack", "datadog_forwarder_eu-west-1");
    const us = at("aws_cloudformation_stack", "datadog_forwarder_us-east-1");
    expect(eu.provider).toBe("aws");
    expect(us.provider).toBe("aws.us-east-1");
    expect(eu.template_url).toBe("https://datadog-cloudformation-template.s3.amazonaws.com/aws/forwarder/5.4.14.yaml");
    expect(eu.parameters).toEqual(expect.objectContaining({ DdSite: "datadoghq.eu", ReservedConcurrency: "10", FunctionName: "datadog-forwarder" }));
    expect(eu.parameters.DdApiKey).toBeUndefined();
  });

  it("reads the template from datadog.forwarder.templateBaseUrl when the config sets one (GovCloud mirror)", () => {
    const config = validateConfig(
      {
        ...baseConfig(),
        environments: [
          { ...baseConfig().environments[0], datadog: { site: "datadoghq.com", forwarder: { templateBaseUrl: "https://mirror.example.com/dd" } } },
        ],
      },
      "t.yaml",
    );
    const stack = synthAll(config).staging;
    expect(Object.values<any>(stack.resource.aws_cloudformation_stack)[0].template_url).toBe("https://mirror.example.com/dd/5.4.14.yaml");
  });

  it("uses the existing API key secret where the config names one, and creates one elsewhere from a sensitive variable", () => {
    expect(at("aws_cloudformation_stack", "datadog_forwarder_eu-west-1").parameters.DdApiKeySecretArn).toBe(
      "arn:aws:secretsmanager:eu-west-1:222222222222:secret:datadog/api-key-AbCdEf",
    );
    expect(at("aws_cloudformation_stack", "datadog_forwarder_us-east-1").parameters.DdApiKeySecretArn).toBe(
      "${aws_secretsmanager_secret.datadog_api_key_us-east-1.arn}",
    );
    expect(Object.keys(p.resource.aws_secretsmanager_secret)).toHaveLength(1);
    expect(p.variable.datadog_api_key).toEqual(expect.objectContaining({ type: "string", sensitive: true, nullable: false }));
    const version = at("aws_secretsmanager_secret_version", "datadog_api_key_us-east-1");
    expect(version.secret_string_wo).toBe("${var.datadog_api_key}");
    expect(version.secret_string).toBeUndefined();
  });

  it("subscribes each cluster's audit log group to the forwarder of its region, with the configured filter", () => {
    const payments = at("aws_cloudwatch_log_subscription_filter", "audit_logs_to_datadog_payments");
    expect(payments.log_group_name).toBe("/aws/eks/payments/cluster");
    expect(payments.destination_arn).toBe('${aws_cloudformation_stack.datadog_forwarder_eu-west-1.outputs["DatadogForwarderArn"]}');
    expect(payments.filter_pattern).toContain("/livez");
    const checkout = at("aws_cloudwatch_log_subscription_filter", "audit_logs_to_datadog_checkout-us");
    expect(checkout.provider).toBe("aws.us-east-1");
  });

  it("lists every forwarder on the v2 integration, with the configured regions", () => {
    const account: any = Object.values(p.resource.datadog_integration_aws_account)[0];
    expect(account.aws_account_id).toBe("222222222222");
    expect(account.aws_regions).toEqual({ include_only: ["eu-west-1", "us-east-1"] });
    expect(account.logs_config.lambda_forwarder.lambdas).toHaveLength(2);
    expect(p.resource.datadog_integration_aws).toBeUndefined();
  });

  it("watches each cluster's audit logs, notifying the environment's targets", () => {
    const monitors = Object.values<any>(p.resource.datadog_monitor);
    expect(monitors).toHaveLength(2);
    for (const m of monitors) {
      expect(m.type).toBe("log alert");
      expect(m.message).toContain("@pagerduty-platform-security");
      expect(m.query).toContain('last("15m")');
    }
    expect(Object.keys(p.output)).toEqual(
      expect.arrayContaining(["log_explorer_url_payments", "log_explorer_url_checkout-us", "eks_audit_dashboard_url"]),
    );
  });
});

describe("EnvironmentStack: Cloud SIEM", () => {
  const all = synthAll();
  const rules = (s: any) => Object.values<any>(s.resource.datadog_security_monitoring_rule);

  it("deploys the tuned pack in each environment, tagged with the environment", () => {
    expect(rules(all.production)).toHaveLength(EKS_RULE_PACK.length);
    // staging disables nodeport-service: the rule is still managed, but off.
    const nodeport = rules(all.staging).find((r) => r.name.includes("NodePort"));
    expect(nodeport.enabled).toBe(false);
    for (const r of rules(all.staging)) expect(r.tags).toContain("env:staging");
  });

  it("routes signals per severity; without a mapping, high and critical go to the environment's targets", () => {
    const exec = rules(all.production).find(
      (r) =>
        r.query[0].query.startsWith("source:kubernetes.audit @objectRef.resource:pods @objectRef.subresource:exec") &&
        r.options.detection_method === "new_value",
    );
    expect(exec.case).toEqual([{ status: "high", notifications: ["@pagerduty-platform-security", "@slack-platform-security"] }]);
    const stagingHigh = rules(all.staging).filter((r) => r.case.some((c: any) => c.status === "high"));
    expect(stagingHigh.length).toBeGreaterThan(0);
    for (const r of stagingHigh) expect(r.case.find((c: any) => c.status === "high").notifications).toEqual(["@slack-platform-security-staging"]);
  });

  it("adopts the named built-in rules by an id looked up at plan time, and suppresses known-benign activity", () => {
    const imports = all.production.import.filter((i: any) => i.to.startsWith("datadog_security_monitoring_default_rule."));
    expect(imports).toHaveLength(2);
    for (const i of imports) expect(i.id).toMatch(/^\$\{data\.datadog_security_monitoring_rules\./);
    const suppression: any = Object.values(all.production.resource.datadog_security_monitoring_suppression)[0];
    expect(suppression).toEqual(
      expect.objectContaining({
        enabled: true,
        expiration_date: "2027-06-30T00:00:00Z",
        suppression_query: '@usr.id:"system:serviceaccount:ci:deployer"',
      }),
    );
  });

  it("deploys no rules where cloudSiem.enabled is false (one environment per Datadog org owns the pack)", () => {
    const c = baseConfig();
    c.environments[1].cloudSiem = { enabled: false };
    const stacks = synthAll(validateConfig(c, "x.yaml"));
    expect(stacks.production.resource.datadog_security_monitoring_rule).toBeUndefined();
    expect(Object.keys(stacks.staging.resource.datadog_security_monitoring_rule)).toHaveLength(EKS_RULE_PACK.length);
  });
});

describe("EnvironmentStack: backends", () => {
  it("keeps local state in the project folder, by a relative path", () => {
    const c = baseConfig();
    c.environments[0].backend = { type: "local" };
    expect(fullStack(0, validateConfig(c, "x.yaml")).terraform.backend).toEqual({ local: { path: "../../../terraform.staging.tfstate" } });
  });

  it("uses S3 with native locking and encryption", () => {
    expect(fullStack(1).terraform.backend).toEqual({
      s3: {
        bucket: "example-terraform-state-222222222222",
        key: "eks-audit-siem/production.tfstate",
        region: "eu-west-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  it("supports a custom local path and DynamoDB locking", () => {
    const c = baseConfig();
    c.environments[0].backend = { type: "local", path: "state/staging.tfstate" };
    c.environments[1].backend = { type: "s3", bucket: "b-1", key: "k/p.tfstate", region: "eu-west-1", useLockfile: false, dynamodbTable: "locks" };
    const config = validateConfig(c, "x.yaml");
    expect(fullStack(0, config).terraform.backend).toEqual({ local: { path: "../../../state/staging.tfstate" } });
    expect(fullStack(1, config).terraform.backend).toEqual({
      s3: { bucket: "b-1", key: "k/p.tfstate", region: "eu-west-1", encrypt: true, dynamodb_table: "locks" },
    });
  });
});

describe("EnvironmentStack: policySuppressions from the config", () => {
  const ADDRESS = "aws_cloudwatch_log_group.audit_log_group_apps";
  const withSuppressions = (policySuppressions: unknown[]) => {
    const raw = JSON.parse(JSON.stringify(baseConfig())) as { environments: Record<string, unknown>[] };
    raw.environments[0].policySuppressions = policySuppressions;
    return validateConfig(raw, "test.yaml");
  };

  it("puts each suppression, with its reason, on the element at its address", () => {
    const reason = "kept forever by the audit team's legal hold";
    const environment = withSuppressions([{ rule: "log-group-retention", address: ADDRESS, reason }]).environments[0];
    const stack = new EnvironmentStack(Testing.app(), environment.name, { environment });
    const element = elementsByAddress(stack).get(ADDRESS);
    expect(element).toBeDefined();
    expect(suppressionOf(element!, "log-group-retention")).toEqual({ rule: "log-group-retention", reason });
    expect(suppressionOf(element!, "no-wildcard-principal")).toBeUndefined();
  });

  it("refuses an address the stack does not create, naming the field and the value", () => {
    const environment = withSuppressions([
      { rule: "log-group-retention", address: "aws_cloudwatch_log_group.nope", reason: "kept forever by the legal hold" },
    ]).environments[0];
    expect(() => new EnvironmentStack(Testing.app(), environment.name, { environment })).toThrow(
      `environment stack "staging": policySuppressions[0].address: received "aws_cloudwatch_log_group.nope"; allowed: the address of a resource or data source this environment's stack creates (as a policy finding names it)`,
    );
  });

  it("refuses an unknown rule and a reason too short to be one, in the config", () => {
    expect(() => withSuppressions([{ rule: "no-such-rule", address: ADDRESS, reason: "kept forever by the legal hold" }])).toThrow(
      'environments[0].policySuppressions[0].rule: received "no-such-rule"; allowed: one of "datadog-trust-external-id", "no-wildcard-principal", "log-group-retention", "no-dd-api-key-parameter"',
    );
    expect(() => withSuppressions([{ rule: "log-group-retention", address: ADDRESS, reason: " n/a " }])).toThrow(
      `environments[0].policySuppressions[0].reason: received " n/a "; allowed: a written reason of at least 10 characters: why ${ADDRESS} may break the rule`,
    );
  });
});
