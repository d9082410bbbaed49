/**
 * The language of a Cloud SIEM rule case condition (`datadog_security_monitoring_rule.case.condition`), in one
 * place: parsed, validated, evaluated and rewritten here for the rule model, the tuning, `rules match` and
 * `eval:corpus`.
 *
 * A condition compares query results with numbers, `<query name> <operator> <number>` (the query name before the
 * operator: `a > 3`, never `3 < a`; https://docs.datadoghq.com/security/cloud_siem/detect_and_monitor/custom_detection_rules/),
 * and combines comparisons with `&&`, `||` and parentheses, as the provider's examples do
 * (`errors > 3 && warnings > 10`, https://registry.terraform.io/providers/DataDog/datadog/latest/docs/resources/security_monitoring_rule).
 * Operators: `>`, `>=`, `<`, `<=`, `==`, `!=`. `&&` binds tighter than `||`.
 */

import { show, type Problem } from "../problem";

/** Comparison operators of a condition. */
export const CONDITION_OPERATORS = [">", ">=", "<", "<=", "==", "!="] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** What a condition allows, for messages. */
export const CONDITION_ALLOWED = `"<query name> <operator> <number>" comparisons (operators: ${CONDITION_OPERATORS.join(", ")}) combined with &&, || and parentheses`;

/** A parsed condition. */
export type ConditionNode =
  | { readonly kind: "compare"; readonly query: string; readonly operator: ConditionOperator; readonly value: number }
  | { readonly kind: "and" | "or"; readonly left: ConditionNode; readonly right: ConditionNode };

/** Query results by query name (a query with no result counts 0). */
export type QueryValues = Readonly<Record<string, number>>;

const TOKEN = /\s*(>=|<=|==|!=|&&|\|\||[<>()]|\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|\S)/g;
const QUERY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER = /^\d+(?:\.\d+)?$/;

class ConditionSyntaxError extends Error {}

/**
 * Parses a condition. Throws an error whose message says what is wrong, quoting the comparison at fault (e.g.
 * `"a >" is not a comparison`).
 */
export function parseCondition(text: string): ConditionNode {
  const tokens = [...text.matchAll(TOKEN)].map((m) => m[1]);
  if (tokens.length === 0) throw new ConditionSyntaxError("the condition is empty");
  let i = 0;

  /** The comparison starting at token `from`, as written: up to the next &&, || or parenthesis. */
  const fragment = (from: number): string => {
    let end = from;
    while (end < tokens.length && !["&&", "||", "(", ")"].includes(tokens[end])) end++;
    return tokens.slice(from, Math.max(end, from + 1)).join(" ");
  };
  const comparison = (): ConditionNode => {
    const start = i;
    if (start >= tokens.length) throw new ConditionSyntaxError(`the condition ends after ${JSON.stringify(tokens[start - 1])}`);
    const [query, operator, value] = tokens.slice(i, i + 3);
    if (
      query === undefined ||
      !QUERY_NAME.test(query) ||
      !(CONDITION_OPERATORS as readonly string[]).includes(operator) ||
      value === undefined ||
      !NUMBER.test(value)
    ) {
      throw new ConditionSyntaxError(`${JSON.stringify(fragment(start))} is not a comparison`);
    }
    i += 3;
    return { kind: "compare", query, operator: operator as ConditionOperator, value: Number(value) };
  };
  const operand = (): ConditionNode => {
    if (tokens[i] !== "(") return comparison();
    i++;
    const inner = or();
    if (tokens[i] !== ")") throw new ConditionSyntaxError("a ( has no )");
    i++;
    return inner;
  };
  const chain = (kind: "and" | "or", symbol: string, next: () => ConditionNode) => (): ConditionNode => {
    let left = next();
    while (tokens[i] === symbol) {
      i++;
      left = { kind, left, right: next() };
    }
    return left;
  };
  const and = chain("and", "&&", operand);
  const or = chain("or", "||", and);

  const node = or();
  if (i < tokens.length) {
    throw new ConditionSyntaxError(tokens[i] === ")" ? "a ) has no (" : `${JSON.stringify(fragment(i))} follows a complete condition`);
  }
  return node;
}

/** The query names a condition compares, in order of first use. */
export function conditionQueries(node: ConditionNode): string[] {
  if (node.kind === "compare") return [node.query];
  return [...new Set([...conditionQueries(node.left), ...conditionQueries(node.right)])];
}

/**
 * A condition checked over the given query names: its tree, and its problems, located at the condition (field `""`;
 * the caller puts them under its field): its syntax, or names that are not queries of the rule. `node` is absent
 * when it does not parse.
 */
export function checkCondition(text: string, queryNames: readonly string[]): { readonly node?: ConditionNode; readonly problems: Problem[] } {
  let node: ConditionNode;
  try {
    node = parseCondition(text);
  } catch (error) {
    if (error instanceof ConditionSyntaxError)
      return { problems: [{ field: "", received: show(text), why: error.message, allowed: CONDITION_ALLOWED }] };
    throw error;
  }
  const problems = conditionQueries(node)
    .filter((q) => !queryNames.includes(q))
    .map((q) => ({
      field: "",
      received: show(text),
      why: `query ${JSON.stringify(q)} does not exist`,
      allowed: queryNames.length === 0 ? "the names of the rule's queries (it has none)" : `the query names ${queryNames.join(", ")}`,
    }));
  return { node, problems };
}

/** The problems of {@link checkCondition}: empty when the condition is valid. */
export function conditionProblems(text: string, queryNames: readonly string[]): Problem[] {
  return checkCondition(text, queryNames).problems;
}

/** Whether the condition holds for the query results. */
export function evaluateCondition(node: ConditionNode, values: QueryValues): boolean {
  switch (node.kind) {
    case "and":
      return evaluateCondition(node.left, values) && evaluateCondition(node.right, values);
    case "or":
      return evaluateCondition(node.left, values) || evaluateCondition(node.right, values);
    default: {
      const v = values[node.query] ?? 0;
      switch (node.operator) {
        case ">":
          return v > node.value;
        case ">=":
          return v >= node.value;
        case "<":
          return v < node.value;
        case "<=":
          return v <= node.value;
        case "==":
          return v === node.value;
        default:
          return v !== node.value;
      }
    }
  }
}

/** The condition as text, canonical: one space around operators, parentheses only where `||` is inside `&&`. */
export function formatCondition(node: ConditionNode): string {
  if (node.kind === "compare") return `${node.query} ${node.operator} ${node.value}`;
  const side = (n: ConditionNode) => (node.kind === "and" && n.kind === "or" ? `(${formatCondition(n)})` : formatCondition(n));
  return `${side(node.left)} ${node.kind === "and" ? "&&" : "||"} ${side(node.right)}`;
}

/**
 * The threshold of a single-comparison condition `<query> > <n>` (the shape the pack's count rules use and a
 * tuning may change), or undefined for any other condition.
 */
export function singleThreshold(text: string): { readonly query: string; readonly threshold: number } | undefined {
  let node: ConditionNode;
  try {
    node = parseCondition(text);
  } catch {
    return undefined;
  }
  return node.kind === "compare" && node.operator === ">" ? { query: node.query, threshold: node.value } : undefined;
}

/** `<query> > <threshold>` for a condition {@link singleThreshold} accepts; throws for any other. */
export function withThreshold(text: string, threshold: number): string {
  const single = singleThreshold(text);
  if (single === undefined) throw new Error(`condition ${JSON.stringify(text)} is not "<query> > <n>"; its threshold cannot be set`);
  return formatCondition({ kind: "compare", query: single.query, operator: ">", value: threshold });
}
