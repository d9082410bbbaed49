/**
 * Readable Terraform addresses (lib/addresses): names built from what the construct was given, and an early,
 * named error when a construct used twice would give two resources the same address.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { terraformName } from "../lib/addresses";
import { DatadogForwarder, ForwarderApiKey } from "../modules/datadog-forwarder";
import { EksAuditLogging, EksClusterSource } from "../modules/eks-audit-logging";
import { thrownMessage } from "./helpers/assert";

const group = (cluster: string, region = "us-east-1") => ({
  clusterName: cluster,
  logGroupName: `/aws/eks/${cluster}/cluster`,
  logGroupArn: `arn:aws:logs:${region}:123456789012:log-group:/aws/eks/${cluster}/cluster`,
});

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), "s");
  new AwsProvider(s, "aws", { region: "us-east-1" });
  new DatadogProvider(s, "datadog", {});
  return s;
}

describe("terraformName", () => {
  it.each([
    [["cluster", "staging-apps"], "cluster_staging-apps"],
    [["audit_logs_stopped", "Prod B"], "audit_logs_stopped_Prod_B"],
    [["pod-exec-burst"], "pod-exec-burst"],
    [["1st-rule"], "_1st-rule"],
    [["datadog_forwarder", ""], "datadog_forwarder"],
  ])("%j -> %s", (parts, name) => {
    expect(terraformName(...parts)).toBe(name);
  });
});

describe("readableAddress in a user's own stack", () => {
  it("two forwarders in two regions and two clusters get distinct, readable addresses", () => {
    const s = stack();
    new DatadogForwarder(s, "east", {
      datadogSite: "datadoghq.com",
      environment: "p",
      region: "us-east-1",
      apiKey: ForwarderApiKey.fromSecretArn("arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf"),
      auditLogGroups: [group("a")],
    });
    new DatadogForwarder(s, "west", {
      datadogSite: "datadoghq.com",
      environment: "p",
      region: "us-west-2",
      apiKey: ForwarderApiKey.fromSecretArn("arn:aws:secretsmanager:us-west-2:123456789012:secret:k-AbCdEf"),
      auditLogGroups: [group("b", "us-west-2")],
    });
    new EksAuditLogging(s, "a", { clusterName: "a", cluster: EksClusterSource.existingCluster({ logGroupExists: true }) });
    new EksAuditLogging(s, "b", { clusterName: "b", cluster: EksClusterSource.existingCluster({ logGroupExists: true }) });
    const out = JSON.parse(Testing.synth(s));
    expect(Object.keys(out.resource.aws_cloudformation_stack)).toEqual(["datadog_forwarder_us-east-1", "datadog_forwarder_us-west-2"]);
    expect(Object.keys(out.resource.aws_cloudwatch_log_subscription_filter)).toEqual(["audit_logs_to_datadog_a", "audit_logs_to_datadog_b"]);
    expect(Object.keys(out.resource.aws_eks_cluster)).toEqual(["cluster_a", "cluster_b"]);
  });

  it("the same cluster name twice in one stack fails early, naming both constructs", () => {
    const s = stack();
    new EksAuditLogging(s, "first", { clusterName: "apps", cluster: EksClusterSource.existingCluster({ logGroupExists: true }) });
    expect(
      thrownMessage(
        () => new EksAuditLogging(s, "second", { clusterName: "apps", cluster: EksClusterSource.existingCluster({ logGroupExists: true }) }),
      ),
    ).toBe(
      "terraform address aws_cloudwatch_log_group.audit_log_group_apps of s/second/AuditLogGroup is already used by s/first/AuditLogGroup; allowed: distinct names per stack (give the second construct another cluster name, region, rule id or name)",
    );
  });

  it("two forwarders in the same region fail early", () => {
    const s = stack();
    const props = {
      datadogSite: "datadoghq.com",
      environment: "p",
      region: "us-east-1",
      apiKey: ForwarderApiKey.fromSecretArn("arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf"),
    };
    new DatadogForwarder(s, "one", { ...props, auditLogGroups: [group("a")] });
    expect(thrownMessage(() => new DatadogForwarder(s, "two", { ...props, auditLogGroups: [group("b")] }))).toMatch(
      /^terraform address aws_cloudformation_stack\.datadog_forwarder_us-east-1 of s\/two\/Stack is already used by s\/one\/Stack;/,
    );
  });
});
