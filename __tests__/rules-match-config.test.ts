/**
 * `rules match` takes its rules from the config file: the EKS pack tuned per environment, enabled rules only,
 * merged by rule name across environments (`tools/rules/cli.ts`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { Writable } from "stream";
import { parse } from "yaml";
import { validateConfig } from "../config/load";
import { EKS_RULE_PACK } from "../modules/cloud-siem";
import { RulesArgumentError, runMatch } from "../tools/rules/match";
import { resolveRules, rulesFromConfig } from "../tools/rules/cli";

const ROOT = resolve(__dirname, "..");
const EVENTS = join(ROOT, "__tests__/fixtures/audit/events.jsonl");
const EXEC_NEW_USER = "EKS: user exec into a pod for the first time";
const NODEPORT = "EKS: NodePort service created";
const PORT_FORWARD = "EKS: port-forward to a pod";

/** A valid config: the default example's first environment, cloned under new names with the given cloudSiem. */
function configWith(envs: readonly { name: string; cloudSiem: Record<string, unknown> }[]): unknown {
  const example = parse(readFileSync(join(ROOT, "config/eks-audit-siem.yaml"), "utf8")) as { environments: Record<string, unknown>[] };
  const base = example.environments[0];
  return {
    environments: envs.map((e, i) => ({
      ...base,
      name: e.name,
      aws: { ...(base.aws as object), accountId: String(i + 1).repeat(12) },
      cloudSiem: e.cloudSiem,
      backend: { type: "local" },
    })),
  };
}

const CONFIG = configWith([
  { name: "dev", cloudSiem: { rules: { "nodeport-service": { enabled: false }, "pod-exec-new-user": { severity: "low" } } } },
  { name: "prod", cloudSiem: { rules: { "pod-exec-new-user": { severity: "critical" }, "pod-port-forward": { enabled: false } } } },
  { name: "sandbox", cloudSiem: { enabled: false } },
]);

function severityOf(rules: readonly { name: string; severity: string }[], name: string): string | undefined {
  return rules.find((r) => r.name === name)?.severity;
}

describe("rulesFromConfig", () => {
  const config = validateConfig(CONFIG, "test.yaml");

  test("all environments: enabled rules merged by name, the first environment's definition wins", () => {
    const rules = rulesFromConfig(config, "test.yaml");
    expect(rules).toHaveLength(EKS_RULE_PACK.length);
    expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
    // disabled in dev, enabled in prod; disabled in prod, enabled in dev: both kept
    expect(severityOf(rules, NODEPORT)).toBe("low");
    expect(severityOf(rules, PORT_FORWARD)).toBe("low");
    expect(severityOf(rules, EXEC_NEW_USER)).toBe("low");
  });

  test("--env selects one environment's tuning", () => {
    const prod = rulesFromConfig(config, "test.yaml", "prod");
    expect(severityOf(prod, EXEC_NEW_USER)).toBe("critical");
    expect(severityOf(prod, PORT_FORWARD)).toBeUndefined();
    expect(prod).toHaveLength(EKS_RULE_PACK.length - 1);
    const dev = rulesFromConfig(config, "test.yaml", "dev");
    expect(severityOf(dev, NODEPORT)).toBeUndefined();
  });

  test("an unknown environment is an argument error", () => {
    expect(() => rulesFromConfig(config, "test.yaml", "qa")).toThrow(
      new RulesArgumentError('--env "qa" is not an environment of test.yaml; allowed: "dev", "prod", "sandbox"'),
    );
  });

  test("an environment without Cloud SIEM is an argument error", () => {
    expect(() => rulesFromConfig(config, "test.yaml", "sandbox")).toThrow(
      new RulesArgumentError('environment "sandbox" of test.yaml deploys no detection rules (cloudSiem.enabled is false); choose another --env'),
    );
  });
});

describe("rules match with --config and --env", () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rules-config-"));
    file = join(dir, "siem.json");
    writeFileSync(file, JSON.stringify(CONFIG));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const chunks = { stdout: "", stderr: "" };
    const sink = (key: "stdout" | "stderr") =>
      new Writable({
        write(chunk: Buffer, _e, cb) {
          chunks[key] += chunk.toString("utf8");
          cb();
        },
      });
    const code = await runMatch(argv, { stdout: sink("stdout"), stderr: sink("stderr") }, resolveRules);
    return { code, ...chunks };
  }

  test("the environment's severity is reported", async () => {
    const r = await run(["--config", file, "--env", "prod", "--rule", EXEC_NEW_USER, EVENTS]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.split("\n")[0])).toEqual({
      line: 1,
      matches: [
        {
          rule: EXEC_NEW_USER,
          severity: "critical",
          tags: ["source:kubernetes", "security:attack", "tactic:TA0002-execution", "technique:T1609-container-administration-command"],
        },
      ],
    });
  });

  test("an unknown --env exits 2", async () => {
    const r = await run(["--config", file, "--env", "qa", EVENTS]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`rules match: --env "qa" is not an environment of ${file}; allowed: "dev", "prod", "sandbox"\n`);
  });

  test("a config file that does not exist exits 1 with the loader's message", async () => {
    const missing = join(dir, "nope.yaml");
    const r = await run(["--config", missing, EVENTS]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `rules match: invalid config ${missing}: file: received a path that does not exist; allowed: an existing .yaml, .yml or .json file (set EKS_AUDIT_SIEM_CONFIG or use the default config/eks-audit-siem.yaml)\n`,
    );
  });
});
