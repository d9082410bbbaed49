/**
 * Offline Datadog log search: parse a detection rule's query once, evaluate it against normalized logs.
 *
 *   const matches = compileQuery("source:kubernetes.audit @objectRef.subresource:exec");
 *   matches(normalizeAuditEvent(event)); // boolean
 */
export type { NormalizedLog, QueryField, QueryNode, QueryValue, ReservedAttribute } from "./ast";
export { QuerySyntaxError } from "./errors";
export { parseQuery } from "./parser";
export { compileFieldReader, compileNode, compileQuery, matchesQuery } from "./evaluate";
export type { FieldReader, LogPredicate } from "./evaluate";
export { listAttributePaths, listQueryTerms, listReservedValues } from "./inspect";
export type { QueryTermInfo } from "./inspect";
export { compileQuerySet, requiredValues } from "./query-set";
export type { QuerySet } from "./query-set";
