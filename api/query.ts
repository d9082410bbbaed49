// Only re-exports: the package's public API is what this file lists (recorded in api-report/; see CHANGELOG.md).
/**
 * The offline Datadog log search engine: parse a detection rule's query, evaluate it against logs, and turn
 * Kubernetes audit events into the logs Datadog's `kubernetes.audit` pipeline produces (optionally as EKS's audit
 * policy logs them).
 *
 * `import { compileQuery, normalizeAuditEvent } from "eks-audit-siem/query";`
 *
 * @packageDocumentation
 */
export * from "../lib/query";
export * from "../lib/audit";
export type { PolicyGroupResources } from "../lib/audit/eks-audit-policy";
