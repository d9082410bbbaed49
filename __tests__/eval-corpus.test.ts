import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { rule as forbiddenBurst } from "../pack/rules/forbidden-burst";
import { rule as anonymousAuthorized } from "../pack/rules/anonymous-request-authorized";
import { rule as privilegedPod } from "../pack/rules/privileged-pod";
import { rule as secretReadNewUser } from "../pack/rules/secret-read-new-user";
import { ANONYMOUS, auditEvent, container, DEVELOPER, podManifest } from "../pack/samples";
import { alertsOnOneEvent, parseCorpusLine, runEvalCorpus } from "../tools/eval-corpus/cli";
import { lineTooLongReason, MAX_EVENT_LINE_CHARS } from "../lib/rules/events";
import { defineRule } from "../modules/cloud-siem/rule-model";
import { sink } from "./helpers/sink";

// Small corpus events written for this test (never copied from a peer corpus).
const privileged = auditEvent({
  verb: "create",
  resource: "pods",
  namespace: "web",
  name: "p",
  user: DEVELOPER,
  requestObject: podManifest("p", "web", { containers: [container("c", { privileged: true })] }),
});
const plain = auditEvent({
  verb: "create",
  resource: "pods",
  namespace: "web",
  name: "q",
  user: DEVELOPER,
  requestObject: podManifest("q", "web", { containers: [container("c")] }),
});
const denied = auditEvent({ verb: "list", resource: "secrets", namespace: "web", user: DEVELOPER, code: 403 });
const noVerb = { ...auditEvent({ verb: "get", resource: "pods", namespace: "web", name: "x", user: DEVELOPER }), verb: undefined };
// An anonymous read without its verb: the anonymous rule does not read the verb, the privileged-pod rule does.
const anonymousNoVerb = { ...auditEvent({ verb: "get", resource: "pods", namespace: "web", name: "x", user: ANONYMOUS }), verb: undefined };
const secretRead = auditEvent({ verb: "get", resource: "secrets", namespace: "web", name: "tls", user: DEVELOPER });

const PACK = [privilegedPod, forbiddenBurst, anonymousAuthorized, secretReadNewUser];

function run(lines: readonly unknown[], args: readonly string[] = []): { code: number; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "eval-corpus-"));
  try {
    const file = join(dir, "corpus.jsonl");
    writeFileSync(file, lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n");
    const out = sink();
    const err = sink();
    const code = runEvalCorpus([...args, file], { stdout: out.stream, stderr: err.stream }, PACK);
    return { code, stdout: out.text().split(file).join("<file>"), stderr: err.text().split(file).join("<file>") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const panther = (rule: string, test: string, expected: boolean, event: unknown) => ({ source: "test", rule, test, expected, event });
const falco = (test: string, expected: string[], event: unknown, extra: string[] = []) => ({
  source: "test",
  test,
  expected,
  extra_rules_files: extra,
  event,
});

describe("eval:corpus", () => {
  test("Panther-style lines: per source rule detected / alerted, misses with their reason", () => {
    const r = run([
      panther("Priv", "privileged pod", true, privileged),
      panther("Priv", "plain pod", false, plain),
      panther("Priv", "no verb", true, noVerb),
      panther("Denied", "one denial", false, denied),
      panther("Denied", "plain pod expected to alert", true, plain),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "detected: 1 of 3 events expected to alert (0 of them matched only by burst rules, 0 only by New Value first sightings)",
    );
    expect(r.stdout).toContain(
      "alerted on quiet events: 0 of 2 (plus 0 New Value first sightings, a signal only if the value is new after the learning duration, and 1 matched only by burst rules)",
    );
    expect(r.stdout).toMatch(/^Priv +1\/2 +0\/1 +0\/1 +0\/1$/m);
    // Without its verb, a create is no longer a create: the rule reading @http.method misses it.
    expect(r.stdout).toContain('line 3 Priv "no verb": no pack rule matches');
    expect(r.stdout).toContain('line 5 Denied "plain pod expected to alert": no pack rule matches');
  });

  test("an event without verb is matched as Datadog indexes it (no @http.method); a verb that is not a string is refused", () => {
    const r = run(
      [panther("Anon", "anonymous read, no verb", true, anonymousNoVerb), panther("Anon", "bad verb", true, { ...privileged, verb: 5 })],
      ["--json"],
    );
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ matched: ["anonymous-request-authorized"], alerting: ["anonymous-request-authorized"] });
    expect(lines[1]).toMatchObject({ matched: [], error: 'verb is the number 5, expected a string such as "create"' });
  });

  test("a New Value rule's match is a first sighting, counted apart from alerts (its signal depends on the values seen before)", () => {
    const r = run([
      panther("Secret", "a secret read expected to alert", true, secretRead),
      panther("Secret", "a secret read expected quiet", false, secretRead),
    ]);
    expect(r.stdout).toContain(
      "detected: 1 of 1 events expected to alert (0 of them matched only by burst rules, 1 only by New Value first sightings)",
    );
    expect(r.stdout).toContain("alerted on quiet events: 0 of 1 (plus 1 New Value first sightings,");
    expect(r.stdout).toMatch(/^Secret +1\/1 +0\/1 +1\/1 +0\/1$/m);
    expect(r.stdout).toContain(
      'New Value first sightings on events expected to stay quiet (a signal only if the value is new):\n  line 2 Secret "a secret read expected quiet": secret-read-new-user',
    );
    expect(r.stdout).not.toContain("alerts on events expected to stay quiet");
    const json = run([panther("Secret", "quiet", false, secretRead)], ["--json"])
      .stdout.trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(json[0]).toMatchObject({ matched: ["secret-read-new-user"], alerting: [], firstSighting: ["secret-read-new-user"] });
    expect(json[1].summary).toMatchObject({ alerted: 0, firstSightingOnly: 1, burstOnly: 0 });
  });

  test("--json: one line per corpus line, then the summary", () => {
    const r = run([panther("Priv", "privileged pod", true, privileged), panther("Priv", "plain", false, privileged)], ["--json"]);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      line: 1,
      sourceRule: "Priv",
      test: "privileged pod",
      expectedAlert: true,
      scored: true,
      matched: ["privileged-pod"],
      alerting: ["privileged-pod"],
      firstSighting: [],
    });
    expect(lines[2]).toEqual({
      summary: {
        positives: 1,
        detected: 1,
        detectedByBurstOnly: 0,
        detectedByFirstSightingOnly: 0,
        negatives: 1,
        alerted: 1,
        firstSightingOnly: 0,
        burstOnly: 0,
        unscored: 0,
        rules: 4,
      },
    });
    expect(r.stdout).not.toContain("alerts on events");
  });

  test("Falco-style lines: test-only rule files and INFO-only expectations are not scored; quiet alerts listed", () => {
    const r = run([
      falco("priv", ["Create Privileged Pod"], privileged),
      falco("priv trusted", [], privileged, ["trust.yaml"]),
      falco("created", ["K8s Deployment Created"], privileged),
      falco("nothing", [], privileged),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("2 scored lines (2 not scored)");
    expect(r.stdout).toContain(
      "detected: 1 of 1 events expected to alert (0 of them matched only by burst rules, 0 only by New Value first sightings)",
    );
    expect(r.stdout).toContain('line 4 (nothing expected) "nothing": privileged-pod');
  });

  test("an expected detection matched only by a burst rule is counted, and reported as such", () => {
    const r = run([panther("Denied", "one denial expected to alert", true, denied)]);
    expect(r.stdout).toContain(
      "detected: 1 of 1 events expected to alert (1 of them matched only by burst rules, 0 only by New Value first sightings)",
    );
  });

  test("a burst rule matches one event but does not alert on it, nor does a New Value rule by itself; a > 0 rules do", () => {
    expect(alertsOnOneEvent(defineRule(forbiddenBurst))).toBe(false);
    expect(alertsOnOneEvent(defineRule(secretReadNewUser))).toBe(false);
    expect(alertsOnOneEvent(defineRule(privilegedPod))).toBe(true);
  });

  test("bad lines name the line and the field; bad arguments exit 2", () => {
    expect(() => parseCorpusLine('{"test":"t","expected":"yes","event":{}}', 3)).toThrow(
      'line 3: expected: received "yes"; allowed: true/false, or a list of rule names',
    );
    expect(() => parseCorpusLine('{"test":"t","expected":true,"event":{}}', 4)).toThrow(
      "line 4: rule: received nothing; allowed: the source rule id",
    );
    const bad = run(['{"test":"t","expected":[],"event":[]}']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("eval-corpus: <file>: line 1: event: received []; allowed: an audit event object\n");
    const out = sink();
    const err = sink();
    expect(runEvalCorpus([], { stdout: out.stream, stderr: err.stream }, PACK)).toBe(2);
    expect(runEvalCorpus(["/nonexistent/corpus.jsonl"], { stdout: out.stream, stderr: err.stream }, PACK)).toBe(2);
    expect(err.text()).toContain('cannot read the corpus file "/nonexistent/corpus.jsonl": no such file');
  });

  test("a directory, a device or a FIFO is refused before it is read (/dev/zero ran out of memory; a FIFO hung), exit 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "eval-corpus-special-"));
    try {
      const fifo = join(dir, "corpus.fifo");
      expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
      for (const [file, kind] of [
        [dir, "a directory"],
        ["/dev/zero", "a character device"],
        [fifo, "a named pipe (FIFO)"],
      ]) {
        // As a process with a deadline: a blocking read would hang this test's own process.
        const r = spawnSync(process.execPath, ["scripts/run-ts.js", "tools/eval-corpus/cli.ts", file], {
          cwd: join(__dirname, ".."),
          encoding: "utf8",
          timeout: 30_000,
        });
        expect({ status: r.status, stderr: r.stderr }).toEqual({
          status: 2,
          stderr: `eval-corpus: cannot read the corpus file ${JSON.stringify(file)}: it is ${kind}; allowed: a regular file\n`,
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test("a line longer than any CloudWatch line is reported and skipped; the other lines are scored", () => {
    const huge = "x".repeat(MAX_EVENT_LINE_CHARS + 1);
    const r = run(
      [panther("privileged", "a privileged pod", true, privileged), huge, panther("privileged", "a plain pod", false, plain)],
      ["--json"],
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`eval-corpus: <file>: line 2: ${lineTooLongReason(MAX_EVENT_LINE_CHARS + 1)}\n`);
    expect(JSON.parse(r.stdout.trim().split("\n").at(-1)!).summary).toMatchObject({ positives: 1, negatives: 1 });
  });
});

describe("eval:corpus --as-eks", () => {
  // A privileged pod written as a ResponseComplete event, and the same request at RequestReceived (a stage EKS omits).
  const received = { ...privileged, stage: "RequestReceived" };

  test("an event EKS never logs (or a stage it omits) is a miss that names the policy rule", () => {
    const lines = [panther("P", "privileged", true, privileged), panther("P", "privileged, RequestReceived", true, received)];
    const plainRun = run(lines);
    expect(plainRun.stdout).toContain("detected: 2 of 2");
    const eks = run(lines, ["--as-eks"]);
    expect(eks.stdout).toContain("detected: 1 of 2");
    expect(eks.stdout).toContain(
      'line 2 P "privileged, RequestReceived": not logged by EKS: EKS audit policy rule 16 (level RequestResponse: default level for known APIs) omits the RequestReceived stage',
    );
    const json = run(lines, ["--json", "--as-eks"])
      .stdout.trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(json[1].notLoggedByEks).toMatch(/^EKS audit policy rule 16 /);
  });
});
