/**
 * Every rule of the pack ships sample audit events; the offline engine (lib/query + lib/audit) proves that each
 * positive sample matches the rule's query and each negative sample (near-misses: excluded identity, failed
 * request, read instead of write...) matches none of its queries.
 */
import { normalizeAuditEvent } from "../lib/audit";
import { matchesQuery, parseQuery } from "../lib/query";
import { EKS_RULE_PACK, defineRule } from "../modules/cloud-siem";

describe.each(EKS_RULE_PACK.map((props) => [props.id, defineRule(props)] as const))("rule %s", (_id, rule) => {
  const queries = rule.queries.map((q) => ({ name: q.name, node: parseQuery(q.query) }));

  test("has at least one positive and one negative sample", () => {
    expect(rule.samples.positive.length).toBeGreaterThan(0);
    expect(rule.samples.negative.length).toBeGreaterThan(0);
  });

  test.each(rule.samples.positive.map((s) => [s.description, s] as const))("matches positive sample: %s", (_d, sample) => {
    const log = normalizeAuditEvent(sample.event);
    // At least one query (multi-query rules such as anonymous-request-authorized have one case per query).
    expect(queries.filter((q) => matchesQuery(q.node, log)).length).toBeGreaterThan(0);
  });

  test.each(rule.samples.negative.map((s) => [s.description, s] as const))("does not match negative sample: %s", (_d, sample) => {
    const log = normalizeAuditEvent(sample.event);
    expect(queries.filter((q) => matchesQuery(q.node, log)).map((q) => q.name)).toEqual([]);
  });
});
