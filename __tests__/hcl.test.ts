/**
 * lib/hcl: HCL string escaping, JSON documents as jsonencode() of HCL objects, and the one-line refusal for what
 * cdktf's HCL renderer would drop. (The terraform tier parses and validates the real HCL: terraform-hcl.test.ts.)
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { App, TerraformVariable } from "cdktf";
import { mkdtempSync, readFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { hclExpression, quotedTemplate, templateParts } from "../lib/hcl";
import { SiemStack } from "../lib/siem-stack";
import { thrownMessage } from "./helpers/assert";

describe("string escaping", () => {
  it("escapes backslashes and quotes of literal text, keeps references", () => {
    expect(quotedTemplate("@usr.name:system\\:*")).toBe("@usr.name:system\\\\:*");
    expect(quotedTemplate('{"a":"${aws_iam_role.r.arn}"}')).toBe('{\\"a\\":\\"${aws_iam_role.r.arn}\\"}');
    expect(quotedTemplate('${lookup({"a":[]}, x, [])}')).toBe('${lookup({"a":[]}, x, [])}');
  });

  it("leaves multi-line strings (heredocs take backslashes literally) alone", () => {
    expect(quotedTemplate('line 1\n"line" \\2')).toBe('line 1\n"line" \\2');
  });

  it("splits templates with nested braces and quoted braces", () => {
    expect(templateParts('a${f({"}": 1})}b')).toEqual([
      { literal: "a" },
      { start: "${", expression: 'f({"}": 1})', terminated: true },
      { literal: "b" },
    ]);
  });

  it("keeps escaped template text literal: $${ and %%{ are text, in quoted strings and in JSON documents", () => {
    expect(templateParts("a$${x}%%{y}$$${z}")).toEqual([{ literal: "a${x}%{y}$${z}" }]);
    expect(quotedTemplate('"$${file(\\"/etc/hostname\\")}" ${aws_iam_role.r.arn}')).toBe(
      '\\"$${file(\\\\\\"/etc/hostname\\\\\\")}\\" ${aws_iam_role.r.arn}',
    );
    expect(hclExpression({ a: "x $${var.k} %%{ if true } ${aws_iam_role.r.arn}" })).toBe(
      '{\n  "a" = join("", ["x $${var.k} %%{ if true } ", aws_iam_role.r.arn])\n}',
    );
  });
});

describe("JSON documents as HCL expressions", () => {
  it("renders objects on several lines, references as expressions, never a ${ template", () => {
    const expr = hclExpression({
      Version: "2012-10-17",
      Statement: [{ Resource: "arn:aws:s3:::${aws_s3_bucket.b.id}/*", Principal: "${aws_iam_role.r.arn}" }],
    });
    expect(expr).toBe(
      [
        "{",
        '  "Version" = "2012-10-17"',
        '  "Statement" = [',
        "    {",
        '      "Resource" = join("", ["arn:aws:s3:::", aws_s3_bucket.b.id, "/*"])',
        '      "Principal" = aws_iam_role.r.arn',
        "    },",
        "  ]",
        "}",
      ].join("\n"),
    );
    expect(expr).not.toContain("${");
  });
});

describe("the base stack's HCL output (SiemStack.toHclTerraform)", () => {
  function hclOf(build: (s: SiemStack) => void): string {
    const outdir = mkdtempSync(path.join(os.tmpdir(), "hcl-unit-"));
    process.env.SYNTH_HCL_OUTPUT = "true";
    try {
      const app = new App({ outdir, hclOutput: true });
      const s = new SiemStack(app, "s");
      new AwsProvider(s, "aws", { region: "us-east-1" });
      build(s);
      app.synth();
    } finally {
      delete process.env.SYNTH_HCL_OUTPUT;
    }
    return readFileSync(path.join(outdir, "stacks/s/cdk.tf"), "utf8");
  }

  it("writes a JSON policy as jsonencode() and the terraform block's attributes by name", () => {
    const hcl = hclOf((s) => {
      new IamRole(s, "r", { name: "r", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) });
      new TerraformVariable(s, "k", { type: "string" }).addOverride("ephemeral", true);
    });
    expect(hcl).toContain('assume_role_policy = jsonencode({\n  "Version" = "2012-10-17"\n  "Statement" = []\n})');
    // The stack's floor (ephemeral variables: Terraform >= 1.10), written by name.
    expect(hcl).toContain('required_version = ">= 1.10"');
    expect(hcl).not.toMatch(/^\s*0 = "required_version"$/m);
  });

  it("refuses a stack-level override cdktf's HCL renderer would drop, in one line naming it and the JSON alternative", () => {
    expect(
      thrownMessage(() =>
        hclOf((s) => {
          s.addOverride("locals.x", 1);
        }),
      ),
    ).toBe(
      'cdktf synth --hcl cannot render the stack-level override "locals" of stack s (cdktf 0.21 drops it); use the JSON output instead: cdktf synth (or npm run synth) without --hcl',
    );
  });
});
