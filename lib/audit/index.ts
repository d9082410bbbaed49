/** Kubernetes audit events -> the logs Datadog's `kubernetes.audit` pipeline produces. */
export { AuditEventError, KUBERNETES_AUDIT_SOURCE, normalizeAuditEvent } from "./normalize";
export type { NormalizeOptions } from "./normalize";
export type { NormalizedLog } from "../query";
export {
  applyEksPolicy,
  asLoggedByEks,
  describePolicyRule,
  EKS_AUDIT_POLICY,
  eksLoggedEvents,
  isLongRunning,
  policyRuleFor,
} from "./eks-audit-policy";
export type { AuditLevel, AuditPolicyRule, AuditStage, EksVerdict } from "./eks-audit-policy";
