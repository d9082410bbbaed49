/**
 * The committed example of `review` (docs/review-example.md): the default config before and after a realistic
 * change, synthesized in-process into two folders and reviewed, with the backtest of the changed rules on a generated
 * log sample whose numbers can be counted by hand ({@link exampleLogSample}).
 *
 *   npm run --silent review:example            print it
 *   npm run --silent review:example -- --write  rewrite docs/review-example.md
 *
 * `__tests__/review-example.test.ts` fails when the committed file is stale.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { parse } from "yaml";
import { DEFAULT_CONFIG_PATH, validateConfig } from "../../config/load";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { auditEvent } from "../../pack/samples";
import { JsonObject, JsonValue, asArray, asObject, isObject } from "../../lib/json";
import { reviewCommand } from "./review";

export const REVIEW_EXAMPLE_DOC = "docs/review-example.md";

/** The change the example reviews, in words (also the heading of the document). */
export const EXAMPLE_CHANGE = [
  "staging: the `pod-exec-burst` threshold is raised from 10 to 20 and its window from 900 s to 1800 s",
  "staging: the audit log retention of `staging-apps` goes from 30 to 14 days",
  "production: the `pod-attach` rule is disabled",
  "production: the subscription filter changes from `drop-health-checks` to `drop-health-checks-and-system-reads`",
  "production: the cluster `checkout-us` is dropped from the config",
];

/**
 * The object at `path` (keys of objects, indexes of lists) inside `node`, to change in place.
 * @throws Error when there is none: the default config no longer has what the example changes.
 */
function objectAt(node: JsonValue, ...path: Array<string | number>): JsonObject {
  const found = path.reduce<JsonValue | undefined>((n, k) => (typeof k === "number" ? asArray(n)[k] : asObject(n)[k]), node);
  if (!isObject(found)) throw new Error(`${DEFAULT_CONFIG_PATH} has no ${path.join(".")} for the review example to change`);
  return found;
}

/** The environment named `name` of a raw config document, to change in place. */
function environmentNamed(config: JsonValue, name: string): JsonObject {
  const found = asArray(asObject(config).environments).find((e) => asObject(e).name === name);
  if (!isObject(found)) throw new Error(`${DEFAULT_CONFIG_PATH} has no environment ${name} for the review example to change`);
  return found;
}

/** The default config's raw document with the example change applied. */
export function changedConfig(raw: JsonValue): JsonValue {
  const c = structuredClone(raw);
  const staging = environmentNamed(c, "staging");
  const production = environmentNamed(c, "production");
  objectAt(staging, "cloudSiem", "rules")["pod-exec-burst"] = { threshold: 20, evaluationWindowSeconds: 1800 };
  objectAt(staging, "clusters", 0).logRetentionInDays = 14;
  objectAt(production, "cloudSiem", "rules")["pod-attach"] = { enabled: false };
  objectAt(production, "datadog", "forwarder", "subscription").filter = "drop-health-checks-and-system-reads";
  production.clusters = asArray(production.clusters).filter((k) => asObject(k).name !== "checkout-us");
  return c;
}

function synthInto(dir: string, raw: JsonValue): void {
  const app = new App({ outdir: dir });
  for (const env of validateConfig(raw, DEFAULT_CONFIG_PATH).environments) new EnvironmentStack(app, env.name, { environment: env });
  app.synth();
}

/** Synthesizes the default config and the changed one into `work/before` and `work/after`. */
export function synthesizeExample(work: string): { before: string; after: string } {
  const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, "utf8")) as JsonValue;
  const before = path.join(work, "before");
  const after = path.join(work, "after");
  synthInto(before, raw);
  synthInto(after, changedConfig(raw));
  return { before, after };
}

/**
 * Exec bursts of the example's log sample: UTC day (0 is 2026-11-02), hour, user and number of execs, one every 5 s
 * from minute 1 of the hour (each burst inside one 900 s and one 1800 s window). Against `pod-exec-burst` (more than
 * N distinct execs per user in a window): more than 10 in 900 s gives 4 signals over the 2 days, more than 20 in
 * 1800 s gives 2 (alice's two bursts).
 */
export const EXAMPLE_EXEC_BURSTS: ReadonlyArray<readonly [day: number, hour: number, user: string, execs: number]> = [
  [0, 0, "alice", 30],
  [0, 0, "bob", 15],
  [0, 6, "carol", 12],
  [1, 0, "alice", 26],
  [1, 3, "dave", 5],
];

/** Pod attaches of the sample (day, hour, user): 3 signals of `pod-attach` (any attach, per user and 300 s window). */
export const EXAMPLE_ATTACHES: ReadonlyArray<readonly [day: number, hour: number, user: string]> = [
  [0, 9, "alice"],
  [1, 14, "erin"],
  [1, 15, "erin"],
];

/** The example's log sample: raw audit events as EKS writes them, one JSON per line, in time order. */
export function exampleLogSample(): string {
  const events: Array<{ at: number; event: Record<string, unknown> }> = [];
  const add = (at: number, subresource: string, user: string, n: number) => {
    const time = new Date(at).toISOString();
    const event = auditEvent({
      verb: "create",
      resource: "pods",
      subresource,
      namespace: "payments",
      name: "payments-api-7c9f8d6b5-x2kqp",
      user: { username: user, groups: ["system:authenticated"] },
      code: 101,
      auditID: `${subresource}-${user}-${at}-${n}`,
    });
    events.push({ at, event: { ...event, requestReceivedTimestamp: time, stageTimestamp: time } });
  };
  for (const [day, hour, user, execs] of EXAMPLE_EXEC_BURSTS) {
    for (let k = 0; k < execs; k++) add(Date.UTC(2026, 10, 2 + day, hour, 1, 0) + k * 5000, "exec", user, k);
  }
  for (const [day, hour, user] of EXAMPLE_ATTACHES) add(Date.UTC(2026, 10, 2 + day, hour, 1, 0), "attach", user, 0);
  events.sort((a, b) => a.at - b.at);
  return events.map((e) => `${JSON.stringify(e.event)}\n`).join("");
}

/** The name the document gives the sample file (the review shows its inputs as given). */
const SAMPLE_NAME = "sample.jsonl";

/** The document: what changed, the command, and its output. */
export async function renderReviewExample(): Promise<string> {
  const work = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-review-"));
  try {
    const { before, after } = synthesizeExample(work);
    const sample = path.join(work, SAMPLE_NAME);
    writeFileSync(sample, exampleLogSample());
    const result = await reviewCommand(["--fail-on-destroy", "--engine", "node", "--backtest", sample, before, after]);
    const markdown = result.markdown.split(sample).join(SAMPLE_NAME);
    const exitCode = result.exitCode;
    return [
      "# Example: `review` of a realistic change",
      "",
      "<!-- Generated by `npm run --silent review:example -- --write`; __tests__/review-example.test.ts fails when stale. -->",
      "",
      "The change, made to `config/eks-audit-siem.yaml`:",
      "",
      ...EXAMPLE_CHANGE.map((c) => `- ${c}`),
      "",
      `With \`${SAMPLE_NAME}\`, a generated log sample of two days (exec bursts of 30, 15, 12, 26 and 5 by one user each, and 3 pod attaches; \`exampleLogSample\` of \`tools/review/example.ts\`), \`npm run --silent review -- --fail-on-destroy --engine node --backtest ${SAMPLE_NAME} base/cdktf.out head/cdktf.out\` exits ${exitCode} and prints:`,
      "",
      "````markdown",
      markdown.trimEnd(),
      "````",
      "",
    ].join("\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void renderReviewExample().then((doc) => {
    if (process.argv.includes("--write")) writeFileSync(REVIEW_EXAMPLE_DOC, doc);
    else process.stdout.write(doc);
  });
}
