/**
 * lib/siem-stack.ts: the base stack renders each element once per output (the policy aspects read that same
 * resolution) and leaves the elements as they were.
 */
import { rmSync } from "fs";
import { App, Aspects, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LogGroupRetention } from "../lib/policy";
import { SiemStack } from "../lib/siem-stack";

/** Counts the calls of an element's two renderings (an own property, as a user's code might set one). */
function counted(group: CloudwatchLogGroup): { json: number; hcl: number; toTerraform: () => unknown } {
  const counts = { json: 0, hcl: 0, toTerraform: (): unknown => undefined };
  const json = group.toTerraform.bind(group);
  const hcl = group.toHclTerraform.bind(group);
  counts.toTerraform = () => {
    counts.json++;
    return json() as unknown;
  };
  group.toTerraform = counts.toTerraform;
  group.toHclTerraform = () => {
    counts.hcl++;
    return hcl() as unknown;
  };
  return counts;
}

const apps: App[] = [];
function app(): App {
  const a = Testing.app();
  apps.push(a);
  return a;
}
afterAll(() => {
  for (const a of apps) rmSync(a.outdir, { recursive: true, force: true });
});

describe("SiemStack", () => {
  it("renders each element once per synth, the policy aspects included, and once more for HCL", () => {
    const stack = new SiemStack(app(), "s");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const counts = counted(new CloudwatchLogGroup(stack, "g", { name: "g", retentionInDays: 30 }));
    Testing.synth(stack, true);
    expect([counts.json, counts.hcl]).toEqual([1, 0]);
    stack.toHclTerraform();
    expect([counts.json, counts.hcl]).toEqual([2, 1]);
  });

  it("leaves each element's own rendering as it was after every synth", () => {
    const stack = new SiemStack(app(), "s");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const group = new CloudwatchLogGroup(stack, "g", { name: "${x}", retentionInDays: 30 });
    const plain = new CloudwatchLogGroup(stack, "p", { name: "p", retentionInDays: 30 });
    const counts = counted(group);
    Testing.synth(stack);
    stack.toHclTerraform();
    expect(Object.getOwnPropertyDescriptor(group, "toTerraform")?.value).toBe(counts.toTerraform);
    expect(Object.prototype.hasOwnProperty.call(plain, "toTerraform")).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(plain, "toHclTerraform")).toBe(false);
    // Outside the stack's rendering the element writes its own (unescaped) text.
    expect(JSON.stringify(group.toTerraform())).toContain('"name":"${x}"');
  });

  it("a policy rule added to another stack checks the element at once (no base stack to read from)", () => {
    const stack = new TerraformStack(app(), "plain");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const group = new CloudwatchLogGroup(stack, "forever", { name: "g" });
    Aspects.of(stack).add(new LogGroupRetention());
    Testing.synth(stack);
    expect(group.node.metadata.filter((m) => m.type === "@cdktf/error").map((m) => m.data)).toEqual([
      "[log-group-retention] aws_cloudwatch_log_group.forever.retention_in_days: received null (absent or 0 keeps logs forever); allowed: a positive number of days",
    ]);
  });
});
