/**
 * Compiles the rules `rules match` evaluates: every query parsed once, all of them in one `QuerySet`.
 */
import type { MatchableRule, MatchableRuleQuery } from "./matchable";
import { compileQuerySet, listQueryTerms, parseQuery, QueryNode, QuerySet, QuerySyntaxError } from "../query";

/** One rule, compiled once. */
export interface CompiledRule {
  readonly rule: MatchableRule;
  /** `slot`: the query's index in the rule set's `QuerySet` (and in the per-event results array). */
  readonly queries: readonly { readonly query: MatchableRuleQuery; readonly slot: number }[];
  /** `{"rule":...,"severity":...,"tags":[...]}`, serialized once. */
  readonly fragment: string;
}

/**
 * Compiles every rule's queries once. Free-text terms are reported through `warn`: a normalized audit event has no
 * message, so such a term never matches offline.
 */
/** The rules, and all their queries compiled into one `QuerySet` (evaluated together per event). */
export interface RuleSet {
  readonly rules: readonly CompiledRule[];
  readonly queries: QuerySet;
}

export function compileRules(rules: readonly MatchableRule[], warn: (message: string) => void): RuleSet {
  const nodes: QueryNode[] = [];
  const compiled = rules.map((rule) => ({
    rule,
    queries: rule.queries.map((query, index) => {
      try {
        const node = parseQuery(query.query);
        for (const term of listQueryTerms(node)) {
          if (term.fieldKind === "message") {
            warn(
              `rules match: warning: rule ${JSON.stringify(rule.name)} queries[${index}] (${query.name}) searches free text ${JSON.stringify(term.value)} at position ${term.position} (0-based); ` +
                "audit events have no message, so this term never matches offline: search an @attribute instead",
            );
          }
        }
        nodes.push(node);
        return { query, slot: nodes.length - 1 };
      } catch (e) {
        if (e instanceof QuerySyntaxError) {
          throw new Error(`rule ${JSON.stringify(rule.name)}: queries[${index}] (${query.name}).query is invalid: ${e.message}`, { cause: e });
        }
        throw e;
      }
    }),
    fragment: JSON.stringify({ rule: rule.name, severity: rule.severity, tags: rule.tags }),
  }));
  return { rules: compiled, queries: compileQuerySet(nodes) };
}
