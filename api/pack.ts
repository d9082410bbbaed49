/**
 * The EKS rule pack: the detection rules with their sample audit events, and what a team needs to write its own in
 * the same shape (sample builders, the pack's query fragments, the EKS audit-policy check of samples).
 *
 * `import { EKS_RULE_PACK, tuneRules } from "eks-audit-siem/pack";`
 *
 * This file only re-exports: the public API is what it lists (see api-report/ and CHANGELOG.md).
 *
 * @packageDocumentation
 */
export { EKS_RULE_PACK } from "../modules/cloud-siem/rules";
export * from "../modules/cloud-siem/pack-helpers";
export * from "../modules/cloud-siem/samples";
export { samplesOnEks, sampleProblem, eksSampleProblems, deadOnEks, deadPackRules } from "../modules/cloud-siem/eks-samples";
export type { SampleOnEks } from "../modules/cloud-siem/eks-samples";
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
