/**
 * The Datadog attribute that names the user of an EKS audit log, one setting for every place that names the user
 * (detection rules, suppressions, index exclusion presets, dashboard). Datadog's `kubernetes.audit` pipeline remaps
 * `user.username` to standard user attributes; Datadog's older built-in Kubernetes rules query `@usr.name`, its
 * current ones `@usr.id` (https://docs.datadoghq.com/security/default_rules/). How to check which one your logs
 * carry: docs/cloud-siem.md ("Identity attribute").
 */
import { show, type Problem } from "./problem";
import { listQueryTerms, parseQuery, QuerySyntaxError } from "./query";

/** The standard user attributes. */
export const IDENTITY_ATTRIBUTES = ["@usr.id", "@usr.name"] as const;
export type IdentityAttribute = (typeof IDENTITY_ATTRIBUTES)[number];

/** What the current built-in Kubernetes rules use. */
export const DEFAULT_IDENTITY_ATTRIBUTE: IdentityAttribute = "@usr.id";

/** The identity attributes a search query names (none when it does not parse: its own lint reports that). */
export function identityAttributesIn(query: string): IdentityAttribute[] {
  try {
    const fields = listQueryTerms(parseQuery(query)).map((t) => t.field);
    return IDENTITY_ATTRIBUTES.filter((a) => fields.includes(a));
  } catch (e) {
    if (e instanceof QuerySyntaxError) return [];
    throw e;
  }
}

/**
 * The problem of a query (an exclusion or suppression) that names the identity attribute the rules do not use: it
 * would never match, since the rules' logs are searched on `identity`. Located at the query (field `""`); undefined
 * when it names only `identity`.
 */
export function otherIdentityProblem(query: string, identity: IdentityAttribute): Problem | undefined {
  const other = identityAttributesIn(query).filter((a) => a !== identity);
  if (other.length === 0) return undefined;
  return {
    field: "",
    received: show(query),
    why: `${other.join(", ")} is not the identity attribute of the rules`,
    allowed: `a query on ${identity} (cloudSiem.identityAttribute; docs/cloud-siem.md "Identity attribute")`,
  };
}
