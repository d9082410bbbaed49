/**
 * Every rule's samples as EKS logs them: each sample describes one API request; `eksLoggedEvents` (EKS's audit
 * policy, `lib/audit/eks-audit-policy.ts`) turns it into the events EKS writes for it (none, one, or one per stage,
 * stripped to the policy level), and those are what the rule's queries must (positive) or must not (negative)
 * match. A rule none of whose positive samples survives can never fire on EKS: `npm run generate` and the tests
 * refuse it, naming the policy rule.
 */
import { AuditLevel, describePolicyRule, eksLoggedEvents } from "../lib/audit/eks-audit-policy";
import { normalizeAuditEvent } from "../lib/audit";
import { compileFieldReader, FieldReader, matchesQuery, parseQuery, QueryNode } from "../lib/query";
import type { MatchableRule, SampleEvent } from "../lib/rules/matchable";
import { defineRule, DetectionRuleProps } from "../modules/cloud-siem/rule-model";
import { EKS_RULE_PACK } from "./rules";

/** One sample as EKS logs it, and which queries match it before and after the policy. */
export interface SampleOnEks {
  readonly sample: SampleEvent;
  readonly positive: boolean;
  /** The events EKS writes for the sample's request (0 when the policy level is None). */
  readonly events: readonly Record<string, unknown>[];
  /** The policy rule that decided, as a sentence. */
  readonly policy: string;
  /** The level that rule logs at. */
  readonly level: AuditLevel;
  /**
   * Names of the queries that match at least one of `events` carrying the query's group-by fields (and, for New
   * Value rules, its fields): Datadog ignores events without them (`has_optional_group_by_fields` false).
   */
  readonly matchedOnEks: readonly string[];
  /** Names of the queries that match one of `events` that lacks a group-by (or New Value) field. */
  readonly matchedWithoutGroup: readonly string[];
  /** Names of the queries that match the sample as written (before the policy). */
  readonly matchedAsWritten: readonly string[];
}

interface ParsedQuery {
  readonly name: string;
  readonly node: QueryNode;
  /** Readers of the fields a matching event must carry to count. */
  readonly keys: readonly FieldReader[];
}

const parsed = new WeakMap<MatchableRule, ParsedQuery[]>();
function queriesOf(rule: MatchableRule): ParsedQuery[] {
  let q = parsed.get(rule);
  if (q === undefined) {
    q = rule.queries.map((x) => ({
      name: x.name,
      node: parseQuery(x.query),
      keys: [...x.groupByFields, ...(rule.detectionMethod === "new_value" ? x.metrics : [])].map(compileFieldReader),
    }));
    parsed.set(rule, q);
  }
  return q;
}

/** Every sample of a rule, through EKS's audit policy. */
export function samplesOnEks(rule: MatchableRule): SampleOnEks[] {
  const queries = queriesOf(rule);
  const one = (sample: SampleEvent, positive: boolean): SampleOnEks => {
    const { events, rule: policyRule } = eksLoggedEvents(sample.event);
    const written = normalizeAuditEvent(sample.event);
    const logs = events.map((e) => normalizeAuditEvent(e));
    return {
      sample,
      positive,
      events,
      policy: describePolicyRule(policyRule),
      level: policyRule.level,
      matchedOnEks: queries
        .filter((q) => logs.some((log) => matchesQuery(q.node, log) && q.keys.every((read) => read(log) !== undefined)))
        .map((q) => q.name),
      matchedWithoutGroup: queries
        .filter((q) => logs.some((log) => matchesQuery(q.node, log) && q.keys.some((read) => read(log) === undefined)))
        .map((q) => q.name),
      matchedAsWritten: queries.filter((q) => matchesQuery(q.node, written)).map((q) => q.name),
    };
  };
  return [...rule.samples.positive.map((s) => one(s, true)), ...rule.samples.negative.map((s) => one(s, false))];
}

const ruleLabel = (rule: MatchableRule): string => `rule ${rule.id ?? JSON.stringify(rule.name)}`;

/** Why one sample fails as EKS logs it, as a sentence naming the policy rule; undefined when it passes. */
export function sampleProblem(rule: MatchableRule, s: SampleOnEks): string | undefined {
  const what = `${ruleLabel(rule)}: ${s.positive ? "positive" : "negative"} sample ${JSON.stringify(s.sample.description)}`;
  if (s.events.length === 0) {
    return `${what} is never logged by EKS: ${s.policy} drops it${s.positive ? ", so no query can match it on EKS" : ", so it tests nothing"}; use a request EKS logs, or remove the sample (and the rule, if EKS cannot show what it detects)`;
  }
  if (s.positive && s.matchedOnEks.length === 0) {
    if (s.matchedWithoutGroup.length > 0) {
      const q = rule.queries.find((x) => x.name === s.matchedWithoutGroup[0]);
      return `${what} matches ${s.matchedWithoutGroup.join(", ")} but lacks a field it groups by (${[...(q?.groupByFields ?? []), ...(rule.detectionMethod === "new_value" ? (q?.metrics ?? []) : [])].join(", ")}): Datadog ignores such events (has_optional_group_by_fields false), so it raises no signal`;
    }
    return s.matchedAsWritten.length > 0
      ? `${what} matches ${s.matchedAsWritten.join(", ")} as written, but EKS logs it at ${s.policy}, which removes the fields the query needs (${s.level === "Metadata" ? "no requestObject or responseObject" : "no responseObject"}); match fields EKS keeps`
      : `${what} matches no query of the rule (as EKS logs it, ${s.policy})`;
  }
  if (!s.positive && s.matchedOnEks.length > 0) return `${what} matches ${s.matchedOnEks.join(", ")} as EKS logs it (${s.policy})`;
  return undefined;
}

/** Every sample problem of a rule (empty when all samples pass as EKS logs them). */
export function eksSampleProblems(rule: MatchableRule): string[] {
  return samplesOnEks(rule).flatMap((s) => sampleProblem(rule, s) ?? []);
}

/**
 * Queries (and so cases) that can never match on EKS: no positive sample, as EKS logs it, matches them. A rule all
 * of whose queries are dead can never fire. Each entry names the query and the policy rules that removed its samples.
 */
export function deadOnEks(rule: MatchableRule): string[] {
  const all = samplesOnEks(rule).filter((s) => s.positive);
  const out: string[] = [];
  for (const q of rule.queries) {
    if (all.some((s) => s.matchedOnEks.includes(q.name))) continue;
    const lost = all.filter((s) => s.matchedAsWritten.includes(q.name));
    const why = lost.length > 0 ? [...new Set(lost.map((s) => s.policy))].join("; ") : "no positive sample matches it";
    out.push(`${ruleLabel(rule)}: query ${q.name} can never match on EKS (${why})`);
  }
  return out;
}

/** {@link deadOnEks} over the whole rule pack (as deployed with default settings): what `npm run generate` refuses. */
export function deadPackRules(pack: readonly DetectionRuleProps[] = EKS_RULE_PACK): string[] {
  return pack.flatMap((props) => deadOnEks(defineRule(props)));
}
