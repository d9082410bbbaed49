/**
 * Every string from a config reaches Terraform as literal text (lib/literal-text.ts), and the synth-time invariant
 * (`foreignTemplates`) stops a stack holding a template sequence no construct wrote.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformOutput, Testing } from "cdktf";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { validateConfig } from "../config/load";
import { AppConfig } from "../config/schema";
import { terraformExpression } from "../lib/literal-text";
import { SiemStack } from "../lib/siem-stack";
import { foreignTemplates } from "../lib/self-contained-stack";
import { escapeTemplateSequences, hclLiteral, templateParts } from "../lib/terraform-template";
import { EnvironmentStack } from "../stacks/environment-stack";
import { only, thrownMessage } from "./helpers/assert";
import { baseConfig } from "./helpers/config";
import { escapedMarker, hostileConfig, schemaPathOf, templateCapableFields } from "./helpers/hostile-config";

/** The fields the issue measured as live templates; each must reach the output, escaped. */
const MEASURED = [
  "environments[].backend.path",
  "environments[].cloudSiem.builtInRules.rules[].name",
  "environments[].cloudSiem.exclusionQuery",
  "environments[].cloudSiem.rules.*.exclusionQuery",
  "environments[].cloudSiem.securityNotificationRules[].name",
  "environments[].cloudSiem.securityNotificationRules[].query",
  "environments[].cloudSiem.suppressions[].dataExclusionQuery",
  "environments[].cloudSiem.suppressions[].description",
  "environments[].cloudSiem.suppressions[].name",
  "environments[].cloudSiem.suppressions[].suppressionQuery",
  "environments[].datadog.forwarder.subscription.pattern",
  "environments[].logExplorer.index.exclusionFilters[].name",
  "environments[].logExplorer.index.exclusionFilters[].query",
];

const WORK = mkdtempSync(path.join(os.tmpdir(), "literal-text-"));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

/** Synthesizes every environment of a config; the cdk.tf.json text of each, by environment name. */
function synthAll(config: AppConfig): Map<string, string> {
  const app = new App({ outdir: mkdtempSync(path.join(WORK, "synth-")) });
  for (const env of config.environments) new EnvironmentStack(app, env.name, { environment: env });
  app.synth();
  return new Map(config.environments.map((e) => [e.name, readFileSync(path.join(app.outdir, "stacks", e.name, "cdk.tf.json"), "utf8")]));
}

const count = (text: string, part: string): number => text.split(part).length - 1;

describe("a config whose every string field holds template syntax", () => {
  const hostile = hostileConfig();
  const config = validateConfig(hostile.config, "hostile.json");
  const outputs = synthAll(config);
  const envOf = (configPath: string): string => config.environments[Number(/^environments\[(\d+)\]/.exec(configPath)![1])].name;

  it("covers every schema field that can hold template syntax (add a new one to __tests__/helpers/hostile-config.ts)", () => {
    const present = new Set(hostile.fields.map(schemaPathOf));
    expect(templateCapableFields().filter((f) => !present.has(f))).toEqual([]);
  });

  it("injects template syntax into every field the issue measured, and the config still validates", () => {
    const injected = new Set([...hostile.injected.keys()].map(schemaPathOf));
    expect(MEASURED.filter((f) => !injected.has(f))).toEqual([]);
    expect(hostile.injected.size).toBeGreaterThanOrEqual(MEASURED.length);
  });

  it("refuses template syntax where validation never accepts it with one paragraph naming the environment and field", () => {
    const capable = new Set(templateCapableFields());
    const refused = [...hostile.refused].filter(([p]) => capable.has(schemaPathOf(p)));
    expect(refused.length).toBeGreaterThan(0);
    for (const [field, value] of refused) {
      const copy = structuredClone(hostile.config) as { environments: Array<Record<string, unknown>> };
      const keys = field.replace(/\[(\d+)\]/g, ".$1").split(".");
      const holder = keys.slice(0, -1).reduce<any>((o, k) => o[k], copy);
      holder[keys[keys.length - 1]] = value;
      const message = thrownMessage(() => validateConfig(copy, "hostile.json"));
      expect(message).toMatch(new RegExp(`^invalid config hostile\\.json: environment "[a-z-]+", ${field.replace(/[[\].]/g, "\\$&")}: received `));
      expect(message).not.toContain("\n");
    }
  });

  it("synthesizes; every template sequence left is one the constructs wrote (the invariant)", () => {
    for (const [name, text] of outputs) expect([name, foreignTemplates(JSON.parse(text) as Record<string, unknown>)]).toEqual([name, []]);
  });

  it("writes each measured field's text literally: escaped ($${, %%{) in cdk.tf.json, never live", () => {
    const missing = [...hostile.injected]
      .filter(([p]) => MEASURED.includes(schemaPathOf(p)))
      .filter(([p, i]) => !outputs.get(envOf(p))!.includes(escapedMarker(i)))
      .map(([p]) => p);
    expect(missing).toEqual([]);
    for (const text of outputs.values()) {
      // Every occurrence of the injected templates is an escaped one.
      expect(count(text, "{trimspace(file(")).toBe(count(text, "$${trimspace(file("));
      expect(count(text, "{ if true }f")).toBe(count(text, "%%{ if true }f"));
    }
    expect(count(outputs.get("production")!, "$${trimspace(file(")).toBeGreaterThan(10);
  });

  it("writes the same literal text in the HCL output (cdktf synth --hcl)", () => {
    const app = Testing.app();
    const environment = config.environments[1];
    const stack = new EnvironmentStack(app, environment.name, { environment });
    const hcl = stack.toHclTerraform().hcl;
    rmSync(app.outdir, { recursive: true, force: true });
    const [pattern, i] = [...hostile.injected].find(([p]) => p.endsWith("subscription.pattern"))!;
    expect(pattern).toBe("environments[1].datadog.forwarder.subscription.pattern");
    expect(hcl).toContain(escapedMarker(i));
    expect(count(hcl, "{trimspace(file(")).toBe(count(hcl, "$${trimspace(file("));
  });
});

it("refuses cdktf's token marker text in any config string (it would become a reference, not text)", () => {
  const config = baseConfig();
  config.environments[0].cloudSiem = { suppressions: [{ name: "${TfToken[TOKEN.1]}", ruleIds: ["pod-attach"], suppressionQuery: "@usr.name:ci" }] };
  expect(thrownMessage(() => validateConfig(config, "c.json"))).toBe(
    'invalid config c.json: environment "staging", environments[0].cloudSiem.suppressions[0].name: received "${TfToken[TOKEN.1]}"; allowed: a string, 1 to 200 characters, without cdktf\'s token marker ${TfToken[...]} (cdktf would replace it with a value of its own)',
  );
});

describe("the invariant (foreignTemplates)", () => {
  const json = {
    variable: { datadog_api_key: { type: "string" } },
    data: { aws_iam_policy: { audit: { name: "SecurityAudit" } } },
    resource: {
      aws_iam_role: { r: { name: "r", description: '$${file("/etc/hostname")} %%{ if true }' } },
      x_rule: { a: { dynamic: { case: { for_each: "${sort(data.aws_iam_policy.audit.rules[*].name)}", content: { s: "${case.value.s}" } } } } },
    },
    output: { arn: { value: "${aws_iam_role.r.arn}", description: "${var.datadog_api_key}" }, "//": { c: "${file(x)}" } },
  };

  it("accepts escaped text, references to the stack's own objects, its iterators and the constructs' functions", () => {
    expect(foreignTemplates(json)).toEqual([]);
  });

  it.each([
    [
      '${trimspace(file("/etc/hostname"))}',
      "a call of trimspace(), a function no construct writes; a call of file(), a function no construct writes",
    ],
    ["${var.undeclared}", "var.undeclared, a variable the stack does not declare"],
    ["${local.x}", "local.x, a local value the stack does not declare"],
    ["${aws_s3_bucket.other.arn}", "aws_s3_bucket.other, which the stack does not declare"],
    ["${path.cwd}", "path, which is not a resource, data source, variable or local value of the stack"],
    ['${lookup({"a": "${var.datadog_api_key}"}, "a", "")}', 'a template sequence inside the string literal "${var.datadog_api_key}"'],
    ["%{ if true }x%{ endif }", "a template directive"],
    ["${aws_iam_role.r.arn", "an interpolation without its closing brace"],
  ])("refuses %s, naming the JSON path", (sequence, why) => {
    const found = foreignTemplates({
      ...json,
      locals: {},
      resource: { ...json.resource, aws_sns_topic: { t: { "display name": `x ${sequence}` } } },
    });
    expect(found[0]).toEqual({ path: 'resource.aws_sns_topic.t["display name"]', sequence: found[0].sequence, why });
    expect(sequence.startsWith(found[0].sequence)).toBe(true);
  });
});

describe("the escaping", () => {
  it("escapes ${ and %{ only, and reads back as the same text", () => {
    const text = "a ${b} %{ c } $${d} $ % {e} ${TfToken[TOKEN.1]}";
    expect(escapeTemplateSequences(text)).toBe("a $${b} %%{ c } $$${d} $ % {e} $${TfToken[TOKEN.1]}");
    expect(templateParts(escapeTemplateSequences(text))).toEqual([{ literal: text }]);
    expect(hclLiteral({ k: "x${y}\b\f\\b" })).toBe('{"k":"x$${y}\\u0008\\u000c\\\\b"}');
  });

  it("an expression the construct means is a token: kept, and its text inside escaped", () => {
    const app = Testing.app();
    const environment = validateConfig(baseConfig(), "test").environments[0];
    const stack = new EnvironmentStack(app, environment.name, { environment });
    new TerraformOutput(stack, "meant", { value: terraformExpression(`lookup({"k" = ${hclLiteral("${var.datadog_api_key}")}}, "k", "")`) });
    new TerraformOutput(stack, "text", { value: "${var.datadog_api_key}" });
    const json = JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string }> };
    rmSync(app.outdir, { recursive: true, force: true });
    expect(json.output.meant.value).toBe('${lookup({"k" = "$${var.datadog_api_key}"}, "k", "")}');
    expect(json.output.text.value).toBe("$${var.datadog_api_key}");
  });

  it("works in a library user's own stack on the base stack, HCL before or after JSON: both hold the same literal text", () => {
    for (const order of ["json-first", "hcl-first"]) {
      const app = Testing.app();
      const stack = new SiemStack(app, `own-${order}`);
      new AwsProvider(stack, "aws", { region: "us-east-1" });
      const group = new CloudwatchLogGroup(stack, "g", { name: '/x/${file("/etc/hostname")}/%{ if true }y%{ endif }', retentionInDays: 30 });
      new TerraformOutput(stack, "arn", { value: group.arn });
      const early = order === "hcl-first" ? stack.toHclTerraform().hcl : undefined;
      const json = JSON.parse(Testing.synth(stack)) as {
        resource: { aws_cloudwatch_log_group: Record<string, { name: string }> };
        output: { arn: { value: string } };
      };
      const hcl = stack.toHclTerraform().hcl;
      rmSync(app.outdir, { recursive: true, force: true });
      expect(only(json.resource.aws_cloudwatch_log_group).name).toBe('/x/$${file("/etc/hostname")}/%%{ if true }y%%{ endif }');
      expect(json.output.arn.value).toBe("${aws_cloudwatch_log_group.g.arn}");
      expect(hcl).toContain('name = "/x/$${file(\\"/etc/hostname\\")}/%%{ if true }y%%{ endif }"');
      expect(hcl).toContain('value = "${aws_cloudwatch_log_group.g.arn}"');
      // Each rendering leaves the elements as they were: the same HCL however often and in whatever order.
      if (early !== undefined) expect(early).toBe(hcl);
    }
  });

  it("control: a template that bypasses the escaping (a raw stack-level override) stops the synth, naming stack and path", () => {
    const app = Testing.app();
    const environment = validateConfig(baseConfig(), "test").environments[0];
    const stack = new EnvironmentStack(app, environment.name, { environment });
    stack.addOverride("output.leak.value", '${trimspace(file("/etc/hostname"))}');
    expect(() => Testing.synth(stack)).toThrow(
      'stack staging: output.leak.value: received "${trimspace(file(\\"/etc/hostname\\"))}" (a call of trimspace(), a function no construct writes; a call of file(), a function no construct writes: a template sequence no construct wrote); allowed: literal text',
    );
    rmSync(app.outdir, { recursive: true, force: true });
  });
});
