import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from "fs";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  ConfigError,
  DEFAULT_CONFIG_PATH,
  MAX_CONFIG_FILE_BYTES,
  configPathFromEnv,
  loadConfigFile,
  parseConfigText,
  readConfigText,
  validateConfig,
} from "../config/load";
import { renderJsonSchema, JSON_SCHEMA_PATH } from "../generate/config-schema";
import { readFileSync } from "fs";
import { baseConfig } from "./helpers/config";
import { runSynth } from "../stacks/synth-app";
import { problemText } from "../lib/problem";

const FILE = "test.yaml";

/** The problems reported for a config object (all of them, in order). */
function problems(config: unknown): string[] {
  try {
    validateConfig(config, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map(problemText);
  }
  throw new Error("expected the config to be rejected");
}

function mutate(fn: (c: any) => void): any {
  const c = baseConfig();
  fn(c);
  return c;
}

describe("config: the default example", () => {
  it("is valid and applies defaults", () => {
    const config = loadConfigFile(DEFAULT_CONFIG_PATH);
    expect(config.environments.map((e) => e.name)).toEqual(["staging", "production"]);
    const staging = config.environments[0];
    expect(staging.clusters[0]).toMatchObject({
      name: "staging-apps",
      mode: "new",
      additionalLogTypes: ["api"],
      logRetentionInDays: 30,
      preventDestroy: true,
    });
    const production = config.environments[1];
    expect(production.backend).toEqual({
      type: "s3",
      bucket: "example-terraform-state-222222222222",
      region: "eu-west-1",
      encrypt: true,
      useLockfile: true,
    });
    expect(production.clusters.map((c) => [c.name, c.mode, c.region ?? production.aws.region])).toEqual([
      ["payments", "existing", "eu-west-1"],
      ["checkout-us", "existing", "us-east-1"],
    ]);
  });

  it("covers a new cluster and an existing one, in at least two environments", () => {
    const config = loadConfigFile(DEFAULT_CONFIG_PATH);
    const modes = config.environments.flatMap((e) => e.clusters.map((c) => c.mode));
    expect(modes).toContain("new");
    expect(modes).toContain("existing");
  });

  it("fills defaults for omitted optional fields", () => {
    const config = validateConfig(baseConfig(), FILE);
    const env = config.environments[0];
    expect(env.aws.partition).toBe("aws");
    expect(env.backend).toEqual({ type: "local" });
    expect(env.tags).toEqual({});
    expect(env.clusters[0]).toMatchObject({
      additionalLogTypes: [],
      logRetentionInDays: 90,
      logGroupExists: false,
      endpointPrivateAccess: true,
      endpointPublicAccess: false,
      authenticationMode: "API_AND_CONFIG_MAP",
    });
  });

  it("selects the file from EKS_AUDIT_SIEM_CONFIG", () => {
    expect(configPathFromEnv({})).toBe("config/eks-audit-siem.yaml");
    expect(configPathFromEnv({ EKS_AUDIT_SIEM_CONFIG: "other.json" })).toBe("other.json");
  });
});

describe("config: every validation error, with its exact message", () => {
  const cases: Array<[string, (c: any) => void, string[]]> = [
    [
      "wrong type",
      (c) => (c.environments[0].aws.region = 5),
      ['environment "staging", environments[0].aws.region: received 5; allowed: one of ' + '"af-south-1"'],
    ],
    [
      "unknown key (typo) with a suggestion",
      (c) => (c.environments[0].clusters[0].logRetentionDays = 30),
      [
        'environment "staging", environments[0].clusters[0].logRetentionDays: received 30; allowed: no such field here; known fields: name, region, mode, additionalLogTypes, logRetentionInDays, kmsKeyArn, logGroupExists, preventDestroy, roleArn, subnetIds, securityGroupIds, kubernetesVersion, endpointPrivateAccess, endpointPublicAccess, publicAccessCidrs, authenticationMode, existingSubscriptionFilters; did you mean "logRetentionInDays"?',
      ],
    ],
    [
      "account ID format",
      (c) => (c.environments[0].aws.accountId = "12345"),
      ['environment "staging", environments[0].aws.accountId: received "12345"; allowed: a 12-digit AWS account ID in quotes'],
    ],
    [
      "account ID as a number",
      (c) => (c.environments[0].aws.accountId = 111111111111),
      ['environment "staging", environments[0].aws.accountId: received 111111111111; allowed: a 12-digit AWS account ID in quotes (got number)'],
    ],
    [
      "unknown region with a suggestion",
      (c) => (c.environments[1].aws.region = "eu-west-l"),
      ['environment "production", environments[1].aws.region: received "eu-west-l"; allowed: one of '],
    ],
    [
      "cluster name rule",
      (c) => (c.environments[0].clusters[0].name = "-apps"),
      [
        'environment "staging", environments[0].clusters[0].name: received "-apps"; allowed: an EKS cluster name (1-100 letters, digits, hyphens, underscores; starting with a letter or digit)',
      ],
    ],
    [
      "retention not allowed by CloudWatch",
      (c) => (c.environments[0].clusters[0].logRetentionInDays = 45),
      [
        'environment "staging", environments[0].clusters[0].logRetentionInDays: received 45; allowed: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
      ],
    ],
    [
      "retention forever",
      (c) => (c.environments[0].clusters[0].logRetentionInDays = 0),
      [
        'environment "staging", environments[0].clusters[0].logRetentionInDays: received 0; allowed: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
      ],
    ],
    [
      "unknown log type (case-sensitive)",
      (c) => (c.environments[0].clusters[0].additionalLogTypes = ["controllermanager"]),
      [
        'environment "staging", environments[0].clusters[0].additionalLogTypes[0]: received "controllermanager"; allowed: one of "api", "authenticator", "controllerManager", "scheduler"; did you mean "controllerManager"?',
      ],
    ],
    [
      "duplicate log type",
      (c) => (c.environments[0].clusters[0].additionalLogTypes = ["api", "api"]),
      [
        'environment "staging", environments[0].clusters[0].additionalLogTypes[1]: received "api"; allowed: a value not already listed (it repeats environments[0].clusters[0].additionalLogTypes[0])',
      ],
    ],
    [
      "duplicate environment names",
      (c) => (c.environments[1].name = "staging"),
      ['environment "staging", environments[1].name: received "staging"; allowed: a name not already used (it repeats environments[0].name)'],
    ],
    [
      "bad environment name",
      (c) => (c.environments[1].name = "Prod"),
      [
        'environment "Prod", environments[1].name: received "Prod"; allowed: a lowercase name of 1-31 letters, digits and hyphens, starting with a letter',
      ],
    ],
    [
      "duplicate cluster in an environment",
      (c) => c.environments[1].clusters.push({ name: "payments", mode: "existing", region: "us-east-1" }),
      [
        'environment "production", environments[1].clusters[1].name: received "payments"; allowed: a name not already used in this environment (it repeats environments[1].clusters[0].name)',
      ],
    ],
    [
      "same cluster managed by two environments",
      (c) => {
        c.environments[1].aws.accountId = "111111111111";
        c.environments[1].aws.region = "us-east-1";
        c.environments[1].clusters[0].name = "apps";
      },
      [
        'environment "production", environments[1].clusters[0].name: received "apps"; allowed: a cluster no other environment manages (account 111111111111, region us-east-1 is already managed at environments[0].clusters[0])',
      ],
    ],
    [
      "region outside the partition",
      (c) => (c.environments[0].aws.partition = "aws-us-gov"),
      [
        'environment "staging", environments[0].aws.region: received "us-east-1"; allowed: a region of partition aws-us-gov (us-gov-east-1, us-gov-west-1)',
        'environment "staging", environments[0].datadog.site: received "datadoghq.com" (site "datadoghq.com" does not serve aws.partition "aws-us-gov"); allowed: a site that serves partition aws-us-gov: ddog-gov.com, us2.ddog-gov.com',
        'environment "staging", environments[0].clusters[0].roleArn: received "arn:aws:iam::111111111111:role/eks"; allowed: an ARN in partition aws-us-gov',
      ],
    ],
    [
      "aws-cn is not served",
      (c) => {
        c.environments[0].aws.partition = "aws-cn";
        c.environments[0].aws.region = "cn-north-1";
        c.environments[0].clusters[0].roleArn = "arn:aws-cn:iam::111111111111:role/eks";
      },
      [
        'environment "staging", environments[0].aws.partition: received "aws-cn" (site "datadoghq.com" does not serve aws.partition "aws-cn"); allowed: a partition Datadog documents an integration account for (aws or aws-us-gov)',
      ],
    ],
    [
      "unknown Datadog site",
      (c) => (c.environments[0].datadog.site = "datadoghq.co"),
      [
        'environment "staging", environments[0].datadog.site: received "datadoghq.co"; allowed: one of "datadoghq.com", "us3.datadoghq.com", "us5.datadoghq.com", "datadoghq.eu", "ap1.datadoghq.com", "ap2.datadoghq.com", "uk1.datadoghq.com", "ddog-gov.com", "us2.ddog-gov.com"; did you mean "datadoghq.com"?',
      ],
    ],
    [
      "KMS key in another region",
      (c) => (c.environments[0].clusters[0].kmsKeyArn = "arn:aws:kms:us-west-2:111111111111:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"),
      [
        'environment "staging", environments[0].clusters[0].kmsKeyArn: received "arn:aws:kms:us-west-2:111111111111:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"; allowed: a KMS key in the cluster\'s account 111111111111 and region us-east-1',
      ],
    ],
    [
      "KMS key malformed",
      (c) => (c.environments[0].clusters[0].kmsKeyArn = "my-key"),
      [
        'environment "staging", environments[0].clusters[0].kmsKeyArn: received "my-key"; allowed: a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)',
      ],
    ],
    [
      "new cluster without role and subnets",
      (c) => {
        delete c.environments[0].clusters[0].roleArn;
        delete c.environments[0].clusters[0].subnetIds;
      },
      [
        'environment "staging", environments[0].clusters[0].roleArn: received nothing; allowed: a required field: an IAM role ARN',
        'environment "staging", environments[0].clusters[0].subnetIds: received nothing; allowed: a required field: a list with 2 to 16 items of a subnet ID (subnet-...)',
      ],
    ],
    [
      "one subnet",
      (c) => (c.environments[0].clusters[0].subnetIds = ["subnet-0a1b2c3d4e5f60001"]),
      [
        'environment "staging", environments[0].clusters[0].subnetIds: received ["subnet-0a1b2c3d4e5f60001"]; allowed: a list with 2 to 16 items of a subnet ID (subnet-...)',
      ],
    ],
    [
      "existing cluster with new-only settings",
      (c) => (c.environments[1].clusters[0].roleArn = "arn:aws:iam::222222222222:role/eks"),
      [
        'environment "production", environments[1].clusters[0].roleArn: received "arn:aws:iam::222222222222:role/eks"; allowed: absent when mode is existing (an adopted cluster\'s settings are never changed)',
      ],
    ],
    [
      "logGroupExists on a new cluster",
      (c) => (c.environments[0].clusters[0].logGroupExists = true),
      [
        'environment "staging", environments[0].clusters[0].logGroupExists: received true; allowed: false or absent when mode is new (the stack creates the log group before the cluster)',
      ],
    ],
    [
      "no endpoint",
      (c) => (c.environments[0].clusters[0].endpointPrivateAccess = false),
      [
        'environment "staging", environments[0].clusters[0].endpointPublicAccess: received false; allowed: true when endpointPrivateAccess is false (the API server needs an endpoint)',
      ],
    ],
    [
      "public CIDRs without a public endpoint",
      (c) => (c.environments[0].clusters[0].publicAccessCidrs = ["203.0.113.0/24"]),
      [
        'environment "staging", environments[0].clusters[0].publicAccessCidrs: received ["203.0.113.0/24"]; allowed: empty when endpointPublicAccess is false',
      ],
    ],
    [
      "two locking methods",
      (c) => (c.environments[1].backend = { type: "s3", bucket: "state-bucket", region: "eu-west-1", dynamodbTable: "locks" }),
      [
        'environment "production", environments[1].backend.dynamodbTable: received "locks"; allowed: absent when useLockfile is true (choose one locking method)',
      ],
    ],
    [
      "unknown backend type",
      (c) => (c.environments[1].backend = { type: "gcs" }),
      ['environment "production", environments[1].backend.type: received "gcs"; allowed: one of "local", "s3"'],
    ],
    [
      "absolute local state path",
      (c) => (c.environments[1].backend = { type: "local", path: "/var/state.tfstate" }),
      [
        'environment "production", environments[1].backend.path: received "/var/state.tfstate"; allowed: a relative path inside the project folder (no leading / or drive letter, no .. segment)',
      ],
    ],
    [
      "local state path leaving the project folder",
      (c) => {
        c.environments[0].backend = { type: "local", path: "state/../../outside.tfstate" };
        c.environments[1].backend = { type: "local", path: "..\\outside.tfstate" };
      },
      [
        'environment "staging", environments[0].backend.path: received "state/../../outside.tfstate"; allowed: a relative path inside the project folder (no leading / or drive letter, no .. segment)',
        'environment "production", environments[1].backend.path: received "..\\\\outside.tfstate"; allowed: a relative path inside the project folder (no leading / or drive letter, no .. segment)',
      ],
    ],
    [
      "environment name with control characters: shown escaped and cut, like any value",
      (c) => (c.environments[0].name = `prod\n\u001b[2J\u009b31m\u202e${"x".repeat(200)}`),
      [
        `environment "prod\\n\\u001b[2J\\u009b31m\\u202e${"x".repeat(86)}..., environments[0].name: received "prod\\n\\u001b[2J\\u009b31m\\u202e${"x".repeat(86)}...; allowed: a lowercase name of 1-31 letters, digits and hyphens, starting with a letter`,
      ],
    ],
    [
      "missing required field",
      (c) => delete c.environments[1].datadog,
      [
        'environment "production", environments[1].datadog: received nothing; allowed: a required field: an object with fields site, integration, forwarder',
      ],
    ],
    [
      "mode missing",
      (c) => delete c.environments[1].clusters[0].mode,
      ['environment "production", environments[1].clusters[0].mode: received nothing; allowed: a required field: one of "new", "existing"'],
    ],
    [
      "reserved tag key",
      (c) => (c.environments[0].tags = { "aws:team": "x" }),
      [
        'environment "staging", environments[0].tags.aws:team: received "aws:team"; allowed: an AWS tag key (1-128 characters, not starting with aws:)',
      ],
    ],
    [
      "no environments",
      (c) => (c.environments = []),
      [
        "environments: received []; allowed: a list with at least 1 item of an object with fields name, aws, datadog, backend, tags, clusters, notificationTargets, logExplorer, cloudSiem, policySuppressions",
      ],
    ],
    [
      "not an object at all",
      (c) => (c.environments = "staging"),
      [
        'environments: received "staging"; allowed: a list with at least 1 item of an object with fields name, aws, datadog, backend, tags, clusters, notificationTargets, logExplorer, cloudSiem, policySuppressions',
      ],
    ],
    [
      "forwarder version latest",
      (c) => (c.environments[0].datadog.forwarder = { version: "latest" }),
      [
        'environment "staging", environments[0].datadog.forwarder.version: received "latest"; allowed: a released Forwarder version such as "5.4.14" (never "latest")',
      ],
    ],
    [
      "forwarder template mirror with a trailing slash",
      (c) => (c.environments[0].datadog.forwarder = { templateBaseUrl: "https://mirror.example.com/forwarder/" }),
      [
        'environment "staging", environments[0].datadog.forwarder.templateBaseUrl: received "https://mirror.example.com/forwarder/"; allowed: an https URL without a trailing slash, under which <version>.yaml is the template',
      ],
    ],
    [
      "forwarder default function name",
      (c) => (c.environments[0].datadog.forwarder = { functionName: "DatadogForwarder" }),
      [
        'environment "staging", environments[0].datadog.forwarder.functionName: received "DatadogForwarder"; allowed: a Lambda function name (1-64 letters, digits, hyphens or underscores) other than "DatadogForwarder"',
      ],
    ],
    [
      "API key secret in another region",
      (c) =>
        (c.environments[0].datadog.forwarder = {
          apiKeySecretArns: { "us-east-1": "arn:aws:secretsmanager:us-west-2:111111111111:secret:dd-AbCdEf" },
        }),
      [
        'environment "staging", environments[0].datadog.forwarder.apiKeySecretArns.us-east-1: received "arn:aws:secretsmanager:us-west-2:111111111111:secret:dd-AbCdEf"; allowed: a secret in account 111111111111, region us-east-1, partition aws (a forwarder reads its key in its own region)',
      ],
    ],
    [
      "API key secret for a region without clusters",
      (c) =>
        (c.environments[0].datadog.forwarder = {
          apiKeySecretArns: { "eu-west-1": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dd-AbCdEf" },
        }),
      [
        'environment "staging", environments[0].datadog.forwarder.apiKeySecretArns.eu-west-1: received "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dd-AbCdEf"; allowed: a region with clusters in this environment (us-east-1)',
      ],
    ],
    [
      "custom filter without a pattern",
      (c) => (c.environments[0].datadog.forwarder = { subscription: { filter: "custom" } }),
      [
        'environment "staging", environments[0].datadog.forwarder.subscription.pattern: received nothing; allowed: a CloudWatch Logs filter pattern of at most 1024 characters (required when filter is custom)',
      ],
    ],
    [
      "custom pattern with unbalanced JSON braces (CloudWatch refuses it at apply time)",
      (c) => (c.environments[0].datadog.forwarder = { subscription: { filter: "custom", pattern: '{ $.verb = "get"' } }),
      [
        'environment "staging", environments[0].datadog.forwarder.subscription.pattern: received "{ $.verb = \\"get\\"" (it opens or closes a JSON pattern without the other brace); allowed: "{ <expression> }" or a non-JSON pattern',
      ],
    ],
    [
      "pattern with a preset",
      (c) => (c.environments[0].datadog.forwarder = { subscription: { filter: "all", pattern: '{ $.verb = "get" }' } }),
      [
        'environment "staging", environments[0].datadog.forwarder.subscription.pattern: received "{ $.verb = \\"get\\" }"; allowed: absent unless filter is custom',
      ],
    ],
    [
      "unknown filter preset",
      (c) => (c.environments[0].datadog.forwarder = { subscription: { filter: "drop-health" } }),
      [
        'environment "staging", environments[0].datadog.forwarder.subscription.filter: received "drop-health"; allowed: one of "all", "drop-health-checks", "drop-health-checks-and-system-reads", "custom"; did you mean "drop-health-checks"?',
      ],
    ],
    [
      "external ID for a new integration",
      (c) => (c.environments[0].datadog.integration = { externalId: "abcdef0123456789abcdef0123456789" }),
      [
        'environment "staging", environments[0].datadog.integration.externalId: received "abcdef0123456789abcdef0123456789"; allowed: absent unless create is false and role.create is true (a new integration generates its own)',
      ],
    ],
    [
      "permissions boundary on a role this stack does not create (the integration module's rule, in the config's names)",
      (c) =>
        (c.environments[0].datadog.integration = {
          role: { create: false, permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/boundary" },
        }),
      [
        'environment "staging", environments[0].datadog.integration.role.permissionsBoundaryArn: received "arn:aws:iam::123456789012:policy/boundary"; allowed: absent when role.create is false (the boundary of a brought role is managed elsewhere)',
      ],
    ],
    [
      "CSPM without extended collection",
      (c) => (c.environments[0].datadog.integration = { resources: { extendedCollection: false, cspmCollection: true } }),
      [
        'environment "staging", environments[0].datadog.integration.resources.cspmCollection: received true; allowed: false when resources.extendedCollection is false (CSPM needs extended resource collection)',
      ],
    ],
    [
      "include and exclude namespaces",
      (c) => (c.environments[0].datadog.integration = { metrics: { excludeNamespaces: ["AWS/SQS"], includeNamespaces: ["AWS/EKS"] } }),
      [
        'environment "staging", environments[0].datadog.integration.metrics.includeNamespaces: received ["AWS/EKS"]; allowed: absent when metrics.excludeNamespaces is set (choose one)',
      ],
    ],
    [
      "integration region outside the partition",
      (c) => (c.environments[0].datadog.integration = { regions: ["us-gov-west-1"] }),
      ['environment "staging", environments[0].datadog.integration.regions[0]: received "us-gov-west-1"; allowed: a region of partition aws'],
    ],
    [
      "notification handle",
      (c) => (c.environments[0].notificationTargets = ["slack-secops"]),
      [
        'environment "staging", environments[0].notificationTargets[0]: received "slack-secops"; allowed: @slack-<channel>, @pagerduty-<service>, @opsgenie-<team>, @webhook-<name>, @teams-<channel>, @jira-<project>, @servicenow-<name>, @workflow-<id> or @<email address>',
      ],
    ],
    [
      "index retention",
      (c) => (c.environments[0].logExplorer = { index: { retentionInDays: 14 } }),
      ['environment "staging", environments[0].logExplorer.index.retentionInDays: received 14; allowed: one of 3, 7, 15, 30, 45, 60, 90, 180, 360'],
    ],
    [
      "exclusion sample rate",
      (c) => (c.environments[0].logExplorer = { index: { exclusionPresets: [{ preset: "health-endpoints", sampleRate: 1.5 }] } }),
      ['environment "staging", environments[0].logExplorer.index.exclusionPresets[0].sampleRate: received 1.5; allowed: a number from 0 to 1'],
    ],
    [
      "exclusion filters on an index not created here",
      (c) => (c.environments[0].logExplorer = { index: { create: false, existing: "main", exclusionPresets: [{ preset: "health-endpoints" }] } }),
      [
        'environment "staging", environments[0].logExplorer.index.exclusionPresets: received ["health-endpoints"]; allowed: empty when create is false (exclusion filters are part of the datadog_logs_index resource, which replaces the whole list on every update, so they cannot be added to an index this module does not own)',
      ],
    ],
    [
      "existing index while creating one",
      (c) => (c.environments[0].logExplorer = { index: { existing: "main" } }),
      [
        'environment "staging", environments[0].logExplorer.index.existing: received "main"; allowed: absent when create is true (either create a dedicated index or name an existing one)',
      ],
    ],
    [
      "health monitor silence",
      (c) => (c.environments[0].logExplorer = { healthMonitor: { silenceMinutes: 2 } }),
      ['environment "staging", environments[0].logExplorer.healthMonitor.silenceMinutes: received 2; allowed: an integer from 5 to 2880'],
    ],
    [
      "unknown rule id in tuning",
      (c) => (c.environments[0].cloudSiem = { rules: { "pod-exec-bursts": { threshold: 3 } } }),
      ['environment "staging", environments[0].cloudSiem.rules.pod-exec-bursts: received "pod-exec-bursts"; allowed: one of '],
    ],
    [
      "threshold on a New Value rule",
      (c) => (c.environments[0].cloudSiem = { rules: { "pod-exec-new-user": { threshold: 3 } } }),
      [
        'environment "staging", environments[0].cloudSiem.rules.pod-exec-new-user.threshold: received 3 (the rule is a new_value rule); allowed: only for threshold rules with one case "<query> > <n>"',
      ],
    ],
    [
      "unknown tuning option",
      (c) => (c.environments[0].cloudSiem = { rules: { "pod-attach": { severty: "low" } } }),
      [
        'environment "staging", environments[0].cloudSiem.rules.pod-attach.severty: received "low"; allowed: no such field here; known fields: enabled, severity, threshold, evaluationWindowSeconds, keepAliveSeconds, maxSignalDurationSeconds, exclusionQuery, notifications; did you mean "severity"?',
      ],
    ],
    [
      "rule window not allowed",
      (c) => (c.environments[0].cloudSiem = { rules: { "pod-exec-burst": { evaluationWindowSeconds: 120 } } }),
      [
        'environment "staging", environments[0].cloudSiem.rules.pod-exec-burst.evaluationWindowSeconds: received 120; allowed: one of 0, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400',
      ],
    ],
    [
      "unknown identity attribute",
      (c) => (c.environments[0].cloudSiem = { identityAttribute: "@user.username" }),
      ['environment "staging", environments[0].cloudSiem.identityAttribute: received "@user.username"; allowed: one of "@usr.id", "@usr.name"'],
    ],
    [
      "guide exec rule not a boolean",
      (c) => (c.environments[0].cloudSiem = { guideExecRule: "yes" }),
      ['environment "staging", environments[0].cloudSiem.guideExecRule: received "yes"; allowed: '],
    ],
    [
      "unknown severity in notifications",
      (c) => (c.environments[0].cloudSiem = { notifications: { urgent: ["@slack-x"] } }),
      [
        'environment "staging", environments[0].cloudSiem.notifications.urgent: received ["@slack-x"]; allowed: no such field here; known fields: info, low, medium, high, critical',
      ],
    ],
    [
      "exclusion query with a typo in source",
      (c) => (c.environments[0].cloudSiem = { exclusionQuery: "source:kubernetes.aduit @usr.id:ci" }),
      [
        'environment "staging", environments[0].cloudSiem.exclusionQuery: received "source:kubernetes.aduit @usr.id:ci" (source "kubernetes.aduit" is not a source Datadog has for EKS audit data; did you mean "kubernetes.audit"?); allowed: ',
      ],
    ],
    [
      "suppression without a target",
      (c) =>
        (c.environments[0].cloudSiem = { suppressions: [{ name: "x", suppressionQuery: "@usr.name:ci", expirationDate: "2027-01-01T00:00:00Z" }] }),
      [
        'environment "staging", environments[0].cloudSiem.suppressions[0].ruleIds: received nothing; allowed: a list of pack rule ids, or a ruleQuery (a suppression must say which rules it applies to)',
      ],
    ],
    [
      "suppression expiry not RFC 3339",
      (c) =>
        (c.environments[0].cloudSiem = {
          suppressions: [{ name: "x", ruleIds: ["pod-attach"], suppressionQuery: "@usr.name:ci", expirationDate: "2027-01-01" }],
        }),
      [
        'environment "staging", environments[0].cloudSiem.suppressions[0].expirationDate: received "2027-01-01"; allowed: an RFC 3339 date-time such as 2027-03-31T00:00:00Z',
      ],
    ],
    [
      "too many subscription filters",
      (c) => (c.environments[0].clusters[0].existingSubscriptionFilters = 2),
      [
        'environment "staging", environments[0].clusters[0].existingSubscriptionFilters: received 2; allowed: at most 1 (CloudWatch allows 2 subscription filters per log group and this stack adds one; raise datadog.forwarder.subscription.filtersPerLogGroup only if your account\'s quota is higher)',
      ],
    ],
  ];

  it.each(cases)("%s", (_name, fn, expected) => {
    const got = problems(mutate(fn));
    expect(got).toHaveLength(expected.length);
    // An expectation ending in "one of " / "allowed: " checks the start only (long generated lists follow).
    expected.forEach((e, i) => (/(one of |allowed: |"af-south-1")$/.test(e) ? expect(got[i].startsWith(e)).toBe(true) : expect(got[i]).toBe(e)));
  });

  it("suggests the nearest region", () => {
    expect(problems(mutate((c) => (c.environments[1].aws.region = "eu-west-l")))[0]).toMatch(/; did you mean "eu-west-1"\?$/);
  });

  it("reports every problem at once, across environments", () => {
    const got = problems(
      mutate((c) => {
        c.environments[0].aws.accountId = "x";
        c.environments[1].clusters[0].logRetentionInDays = 2;
        c.environments[1].datadog.site = "example.com";
      }),
    );
    expect(got.map((p) => p.split(":")[0])).toEqual([
      'environment "staging", environments[0].aws.accountId',
      'environment "production", environments[1].datadog.site',
      'environment "production", environments[1].clusters[0].logRetentionInDays',
    ]);
  });

  it("reports a cluster claimed by two environments in the same pass as the other problems", () => {
    const got = problems(
      mutate((c) => {
        c.environments[0].datadog.site = "example.com";
        c.environments[1].aws.accountId = "111111111111";
        c.environments[1].aws.region = "us-east-1";
        c.environments[1].clusters[0].name = "apps";
        c.environments[1].clusters[0].logRetentionInDays = 2;
      }),
    );
    expect(got.map((p) => p.split(":")[0])).toEqual([
      'environment "staging", environments[0].datadog.site',
      'environment "production", environments[1].clusters[0].logRetentionInDays',
      'environment "production", environments[1].clusters[0].name',
    ]);
  });

  it("reports an environment's cross-field problems in the same pass as its field problems", () => {
    const got = problems(
      mutate((c) => {
        c.environments[0].datadog.site = "example.com";
        c.environments[0].clusters[0].endpointPrivateAccess = false;
        c.environments[1].aws.accountId = "x";
        c.environments[1].clusters[0].existingSubscriptionFilters = 3;
      }),
    );
    expect(got.map((p) => p.split(":")[0])).toEqual([
      'environment "staging", environments[0].datadog.site',
      'environment "staging", environments[0].clusters[0].endpointPublicAccess',
      'environment "production", environments[1].aws.accountId',
      'environment "production", environments[1].clusters[0].existingSubscriptionFilters',
    ]);
  });

  it("skips the cross-environment check only for a cluster whose own inputs are invalid", () => {
    const got = problems(
      mutate((c) => {
        c.environments[1].aws.accountId = "111111111111";
        c.environments[1].clusters[0].region = "us-east-l";
        c.environments[1].clusters[0].name = "apps";
      }),
    );
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(/^environment "production", environments\[1\]\.clusters\[0\]\.region: received "us-east-l"/);
  });

  it("formats a multi-problem error as one paragraph per problem", () => {
    try {
      validateConfig(
        mutate((c) => {
          c.environments[0].aws.accountId = "x";
          c.environments[1].name = 7;
        }),
        FILE,
      );
      throw new Error("not rejected");
    } catch (e) {
      expect((e as Error).message).toBe(
        [
          "invalid config test.yaml: 2 problems:",
          '- environment "staging", environments[0].aws.accountId: received "x"; allowed: a 12-digit AWS account ID in quotes',
          "- environments[1].name: received 7; allowed: a lowercase name of 1-31 letters, digits and hyphens, starting with a letter (got number)",
        ].join("\n"),
      );
    }
  });
});

describe("config: files", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-config-"));
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it("accepts JSON as well as YAML, with the same result", () => {
    const file = write("c.json", JSON.stringify(baseConfig()));
    expect(loadConfigFile(file)).toEqual(validateConfig(baseConfig(), "x"));
  });

  it("rejects YAML syntax errors with the line", () => {
    expect(() => parseConfigText("environments:\n  - name: [staging\n", "bad.yaml")).toThrow(
      /^invalid config bad\.yaml: document: received text that is not valid YAML at line \d+, column \d+ \(/,
    );
  });

  it("rejects duplicate keys in YAML and in JSON", () => {
    expect(() => parseConfigText("environments: []\nenvironments: []\n", "dup.yaml")).toThrow(
      "invalid config dup.yaml: document: received text that is not valid YAML at line 2, column 1 (Map keys must be unique); allowed: YAML 1.2 (https://yaml.org/spec/1.2.2/)",
    );
    expect(() => parseConfigText('{"environments": [], "environments": []}', "dup.json")).toThrow(
      "invalid config dup.json: document: received text that is not valid JSON at line 1, column 22 (Map keys must be unique); allowed: strict JSON (RFC 8259: no comments, no trailing commas)",
    );
  });

  it("parses .json as strict JSON, with the JSON error's line and column", () => {
    expect(() => parseConfigText('{\n  "environments": [],\n}\n', "trailing.json")).toThrow(
      /^invalid config trailing\.json: document: received text that is not valid JSON at line 3, column 1 \(.+$/,
    );
    expect(() => parseConfigText('{\n  // a comment\n  "environments": []\n}\n', "comment.json")).toThrow(
      /^invalid config comment\.json: document: received text that is not valid JSON at line 2, column 3 \(/,
    );
    expect(() => parseConfigText('{"environments": [', "short.json")).toThrow(
      /^invalid config short\.json: document: received text that is not valid JSON at line 1, column 19 \(/,
    );
    // "Unexpected token" messages give no position: the token's own line and column, not the end of the file.
    expect(() => parseConfigText('{"environments": [\n  {"name": "x",\n   "aws": x}\n]}\n', "token.json")).toThrow(
      "invalid config token.json: document: received text that is not valid JSON at line 3, column 11 (Unexpected token 'x'); allowed: strict JSON (RFC 8259: no comments, no trailing commas)",
    );
    expect(() => parseConfigText('{"a": [1, 2,, 3]}', "comma.json")).toThrow(
      "invalid config comma.json: document: received text that is not valid JSON at line 1, column 13 (Unexpected token ','); allowed: strict JSON (RFC 8259: no comments, no trailing commas)",
    );
    // The same text is fine as YAML (a flow mapping with a trailing comma).
    expect(parseConfigText('{\n  "environments": [],\n}\n', "trailing.yaml")).toEqual({ environments: [] });
  });

  it("refuses a document nested too deeply for the parsers by name, not as a stack overflow", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    for (const [file, text] of [
      ["deep.json", `{"environments": ${deep}}`],
      ["deep.yaml", `environments: ${deep}\n`],
    ]) {
      expect(() => parseConfigText(text, file)).toThrow(
        `invalid config ${file}: document: received a document nested too deeply to parse; allowed: a config nested as config/eks-audit-siem.schema.json describes (a few levels)`,
      );
    }
  });

  it("rejects other file types and missing files", () => {
    expect(() => loadConfigFile(write("c.toml", ""))).toThrow(
      /^invalid config .*c\.toml: file name: received "c\.toml"; allowed: a \.yaml, \.yml or \.json file$/,
    );
    expect(() => loadConfigFile(path.join(dir, "missing.yaml"))).toThrow(
      /file: received a path that does not exist; allowed: an existing \.yaml, \.yml or \.json file \(set EKS_AUDIT_SIEM_CONFIG or use the default config\/eks-audit-siem\.yaml\)$/,
    );
  });
});

describe("config: files that are not a config are refused before they are read", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-config-files-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const refusal = (file: string) => `invalid config ${file}: file: received`;

  it("a directory, a device (/dev/zero) and a FIFO: named, not read (a FIFO with no writer hung the open)", () => {
    const directory = path.join(dir, "folder.yaml");
    mkdirSync(directory);
    expect(() => loadConfigFile(directory)).toThrow(`${refusal(directory)} a directory; allowed: a regular .yaml, .yml or .json file`);
    const zero = path.join(dir, "zero.yaml");
    symlinkSync("/dev/zero", zero);
    expect(() => loadConfigFile(zero)).toThrow(`${refusal(zero)} a character device; allowed: a regular .yaml, .yml or .json file`);
    // In a child process with a deadline: a blocking open would hang this test's own process.
    const fifo = path.join(dir, "fifo.yaml");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const r = spawnSync(
      process.execPath,
      ["-r", "./scripts/ts-require.js", "-e", 'require("./config/load.ts").loadConfigFile(process.argv[1])', fifo],
      { cwd: path.join(__dirname, ".."), encoding: "utf8", timeout: 30_000 },
    );
    expect({ signal: r.signal, error: /^.*ConfigError: (.*)$/m.exec(r.stderr)?.[1] ?? r.stderr }).toEqual({
      signal: null,
      error: `${refusal(fifo)} a named pipe (FIFO); allowed: a regular .yaml, .yml or .json file`,
    });
  }, 60_000);

  it("a file over MAX_CONFIG_FILE_BYTES (1 MiB), from its size alone (a sparse 50 MB file; it ran out of heap after four minutes)", () => {
    expect(MAX_CONFIG_FILE_BYTES).toBe(1024 * 1024);
    const big = path.join(dir, "big.yaml");
    writeFileSync(big, "");
    truncateSync(big, 50 * 1024 * 1024);
    expect(() => loadConfigFile(big)).toThrow(
      `${refusal(big)} 52428800 bytes (larger than a config can be); allowed: at most 1048576 bytes (MAX_CONFIG_FILE_BYTES; a config is a few kilobytes)`,
    );
    // The limit is a parameter of the reader: a file of exactly the limit is read, one byte more is not.
    const small = path.join(dir, "small.yaml");
    writeFileSync(small, "a: 1\n");
    expect(readConfigText(small, 5)).toBe("a: 1\n");
    expect(() => readConfigText(small, 4)).toThrow(`${refusal(small)} 5 bytes (larger than a config can be); allowed: at most 4 bytes`);
  });

  it("bytes that are not UTF-8, with their line (they became U+FFFD)", () => {
    const latin = path.join(dir, "latin.yaml");
    writeFileSync(latin, Buffer.concat([Buffer.from("environments:\n  - name: caf"), Buffer.from([0xe9]), Buffer.from("\n")]));
    expect(() => loadConfigFile(latin)).toThrow(`${refusal(latin)} bytes that are not UTF-8 at line 2; allowed: a UTF-8 text file`);
  });
});

describe("config: values JSON cannot carry are refused by name, with their field and position", () => {
  const yaml = (value: string) => `environments:\n  - name: staging\n    clusters:\n      - logRetentionInDays: ${value}\n`;
  const problem = (file: string, written: string, col: number, why: string) =>
    `invalid config ${file}: environment "staging", environments[0].clusters[0].logRetentionInDays: received ${written} at line 4, column ${col} (${why}); allowed: a finite number; an integer from -9007199254740991 to 9007199254740991 (2^53 - 1, the largest a JSON number carries exactly)`;
  const INFINITE = "an infinite number: beyond the largest a JSON number can be, about 1.8e308";

  it.each([
    [".nan", "not a number"],
    [".inf", INFINITE],
    ["-.Inf", INFINITE],
    ["1e400", INFINITE],
    ["9007199254740993", "an integer beyond 2^53 - 1, which reads as 9007199254740992"],
  ])("YAML %s (was received null, or silently rounded)", (value, why) => {
    expect(() => parseConfigText(yaml(value), "c.yaml")).toThrow(problem("c.yaml", value, 29, why));
  });

  it.each([
    ["1e400", INFINITE],
    ["-1E999", INFINITE],
    ["12345678901234567890", "an integer beyond 2^53 - 1, which reads as 12345678901234567168"],
  ])("JSON %s", (value, why) => {
    const text = `{"environments": [\n  {"name": "staging",\n   "clusters": [\n     {"logRetentionInDays": ${value}}]}]}`;
    expect(() => parseConfigText(text, "c.json")).toThrow(problem("c.json", value, 29, why));
  });

  it("accepts the largest exact integers and ordinary floats", () => {
    expect(parseConfigText("a: 9007199254740991\nb: -9007199254740991\nc: 0.25\nd: 1e3\n", "c.yaml")).toEqual({
      a: 9007199254740991,
      b: -9007199254740991,
      c: 0.25,
      d: 1000,
    });
  });

  it("refuses tags outside YAML's core schema (an unknown !foo was read as a string, !!timestamp as a date)", () => {
    const text = 'environments:\n  - name: staging\n    a: !foo "1.33"\n    b: !!timestamp 2001-12-14\n    c: !!binary aGk=\n    d: !!str 5\n';
    expect(() => parseConfigText(text, "t.yaml")).toThrow(
      [
        "invalid config t.yaml: 3 problems:",
        '- environment "staging", environments[0].a: received the tag "!foo" at line 3, column 13 (a tag outside YAML\'s core schema); allowed: untagged values',
        '- environment "staging", environments[0].b: received the tag "!!timestamp" at line 4, column 20 (a tag outside YAML\'s core schema); allowed: untagged values',
        '- environment "staging", environments[0].c: received the tag "!!binary" at line 5, column 17 (a tag outside YAML\'s core schema); allowed: untagged values',
      ].join("\n"),
    );
  });

  it("names the alias that passes yaml's alias limit (was a bare ReferenceError naming no file)", () => {
    const ten = (item: string) => `[${Array(10).fill(item).join(", ")}]`;
    const text = `a: &a ${ten("x")}\nb: &b ${ten("*a")}\nc: &c ${ten("*b")}\nenvironments:\n  - name: staging\n    tags: ${ten("*c")}\n`;
    expect(() => parseConfigText(text, "laughs.yaml")).toThrow(
      'invalid config laughs.yaml: c[0]: received the alias *b at line 3, column 8 (aliases expand past yaml\'s maxAliasCount of 100 nodes, a guard against "billion laughs" documents); allowed: anchors and aliases that expand to fewer nodes, or the values written out',
    );
  });
});

describe("config: JSON Schema", () => {
  it("is generated from the validator's definition and committed up to date (run `npm run generate`)", () => {
    expect(readFileSync(JSON_SCHEMA_PATH, "utf8")).toBe(renderJsonSchema());
  });

  it("describes the same constraints the validator enforces", () => {
    const schema = JSON.parse(renderJsonSchema());
    // A cluster is one of two shapes, chosen by mode: new (role and subnets required) or existing (neither allowed).
    const [created, adopted] = schema.properties.environments.items.properties.clusters.items.oneOf;
    expect(created.properties.mode.enum).toEqual(["new"]);
    expect(adopted.properties.mode.enum).toEqual(["existing"]);
    for (const cluster of [created, adopted]) {
      expect(cluster.additionalProperties).toBe(false);
      expect(cluster.properties.logRetentionInDays.enum).toContain(365);
      expect(cluster.properties.logRetentionInDays.enum).not.toContain(0);
      expect(cluster.properties.logRetentionInDays.default).toBe(90);
    }
    expect(created.required).toEqual(["name", "mode", "roleArn", "subnetIds"]);
    expect(adopted.required).toEqual(["name", "mode"]);
    expect(adopted.properties.roleArn.not).toEqual({});
    expect(schema.properties.environments.items.properties.aws.properties.accountId.pattern).toBe("^[0-9]{12}$");
  });
});

describe("the benchmark's generated configs (scripts/bench-config.js)", () => {
  it("validate at every size npm run bench uses, so the benchmark measures a synth, not a refusal", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain-JavaScript script of the project
    const { benchConfig } = require("../scripts/bench-config") as { benchConfig: (n: number) => unknown };
    for (const n of [1, 10, 50, 100]) {
      const config = validateConfig(benchConfig(n), `bench-${n}.json`);
      expect(config.environments).toHaveLength(n);
    }
    // Both shapes of environment also pass the constructs' own checks: the app synthesizes them.
    const dir = mkdtempSync(path.join(os.tmpdir(), "bench-config-"));
    writeFileSync(path.join(dir, "bench-2.json"), JSON.stringify(benchConfig(2)));
    let stderr = "";
    const code = runSynth({
      env: { EKS_AUDIT_SIEM_CONFIG: path.join(dir, "bench-2.json"), CDKTF_OUTDIR: path.join(dir, "out") },
      stdout: { write: () => true },
      stderr: { write: (t: string) => (stderr += t) },
    });
    expect([code, stderr]).toEqual([0, ""]);
  });
});
