/**
 * The attribute the pack uses for "who": in queries (`-@usr.name:(eks\:* ...)`), group-by fields, New Value metrics
 * and signal messages. Datadog's `kubernetes.audit` pipeline remaps `user.username` to standard user attributes;
 * Datadog's older built-in Kubernetes rules query `@usr.name`, its current ones `@usr.id` (e.g. "A Kubernetes user
 * attempted to perform a high number of actions that were denied" groups by `@usr.id`). An organization whose
 * pipeline fills only one of them gets silent rules with the other, so the pack takes it as one setting.
 * How to check which one your logs carry: `docs/cloud-siem.md` ("Identity attribute").
 */
import { Problem, show, throwProblems, under } from "../../lib/problem";
import type { DetectionRuleProps } from "./rule-model";

import {
  DEFAULT_IDENTITY_ATTRIBUTE,
  IDENTITY_ATTRIBUTES,
  IdentityAttribute,
  identityAttributesIn,
  otherIdentityProblem,
} from "../../lib/datadog-identity";

export { DEFAULT_IDENTITY_ATTRIBUTE, IDENTITY_ATTRIBUTES, identityAttributesIn, otherIdentityProblem };
export type { IdentityAttribute };

/** The attribute rule files are written with. */
const WRITTEN = /@usr\.name\b/g;

/** The problem of an `identityAttribute` value (located at the value, field `""`), or undefined when valid. */
export function identityAttributeProblem(value: unknown): Problem | undefined {
  if (IDENTITY_ATTRIBUTES.includes(value as IdentityAttribute)) return undefined;
  return { field: "", received: show(value), allowed: IDENTITY_ATTRIBUTES.join(", ") };
}

/**
 * The rule with `@usr.name` replaced by `attribute` in its queries, group-by, distinct and metric fields, signal
 * grouping and message. A rule pinned with its own `identityAttribute` (the guide's exec rule) is returned as is.
 */
export function withIdentityAttribute(rule: DetectionRuleProps, attribute: IdentityAttribute): DetectionRuleProps {
  const problem = identityAttributeProblem(attribute);
  if (problem !== undefined) throwProblems("cloud siem", under("identityAttribute", [problem]));
  if (rule.identityAttribute !== undefined || attribute === "@usr.name") return rule;
  const swap = (text: string) => text.replace(WRITTEN, attribute);
  const fields = (list: readonly string[] | undefined) => (list === undefined ? undefined : list.map(swap));
  return {
    ...rule,
    message: swap(rule.message),
    queries: rule.queries.map((q) => ({
      ...q,
      query: swap(q.query),
      ...(q.groupByFields === undefined ? {} : { groupByFields: fields(q.groupByFields) }),
      ...(q.distinctFields === undefined ? {} : { distinctFields: fields(q.distinctFields) }),
      ...(q.metrics === undefined ? {} : { metrics: fields(q.metrics) }),
    })),
    ...(rule.groupSignalsBy === undefined ? {} : { groupSignalsBy: fields(rule.groupSignalsBy) }),
  };
}

/** The identity attributes (`@usr.id`, `@usr.name`) a rule names in its queries and fields. */
export function identityAttributesOf(rule: DetectionRuleProps): Set<IdentityAttribute> {
  const text = rule.queries.flatMap((q) => [q.query, ...(q.groupByFields ?? []), ...(q.distinctFields ?? []), ...(q.metrics ?? [])]).join(" ");
  return new Set(IDENTITY_ATTRIBUTES.filter((a) => new RegExp(`${a.replace(/[.@]/g, "\\$&")}\\b`).test(text)));
}
