import { TerraformVariable, Testing } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  AuditLogFilterPattern,
  AuditLogGroup,
  DATADOG_FORWARDER_DEFAULT_VERSION,
  DatadogForwarder,
  DatadogForwarderProps,
  FILTER_PATTERN_MAX_LENGTH,
  ForwarderApiKey,
  ForwarderApiKeySecretOptions,
  datadogForwarderProblems,
} from "../modules/datadog-forwarder";
import { checkSynthesizedStack } from "../lib/policy";
import { only, thrownMessage } from "./helpers/assert";

type Json = { [key: string]: any };

const PROD_A: AuditLogGroup = {
  clusterName: "prod-a",
  logGroupName: "/aws/eks/prod-a/cluster",
  logGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/eks/prod-a/cluster",
};
const PROD_B: AuditLogGroup = {
  clusterName: "prod-b",
  logGroupName: "/aws/eks/prod-b/cluster",
  logGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/eks/prod-b/cluster",
};
const EXISTING_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:datadog-api-key-AbCdEf";

type Props = Omit<DatadogForwarderProps, "awsProvider" | "apiKey"> & { readonly apiKey?: ForwarderApiKey };
const BASE: Props = { datadogSite: "datadoghq.com", environment: "prod", region: "us-east-1", auditLogGroups: [PROD_A] };

/**
 * Builds a stack with a stack-level sensitive variable and an aliased regional provider, like the lead's stacks. The
 * API key is a secret created from the variable with `secretOptions`, unless `props.apiKey` is given.
 */
function synth(props: Partial<Props> = {}, secretOptions: ForwarderApiKeySecretOptions = {}): Json {
  return JSON.parse(
    Testing.synthScope((scope: Construct) => {
      const region = props.region ?? BASE.region ?? "us-east-1";
      const provider = new AwsProvider(scope, "aws", { region, alias: region });
      const apiKey = new TerraformVariable(scope, "datadog_api_key", { type: "string", sensitive: true });
      new DatadogForwarder(scope, "Forwarder", {
        ...BASE,
        apiKey: ForwarderApiKey.fromSecretValue(apiKey.value, secretOptions),
        ...props,
        awsProvider: provider,
      });
    }),
  );
}

function errorOf(props: Partial<Props>, secretOptions: ForwarderApiKeySecretOptions = {}): string {
  return thrownMessage(() => synth(props, secretOptions));
}

const WHERE = 'datadog forwarder "stack/Forwarder"';
const STACK = "aws_cloudformation_stack.datadog_forwarder_us-east-1";
const FORWARDER_ARN = `\${${STACK}.outputs["DatadogForwarderArn"]}`;

describe("DatadogForwarder (created secret, one cluster)", () => {
  const out = synth();

  test("pins the Terraform addresses of the stateful resources", () => {
    expect(Object.keys(out.resource.aws_cloudformation_stack)).toEqual(["datadog_forwarder_us-east-1"]);
    expect(Object.keys(out.resource.aws_secretsmanager_secret)).toEqual(["datadog_api_key_us-east-1"]);
    expect(Object.keys(out.resource.aws_secretsmanager_secret_version)).toEqual(["datadog_api_key_us-east-1"]);
    expect(Object.keys(out.resource.aws_cloudwatch_log_subscription_filter)).toEqual(["audit_logs_to_datadog_prod-a"]);
  });

  test("the stack pins the template, uses DdApiKeySecretArn and never DdApiKey", () => {
    const stack = only(out.resource.aws_cloudformation_stack);
    expect(stack).toEqual({
      capabilities: ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
      depends_on: ["aws_secretsmanager_secret_version.datadog_api_key_us-east-1"],
      name: "datadog-forwarder",
      parameters: {
        DdApiKeySecretArn: "${aws_secretsmanager_secret.datadog_api_key_us-east-1.arn}",
        DdSite: "datadoghq.com",
        DdTags: "env:prod,kube_cluster_name:prod-a",
        FunctionName: "datadog-forwarder",
        LogRetentionInDays: "90",
      },
      provider: "aws.us-east-1",
      template_url: `https://datadog-cloudformation-template.s3.amazonaws.com/aws/forwarder/${DATADOG_FORWARDER_DEFAULT_VERSION}.yaml`,
    });
    expect(DATADOG_FORWARDER_DEFAULT_VERSION).toBe("5.4.14");
  });

  test("the secret is plaintext and its value only a reference to the sensitive variable", () => {
    expect(only(out.resource.aws_secretsmanager_secret)).toEqual({
      description: "Datadog API key for the Datadog Forwarder (plaintext)",
      name: "datadog-forwarder-api-key",
      provider: "aws.us-east-1",
    });
    expect(only(out.resource.aws_secretsmanager_secret_version)).toEqual({
      provider: "aws.us-east-1",
      secret_id: "${aws_secretsmanager_secret.datadog_api_key_us-east-1.id}",
      secret_string: "${var.datadog_api_key}",
    });
    expect(out.variable.datadog_api_key).toEqual({ sensitive: true, type: "string" });
  });

  test("the audit log group is subscribed to the stack's DatadogForwarderArn output with every event", () => {
    expect(only(out.resource.aws_cloudwatch_log_subscription_filter)).toEqual({
      depends_on: [STACK],
      destination_arn: FORWARDER_ARN,
      filter_pattern: "",
      log_group_name: "/aws/eks/prod-a/cluster",
      name: "datadog-forwarder-eks-audit",
      provider: "aws.us-east-1",
    });
    expect(out.resource.aws_lambda_permission).toBeUndefined();
  });

  test("passes the policy checks and synthesizes deterministically", () => {
    expect(checkSynthesizedStack(out)).toEqual([]);
    expect(synth()).toEqual(out);
  });
});

describe("DatadogForwarder variants", () => {
  test("an existing secret ARN: no secret is created", () => {
    const out = synth({ apiKey: ForwarderApiKey.fromSecretArn(EXISTING_SECRET) });
    expect(out.resource.aws_secretsmanager_secret).toBeUndefined();
    expect(out.resource.aws_secretsmanager_secret_version).toBeUndefined();
    const stack = only(out.resource.aws_cloudformation_stack);
    expect(stack.parameters.DdApiKeySecretArn).toBe(EXISTING_SECRET);
    expect(stack.depends_on).toBeUndefined();
  });

  test("write-only secret value keeps the key out of the state", () => {
    const out = synth({}, { writeOnlyVersion: 2, secretName: "dd-key", kmsKeyId: "alias/datadog" });
    expect(only(out.resource.aws_secretsmanager_secret_version)).toEqual({
      provider: "aws.us-east-1",
      secret_id: "${aws_secretsmanager_secret.datadog_api_key_us-east-1.id}",
      secret_string_wo: "${var.datadog_api_key}",
      secret_string_wo_version: 2,
    });
    expect(only(out.resource.aws_secretsmanager_secret)).toMatchObject({ name: "dd-key", kms_key_id: "alias/datadog" });
  });

  test("non-US1 site (datadoghq.eu) in eu-west-1", () => {
    const group = { ...PROD_A, logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/prod-a/cluster" };
    const out = synth({ datadogSite: "datadoghq.eu", region: "eu-west-1", auditLogGroups: [group] });
    const stack = only(out.resource.aws_cloudformation_stack);
    expect(stack.parameters.DdSite).toBe("datadoghq.eu");
    expect(stack.provider).toBe("aws.eu-west-1");
  });

  test("ap1 site", () => {
    const out = synth({ datadogSite: "ap1.datadoghq.com" });
    expect(only(out.resource.aws_cloudformation_stack).parameters.DdSite).toBe("ap1.datadoghq.com");
  });

  test("GovCloud: ddog-gov.com in us-gov-west-1 with GovCloud ARNs", () => {
    const group: AuditLogGroup = {
      clusterName: "gov-a",
      logGroupName: "/aws/eks/gov-a/cluster",
      logGroupArn: "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:/aws/eks/gov-a/cluster",
    };
    const out = synth({
      datadogSite: "ddog-gov.com",
      region: "us-gov-west-1",
      auditLogGroups: [group],
      apiKey: ForwarderApiKey.fromSecretArn("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:dd-AbCdEf"),
      grantInvokePermission: true,
    });
    const stack = only(out.resource.aws_cloudformation_stack);
    expect(stack.parameters).toEqual({
      DdApiKeySecretArn: "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:dd-AbCdEf",
      DdSite: "ddog-gov.com",
      DdTags: "env:prod,kube_cluster_name:gov-a",
      FunctionName: "datadog-forwarder",
      LogRetentionInDays: "90",
    });
    expect(only(out.resource.aws_lambda_permission).source_arn).toBe(
      "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:/aws/eks/gov-a/cluster:*",
    );
    expect(checkSynthesizedStack(out)).toEqual([]);
  });

  test("two clusters: two stable subscriptions, no cluster tag (it would mislabel one cluster's logs)", () => {
    const out = synth({ auditLogGroups: [PROD_A, PROD_B], ddTags: ["team:security"] });
    const filters = out.resource.aws_cloudwatch_log_subscription_filter;
    expect(Object.keys(filters)).toEqual(["audit_logs_to_datadog_prod-a", "audit_logs_to_datadog_prod-b"]);
    expect(Object.values<Json>(filters).map((f) => [f.name, f.log_group_name])).toEqual([
      ["datadog-forwarder-eks-audit", "/aws/eks/prod-a/cluster"],
      ["datadog-forwarder-eks-audit", "/aws/eks/prod-b/cluster"],
    ]);
    expect(only(out.resource.aws_cloudformation_stack).parameters.DdTags).toBe("env:prod,team:security");
  });

  test("no log groups: the forwarder alone", () => {
    const out = synth({ auditLogGroups: [] });
    expect(out.resource.aws_cloudwatch_log_subscription_filter).toBeUndefined();
    expect(only(out.resource.aws_cloudformation_stack).parameters.DdTags).toBe("env:prod");
  });

  test("opt-in invoke permission: scoped to the log group, and the filter waits for it", () => {
    const out = synth({ grantInvokePermission: true });
    expect(out.resource.aws_lambda_permission).toEqual({
      "forwarder_invoke_prod-a": {
        action: "lambda:InvokeFunction",
        function_name: FORWARDER_ARN,
        principal: "logs.amazonaws.com",
        provider: "aws.us-east-1",
        source_arn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/eks/prod-a/cluster:*",
        statement_id: "datadog-forwarder-eks-audit-prod-a",
      },
    });
    expect(only(out.resource.aws_cloudwatch_log_subscription_filter).depends_on).toEqual([STACK, "aws_lambda_permission.forwarder_invoke_prod-a"]);
  });

  test("a log group ARN given with the :* suffix is normalised", () => {
    const out = synth({ auditLogGroups: [{ ...PROD_A, logGroupArn: `${PROD_A.logGroupArn}:*` }], grantInvokePermission: true });
    expect(only(out.resource.aws_lambda_permission).source_arn).toBe(`${PROD_A.logGroupArn}:*`);
  });

  test("typed Lambda settings, version pin and extra parameters reach the template", () => {
    const out = synth({
      forwarderVersion: "5.4.11",
      functionName: "dd-forwarder-audit",
      stackName: "dd-forwarder-audit",
      memorySizeMiB: 2048,
      timeoutSeconds: 300,
      reservedConcurrency: 10,
      logRetentionInDays: 30,
      permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/Boundary",
      iamRolePath: "/datadog/",
      additionalParameters: { DdFetchLambdaTags: "false" },
      tags: { team: "security" },
    });
    const stack = only(out.resource.aws_cloudformation_stack);
    expect(stack.template_url).toBe("https://datadog-cloudformation-template.s3.amazonaws.com/aws/forwarder/5.4.11.yaml");
    expect(stack.name).toBe("dd-forwarder-audit");
    expect(stack.tags).toEqual({ team: "security" });
    expect(stack.parameters).toEqual({
      DdApiKeySecretArn: "${aws_secretsmanager_secret.datadog_api_key_us-east-1.arn}",
      DdFetchLambdaTags: "false",
      DdSite: "datadoghq.com",
      DdTags: "env:prod,kube_cluster_name:prod-a",
      FunctionName: "dd-forwarder-audit",
      IamRolePath: "/datadog/",
      LogRetentionInDays: "30",
      MemorySize: "2048",
      PermissionsBoundaryArn: "arn:aws:iam::123456789012:policy/Boundary",
      ReservedConcurrency: "10",
      Timeout: "300",
    });
  });

  test("one forwarder per region, each with its own aliased provider", () => {
    const out = JSON.parse(
      Testing.synthScope((scope: Construct) => {
        const apiKey = new TerraformVariable(scope, "datadog_api_key", { type: "string", sensitive: true });
        for (const region of ["us-east-1", "eu-west-1"]) {
          const provider = new AwsProvider(scope, `aws-${region}`, { region, alias: region });
          new DatadogForwarder(scope, `Forwarder-${region}`, {
            datadogSite: "datadoghq.com",
            environment: "prod",
            region,
            awsProvider: provider,
            apiKey: ForwarderApiKey.fromSecretValue(apiKey.value),
          });
        }
      }),
    );
    const stacks = Object.entries<Json>(out.resource.aws_cloudformation_stack);
    expect(stacks.map(([address, s]) => [address, s.provider])).toEqual([
      ["datadog_forwarder_eu-west-1", "aws.eu-west-1"],
      ["datadog_forwarder_us-east-1", "aws.us-east-1"],
    ]);
    for (const secret of Object.values<Json>(out.resource.aws_secretsmanager_secret)) {
      expect(["aws.us-east-1", "aws.eu-west-1"]).toContain(secret.provider);
    }
  });
});

describe("subscription filter limit", () => {
  test("one existing filter plus ours fits the documented limit of 2", () => {
    const out = synth({ auditLogGroups: [{ ...PROD_A, existingSubscriptionFilterCount: 1 }] });
    expect(Object.keys(out.resource.aws_cloudwatch_log_subscription_filter)).toHaveLength(1);
  });

  test("two existing filters plus ours is rejected", () => {
    expect(errorOf({ auditLogGroups: [{ ...PROD_A, existingSubscriptionFilterCount: 2 }] })).toBe(
      `${WHERE}: auditLogGroups[cluster "prod-a"].existingSubscriptionFilterCount: received 2; allowed: at most 1 (CloudWatch allows 2 subscription filters per log group and this stack adds one; raise subscriptionFiltersPerLogGroup only if your account's quota is higher)`,
    );
  });

  test("an account with a higher quota can raise the limit", () => {
    const out = synth({ subscriptionFiltersPerLogGroup: 5, auditLogGroups: [{ ...PROD_A, existingSubscriptionFilterCount: 4 }] });
    expect(Object.keys(out.resource.aws_cloudwatch_log_subscription_filter)).toHaveLength(1);
  });
});

describe("validation errors", () => {
  test.each<[Partial<Props>, string]>([
    [
      { datadogSite: "datadoghq.co" },
      `datadogSite: received "datadoghq.co"; allowed: datadoghq.com, us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, uk1.datadoghq.com, ddog-gov.com, us2.ddog-gov.com`,
    ],
    [{ region: "us-east-9" }, `region: received "us-east-9"; allowed: an AWS region code such as us-east-1 or us-gov-west-1`],
    [
      { forwarderVersion: "latest" },
      `forwarderVersion: received "latest" (it would upgrade the Forwarder silently on any stack update); allowed: a released version x.y.z, 4.0.0 or later (default 5.4.14)`,
    ],
    [{ forwarderVersion: "5.4" }, `forwarderVersion: received "5.4"; allowed: a released version x.y.z, 4.0.0 or later (default 5.4.14)`],
    [
      { forwarderVersion: "3.28.5" },
      `forwarderVersion: received "3.28.5" (its template requires the DdApiKey parameter); allowed: a released version x.y.z, 4.0.0 or later (default 5.4.14)`,
    ],
    [
      { templateBaseUrl: "https://example.com/forwarder/" },
      `templateBaseUrl: received "https://example.com/forwarder/"; allowed: an https URL without a trailing slash, under which <version>.yaml is the template`,
    ],
    [
      { stackName: "1stack" },
      `stackName: received "1stack"; allowed: a CloudFormation stack name (a letter, then up to 127 letters, digits or hyphens)`,
    ],
    [
      { functionName: "DatadogForwarder" },
      `functionName: received "DatadogForwarder" (the template default, for which CloudFormation generates a random function name); allowed: any other stable name (default "datadog-forwarder"), never changed afterwards`,
    ],
    [{ functionName: "datadog forwarder" }, `functionName: received "datadog forwarder"; allowed: 1-64 letters, digits, hyphens or underscores`],
    [{ memorySizeMiB: 64 }, `memorySizeMiB: received 64; allowed: an integer from 128 to 3008 (template limits)`],
    [{ timeoutSeconds: 901 }, `timeoutSeconds: received 901; allowed: an integer from 1 to 900 (Lambda limit)`],
    [{ reservedConcurrency: -1 }, `reservedConcurrency: received -1; allowed: a non-negative integer (Datadog recommends at least 10)`],
    [
      { logRetentionInDays: 0 },
      `logRetentionInDays: received 0; allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653`,
    ],
    [{ permissionsBoundaryArn: "Boundary" }, `permissionsBoundaryArn: received "Boundary"; allowed: an IAM policy ARN`],
    [
      { iamRolePath: "datadog" },
      `iamRolePath: received "datadog"; allowed: an IAM path: "/" or one that starts and ends with "/", such as /datadog/`,
    ],
    [
      { additionalParameters: { DdApiKey: "x", FunctionName: "y" } },
      `additionalParameters: received DdApiKey, FunctionName, which this construct manages; allowed: any other template parameter (use the typed props instead)`,
    ],
    [{ environment: " " }, `environment: received an empty name; allowed: the environment name`],
    [
      { ddTags: ["Team:Security"] },
      `ddTags: received "Team:Security"; allowed: lowercase letters, digits, _ - : . /, starting with a letter and not ending with ":"`,
    ],
    [
      { ddTags: ["team:a,b"] },
      `ddTags: received "team:a,b"; allowed: lowercase letters, digits, _ - : . /, starting with a letter and not ending with ":"`,
    ],
    [{ subscriptionFilterName: "datadog:audit" }, `subscriptionFilterName: received "datadog:audit"; allowed: 1-512 characters without ":" or "*"`],
    [{ subscriptionFiltersPerLogGroup: 0 }, `subscriptionFiltersPerLogGroup: received 0; allowed: an integer from 1 to 5 (AWS documents 2)`],
    [
      { auditLogGroups: [PROD_A, PROD_A] },
      `auditLogGroups[cluster "prod-a"].clusterName: received "prod-a" a second time; allowed: each cluster once`,
    ],
    [
      { auditLogGroups: [{ ...PROD_A, clusterName: "-bad" }] },
      `auditLogGroups[cluster "-bad"].clusterName: received "-bad"; allowed: an EKS cluster name (1-100 letters, digits, hyphens, underscores; starting with a letter or digit)`,
    ],
    [
      { auditLogGroups: [{ ...PROD_A, logGroupName: "/aws/eks/prod a/cluster" }] },
      `auditLogGroups[cluster "prod-a"].logGroupName: received "/aws/eks/prod a/cluster"; allowed: 1-512 characters of letters, digits and . - _ / #`,
    ],
    [
      { auditLogGroups: [{ ...PROD_A, logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/prod-a/cluster" }] },
      `auditLogGroups[cluster "prod-a"].logGroupArn: received a log group in region eu-west-1, but this forwarder is in us-east-1; allowed: a log group in us-east-1 (a log group can only feed a Lambda in its own region: add a forwarder for eu-west-1)`,
    ],
    [
      { auditLogGroups: [{ ...PROD_A, logGroupArn: PROD_B.logGroupArn }] },
      `auditLogGroups[cluster "prod-a"].logGroupArn: received the ARN of log group "/aws/eks/prod-b/cluster", but logGroupName is "/aws/eks/prod-a/cluster"; allowed: the ARN of the same log group`,
    ],
    [
      { auditLogGroups: [{ ...PROD_A, logGroupArn: "/aws/eks/prod-a/cluster" }] },
      `auditLogGroups[cluster "prod-a"].logGroupArn: received "/aws/eks/prod-a/cluster"; allowed: arn:<partition>:logs:<region>:<account>:log-group:<name>`,
    ],
    [
      { auditLogGroups: [{ ...PROD_A, existingSubscriptionFilterCount: -1 }] },
      `auditLogGroups[cluster "prod-a"].existingSubscriptionFilterCount: received -1; allowed: a non-negative integer`,
    ],
  ])("%j", (props, message) => {
    expect(errorOf(props)).toBe(`${WHERE}: ${message}`);
  });

  test("reports every problem at once, without knock-on problems of an invalid input", () => {
    expect(errorOf({ datadogSite: "datadoghq.co", region: "us-east-9", memorySizeMiB: 64, subscriptionFiltersPerLogGroup: 0 })).toBe(
      `${WHERE}: 4 problems:\n` +
        `- datadogSite: received "datadoghq.co"; allowed: datadoghq.com, us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, uk1.datadoghq.com, ddog-gov.com, us2.ddog-gov.com\n` +
        `- region: received "us-east-9"; allowed: an AWS region code such as us-east-1 or us-gov-west-1\n` +
        `- memorySizeMiB: received 64; allowed: an integer from 128 to 3008 (template limits)\n` +
        `- subscriptionFiltersPerLogGroup: received 0; allowed: an integer from 1 to 5 (AWS documents 2)`,
    );
    expect(datadogForwarderProblems({ ...BASE, apiKey: ForwarderApiKey.fromSecretArn(EXISTING_SECRET) })).toEqual([]);
  });

  test("the API key comes one way: a ForwarderApiKey, or a clear error", () => {
    const allowed = "allowed: ForwarderApiKey.fromSecretArn(arn) or ForwarderApiKey.fromSecretValue(token, options)";
    expect(errorOf({ apiKey: undefined })).toBe(`${WHERE}: apiKey: received nothing; ${allowed}`);
    // The plain props of earlier versions (apiKeySecretArn, apiKeySecretValue...) are gone: from JavaScript they are ignored, and apiKey is missing.
    expect(errorOf({ apiKey: undefined, apiKeySecretArn: EXISTING_SECRET } as Partial<Props>)).toBe(`${WHERE}: apiKey: received nothing; ${allowed}`);
    expect(errorOf({ apiKey: { secretArn: EXISTING_SECRET } as unknown as ForwarderApiKey })).toBe(
      `${WHERE}: apiKey: received a value not built by ForwarderApiKey; ${allowed}`,
    );
    // Checked by shape, not instanceof: a key built by another copy of the package is accepted.
    const foreign = { spec: { mode: "secretArn", secretArn: EXISTING_SECRET } } as unknown as ForwarderApiKey;
    expect(synth({ apiKey: foreign })).toEqual(synth({ apiKey: ForwarderApiKey.fromSecretArn(EXISTING_SECRET) }));
  });

  test("a write-only version must be a positive integer", () => {
    expect(errorOf({}, { writeOnlyVersion: 0 })).toBe(`${WHERE}: apiKey.writeOnlyVersion: received 0; allowed: a positive integer`);
  });

  test("a literal API key is refused (it would land in cdktf.out/)", () => {
    expect(errorOf({ apiKey: ForwarderApiKey.fromSecretValue("0123456789abcdef0123456789abcdef") })).toBe(
      `${WHERE}: apiKey.value: received a literal string, which would be written to cdktf.out/; allowed: a token such as a sensitive TerraformVariable's value (supply it at apply time with TF_VAR_...)`,
    );
  });

  test("a malformed secret ARN, and a secret in another region", () => {
    expect(errorOf({ apiKey: ForwarderApiKey.fromSecretArn("datadog-api-key") })).toBe(
      `${WHERE}: apiKey.secretArn: received "datadog-api-key"; allowed: a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>)`,
    );
    expect(errorOf({ apiKey: ForwarderApiKey.fromSecretArn(EXISTING_SECRET.replace("us-east-1", "eu-west-1")) })).toBe(
      `${WHERE}: apiKey.secretArn: received a secret in region eu-west-1, but this forwarder is in us-east-1; allowed: a secret in us-east-1 (replicate the secret, or let the construct create one)`,
    );
  });
});

/**
 * A small evaluator for the subset of CloudWatch Logs JSON filter syntax the presets use (`=`/`!=` on quoted
 * strings with `*` wildcards, `&&`, `||`, parentheses; a missing field never matches), to test what each preset
 * keeps and drops on real-shaped audit events.
 */
function matches(pattern: string, event: Json): boolean {
  if (pattern === "") return true;
  const tokens = pattern.match(/\$\.[\w.]+|"[^"]*"|!=|=|&&|\|\||\(|\)|\{|\}/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const compare = (): boolean => {
    const field = next().slice(2).split(".");
    const op = next();
    const value = next().slice(1, -1);
    const actual = field.reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), event);
    if (typeof actual !== "string") return false;
    const regex = new RegExp(
      `^${value
        .split("*")
        .map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
        .join(".*")}$`,
    );
    return op === "=" ? regex.test(actual) : !regex.test(actual);
  };
  const primary = (): boolean => {
    if (peek() === "(") {
      next();
      const v = or();
      next();
      return v;
    }
    return compare();
  };
  const and = (): boolean => {
    let v = primary();
    while (peek() === "&&") {
      next();
      v = primary() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (peek() === "||") {
      next();
      v = and() || v;
    }
    return v;
  };
  expect(next()).toBe("{");
  const result = or();
  expect(next()).toBe("}");
  return result;
}

const event = (verb: string, username: string, requestURI: string, resource?: string): Json => ({
  kind: "Event",
  apiVersion: "audit.k8s.io/v1",
  verb,
  requestURI,
  user: { username },
  ...(resource !== undefined ? { objectRef: { resource } } : {}),
});

const SAMPLES: [string, Json][] = [
  ["kubelet readiness probe", event("get", "system:anonymous", "/readyz")],
  ["readiness check with query", event("get", "system:serviceaccount:kube-system:x", "/readyz?verbose")],
  ["livez", event("get", "kubernetes-admin", "/livez")],
  ["prometheus scrape", event("get", "system:serviceaccount:monitoring:prometheus", "/metrics")],
  ["controller-manager watch", event("watch", "system:kube-controller-manager", "/api/v1/pods?watch=true", "pods")],
  ["scheduler list nodes", event("list", "system:kube-scheduler", "/api/v1/nodes", "nodes")],
  ["node get configmap", event("get", "system:node:ip-10-0-0-1", "/api/v1/namespaces/a/configmaps/b", "configmaps")],
  ["node get secret", event("get", "system:node:ip-10-0-0-1", "/api/v1/namespaces/a/secrets/b", "secrets")],
  ["service account lists secrets", event("list", "system:serviceaccount:default:app", "/api/v1/secrets", "secrets")],
  ["service account lists pods", event("list", "system:serviceaccount:default:app", "/api/v1/pods", "pods")],
  ["anonymous discovery", event("get", "system:anonymous", "/api")],
  ["admin exec", event("create", "kubernetes-admin", "/api/v1/namespaces/a/pods/p/exec", "pods")],
  ["controller-manager update", event("update", "system:kube-controller-manager", "/apis/apps/v1/deployments/x", "deployments")],
  ["user list pods", event("list", "alice", "/api/v1/pods", "pods")],
];

describe("audit log filter presets", () => {
  const keptBy = (p: AuditLogFilterPattern) => SAMPLES.filter(([, e]) => matches(p.pattern, e)).map(([name]) => name);
  const all = SAMPLES.map(([name]) => name);

  test("all: sends everything", () => {
    expect(AuditLogFilterPattern.ALL_EVENTS.pattern).toBe("");
    expect(keptBy(AuditLogFilterPattern.ALL_EVENTS)).toEqual(all);
  });

  test("drop-health-checks: the exact pattern and what it drops", () => {
    expect(AuditLogFilterPattern.DROP_HEALTH_CHECKS.pattern).toBe(
      '{ $.requestURI != "/livez*" && $.requestURI != "/readyz*" && $.requestURI != "/metrics*" }',
    );
    const dropped = all.filter((n) => !keptBy(AuditLogFilterPattern.DROP_HEALTH_CHECKS).includes(n));
    expect(dropped).toEqual(["kubelet readiness probe", "readiness check with query", "livez", "prometheus scrape"]);
  });

  test("drop-health-checks-and-system-reads: keeps service accounts, anonymous, secrets and all writes", () => {
    const pattern = AuditLogFilterPattern.DROP_HEALTH_CHECKS_AND_SYSTEM_READS;
    const dropped = all.filter((n) => !keptBy(pattern).includes(n));
    expect(dropped).toEqual([
      "kubelet readiness probe",
      "readiness check with query",
      "livez",
      "prometheus scrape",
      "controller-manager watch",
      "scheduler list nodes",
      "node get configmap",
    ]);
    expect(keptBy(pattern)).toEqual([
      "node get secret",
      "service account lists secrets",
      "service account lists pods",
      "anonymous discovery",
      "admin exec",
      "controller-manager update",
      "user list pods",
    ]);
  });

  test("every preset fits the 1,024-character limit and documents what it drops", () => {
    for (const preset of [
      AuditLogFilterPattern.ALL_EVENTS,
      AuditLogFilterPattern.DROP_HEALTH_CHECKS,
      AuditLogFilterPattern.DROP_HEALTH_CHECKS_AND_SYSTEM_READS,
    ]) {
      expect(preset.pattern.length).toBeLessThanOrEqual(FILTER_PATTERN_MAX_LENGTH);
      expect(preset.pattern).not.toContain("%");
    }
    expect(AuditLogFilterPattern.DROP_HEALTH_CHECKS_AND_SYSTEM_READS.pattern.length).toBe(310);
    expect(AuditLogFilterPattern.DROP_HEALTH_CHECKS.drops).toEqual([
      "requests whose requestURI starts with /livez, /readyz, /metrics (any user, any verb)",
    ]);
    expect(AuditLogFilterPattern.ALL_EVENTS.drops).toEqual([]);
  });

  test("fromName resolves config names, and custom patterns", () => {
    expect(AuditLogFilterPattern.NAMES).toEqual(["all", "drop-health-checks", "drop-health-checks-and-system-reads", "custom"]);
    expect(AuditLogFilterPattern.fromName("drop-health-checks")).toBe(AuditLogFilterPattern.DROP_HEALTH_CHECKS);
    const custom = AuditLogFilterPattern.fromName("custom", '{ $.verb != "watch" }');
    expect(custom.name).toBe("custom");
    expect(custom.pattern).toBe('{ $.verb != "watch" }');
    const out = synth({ filterPattern: custom });
    expect(only(out.resource.aws_cloudwatch_log_subscription_filter).filter_pattern).toBe('{ $.verb != "watch" }');
  });

  test("preset and custom-pattern errors", () => {
    expect(() => AuditLogFilterPattern.fromName("quiet")).toThrow(
      new Error(`audit log filter pattern: filter: received "quiet"; allowed: all, drop-health-checks, drop-health-checks-and-system-reads, custom`),
    );
    expect(() => AuditLogFilterPattern.fromName("custom")).toThrow(
      new Error(
        `audit log filter pattern: pattern: received nothing; allowed: a CloudWatch Logs filter pattern of at most 1024 characters (required when filter is custom)`,
      ),
    );
    expect(() => AuditLogFilterPattern.fromName("all", "x")).toThrow(
      new Error(`audit log filter pattern: pattern: received "x"; allowed: absent unless filter is custom`),
    );
    expect(() => AuditLogFilterPattern.custom(`{ ${'$.verb != "get" && '.repeat(60)}$.verb != "x" }`)).toThrow(
      new Error(`audit log filter pattern: received a pattern of 1157 characters; allowed: at most 1024 characters (PutSubscriptionFilter limit)`),
    );
    expect(() => AuditLogFilterPattern.custom('{ $.verb != "get"')).toThrow(
      new Error(
        `audit log filter pattern: received "{ $.verb != \\"get\\"" (it opens or closes a JSON pattern without the other brace); allowed: "{ <expression> }" or a non-JSON pattern`,
      ),
    );
  });
});
