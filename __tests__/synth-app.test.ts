/**
 * `runSynth` (stacks/synth-app.ts), the app called in-process as the hostile-input suites call it: exit codes, text
 * only through the writers it is given, and the previous output untouched by a failed run.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { runSynth } from "../stacks/synth-app";

const ROOT = path.join(__dirname, "..");

/** Runs the app in-process with this environment, collecting what it writes. */
function synth(env: NodeJS.ProcessEnv): { code: number; stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  const code = runSynth({ env, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe("runSynth in-process", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-app-"));
  cpSync(path.join(ROOT, "config"), path.join(dir, "config"), { recursive: true });
  const outdir = path.join(dir, "out");
  const config = path.join(dir, "config/eks-audit-siem.yaml");
  const realOut = jest.spyOn(process.stdout, "write");
  const realErr = jest.spyOn(process.stderr, "write");
  const good = synth({ EKS_AUDIT_SIEM_CONFIG: config, CDKTF_OUTDIR: outdir });
  const stack = readFileSync(path.join(outdir, "stacks/staging/cdk.tf.json"));
  writeFileSync(path.join(dir, "bad.yaml"), "environments: []\n");
  const bad = synth({ EKS_AUDIT_SIEM_CONFIG: path.join(dir, "bad.yaml"), CDKTF_OUTDIR: outdir });
  // Valid for the schema, refused by a construct: a built-in rule name that no Datadog rule can have.
  writeFileSync(
    path.join(dir, "construct.yaml"),
    readFileSync(config, "utf8").replace(
      /- name: "A new Kubernetes admission controller was created"\n\s*overlap: keep-pack[^\n]*/,
      '- name: "\u00e9"',
    ),
  );
  const refused = synth({ EKS_AUDIT_SIEM_CONFIG: path.join(dir, "construct.yaml"), CDKTF_OUTDIR: outdir });
  const realWrites = realOut.mock.calls.length + realErr.mock.calls.length;
  realOut.mockRestore();
  realErr.mockRestore();

  it("returns 0 and writes the summary to the given stdout", () => {
    expect(good).toEqual({ code: 0, stdout: `synthesized 2 stack(s) into ${outdir}/stacks: staging, production\n`, stderr: "" });
  });

  it("returns 1 with one paragraph on the given stderr for a bad config, and leaves the output as it was", () => {
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/^invalid config .*bad\.yaml: environments: received \[\]/);
    expect(bad.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(readFileSync(path.join(outdir, "stacks/staging/cdk.tf.json")).equals(stack)).toBe(true);
  });

  it("names the config file and the environment when a construct refuses a value, and leaves the output as it was", () => {
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^invalid config .*construct\.yaml: environment "production", built-in rule review .*rules\[1\]\.name: received "é"/,
    );
    expect(refused.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(readFileSync(path.join(outdir, "stacks/staging/cdk.tf.json")).equals(stack)).toBe(true);
  });

  it("writes nothing to the real stdout or stderr, and does not set the process's exit code", () => {
    expect(realWrites).toBe(0);
    expect(process.exitCode ?? 0).toBe(0);
  });
});
