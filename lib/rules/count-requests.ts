/**
 * "One API request is counted once": the single definition that rules, `rules match --summary`, the tests and any
 * other engine (e.g. a DuckDB backtest) share.
 *
 * Why: the API server writes one audit event per request *stage*, and every stage of a request carries the same
 * `auditID` (audit.k8s.io/v1 `Event.auditID`, "Unique audit ID, generated for each request"). On EKS a long-running
 * request (watch, exec, attach, port-forward, proxy, logs) is logged twice, `ResponseStarted` and `ResponseComplete`,
 * and a TokenRequest can also be logged at `RequestReceived` (EKS audit policy, see `lib/audit/eks-audit-policy.ts`).
 * A rule that counts audit *events* (`count` aggregation) with a threshold above one therefore fires after about
 * half the requests it names (`execs > 5` after 3 execs).
 *
 * Semantics (exactly; mirror these in any other engine):
 * 1. A request's identity is its `@auditID` ({@link REQUEST_ID_FIELD}). Events without an `auditID` are not counted.
 * 2. A counting query's value, per group-by key and evaluation window, is the number of DISTINCT `@auditID` values
 *    among the events that match the query in that window: Datadog's `cardinality` aggregation with
 *    `distinct_fields = ["@auditID"]` (Log Detection Rules, "Count / cardinality",
 *    https://docs.datadoghq.com/security/cloud_siem/detect_and_monitor/custom_detection_rules/). In SQL:
 *    `count(DISTINCT auditID) ... GROUP BY <group-by fields>, <window>`.
 * 3. A request whose stages fall in two windows counts once in each window (each window is evaluated alone).
 * 4. The stage is not filtered: whichever stage arrives first counts, so a long interactive exec is counted when it
 *    starts (`ResponseStarted`), not when it ends.
 * Rules whose conditions hold for one event (`a > 0`) need none of this: a second stage of the same request does
 * not raise a second signal within the keep-alive.
 */

/** The attribute that identifies one API request across its audit stages. */
export const REQUEST_ID_FIELD = "@auditID";

/** The aggregation fields of a query that counts requests once (spread into a rule query's props). */
export const COUNT_REQUESTS: { readonly aggregation: "cardinality"; readonly distinctFields: readonly string[] } = {
  aggregation: "cardinality",
  distinctFields: [REQUEST_ID_FIELD],
};

/** Whether a query counts requests once (cardinality over `@auditID` only). */
export function countsRequests(query: { readonly aggregation?: string; readonly distinctFields?: readonly string[] }): boolean {
  return query.aggregation === "cardinality" && query.distinctFields?.length === 1 && query.distinctFields[0] === REQUEST_ID_FIELD;
}

/** Why a `count` aggregation compared with a threshold above one is refused (for rule problems). */
export const COUNT_EVENTS_WHY =
  "a count aggregation counts audit events, and EKS logs a long-running request (exec, attach, port-forward, proxy, watch) twice, ResponseStarted and ResponseComplete with the same auditID";
export const COUNT_REQUESTS_ALLOWED = `aggregation "cardinality" with distinct_fields ["${REQUEST_ID_FIELD}"] (each request counted once), or a condition that holds for one event (e.g. > 0)`;
