/**
 * Subscription filter patterns for EKS audit log groups.
 *
 * A subscription filter pattern selects the events that are SENT to the Forwarder, so a "drop" is written as the
 * condition to keep. Syntax: CloudWatch Logs "Filter pattern syntax for metric filters, subscription filters, filter
 * log events, and Live Tail" — JSON patterns `{ $.field = "value" }`, `!=`, a `*` wildcard inside the value
 * (e.g. `{ $.sourceIPAddress != 123.123.* }`), `&&`, `||` and parentheses with precedence () > && > ||.
 * Quotas: a pattern is at most 1,024 characters (PutSubscriptionFilter `filterPattern` length constraint), at most
 * 2 regular expressions per pattern and 5 regex patterns per log group; these presets use no regex and no wildcard
 * selectors (`$.*`, `[*]`). An empty pattern sends every event.
 *
 * Filtering at the subscription saves Lambda invocations and Datadog ingestion; the events stay in CloudWatch Logs
 * (and cost CloudWatch ingestion) either way.
 */

import { FieldNames, Problem, Problems, propsNames, show, throwProblems } from "../../lib/problem";

/** PutSubscriptionFilter `filterPattern` maximum length. */
export const FILTER_PATTERN_MAX_LENGTH = 1024;

/** PutSubscriptionFilter `filterName`: 1-512 characters, no `:` or `*`. */
export const SUBSCRIPTION_FILTER_NAME = /^[^:*]{1,512}$/;
export const SUBSCRIPTION_FILTER_NAME_ALLOWED = "a subscription filter name (1-512 characters, no : or *)";

/** Default name of the subscription filters this project puts on audit log groups. */
export const DEFAULT_SUBSCRIPTION_FILTER_NAME = "datadog-forwarder-eks-audit";

/** CloudWatch Logs' documented subscription filters per log group (PutSubscriptionFilter API reference). */
export const DEFAULT_SUBSCRIPTION_FILTERS_PER_LOG_GROUP = 2;

/** The names of {@link AuditLogFilterPattern}'s presets, plus `custom`: the values of the config's `subscription.filter`. */
export const AUDIT_LOG_FILTER_NAMES = ["all", "drop-health-checks", "drop-health-checks-and-system-reads", "custom"] as const;
export type AuditLogFilterName = (typeof AUDIT_LOG_FILTER_NAMES)[number];

/**
 * Liveness, readiness and metrics endpoints of the API server (non-resource URLs). `/healthz*` is not listed: EKS's
 * audit policy never logs it (level None for `/healthz*`, `/version`, `/swagger*`; lib/audit/eks-audit-policy.ts),
 * so a filter on it would drop nothing.
 */
export const HEALTH_CHECK_PATH_PREFIXES: readonly string[] = ["/livez", "/readyz", "/metrics"];

/** Read-only verbs whose volume from control-plane identities dominates audit logs. */
export const READ_ONLY_VERBS: readonly string[] = ["get", "list", "watch"];

const KEEP_NON_HEALTH = HEALTH_CHECK_PATH_PREFIXES.map((p) => `$.requestURI != "${p}*"`).join(" && ");

const KEEP_UNLESS_SYSTEM_READ = [
  `(${READ_ONLY_VERBS.map((v) => `$.verb != "${v}"`).join(" && ")})`,
  `$.user.username != "system:*"`,
  `$.user.username = "system:serviceaccount:*"`,
  `$.user.username = "system:anonymous"`,
  `$.objectRef.resource = "secrets"`,
].join(" || ");

/**
 * A filter pattern for audit log subscriptions: one of the documented presets, or a custom pattern.
 * Enum-like class (AWS CDK style); `name` is the value used in the config file.
 */
export class AuditLogFilterPattern {
  /** Every event (pattern `""`). The default. */
  public static readonly ALL_EVENTS = new AuditLogFilterPattern("all", "", [], ["everything"]);

  /**
   * Drops requests to `/livez*`, `/readyz*` and `/metrics*` (probes and Prometheus scrapes of the API server, from
   * any identity, including `system:anonymous`; EKS never logs `/healthz*`).
   */
  public static readonly DROP_HEALTH_CHECKS = new AuditLogFilterPattern(
    "drop-health-checks",
    `{ ${KEEP_NON_HEALTH} }`,
    [`requests whose requestURI starts with ${HEALTH_CHECK_PATH_PREFIXES.join(", ")} (any user, any verb)`],
    ["all other requests"],
  );

  /**
   * Everything `DROP_HEALTH_CHECKS` drops, plus `get`/`list`/`watch` requests by `system:` users (the API server,
   * controller manager, scheduler, kube-proxy, nodes `system:node:*`), EXCEPT service accounts
   * (`system:serviceaccount:*`), `system:anonymous`, and any access to `secrets` — those stay, because the
   * detection rules need them.
   */
  public static readonly DROP_HEALTH_CHECKS_AND_SYSTEM_READS = new AuditLogFilterPattern(
    "drop-health-checks-and-system-reads",
    `{ ${KEEP_NON_HEALTH} && (${KEEP_UNLESS_SYSTEM_READ}) }`,
    [
      `requests whose requestURI starts with ${HEALTH_CHECK_PATH_PREFIXES.join(", ")} (any user, any verb)`,
      `${READ_ONLY_VERBS.join("/")} requests by users named system:* other than system:serviceaccount:* and system:anonymous, unless the resource is secrets`,
    ],
    [
      "every write (create, update, patch, delete, ...)",
      "every read by humans, IAM-mapped users and service accounts (system:serviceaccount:*)",
      "every request by system:anonymous",
      "any access to secrets, whoever makes it",
    ],
  );

  /** The preset names accepted by {@link AuditLogFilterPattern.fromName}, plus "custom". */
  public static readonly NAMES: readonly AuditLogFilterName[] = AUDIT_LOG_FILTER_NAMES;

  /**
   * A custom pattern (CloudWatch Logs filter pattern syntax). Checked for the documented length limit here; the
   * syntax itself is checked by CloudWatch at apply time (test it first with `aws logs test-metric-filter`).
   */
  public static custom(pattern: string): AuditLogFilterPattern {
    const problem = filterPatternProblem(pattern);
    if (problem !== undefined) throwProblems("audit log filter pattern", [problem]);
    return new AuditLogFilterPattern("custom", pattern, ["whatever the custom pattern does not match"]);
  }

  /** Looks a pattern up by its config name (`custom` needs `customPattern`). */
  public static fromName(name: string, customPattern?: string): AuditLogFilterPattern {
    throwProblems("audit log filter pattern", auditLogFilterProblems(name, customPattern));
    if (name === "custom") return AuditLogFilterPattern.custom(customPattern!);
    return AuditLogFilterPattern.PRESETS.find((p) => p.name === name)!;
  }

  private static get PRESETS(): readonly AuditLogFilterPattern[] {
    return [AuditLogFilterPattern.ALL_EVENTS, AuditLogFilterPattern.DROP_HEALTH_CHECKS, AuditLogFilterPattern.DROP_HEALTH_CHECKS_AND_SYSTEM_READS];
  }

  private constructor(
    /** Config name of the pattern. */
    public readonly name: AuditLogFilterName,
    /** The CloudWatch Logs filter pattern. */
    public readonly pattern: string,
    /** Plain-language list of what the pattern drops. */
    public readonly drops: readonly string[],
    /** Plain-language list of what the pattern keeps (docs/ingestion.md's table is generated from both lists). */
    public readonly keeps: readonly string[] = [],
  ) {}
}

/**
 * The problems of a filter chosen by name (`filter`) with an optional custom `pattern`, the rule the config's
 * `subscription.filter`/`pattern` and {@link AuditLogFilterPattern.fromName} share: a known name; a pattern with
 * `custom` and only with it; a pattern CloudWatch accepts. `names` names the two fields in the caller's terms.
 */
export function auditLogFilterProblems(filter: string, pattern: string | undefined, names: FieldNames = propsNames): Problem[] {
  const p = new Problems();
  if (!(AUDIT_LOG_FILTER_NAMES as readonly string[]).includes(filter)) p.add(names("filter"), filter, AUDIT_LOG_FILTER_NAMES.join(", "));
  else if (filter === "custom" && pattern === undefined)
    p.add(
      names("pattern"),
      pattern,
      `a CloudWatch Logs filter pattern of at most ${FILTER_PATTERN_MAX_LENGTH} characters (required when ${names("filter")} is custom)`,
    );
  else if (filter !== "custom" && pattern !== undefined) p.add(names("pattern"), pattern, `absent unless ${names("filter")} is custom`);
  const problem = pattern === undefined ? undefined : filterPatternProblem(pattern);
  if (problem !== undefined) p.addAll([problem], names("pattern"));
  return p.list;
}

/**
 * The problem CloudWatch would have with a pattern (its length, unbalanced JSON braces), located at the pattern (field
 * `""`; a pattern too long is described, not shown), else undefined.
 */
export function filterPatternProblem(pattern: string): Problem | undefined {
  if (pattern.length > FILTER_PATTERN_MAX_LENGTH) {
    return {
      field: "",
      received: `a pattern of ${pattern.length} characters`,
      allowed: `at most ${FILTER_PATTERN_MAX_LENGTH} characters (PutSubscriptionFilter limit)`,
    };
  }
  const trimmed = pattern.trim();
  if (trimmed.startsWith("{") !== trimmed.endsWith("}")) {
    return {
      field: "",
      received: show(pattern),
      why: "it opens or closes a JSON pattern without the other brace",
      allowed: '"{ <expression> }" or a non-JSON pattern',
    };
  }
  return undefined;
}
