/**
 * The app as users run it: `node scripts/run-ts.js main.ts` (what `npm run synth` and `cdktf synth` execute), in a
 * project folder of its own, with no `terraform` on the PATH. Checks determinism across folders, no absolute paths
 * or secrets, the bad-config path, and that a re-synth keeps each stack's `.terraform/` and lock file.
 */
import { spawn, spawnSync } from "child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "fs";
import * as fs from "fs";
import * as os from "os";
import { scanDirectoryForSecrets } from "../lib/policy";
import * as path from "path";
import { parse as parseYaml } from "yaml";

const ROOT = path.join(__dirname, "..");
const RUN_TS = path.join(ROOT, "scripts", "run-ts.js");
const MAIN = path.join(ROOT, "main.ts");
/** A PATH holding node and nothing else: synth must not need terraform (or any other program). */
const NODE_ONLY_PATH = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-path-"));
fs.symlinkSync(process.execPath, path.join(NODE_ONLY_PATH, "node"));

function appEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, ...env, CHECKPOINT_DISABLE: "1", PATH: NODE_ONLY_PATH };
  delete fullEnv.CDKTF_OUTDIR;
  delete fullEnv.EKS_AUDIT_SIEM_CONFIG;
  delete fullEnv.EKS_AUDIT_SIEM_SYNTH_WAIT;
  return Object.assign(fullEnv, env);
}

function run(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [RUN_TS, MAIN], { cwd, encoding: "utf8", env: appEnv(env) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the app as a process of its own (for two at once); resolves when it exits. */
function start(
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  onStderr: (soFar: string) => void = () => undefined,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [RUN_TS, MAIN], { cwd, env: appEnv(env) });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    onStderr(stderr);
  });
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

const created: string[] = [NODE_ONLY_PATH];
afterAll(() => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh project folder holding only the config folder, at a path of its own. */
function projectCopy(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  cpSync(path.join(ROOT, "config"), path.join(dir, "config"), { recursive: true });
  return dir;
}

function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(path.relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe("synth: deterministic, relocatable output", () => {
  const a = projectCopy("eks-audit-siem-a-");
  const b = projectCopy("eks-audit-siem-second-folder-");
  const ra = run(a);
  const rb = run(b);

  it("finds no terraform on the PATH it gives the app (so the runs below prove synth needs none)", () => {
    const probe = spawnSync("terraform", ["version"], { env: { PATH: NODE_ONLY_PATH } });
    const code = probe.error !== undefined && "code" in probe.error ? probe.error.code : undefined;
    expect(code).toBe("ENOENT");
  });

  it("synthesizes every stack without credentials and without terraform", () => {
    expect(ra.status).toBe(0);
    expect(rb.status).toBe(0);
    expect(ra.stdout).toContain("synthesized 2 stack(s) into cdktf.out/stacks: staging, production");
    expect(existsSync(path.join(a, "cdktf.out/stacks/staging/cdk.tf.json"))).toBe(true);
    expect(existsSync(path.join(a, "cdktf.out/stacks/production/cdk.tf.json"))).toBe(true);
  });

  it("gives byte-identical files in two different folders", () => {
    const fa = filesUnder(path.join(a, "cdktf.out"));
    const fb = filesUnder(path.join(b, "cdktf.out"));
    expect([...fa.keys()]).toEqual([...fb.keys()]);
    expect(fa.size).toBeGreaterThanOrEqual(3);
    for (const [name, content] of fa) expect(content.equals(fb.get(name)!)).toBe(true);
  });

  it("gives the same bytes when run twice in one folder", () => {
    const before = filesUnder(path.join(a, "cdktf.out"));
    expect(run(a).status).toBe(0);
    const after = filesUnder(path.join(a, "cdktf.out"));
    for (const [name, content] of before) expect(content.equals(after.get(name)!)).toBe(true);
  });

  it("writes no API-key-shaped string into any synthesized file", () => {
    expect(scanDirectoryForSecrets(path.join(a, "cdktf.out"), fs)).toEqual([]);
    // The scanner does fire on a key-shaped string (control).
    const copy = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-leak-"));
    created.push(copy);
    writeFileSync(path.join(copy, "cdk.tf.json"), JSON.stringify({ variable: { k: { default: "0123456789abcdef0123456789abcdef" } } }));
    expect(scanDirectoryForSecrets(copy, fs)).toHaveLength(1);
  });

  it("writes no absolute path, home folder or timestamp", () => {
    for (const [name, content] of filesUnder(path.join(a, "cdktf.out"))) {
      const text = content.toString("utf8");
      expect({ name, hit: text.includes(a) || text.includes(ROOT) || text.includes(os.homedir() + "/") || text.includes(os.tmpdir()) }).toEqual({
        name,
        hit: false,
      });
      // Dates the config sets (e.g. a suppression's expiry) are fine; a synth-time stamp would carry today's date.
      const today = new Date().toISOString().slice(0, 10);
      expect({ name, timestamp: text.includes(today) }).toEqual({ name, timestamp: false });
    }
  });
});

describe("synth: bad config", () => {
  const dir = projectCopy("eks-audit-siem-bad-");
  // A good synth first, to check a bad config leaves it untouched.
  expect(run(dir).status).toBe(0);
  const before = filesUnder(path.join(dir, "cdktf.out"));
  mkdirSync(path.join(dir, "bad"), { recursive: true });
  writeFileSync(
    path.join(dir, "bad/c.yaml"),
    "environments:\n  - name: prod\n    aws: { accountId: '1234', region: us-east-1 }\n    datadog: { site: datadoghq.com }\n    clusters:\n      - { name: a, mode: existing, logRetentionInDays: 45 }\n",
  );
  const r = run(dir, { EKS_AUDIT_SIEM_CONFIG: "bad/c.yaml" });

  it("exits non-zero and names every problem, with environment, field, value and what is allowed", () => {
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      [
        "invalid config bad/c.yaml: 2 problems:",
        '- environment "prod", environments[0].aws.accountId: received "1234"; allowed: a 12-digit AWS account ID in quotes',
        '- environment "prod", environments[0].clusters[0].logRetentionInDays: received 45; allowed: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
        "",
      ].join("\n"),
    );
  });

  it("prints no stack trace", () => {
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("leaves cdktf.out/ untouched and nothing beside it", () => {
    const after = filesUnder(path.join(dir, "cdktf.out"));
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [name, content] of before) expect(content.equals(after.get(name)!)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["bad", "cdktf.out", "config"]);
  });

  it("reports a missing config file the same way", () => {
    const m = run(dir, { EKS_AUDIT_SIEM_CONFIG: "nope.yaml" });
    expect(m.status).toBe(1);
    expect(m.stderr).toBe(
      "invalid config nope.yaml: file: received a path that does not exist; allowed: an existing .yaml, .yml or .json file (set EKS_AUDIT_SIEM_CONFIG or use the default config/eks-audit-siem.yaml)\n",
    );
  });

  it("accepts a JSON config through EKS_AUDIT_SIEM_CONFIG", () => {
    const json = path.join(dir, "bad/c.json");
    writeFileSync(
      json,
      JSON.stringify({
        environments: [
          {
            name: "solo",
            aws: { accountId: "333333333333", region: "us-west-2" },
            datadog: { site: "us5.datadoghq.com" },
            clusters: [{ name: "x", mode: "existing" }],
          },
        ],
      }),
    );
    const j = run(dir, { EKS_AUDIT_SIEM_CONFIG: "bad/c.json" });
    expect(j.stdout).toBe("synthesized 1 stack(s) into cdktf.out/stacks: solo\n");
    expect(j.status).toBe(0);
    expect(readdirSync(path.join(dir, "cdktf.out/stacks"))).toEqual(["solo"]);
  });
});

describe("synth: terraform's working files survive a re-synth", () => {
  const dir = projectCopy("eks-audit-siem-lock-");
  const stacks = path.join(dir, "cdktf.out/stacks");
  const lock = '# This file is maintained automatically by "terraform init".\nprovider "registry.terraform.io/hashicorp/aws" {}\n';
  expect(run(dir).status).toBe(0);
  // What `terraform init` leaves in a stack folder, and a stack of an environment that is later removed.
  for (const env of ["staging", "production"]) {
    writeFileSync(path.join(stacks, env, ".terraform.lock.hcl"), `${lock}# ${env}\n`);
    mkdirSync(path.join(stacks, env, ".terraform/providers"), { recursive: true });
    writeFileSync(path.join(stacks, env, ".terraform/terraform.tfstate"), `{"backend":"${env}"}`);
  }
  writeFileSync(path.join(stacks, "staging", "plan.bin"), "a plan of the old configuration");
  mkdirSync(path.join(stacks, "retired/.terraform"), { recursive: true });
  writeFileSync(path.join(stacks, "retired/.terraform.lock.hcl"), lock);
  const again = run(dir);

  it("keeps .terraform.lock.hcl and .terraform/ of every stack that still exists", () => {
    expect(again.status).toBe(0);
    for (const env of ["staging", "production"]) {
      expect(readFileSync(path.join(stacks, env, ".terraform.lock.hcl"), "utf8")).toBe(`${lock}# ${env}\n`);
      expect(readFileSync(path.join(stacks, env, ".terraform/terraform.tfstate"), "utf8")).toBe(`{"backend":"${env}"}`);
      expect(existsSync(path.join(stacks, env, ".terraform/providers"))).toBe(true);
      expect(existsSync(path.join(stacks, env, "cdk.tf.json"))).toBe(true);
    }
  });

  it("removes the folders of stacks that no longer exist, and anything else stale (an old saved plan)", () => {
    expect(readdirSync(stacks).sort()).toEqual(["production", "staging"]);
    expect(existsSync(path.join(stacks, "staging", "plan.bin"))).toBe(false);
  });

  it("keeps them too when the config is bad (nothing is touched)", () => {
    writeFileSync(path.join(dir, "bad.yaml"), "environments: []\n");
    expect(run(dir, { EKS_AUDIT_SIEM_CONFIG: "bad.yaml" }).status).toBe(1);
    expect(readFileSync(path.join(stacks, "staging", ".terraform.lock.hcl"), "utf8")).toBe(`${lock}# staging\n`);
  });

  it("drops them with the stack when its environment is removed from the config", () => {
    const config = parseYaml(readFileSync(path.join(dir, "config/eks-audit-siem.yaml"), "utf8"));
    config.environments = config.environments.filter((e: { name: string }) => e.name === "staging");
    writeFileSync(path.join(dir, "only-staging.json"), JSON.stringify(config));
    const r = run(dir, { EKS_AUDIT_SIEM_CONFIG: "only-staging.json" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readdirSync(stacks)).toEqual(["staging"]);
    expect(existsSync(path.join(stacks, "staging", ".terraform.lock.hcl"))).toBe(true);
  });
});

describe("synth: two at once into one folder, and a lock left by a killed synth", () => {
  const dir = projectCopy("eks-audit-siem-two-");
  const lockFile = path.join(dir, ".cdktf.out.synth-lock");
  // Real processes on a shared machine: each test starts up to two synths (a few seconds each under load).
  /** A process that stays alive until killed (a synth that holds the lock, as far as the lock can tell). */
  const holder = () => spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  const holds = (pid: number) => writeFileSync(lockFile, JSON.stringify({ pid, host: os.hostname(), since: "2026-01-01T00:00:00.000Z" }));
  const complete = () => {
    const names = [...filesUnder(path.join(dir, "cdktf.out")).keys()].sort();
    expect(names).toEqual([".synthesized-by-eks-audit-siem", "manifest.json", "stacks/production/cdk.tf.json", "stacks/staging/cdk.tf.json"]);
    expect(readdirSync(dir).sort()).toEqual(["cdktf.out", "config"]);
  };

  it("both succeed when started together, one after the other, and the output is complete", async () => {
    const [a, b] = await Promise.all([start(dir), start(dir)]);
    for (const r of [a, b]) {
      expect(r.status).toBe(0);
      expect(r.stdout).toBe("synthesized 2 stack(s) into cdktf.out/stacks: staging, production\n");
      expect(r.stderr).toMatch(/^(|output folder cdktf.out: waiting for another synth \(pid \d+ on host .*\) to finish\n)$/);
    }
    complete();
  }, 120_000);

  it("stops with one paragraph naming the folder and the holder when told not to wait, and leaves the output as it was", () => {
    const before = filesUnder(path.join(dir, "cdktf.out"));
    const live = holder();
    try {
      holds(live.pid!);
      const r = run(dir, { EKS_AUDIT_SIEM_SYNTH_WAIT: "0" });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        `output folder cdktf.out is busy: another synth (pid ${live.pid} on host ${os.hostname()}, since 2026-01-01T00:00:00.000Z) holds its lock .cdktf.out.synth-lock; run again when it has finished (EKS_AUDIT_SIEM_SYNTH_WAIT sets how many seconds to wait), or delete .cdktf.out.synth-lock if no synth is running\n`,
      );
    } finally {
      live.kill("SIGKILL");
    }
    const after = filesUnder(path.join(dir, "cdktf.out"));
    for (const [name, content] of before) expect(content.equals(after.get(name)!)).toBe(true);
  }, 120_000);

  it("waits for a holder, and goes on when the holder is killed (its lock is then stale)", async () => {
    const live = holder();
    holds(live.pid!);
    // The holder is killed once the synth says it waits (not after a guessed delay).
    const waiting = start(dir, { EKS_AUDIT_SIEM_SYNTH_WAIT: "60" }, (soFar) => {
      if (soFar.includes("waiting for another synth")) live.kill("SIGKILL");
    });
    const r = await waiting;
    expect(r.stderr).toContain(`output folder cdktf.out: waiting for another synth (pid ${live.pid} on host`);
    expect(r.stderr).toContain(`.cdktf.out.synth-lock: removed a stale lock of pid ${live.pid} on host`);
    expect(r.status).toBe(0);
    complete();
  }, 120_000);

  it("removes a lock left by a synth that no longer runs, at once", () => {
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    holds(Number(gone.stdout));
    const r = run(dir, { EKS_AUDIT_SIEM_SYNTH_WAIT: "0" });
    expect(r.stderr).toBe(
      `.cdktf.out.synth-lock: removed a stale lock of pid ${gone.stdout} on host ${os.hostname()}, since 2026-01-01T00:00:00.000Z (no longer running)\n`,
    );
    expect(r.status).toBe(0);
    complete();
  }, 120_000);
});

describe("synth: output folders it refuses, and a trailing slash", () => {
  const dir = projectCopy("eks-audit-siem-outdir-");
  mkdirSync(path.join(dir, "docs"));
  writeFileSync(path.join(dir, "docs/guide.md"), "# a guide\n");

  it("refuses to replace a folder it did not write (CDKTF_OUTDIR=docs), and leaves it as it was", () => {
    const r = run(dir, { CDKTF_OUTDIR: "docs" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^invalid output folder docs: folder: received a folder synth did not write \(it holds "guide.md", and neither /);
    expect(r.stderr.trimEnd()).not.toContain("\n");
    expect(readdirSync(path.join(dir, "docs"))).toEqual(["guide.md"]);
  }, 120_000);

  it("writes into the folder itself when the path ends with a slash", () => {
    const r = run(dir, { CDKTF_OUTDIR: "out/" });
    expect(r.stdout).toBe("synthesized 2 stack(s) into out/stacks: staging, production\n");
    expect(r.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["config", "docs", "out"]);
  }, 120_000);
});
