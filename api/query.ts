/**
 * The offline Datadog log search engine: parse a detection rule's query, evaluate it against logs, and turn
 * Kubernetes audit events into the logs Datadog's `kubernetes.audit` pipeline produces (optionally as EKS's audit
 * policy logs them).
 *
 * `import { compileQuery, normalizeAuditEvent } from "eks-audit-siem/query";`
 *
 * This file only re-exports: the public API is what it lists (see api-report/ and CHANGELOG.md).
 *
 * @packageDocumentation
 */
export * from "../lib/query";
export {
  AuditEventError,
  KUBERNETES_AUDIT_SOURCE,
  normalizeAuditEvent,
  applyEksPolicy,
  asLoggedByEks,
  describePolicyRule,
  EKS_AUDIT_POLICY,
  eksLoggedEvents,
  isLongRunning,
  policyRuleFor,
} from "../lib/audit";
export type { NormalizeOptions, AuditLevel, AuditPolicyRule, AuditStage, EksVerdict } from "../lib/audit";
