/**
 * Environment stacks skip cdktf's cross-stack preparation, and a reference outside the stack still stops the synth.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { App, TerraformOutput, TerraformResource, TerraformStack, Testing } from "cdktf";
import { rmSync } from "fs";
import { validateConfig } from "../config/load";
import { danglingReferences } from "../lib/self-contained-stack";
import { EnvironmentStack } from "../stacks/environment-stack";
import { baseConfig } from "./helpers/config";

describe("danglingReferences", () => {
  const json = {
    resource: {
      aws_iam_role: { integration: { name: "r" } },
      aws_iam_role_policy_attachment: {
        a: {
          role: "${aws_iam_role.integration.name}",
          policy_arn: "${data.aws_iam_policy.audit.arn}",
          dynamic: { rule: { for_each: "${var.rules}", content: { id: "${rule.value.id}" } } },
        },
        b: { dynamic: { setting: { iterator: "s", for_each: "${var.settings}", content: { v: "${s.value}" } } } },
      },
    },
    data: { aws_iam_policy: { audit: { name: "SecurityAudit" } } },
    output: { arn: { value: "${aws_iam_role.integration.arn}" } },
  };

  it("accepts references to the stack's own resources, data sources and dynamic-block iterators", () => {
    expect(danglingReferences(json)).toEqual([]);
  });

  it("names every resource or data source the stack refers to but does not declare", () => {
    const other = {
      ...json,
      output: {
        a: { value: "${aws_s3_bucket.shared-logs.arn}" },
        b: { value: ["prefix-${data.aws_caller_identity.other.account_id}", "${aws_s3_bucket.shared-logs.id}"] },
      },
    };
    expect(danglingReferences(other)).toEqual(["aws_s3_bucket.shared-logs", "data.aws_caller_identity.other"]);
  });

  it("reads only interpolations: attribute chains, literals and plain strings are not references", () => {
    const strings = {
      output: {
        chain: { value: "${var.config.aws_region.name}" },
        literal: { value: "aws_s3_bucket.not_a_reference" },
        depends: { depends_on: ["aws_s3_bucket.listed_without_interpolation"] },
      },
    };
    expect(danglingReferences(strings)).toEqual([]);
  });
});

describe("EnvironmentStack", () => {
  const outdirs: string[] = [];
  afterAll(() => {
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
  });
  function environmentStack(): { app: App; stack: EnvironmentStack } {
    const app = Testing.app();
    outdirs.push(app.outdir);
    const environment = validateConfig(baseConfig(), "test").environments[0];
    return { app, stack: new EnvironmentStack(app, environment.name, { environment }) };
  }

  it("does not resolve its elements in a preparing pass (cdktf's prepareStack still does for other stacks)", () => {
    const { app, stack } = environmentStack();
    const control = new TerraformStack(app, "control");
    const group = new CloudwatchLogGroup(control, "g", { name: "g" });
    const calls: string[] = [];
    const own = stack.node.findAll().find((c): c is TerraformResource => TerraformResource.isTerraformResource(c))!;
    for (const element of [own, group]) {
      const toTerraform = element.toTerraform.bind(element);
      element.toTerraform = () => {
        calls.push(element.node.path);
        return toTerraform();
      };
    }
    stack.prepareStack();
    control.prepareStack();
    expect(calls).toEqual(["control/g"]);
  });

  it("stops the synth, naming the address, when something in it refers to another stack", () => {
    const { app, stack } = environmentStack();
    const other = new TerraformStack(app, "shared");
    const sharedLogs = new CloudwatchLogGroup(other, "logs", { name: "shared" });
    new TerraformOutput(stack, "shared-logs", { value: sharedLogs.arn });
    expect(() => app.synth()).toThrow(
      "stack staging: references: received aws_cloudwatch_log_group.logs (the stack does not declare them); allowed: references to the stack's own resources",
    );
  });
});
