/**
 * Every rule of the pack ships sample audit events; the offline engine (lib/query + lib/audit) proves that each
 * positive sample matches the rule's query and each negative sample (near-misses: excluded identity, failed
 * request, read instead of write...) matches none of its queries. Samples always pass through EKS's audit policy
 * first (lib/audit/eks-audit-policy.ts): a sample EKS never logs, or whose matched fields EKS strips, fails with a
 * sentence naming the policy rule.
 */
import { EKS_RULE_PACK, defineRule } from "../modules/cloud-siem";
import { deadOnEks, deadPackRules, eksSampleProblems, samplesOnEks } from "../pack/eks-samples";
import { sample, KUBERNETES_ADMIN } from "../pack/samples";
import type { DetectionRuleProps } from "../modules/cloud-siem";

describe.each(EKS_RULE_PACK.map((props) => [props.id, defineRule(props)] as const))("rule %s", (_id, rule) => {
  const onEks = samplesOnEks(rule);

  test("has at least one positive and one negative sample", () => {
    expect(rule.samples.positive.length).toBeGreaterThan(0);
    expect(rule.samples.negative.length).toBeGreaterThan(0);
  });

  test.each(onEks.filter((s) => s.positive).map((s) => [s.sample.description, s] as const))("matches positive sample as EKS logs it: %s", (_d, s) => {
    // At least one query (multi-query rules have one case per query), on at least one stage EKS logs.
    expect(s.events.length).toBeGreaterThan(0);
    expect(s.matchedOnEks.length).toBeGreaterThan(0);
  });

  test.each(onEks.filter((s) => !s.positive).map((s) => [s.sample.description, s] as const))(
    "does not match negative sample as EKS logs it: %s",
    (_d, s) => {
      expect(s.events.length).toBeGreaterThan(0);
      expect(s.matchedOnEks).toEqual([]);
    },
  );

  test("every sample passes as EKS logs it, and every query can match on EKS", () => {
    expect([...eksSampleProblems(rule), ...deadOnEks(rule)]).toEqual([]);
  });
});

describe("samples through EKS's audit policy", () => {
  const base: DetectionRuleProps = {
    id: "fixture-events-deleted",
    name: "fixture: events deleted",
    detectionMethod: "threshold",
    tactic: "TA0005-defense-evasion",
    technique: "T1070-indicator-removal",
    queries: [{ query: "source:kubernetes.audit @objectRef.resource:events @http.method:deletecollection" }],
    cases: [{ status: "medium", condition: "a > 0" }],
    message: "m",
    samples: {
      positive: [sample("deletes all events", { verb: "deletecollection", resource: "events", namespace: "payments", user: KUBERNETES_ADMIN })],
      negative: [sample("lists pods", { verb: "list", resource: "pods", namespace: "payments" })],
    },
  };

  test("a rule on core events can never fire: the problem names the rule and the policy line", () => {
    const rule = defineRule(base);
    expect(deadOnEks(rule)).toEqual([
      "rule fixture-events-deleted: query a can never match on EKS (EKS audit policy rule 9 (level None: core events (any verb, any user)))",
    ]);
    expect(eksSampleProblems(rule)[0]).toMatch(
      /^rule fixture-events-deleted: positive sample "deletes all events" is never logged by EKS: EKS audit policy rule 9 \(level None: core events/,
    );
  });

  test("a query on a field EKS strips fails with the level that strips it", () => {
    const rule = defineRule({
      ...base,
      id: "fixture-secret-type",
      queries: [{ query: "source:kubernetes.audit @objectRef.resource:secrets @requestObject.type:Opaque" }],
      samples: {
        positive: [
          sample("creates an Opaque secret", {
            verb: "create",
            resource: "secrets",
            namespace: "payments",
            requestObject: { kind: "Secret", apiVersion: "v1", type: "Opaque" },
          }),
        ],
        negative: base.samples!.negative,
      },
    });
    expect(eksSampleProblems(rule)).toEqual([
      'rule fixture-secret-type: positive sample "creates an Opaque secret" matches a as written, but EKS logs it at EKS audit policy rule 13 (level Metadata: Secrets, ConfigMaps, and TokenReviews can contain sensitive & binary data, so only log at the Metadata level), which removes the fields the query needs (no requestObject or responseObject); match fields EKS keeps',
    ]);
    expect(deadOnEks(rule)).toHaveLength(1);
  });

  test("a positive sample without the field its query groups by raises no signal in Datadog, and fails", () => {
    const rule = defineRule({
      ...base,
      id: "fixture-grouped",
      queries: [{ query: "source:kubernetes.audit @objectRef.resource:pods", groupByFields: ["@requestObject.metadata.generateName"] }],
      samples: {
        positive: [sample("lists pods", { verb: "list", resource: "pods", namespace: "payments" })],
        negative: [sample("lists secrets", { verb: "list", resource: "secrets", namespace: "payments" })],
      },
    });
    expect(eksSampleProblems(rule)).toEqual([
      'rule fixture-grouped: positive sample "lists pods" matches a but lacks a field it groups by (@requestObject.metadata.generateName): Datadog ignores such events (has_optional_group_by_fields false), so it raises no signal',
    ]);
  });

  test("the shipped pack has no query that can never match on EKS (what npm run generate refuses)", () => {
    expect(deadPackRules()).toEqual([]);
    expect(deadPackRules([base])).toHaveLength(1);
  });
});
