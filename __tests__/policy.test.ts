import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudformationStack } from "@cdktf/provider-aws/lib/cloudformation-stack";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DatadogAwsIntegration } from "../modules/datadog-aws-integration";
import { DatadogForwarder, ForwarderApiKey } from "../modules/datadog-forwarder";
import {
  POLICY_RULE_IDS,
  PolicyRuleId,
  checkDatadogTrustExternalId,
  checkLogGroupRetention,
  checkNoDdApiKeyParameter,
  checkNoWildcardPrincipal,
  checkSynthesizedStack,
  scanDirectoryForSecrets,
  scanTextForSecrets,
  suppressPolicy,
} from "../lib/policy";
import { SiemStack } from "../lib/siem-stack";
import { thrownMessage as thrown } from "./helpers/assert";
import { problemText } from "../lib/problem";
import type { PolicyViolation } from "../lib/policy";

/** A finding as the rule id, its address and its one rendering (lib/problem.ts). */
const withText = (v: PolicyViolation) => ({ rule: v.rule, address: v.address, message: problemText(v) });

type Json = { [key: string]: any };

function synth(build: (scope: Construct) => void): Json {
  return JSON.parse(
    Testing.synthScope((scope) => {
      new AwsProvider(scope, "aws", { region: "us-east-1" });
      build(scope);
    }),
  );
}

const trust = (statement: Json): string => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

/** The whole ingestion path as the lead composes it: integration + one forwarder with a subscribed cluster. */
function ingestionStack(scope: Construct): void {
  new AwsProvider(scope, "aws", { region: "us-east-1" });
  new DatadogProvider(scope, "datadog", {});
  const apiKey = new TerraformVariable(scope, "datadog_api_key", { type: "string", sensitive: true });
  const forwarder = new DatadogForwarder(scope, "Forwarder", {
    datadogSite: "datadoghq.com",
    environment: "prod",
    region: "us-east-1",
    apiKey: ForwarderApiKey.fromSecretValue(apiKey.value),
    auditLogGroups: [
      {
        clusterName: "prod-a",
        logGroupName: "/aws/eks/prod-a/cluster",
        logGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/eks/prod-a/cluster",
      },
    ],
  });
  new DatadogAwsIntegration(scope, "Integration", {
    awsAccountId: "123456789012",
    datadogSite: "datadoghq.com",
    logsForwarderArns: [forwarder.forwarderArn],
  });
  new CloudwatchLogGroup(scope, "AuditLogGroup", { name: "/aws/eks/prod-a/cluster", retentionInDays: 90 });
}

describe("rule datadog-trust-external-id", () => {
  test("compliant: the construct's trust policy", () => {
    const out = synth((s) => {
      new DatadogProvider(s, "datadog", {});
      new DatadogAwsIntegration(s, "I", { awsAccountId: "123456789012", datadogSite: "datadoghq.eu" });
    });
    expect(checkDatadogTrustExternalId(out).map(withText)).toEqual([]);
  });

  test("non-compliant: Datadog's account without the external ID condition", () => {
    const out = synth((s) => {
      new IamRole(s, "dd", {
        name: "DatadogIntegrationRole",
        assumeRolePolicy: trust({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::464622532012:root" }, Action: "sts:AssumeRole" }),
      });
      new IamRole(s, "other", {
        name: "Other",
        assumeRolePolicy: trust({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }),
      });
    });
    expect(checkDatadogTrustExternalId(out).map(withText)).toEqual([
      {
        rule: "datadog-trust-external-id",
        address: "aws_iam_role.dd",
        message:
          "aws_iam_role.dd.assume_role_policy: received condition null (it lets arn:aws:iam::464622532012:root assume the role); allowed: a StringEquals sts:ExternalId condition with the integration's external ID",
      },
    ]);
  });

  test("non-compliant: an empty external ID, and a GovCloud principal", () => {
    const out = synth((s) => {
      new IamRole(s, "gov", {
        assumeRolePolicy: trust({
          Effect: "Allow",
          Principal: { AWS: "arn:aws-us-gov:iam::065115117704:root" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": "" } },
        }),
      });
    });
    expect(checkDatadogTrustExternalId(out).map((v) => v.address)).toEqual(["aws_iam_role.gov"]);
  });

  test("non-compliant: a trust policy that names Datadog but cannot be parsed", () => {
    const out = synth((s) => {
      new IamRole(s, "hcl", { assumeRolePolicy: '${jsonencode({"Principal":"arn:aws:iam::464622532012:root"})}' });
    });
    expect(problemText(checkDatadogTrustExternalId(out)[0])).toBe(
      "aws_iam_role.hcl.assume_role_policy: received a trust policy naming a Datadog account that is not a plain JSON policy document (its sts:ExternalId condition cannot be verified); allowed: a JSON document (as DatadogAwsIntegration writes it)",
    );
  });
});

describe("rule no-wildcard-principal", () => {
  test("non-compliant: trust, bucket policy, lambda permission and policy document with *", () => {
    const out = synth((s) => {
      new IamRole(s, "open", {
        assumeRolePolicy: trust({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
      });
      new S3BucketPolicy(s, "bucket", {
        bucket: "b",
        policy: trust({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }),
      });
      new LambdaPermission(s, "perm", { action: "lambda:InvokeFunction", functionName: "f", principal: "*" });
      new DataAwsIamPolicyDocument(s, "doc", {
        statement: [{ actions: ["s3:GetObject"], principals: [{ type: "AWS", identifiers: ["*"] }] }],
      });
    });
    expect(checkNoWildcardPrincipal(out).map((v) => [v.address, problemText(v)])).toEqual([
      [
        "aws_iam_role.open",
        'aws_iam_role.open.assume_role_policy.Statement[0].Principal: received {"AWS":"*"} (a "*" principal opens the resource to everyone); allowed: specific principals',
      ],
      ["aws_lambda_permission.perm", 'aws_lambda_permission.perm.principal: received "*"; allowed: a specific service or account principal'],
      [
        "aws_s3_bucket_policy.bucket",
        'aws_s3_bucket_policy.bucket.policy.Statement[0].Principal: received "*" (a "*" principal opens the resource to everyone); allowed: specific principals',
      ],
      [
        "data.aws_iam_policy_document.doc",
        'data.aws_iam_policy_document.doc.statement[0].principals.identifiers: received "*"; allowed: specific principals',
      ],
    ]);
  });

  test("compliant: a Deny statement for * (e.g. TLS-only bucket policy) and specific principals", () => {
    const out = synth((s) => {
      new S3BucketPolicy(s, "tls", {
        bucket: "b",
        policy: trust({
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: "arn:aws:s3:::b/*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      });
      new LambdaPermission(s, "perm", { action: "lambda:InvokeFunction", functionName: "f", principal: "logs.amazonaws.com" });
    });
    expect(checkNoWildcardPrincipal(out)).toEqual([]);
  });
});

describe("rule log-group-retention", () => {
  test("compliant and non-compliant log groups", () => {
    const out = synth((s) => {
      new CloudwatchLogGroup(s, "ok", { name: "/aws/eks/a/cluster", retentionInDays: 90 });
      new CloudwatchLogGroup(s, "forever", { name: "/aws/eks/b/cluster" });
      new CloudwatchLogGroup(s, "zero", { name: "/aws/eks/c/cluster", retentionInDays: 0 });
    });
    expect(checkLogGroupRetention(out).map(withText)).toEqual([
      {
        rule: "log-group-retention",
        address: "aws_cloudwatch_log_group.forever",
        message:
          "aws_cloudwatch_log_group.forever.retention_in_days: received null (absent or 0 keeps logs forever); allowed: a positive number of days",
      },
      {
        rule: "log-group-retention",
        address: "aws_cloudwatch_log_group.zero",
        message: "aws_cloudwatch_log_group.zero.retention_in_days: received 0 (absent or 0 keeps logs forever); allowed: a positive number of days",
      },
    ]);
  });
});

describe("rule no-dd-api-key-parameter", () => {
  test("a stack passing DdApiKey is flagged, DdApiKeySecretArn is not", () => {
    const out = synth((s) => {
      new CloudformationStack(s, "bad", { name: "bad", templateUrl: "https://x/y.yaml", parameters: { DdApiKey: "${var.k}" } });
      new CloudformationStack(s, "good", {
        name: "good",
        templateUrl: "https://x/y.yaml",
        parameters: { DdApiKeySecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:k" },
      });
    });
    expect(checkNoDdApiKeyParameter(out).map(withText)).toEqual([
      {
        rule: "no-dd-api-key-parameter",
        address: "aws_cloudformation_stack.bad",
        message:
          "aws_cloudformation_stack.bad.parameters.DdApiKey: received the API key as a template parameter (NoEcho: a perpetual diff, and the key in the state and plan); allowed: DdApiKeySecretArn pointing to a Secrets Manager secret",
      },
    ]);
  });
});

describe("the whole ingestion path", () => {
  test("passes every rule", () => {
    const out = JSON.parse(Testing.synthScope(ingestionStack));
    expect(Object.keys(out.resource)).toEqual(
      expect.arrayContaining(["aws_iam_role", "aws_cloudformation_stack", "aws_cloudwatch_log_subscription_filter"]),
    );
    expect(checkSynthesizedStack(out)).toEqual([]);
  });
});

describe("the policy rules as aspects of the base stack (SiemStack)", () => {
  /** One non-compliant element per rule; every other rule is satisfied by it. */
  const offenders: Record<PolicyRuleId, { build: (s: Construct) => Construct; finding: string }> = {
    "datadog-trust-external-id": {
      build: (s) =>
        new IamRole(s, "dd", {
          name: "DatadogIntegrationRole",
          assumeRolePolicy: trust({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::464622532012:root" }, Action: "sts:AssumeRole" }),
        }),
      finding:
        "[datadog-trust-external-id] aws_iam_role.dd.assume_role_policy: received condition null (it lets arn:aws:iam::464622532012:root assume the role); allowed: a StringEquals sts:ExternalId condition with the integration's external ID",
    },
    "no-wildcard-principal": {
      build: (s) => new LambdaPermission(s, "perm", { action: "lambda:InvokeFunction", functionName: "f", principal: "*" }),
      finding: '[no-wildcard-principal] aws_lambda_permission.perm.principal: received "*"; allowed: a specific service or account principal',
    },
    "log-group-retention": {
      build: (s) => new CloudwatchLogGroup(s, "forever", { name: "/aws/eks/b/cluster" }),
      finding:
        "[log-group-retention] aws_cloudwatch_log_group.forever.retention_in_days: received null (absent or 0 keeps logs forever); allowed: a positive number of days",
    },
    "no-dd-api-key-parameter": {
      build: (s) => new CloudformationStack(s, "fwd", { name: "fwd", templateUrl: "https://x/y.yaml", parameters: { DdApiKey: "k" } }),
      finding:
        "[no-dd-api-key-parameter] aws_cloudformation_stack.fwd.parameters.DdApiKey: received the API key as a template parameter (NoEcho: a perpetual diff, and the key in the state and plan); allowed: DdApiKeySecretArn pointing to a Secrets Manager secret",
    },
  };

  const stackWith = (rule: PolicyRuleId): { stack: SiemStack; element: Construct } => {
    const stack = new SiemStack(Testing.app(), "env-prod");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    return { stack, element: offenders[rule].build(stack) };
  };
  const errorsOn = (node: Construct): unknown[] => node.node.metadata.filter((m) => m.type === "@cdktf/error").map((m) => m.data);

  test("every rule has an offender here", () => {
    expect(Object.keys(offenders).sort()).toEqual([...POLICY_RULE_IDS].sort());
  });

  test.each([...POLICY_RULE_IDS])("%s fires: an error annotation on the element, and the synth stops with one paragraph", (rule) => {
    const { stack, element } = stackWith(rule);
    expect(() => Testing.synth(stack)).toThrow(`stack env-prod: ${offenders[rule].finding}`);
    expect(errorsOn(element)).toContain(offenders[rule].finding);
    // With validations (as app.synth() runs them): the same paragraph, once, however often the stack is synthesized.
    expect(thrown(() => Testing.synth(stack, true))).toBe(`stack env-prod: ${offenders[rule].finding}`);
  });

  test.each([...POLICY_RULE_IDS])("%s is suppressed for the element and what is under it, with a written reason", (rule) => {
    const { stack, element } = stackWith(rule);
    suppressPolicy(element, { rule, reason: "accepted by the platform team in ticket SEC-123" });
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(errorsOn(element)).toEqual([]);
  });

  test("a suppression on a scope covers its children; it suppresses only its own rule", () => {
    const { stack } = stackWith("log-group-retention");
    offenders["no-dd-api-key-parameter"].build(stack);
    suppressPolicy(stack, { rule: "log-group-retention", reason: "a sandbox stack whose logs are deleted with it" });
    expect(thrown(() => Testing.synth(stack))).toBe(`stack env-prod: ${offenders["no-dd-api-key-parameter"].finding}`);
  });

  test.each([...POLICY_RULE_IDS])("%s: a suppression without a written reason is refused at once", (rule) => {
    const { element } = stackWith(rule);
    for (const reason of ["", "   ", "n/a"]) {
      expect(thrown(() => suppressPolicy(element, { rule, reason }))).toBe(
        `policy suppression at ${element.node.path}: reason: received ${JSON.stringify(reason)}; allowed: a written reason of at least 10 characters: why ${element.node.path} may break the rule`,
      );
    }
    expect(errorsOn(element)).toEqual([]);
  });

  test("a suppression of a rule that does not exist is refused, naming the rules", () => {
    const { element } = stackWith("log-group-retention");
    expect(thrown(() => suppressPolicy(element, { rule: "log-group-retension", reason: "a sandbox stack whose logs are deleted with it" }))).toBe(
      `policy suppression at env-prod/forever: rule: received "log-group-retension"; allowed: one of ${POLICY_RULE_IDS.join(", ")}`,
    );
  });

  test("a stack-level override that breaks a rule is found too, and the element's suppression covers it", () => {
    const build = (): { stack: SiemStack; group: CloudwatchLogGroup } => {
      const stack = new SiemStack(Testing.app(), "env-prod");
      new AwsProvider(stack, "aws", { region: "us-east-1" });
      const group = new CloudwatchLogGroup(stack, "kept", { name: "/aws/eks/a/cluster", retentionInDays: 90 });
      stack.addOverride("resource.aws_cloudwatch_log_group.kept.retention_in_days", 0);
      return { stack, group };
    };
    expect(thrown(() => Testing.synth(build().stack))).toBe(
      "stack env-prod: [log-group-retention] aws_cloudwatch_log_group.kept.retention_in_days: received 0 (absent or 0 keeps logs forever); allowed: a positive number of days",
    );
    const { stack, group } = build();
    suppressPolicy(group, { rule: "log-group-retention", reason: "kept forever by the audit department's legal hold" });
    expect(() => Testing.synth(stack)).not.toThrow();
  });

  test("app.synth() stops with the same paragraph, not cdktf's annotation message, and writes no stack", () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "policy-app-")) });
    const stack = new SiemStack(app, "env-prod");
    ingestionStack(stack);
    offenders["log-group-retention"].build(stack);
    expect(thrown(() => app.synth())).toBe(`stack env-prod: ${offenders["log-group-retention"].finding}`);
    expect(fs.existsSync(path.join(app.outdir, "stacks", "env-prod", "cdk.tf.json"))).toBe(false);
    fs.rmSync(app.outdir, { recursive: true, force: true });
  });

  test("lets a compliant stack synthesize", () => {
    const stack = new SiemStack(Testing.app(), "env-prod");
    ingestionStack(stack);
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });
});

describe("API-key scanner", () => {
  const API_KEY = "0123456789abcdef0123456789abcdef";
  const APP_KEY = "0123456789abcdef0123456789abcdef01234567";

  test("finds API- and app-key-shaped strings, masked", () => {
    expect(scanTextForSecrets(`{"api_key": "${API_KEY}",\n"app_key": "${APP_KEY}"}`, "cdk.tf.json")).toEqual([
      { file: "cdk.tf.json", line: 1, kind: "datadog-api-key", excerpt: "0123************************cdef" },
      { file: "cdk.tf.json", line: 2, kind: "datadog-app-key", excerpt: "0123********************************4567" },
    ]);
  });

  test("ignores cdktf logical ids, longer hashes, git refs, upper case and allow-listed lines", () => {
    const text = [
      '"Forwarder_Stack_ACF77500": {}',
      '"DatadogIntegration_Role_09CEFC58": {}',
      `h1: zh:${"a".repeat(64)}`,
      `source = "git::https://example.com/m.git?ref=${"b".repeat(40)}"`,
      `"asset": "${API_KEY.toUpperCase()}"`,
      `"uuid": "01234567-89ab-cdef-0123-456789abcdef"`,
      `"known_test_fixture": "${API_KEY}"`,
    ].join("\n");
    expect(scanTextForSecrets(text, "x", { allow: [/known_test_fixture/] })).toEqual([]);
  });

  test("the synthesized output of the ingestion path holds no key, and a planted key is found", () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "policy-scan-")) });
    const stack = new TerraformStack(app, "env-prod");
    ingestionStack(stack);
    app.synth();
    expect(scanDirectoryForSecrets(app.outdir, fs)).toEqual([]);
    const stackDir = path.join(app.outdir, "stacks", "env-prod");
    expect(fs.readdirSync(stackDir)).toContain("cdk.tf.json");

    fs.writeFileSync(path.join(stackDir, "leak.auto.tfvars"), `x = 1\ndatadog_api_key = "${API_KEY}"\n`);
    fs.mkdirSync(path.join(stackDir, ".terraform"));
    fs.writeFileSync(path.join(stackDir, ".terraform", "ignored.txt"), API_KEY);
    expect(scanDirectoryForSecrets(app.outdir, fs)).toEqual([
      { file: "stacks/env-prod/leak.auto.tfvars", line: 2, kind: "datadog-api-key", excerpt: "0123************************cdef" },
    ]);
  });
});
