/** The code-composition example (examples/compose-in-code.ts) synthesizes and wires the chain like the config path. */
import { Testing } from "cdktf";
import { PlatformAuditStack } from "../examples/compose-in-code";
import { EKS_RULE_PACK } from "../modules/cloud-siem";

describe("examples/compose-in-code.ts", () => {
  const app = Testing.app();
  const stack = new PlatformAuditStack(app, "platform");
  const out = JSON.parse(Testing.synth(stack, true));

  it("adopts the existing cluster for logging only", () => {
    expect(out.resource.aws_eks_cluster.cluster_platform.enabled_cluster_log_types).toEqual(["audit", "authenticator"]);
    expect(out.resource.aws_eks_cluster.cluster_platform.lifecycle.prevent_destroy).toBe(true);
    expect(out.import).toEqual(expect.arrayContaining([{ id: "platform", to: "aws_eks_cluster.cluster_platform" }]));
  });

  it("subscribes the audit log group to the forwarder and lists the forwarder on the integration", () => {
    const filter: any = Object.values(out.resource.aws_cloudwatch_log_subscription_filter)[0];
    expect(filter.log_group_name).toBe("/aws/eks/platform/cluster");
    const stackName = Object.keys(out.resource.aws_cloudformation_stack)[0];
    expect(filter.destination_arn).toBe(`\${aws_cloudformation_stack.${stackName}.outputs["DatadogForwarderArn"]}`);
    const account: any = Object.values(out.resource.datadog_integration_aws_account)[0];
    expect(account.logs_config.lambda_forwarder.lambdas).toEqual([filter.destination_arn]);
  });

  it("deploys the tuned pack and the Log Explorer views", () => {
    expect(Object.keys(out.resource.datadog_security_monitoring_rule)).toHaveLength(EKS_RULE_PACK.length);
    const burst = Object.values<any>(out.resource.datadog_security_monitoring_rule).find((r) => r.name === "EKS: user exec into pods many times");
    expect(burst.case[0].condition).toBe("execs > 20");
    expect(burst.options.evaluation_window).toBe(900);
    expect(Object.keys(out.resource.datadog_monitor)).toHaveLength(1);
    expect(out.output).toHaveProperty("log_explorer_url_platform");
  });
});
