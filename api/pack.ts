// Only re-exports: the package's public API is what this file lists (recorded in api-report/; see CHANGELOG.md).
/**
 * The EKS rule pack: the detection rules with their sample audit events, and what a team needs to write its own in
 * the same shape (sample builders, the pack's query fragments, the EKS audit-policy check of samples).
 *
 * `import { EKS_RULE_PACK, tuneRules } from "eks-audit-siem/pack";`
 *
 * @packageDocumentation
 */
export { EKS_RULE_PACK } from "../pack/rules";
export * from "../pack/pack-helpers";
export * from "../pack/samples";
export { samplesOnEks, sampleProblem, eksSampleProblems, deadOnEks, deadPackRules } from "../pack/eks-samples";
export type { SampleOnEks } from "../pack/eks-samples";
export { tuneRules, tuningProblems, cloudSiemPropsFromTuning } from "../modules/cloud-siem/tuning";
export type { RuleTuning, CloudSiemTuning, NotificationDelivery } from "../modules/cloud-siem/tuning";
export { defineRule, ruleProblems, assertValidRule, BASE_RULE_TAGS } from "../modules/cloud-siem/rule-model";
export type {
  DetectionRuleProps,
  DetectionRule,
  RuleQueryProps,
  RuleCaseProps,
  NewValueOptionsProps,
  Severity,
  SampleEvent,
} from "../modules/cloud-siem/rule-model";
export type { CloudSiemRulesProps, DetectionMethod, IdentityAttribute, SecurityNotificationRuleProps, SuppressionProps } from "../modules/cloud-siem";
export type { MatchableRule, MatchableRuleCase, MatchableRuleQuery } from "../lib/rules/matchable";
export type { Problem } from "../lib/problem";
export type { AuditLevel } from "../lib/audit";
