/** Kubernetes audit events -> the logs Datadog's `kubernetes.audit` pipeline produces. */
export { AuditEventError, KUBERNETES_AUDIT_SOURCE, normalizeAuditEvent } from "./normalize";
export type { NormalizeOptions } from "./normalize";
export type { NormalizedLog } from "../query";
