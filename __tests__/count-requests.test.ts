/**
 * Counting rules count requests, not audit events (lib/rules/count-requests.ts): on EKS a long-running request
 * (exec, attach, port-forward, proxy, watch) is logged twice, ResponseStarted and ResponseComplete with one auditID.
 * Tested with sequences of requests expanded into the stages EKS logs, through `rules match --summary`'s estimator.
 */
import { PassThrough } from "stream";
import { eksLoggedEvents, normalizeAuditEvent } from "../lib/audit";
import type { MatchableRule } from "../lib/rules/matchable";
import { EKS_RULE_PACK, defineRule } from "../modules/cloud-siem";
import { podExecBurstRule } from "../pack/rules/pod-exec-burst";
import { DEVELOPER, auditEvent } from "../pack/samples";
import { normalizeRule, ruleProblems } from "../modules/cloud-siem/rule-model";
import { compileRules } from "../lib/rules/compile";
import { runMatch } from "../tools/rules/match";
import { newSummary } from "../lib/rules/signals";

/** `copies` copies of each request (distinct auditIDs, one minute apart), expanded into the events EKS logs. */
function sequence(requests: readonly Record<string, unknown>[], copies: number, stages: "all" | "complete"): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let c = 0; c < copies; c++) {
    for (const [k, r] of requests.entries()) {
      const at = new Date(Date.UTC(2026, 10, 20, 10, 0, 10 + c * 5 + k)).toISOString();
      const request = { ...r, auditID: `${String(r.auditID)}-${c}`, requestReceivedTimestamp: at, stageTimestamp: at };
      out.push(...eksLoggedEvents(request).events.filter((e) => stages === "all" || e.stage === "ResponseComplete"));
    }
  }
  return out;
}

/** Estimated signals of one rule over events, as `rules match --summary` computes them. */
function signals(rule: MatchableRule, events: readonly Record<string, unknown>[]): number {
  const set = compileRules([rule], () => undefined);
  const logs = events.map((e) => normalizeAuditEvent(e));
  const first = logs[0]?.timestampMs ?? 0;
  const s = newSummary(set.rules[0], () => first);
  const results = new Array<boolean>(set.queries.size).fill(false);
  for (const log of logs) {
    set.queries.evaluate(log, results);
    const matched = set.rules[0].queries.map((q) => results[q.slot]);
    if (matched.some(Boolean)) s.observe(log, matched, log.timestampMs ?? first);
  }
  s.finish();
  return s.estimatedSignals ?? -1;
}

describe("counting rules count each request once", () => {
  const exec = (name: string) =>
    auditEvent({
      verb: "create",
      resource: "pods",
      subresource: "exec",
      namespace: "payments",
      name,
      user: DEVELOPER,
      code: 101,
      query: "command=id",
    });

  test("pod-exec-burst (execs > 5): 3 execs logged as 6 events raise nothing, 6 execs raise one signal", () => {
    const rule = defineRule(podExecBurstRule());
    expect(sequence([exec("a")], 3, "all")).toHaveLength(6);
    expect(signals(rule, sequence([exec("a")], 3, "all"))).toBe(0);
    expect(signals(rule, sequence([exec("a")], 5, "all"))).toBe(0);
    expect(signals(rule, sequence([exec("a")], 6, "all"))).toBe(1);
  });

  test("the same rule counting events (aggregation count) would fire after 3 execs: the rule model refuses it", () => {
    const props = podExecBurstRule();
    const counting = { ...props, queries: props.queries.map((q) => ({ ...q, aggregation: "count", distinctFields: [] })) };
    expect(() => defineRule(counting)).toThrow(/query\[0\]\.aggregation: received "count"/);
    expect(signals(normalizeRule(counting), sequence([exec("a")], 3, "all"))).toBe(1);
  });

  test("a count compared with more than one is a rule problem naming the two stages", () => {
    const props = podExecBurstRule();
    const counting = { ...props, queries: props.queries.map((q) => ({ ...q, aggregation: "count", distinctFields: [] })) };
    expect(ruleProblems(counting)).toEqual([
      expect.objectContaining({
        field: "query[0].aggregation",
        why: expect.stringContaining("ResponseStarted and ResponseComplete with the same auditID"),
      }),
    ]);
  });

  // Every pack rule: the estimate over both stages equals the estimate over one stage, for 1..8 copies of its
  // positive samples.
  test.each(EKS_RULE_PACK.filter((p) => p.detectionMethod === "threshold").map((p) => [p.id, defineRule(p)] as const))(
    "%s: both stages give the same estimate as one stage",
    (_id, rule) => {
      const requests = rule.samples.positive.map((s) => s.event);
      for (let copies = 1; copies <= 8; copies++) {
        expect([copies, signals(rule, sequence(requests, copies, "all"))]).toEqual([copies, signals(rule, sequence(requests, copies, "complete"))]);
      }
    },
  );

  test("rules match --summary counts the two stages of 3 execs as no signal", async () => {
    const lines =
      sequence([exec("a")], 3, "all")
        .map((e) => JSON.stringify(e))
        .join("\n") + "\n";
    const stdin = new PassThrough();
    stdin.end(lines);
    const out = new PassThrough();
    let text = "";
    out.on("data", (d) => (text += d));
    const code = await runMatch(["--summary", "--as-eks", "-"], { stdout: out, stderr: new PassThrough(), stdin }, () => [
      defineRule(podExecBurstRule()),
    ]);
    expect(code).toBe(0);
    const rows = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows[0]).toMatchObject({ eventsMatched: 6, estimatedSignals: 0 });
    expect(rows[1].summary).toMatchObject({ events: 6, notLoggedByEks: 0 });
  });
});
