import { Testing } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import {
  DATADOG_INTEGRATION_CORE_ACTIONS,
  DATADOG_LOG_COLLECTION_ACTIONS,
  DATADOG_RESOURCE_COLLECTION_ACTIONS,
  DatadogAwsIntegration,
  DatadogAwsIntegrationProps,
  IAM_MANAGED_POLICY_MAX_CHARS,
  datadogIntegrationActions,
  iamPolicyCharacterCount,
  permissionsPolicyJson,
  datadogAwsIntegrationProblems,
  splitActionsIntoPolicies,
} from "../modules/datadog-aws-integration";
import { checkSynthesizedStack } from "../lib/policy";
import { Partition } from "../lib/aws";
import { only, thrownMessage } from "./helpers/assert";

type Json = { [key: string]: any };

const BASE: DatadogAwsIntegrationProps = { awsAccountId: "123456789012", datadogSite: "datadoghq.com" };

function synth(props: Partial<DatadogAwsIntegrationProps> = {}): Json {
  return JSON.parse(
    Testing.synthScope((scope: Construct) => {
      new AwsProvider(scope, "aws", { region: "us-east-1" });
      new DatadogProvider(scope, "datadog", {});
      new DatadogAwsIntegration(scope, "DatadogIntegration", { ...BASE, ...props });
    }),
  );
}

function errorOf(props: Partial<DatadogAwsIntegrationProps>): string {
  return thrownMessage(() => synth(props));
}

const WHERE = 'datadog aws integration "stack/DatadogIntegration"';

describe("DatadogAwsIntegration (defaults, US1)", () => {
  const out = synth({ logsForwarderArns: ["arn:aws:lambda:us-east-1:123456789012:function:datadog-forwarder"] });

  test("pins the Terraform addresses of the stateful resources", () => {
    expect(Object.keys(out.resource.aws_iam_role)).toEqual(["datadog_integration"]);
    expect(Object.keys(out.resource.datadog_integration_aws_account)).toEqual(["datadog_integration"]);
    expect(Object.keys(out.resource.datadog_integration_aws_external_id)).toEqual(["datadog_integration"]);
    expect(Object.keys(out.resource.aws_iam_policy)).toEqual([
      "datadog_integration_1",
      "datadog_integration_2",
      "datadog_integration_3",
      "datadog_integration_4",
      "datadog_integration_5",
    ]);
  });

  test("the role trusts Datadog's US1 account only with the external ID resource", () => {
    const role = only(out.resource.aws_iam_role);
    expect(role.name).toBe("DatadogIntegrationRole");
    expect(role.path).toBe("/");
    expect(role.permissions_boundary).toBeUndefined();
    expect(JSON.parse(role.assume_role_policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DatadogAWSIntegrationAssumeRole",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::464622532012:root" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: {
              "sts:ExternalId": "${datadog_integration_aws_external_id.datadog_integration.id}",
            },
          },
        },
      ],
    });
  });

  test("every managed policy stays within IAM's 6,144 characters, measured on the exact synthesized document", () => {
    const policies = Object.values<Json>(out.resource.aws_iam_policy);
    expect(policies.length).toBeGreaterThan(1);
    for (const policy of policies) {
      const text: string = policy.policy;
      // IAM counts every character except white space; the document has none, so its length is what IAM counts.
      expect(text).not.toMatch(/\s/);
      expect(iamPolicyCharacterCount(text)).toBe(text.length);
      expect(text.length).toBeLessThanOrEqual(IAM_MANAGED_POLICY_MAX_CHARS);
      // Re-formatting with white space does not change the count.
      expect(iamPolicyCharacterCount(JSON.stringify(JSON.parse(text), null, 2))).toBe(text.length);
    }
    expect(policies.map((p) => p.name)).toEqual([1, 2, 3, 4, 5].map((n) => `DatadogIntegrationRole-ManagedPolicy-${n}`));
  });

  test("the policies grant exactly the documented actions, each once, on every resource", () => {
    const documents = Object.values<Json>(out.resource.aws_iam_policy).map((p) => JSON.parse(p.policy));
    const granted = documents.flatMap((d) => {
      expect(d.Statement).toHaveLength(1);
      expect(d.Statement[0].Effect).toBe("Allow");
      expect(d.Statement[0].Resource).toBe("*");
      return d.Statement[0].Action as string[];
    });
    const expected = datadogIntegrationActions({ resourceCollection: true, logCollection: true });
    expect(granted).toEqual(expected);
    expect(new Set(granted).size).toBe(granted.length);
    for (const action of ["eks:DescribeCluster", "logs:PutSubscriptionFilter", "lambda:GetPolicy", "tag:GetResources"]) {
      expect(granted).toContain(action);
    }
  });

  test("attaches every policy and the partition's SecurityAudit to the role", () => {
    const attachments = Object.values<Json>(out.resource.aws_iam_role_policy_attachment);
    expect(attachments).toHaveLength(6);
    for (const a of attachments) expect(a.role).toBe("${aws_iam_role.datadog_integration.name}");
    expect(attachments.map((a) => a.policy_arn)).toEqual([
      "${aws_iam_policy.datadog_integration_1.arn}",
      "${aws_iam_policy.datadog_integration_2.arn}",
      "${aws_iam_policy.datadog_integration_3.arn}",
      "${aws_iam_policy.datadog_integration_4.arn}",
      "${aws_iam_policy.datadog_integration_5.arn}",
      "arn:aws:iam::aws:policy/SecurityAudit",
    ]);
  });

  test("the v2 integration has every block set explicitly", () => {
    const account = only(out.resource.datadog_integration_aws_account);
    expect(out.resource.datadog_integration_aws).toBeUndefined();
    expect(account).toEqual({
      account_tags: [],
      auth_config: {
        aws_auth_config_role: {
          external_id: "${datadog_integration_aws_external_id.datadog_integration.id}",
          role_name: "DatadogIntegrationRole",
        },
      },
      aws_account_id: "123456789012",
      aws_partition: "aws",
      aws_regions: { include_all: true },
      depends_on: expect.arrayContaining(["aws_iam_role.datadog_integration"]),
      logs_config: {
        lambda_forwarder: {
          lambdas: ["arn:aws:lambda:us-east-1:123456789012:function:datadog-forwarder"],
          sources: [],
        },
      },
      metrics_config: {
        automute_enabled: true,
        collect_cloudwatch_alarms: false,
        collect_custom_metrics: false,
        enabled: true,
        namespace_filters: { exclude_only: ["AWS/SQS", "AWS/ElasticMapReduce", "AWS/Usage"] },
      },
      resources_config: { cloud_security_posture_management_collection: false, extended_collection: true },
      traces_config: { xray_services: { include_only: [] } },
    });
    expect(account.depends_on).toHaveLength(7);
  });

  test("passes the policy checks and synthesizes deterministically", () => {
    expect(checkSynthesizedStack(out)).toEqual([]);
    expect(synth({ logsForwarderArns: ["arn:aws:lambda:us-east-1:123456789012:function:datadog-forwarder"] })).toEqual(out);
  });
});

describe("Datadog account per site and partition", () => {
  test.each([
    ["datadoghq.com", "aws", "arn:aws:iam::464622532012:root"],
    ["us3.datadoghq.com", "aws", "arn:aws:iam::464622532012:root"],
    ["us5.datadoghq.com", "aws", "arn:aws:iam::464622532012:root"],
    ["datadoghq.eu", "aws", "arn:aws:iam::464622532012:root"],
    ["ap1.datadoghq.com", "aws", "arn:aws:iam::417141415827:root"],
    ["ap2.datadoghq.com", "aws", "arn:aws:iam::412381753143:root"],
    ["uk1.datadoghq.com", "aws", "arn:aws:iam::117348461845:root"],
    ["ddog-gov.com", "aws", "arn:aws:iam::392588925713:root"],
    ["ddog-gov.com", "aws-us-gov", "arn:aws-us-gov:iam::065115117704:root"],
    ["us2.ddog-gov.com", "aws", "arn:aws:iam::382742775718:root"],
    ["us2.ddog-gov.com", "aws-us-gov", "arn:aws-us-gov:iam::486737091498:root"],
  ])("%s in partition %s trusts %s", (datadogSite, awsPartition, principal) => {
    const out = synth({ datadogSite, awsPartition: awsPartition as Partition });
    const trust = JSON.parse(only(out.resource.aws_iam_role).assume_role_policy);
    expect(trust.Statement[0].Principal).toEqual({ AWS: principal });
    expect(only(out.resource.datadog_integration_aws_account).aws_partition).toBe(awsPartition);
  });

  test("GovCloud (ddog-gov.com, aws-us-gov) uses partition-aware ARNs and GovCloud regions", () => {
    const out = synth({ datadogSite: "ddog-gov.com", awsPartition: "aws-us-gov", regions: ["us-gov-west-1", "us-gov-east-1"] });
    const attachments = Object.values<Json>(out.resource.aws_iam_role_policy_attachment);
    expect(attachments.map((a) => a.policy_arn)).toContain("arn:aws-us-gov:iam::aws:policy/SecurityAudit");
    expect(attachments.map((a) => a.policy_arn)).not.toContain("arn:aws:iam::aws:policy/SecurityAudit");
    const account = only(out.resource.datadog_integration_aws_account);
    expect(account.aws_regions).toEqual({ include_only: ["us-gov-west-1", "us-gov-east-1"] });
    expect(checkSynthesizedStack(out)).toEqual([]);
  });

  test("a commercial site in GovCloud is rejected", () => {
    expect(errorOf({ datadogSite: "datadoghq.com", awsPartition: "aws-us-gov" })).toBe(
      `${WHERE}: datadogSite: received "datadoghq.com" (site "datadoghq.com" does not serve awsPartition "aws-us-gov"); allowed: a site that serves partition aws-us-gov: ddog-gov.com, us2.ddog-gov.com`,
    );
  });

  test("the China partition is rejected", () => {
    expect(errorOf({ datadogSite: "datadoghq.com", awsPartition: "aws-cn" })).toBe(
      `${WHERE}: awsPartition: received "aws-cn" (site "datadoghq.com" does not serve awsPartition "aws-cn"); allowed: a partition Datadog documents an integration account for (aws or aws-us-gov)`,
    );
  });

  test("reports every problem at once (a partition's regions are not checked when the partition is unknown)", () => {
    expect(
      datadogAwsIntegrationProblems({
        ...BASE,
        awsPartition: "aws-iso" as Partition,
        awsAccountId: "12345",
        rolePath: "datadog",
        regions: ["us-east-1"],
      }),
    ).toEqual([
      { field: "awsPartition", received: '"aws-iso"', allowed: "aws, aws-us-gov, aws-cn" },
      { field: "awsAccountId", received: '"12345"', allowed: "12 digits" },
      { field: "rolePath", received: '"datadog"', allowed: 'an IAM path: "/" or one that starts and ends with "/", such as /datadog/' },
    ]);
    expect(datadogAwsIntegrationProblems(BASE)).toEqual([]);
  });

  test("an unknown site or partition is rejected", () => {
    expect(errorOf({ datadogSite: "app.datadoghq.com" })).toBe(
      `${WHERE}: datadogSite: received "app.datadoghq.com"; allowed: datadoghq.com, us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, uk1.datadoghq.com, ddog-gov.com, us2.ddog-gov.com`,
    );
    expect(errorOf({ awsPartition: "aws-iso" as Partition })).toBe(`${WHERE}: awsPartition: received "aws-iso"; allowed: aws, aws-us-gov, aws-cn`);
  });
});

describe("bring your own role or integration", () => {
  test("createRole false: no IAM resources, the integration names the existing role", () => {
    const out = synth({ createRole: false, roleName: "ExistingDatadogRole" });
    expect(out.resource.aws_iam_role).toBeUndefined();
    expect(out.resource.aws_iam_policy).toBeUndefined();
    expect(out.resource.aws_iam_role_policy_attachment).toBeUndefined();
    const account = only(out.resource.datadog_integration_aws_account);
    expect(account.auth_config.aws_auth_config_role).toEqual({
      external_id: "${datadog_integration_aws_external_id.datadog_integration.id}",
      role_name: "ExistingDatadogRole",
    });
    expect(account.depends_on).toBeUndefined();
  });

  test("createIntegration false: the role trusts the existing integration's external ID from the data source", () => {
    const out = synth({ createIntegration: false });
    expect(out.resource.datadog_integration_aws_account).toBeUndefined();
    expect(out.resource.datadog_integration_aws_external_id).toBeUndefined();
    expect(out.data.datadog_integration_aws_external_id).toEqual({
      datadog_integration: { aws_account_id: "123456789012" },
    });
    const trust = JSON.parse(only(out.resource.aws_iam_role).assume_role_policy);
    expect(trust.Statement[0].Condition.StringEquals["sts:ExternalId"]).toBe(
      "${data.datadog_integration_aws_external_id.datadog_integration.external_id}",
    );
    expect(checkSynthesizedStack(out)).toEqual([]);
  });

  test("createIntegration false with an explicit externalId: no data source", () => {
    const out = synth({ createIntegration: false, externalId: "0123abcd-ext" });
    expect(out.data).toBeUndefined();
    const trust = JSON.parse(only(out.resource.aws_iam_role).assume_role_policy);
    expect(trust.Statement[0].Condition.StringEquals["sts:ExternalId"]).toBe("0123abcd-ext");
  });
});

describe("options", () => {
  test("without extended collection only the core and log-collection actions are granted", () => {
    const out = synth({ resourcesExtendedCollection: false });
    const granted = Object.values<Json>(out.resource.aws_iam_policy).flatMap((p) => JSON.parse(p.policy).Statement[0].Action as string[]);
    expect(granted).toEqual(datadogIntegrationActions({ resourceCollection: false, logCollection: true }));
    expect(granted).not.toContain("bedrock:GetAgent");
    expect(Object.keys(out.resource.aws_iam_policy)).toHaveLength(1);
    expect(only(out.resource.datadog_integration_aws_account).resources_config).toEqual({
      cloud_security_posture_management_collection: false,
      extended_collection: false,
    });
  });

  test("log-collection permissions can be left out", () => {
    const out = synth({ resourcesExtendedCollection: false, logCollectionPermissions: false });
    const granted = JSON.parse(only(out.resource.aws_iam_policy).policy).Statement[0].Action as string[];
    expect(granted).not.toContain("lambda:GetPolicy");
    expect(granted).not.toContain("lambda:InvokeFunction");
    expect(granted).toContain("logs:PutSubscriptionFilter");
  });

  test("SecurityAudit can be switched off; path, boundary and tags reach the role", () => {
    const out = synth({
      attachSecurityAuditPolicy: false,
      rolePath: "/datadog/",
      rolePermissionsBoundaryArn: "arn:aws:iam::123456789012:policy/Boundary",
      tags: { team: "security" },
    });
    const policyArns = Object.values<Json>(out.resource.aws_iam_role_policy_attachment).map((a) => a.policy_arn);
    expect(policyArns.some((arn) => arn.endsWith(":policy/SecurityAudit"))).toBe(false);
    const role = only(out.resource.aws_iam_role);
    expect(role).toMatchObject({
      path: "/datadog/",
      permissions_boundary: "arn:aws:iam::123456789012:policy/Boundary",
      tags: { team: "security" },
    });
    for (const policy of Object.values<Json>(out.resource.aws_iam_policy)) {
      expect(policy.path).toBe("/datadog/");
    }
  });

  test("metrics, resources, traces and logs blocks follow the props", () => {
    const out = synth({
      accountTags: ["team:security"],
      logsSources: ["cloudtrail"],
      metricsEnabled: false,
      metricsAutomuteEnabled: false,
      metricsCollectCloudwatchAlarms: true,
      metricsCollectCustomMetrics: true,
      metricsIncludeOnlyNamespaces: ["AWS/EKS"],
      resourcesCspmCollection: true,
      tracesXrayIncludeAll: true,
      regions: ["eu-west-1"],
    });
    const account = only(out.resource.datadog_integration_aws_account);
    expect(account.account_tags).toEqual(["team:security"]);
    expect(account.logs_config).toEqual({ lambda_forwarder: { lambdas: [], sources: ["cloudtrail"] } });
    expect(account.metrics_config).toEqual({
      automute_enabled: false,
      collect_cloudwatch_alarms: true,
      collect_custom_metrics: true,
      enabled: false,
      namespace_filters: { include_only: ["AWS/EKS"] },
    });
    expect(account.resources_config).toEqual({
      cloud_security_posture_management_collection: true,
      extended_collection: true,
    });
    expect(account.traces_config).toEqual({ xray_services: { include_all: true } });
    expect(account.aws_regions).toEqual({ include_only: ["eu-west-1"] });
  });
});

describe("validation errors", () => {
  test.each<[Partial<DatadogAwsIntegrationProps>, string]>([
    [{ awsAccountId: "12345" }, `awsAccountId: received "12345"; allowed: 12 digits`],
    [{ roleName: "Datadog Role" }, `roleName: received "Datadog Role"; allowed: an IAM role name (1-64 letters, digits and +=,.@_-)`],
    [{ rolePath: "datadog" }, `rolePath: received "datadog"; allowed: an IAM path: "/" or one that starts and ends with "/", such as /datadog/`],
    [{ rolePermissionsBoundaryArn: "Boundary" }, `rolePermissionsBoundaryArn: received "Boundary"; allowed: an IAM policy ARN`],
    [{ regions: [] }, `regions: received []; allowed: omit it for all regions, or list at least one region`],
    [{ regions: ["us-gov-west-1"] }, `regions[0]: received "us-gov-west-1"; allowed: a region of partition aws`],
    [{ regions: ["us-east-1", "us-east-1"] }, `regions: received ["us-east-1","us-east-1"]; allowed: each region once`],
    [
      { logsForwarderArns: ["datadog-forwarder"] },
      `logsForwarderArns: received ["datadog-forwarder"]; allowed: Lambda function ARNs (e.g. a DatadogForwarder's forwarderArn)`,
    ],
    [
      { metricsExcludeOnlyNamespaces: ["AWS/SQS"], metricsIncludeOnlyNamespaces: ["AWS/EKS"] },
      `metricsIncludeOnlyNamespaces: received ["AWS/EKS"]; allowed: absent when metricsExcludeOnlyNamespaces is set (choose one)`,
    ],
    [
      { resourcesCspmCollection: true, resourcesExtendedCollection: false },
      `resourcesCspmCollection: received true; allowed: false when resourcesExtendedCollection is false (CSPM needs extended resource collection)`,
    ],
    [
      { tracesXrayIncludeAll: true, tracesXrayIncludeOnly: ["svc"] },
      `tracesXrayIncludeOnly: received ["svc"]; allowed: absent when tracesXrayIncludeAll is true (choose one)`,
    ],
    [
      { externalId: "abc" },
      `externalId: received "abc"; allowed: absent unless createIntegration is false and createRole is true (a new integration generates its own)`,
    ],
    [
      { createRole: false, rolePermissionsBoundaryArn: "arn:aws:iam::123456789012:policy/B" },
      `rolePermissionsBoundaryArn: received "arn:aws:iam::123456789012:policy/B"; allowed: absent when createRole is false (the boundary of a brought role is managed elsewhere)`,
    ],
    [
      { createRole: false, createIntegration: false },
      `createRole/createIntegration: received false and false; allowed: at least one true (nothing to create: remove the construct instead)`,
    ],
  ])("%j", (props, message) => {
    expect(errorOf(props)).toBe(`${WHERE}: ${message}`);
  });
});

describe("permission lists and the policy split", () => {
  test("every listed action is well-formed and the lists have no duplicates", () => {
    for (const list of [DATADOG_INTEGRATION_CORE_ACTIONS, DATADOG_LOG_COLLECTION_ACTIONS, DATADOG_RESOURCE_COLLECTION_ACTIONS]) {
      for (const action of list) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+\*?$/);
      expect(new Set(list).size).toBe(list.length);
    }
    // Pins the transcription of the cited source (104 base actions, managed policies 1-4).
    expect(DATADOG_INTEGRATION_CORE_ACTIONS).toHaveLength(104);
    expect(DATADOG_RESOURCE_COLLECTION_ACTIONS).toHaveLength(719);
  });

  test("the split is greedy, ordered and within the limit for any limit", () => {
    const actions = ["a:One", "b:Two", "c:Three", "d:Four", "e:Five"];
    const sid = (n: number) => `S${n}`;
    const limit = permissionsPolicyJson(["a:One", "b:Two"], "S1").length;
    const chunks = splitActionsIntoPolicies(actions, sid, limit);
    expect(chunks).toEqual([["a:One", "b:Two"], ["c:Three"], ["d:Four"], ["e:Five"]]);
    chunks.forEach((chunk, i) => expect(permissionsPolicyJson(chunk, sid(i + 1)).length).toBeLessThanOrEqual(limit));
    expect(splitActionsIntoPolicies(actions, sid)).toEqual([actions]);
  });

  test("an action that alone exceeds the limit is an error", () => {
    const limit = permissionsPolicyJson(["a:One"], "S").length;
    expect(() => splitActionsIntoPolicies(["a:One", "b:TooLongToFit"], () => "S", limit)).toThrow(
      new Error(`iam action "b:TooLongToFit" alone exceeds the policy size limit of ${limit} characters`),
    );
  });
});
