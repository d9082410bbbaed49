/**
 * The organisation policies over a synthesized stack, one rule per file: each a pure check over Terraform JSON and
 * an aspect ({@link PolicyRule}) that runs it on every element at synth. {@link addPolicyAspects} adds them all to a
 * stack (the base stack, lib/siem-stack.ts, does); {@link checkSynthesizedStack} runs the checks over a whole
 * `cdk.tf.json`.
 */
import { Aspects } from "cdktf";
import { IConstruct } from "constructs";
import { DatadogTrustExternalId, checkDatadogTrustExternalId } from "./datadog-trust-external-id";
import { LogGroupRetention, checkLogGroupRetention } from "./log-group-retention";
import { NoDdApiKeyParameter, checkNoDdApiKeyParameter } from "./no-dd-api-key-parameter";
import { NoWildcardPrincipal, checkNoWildcardPrincipal } from "./no-wildcard-principal";
import { PolicyViolation, SynthesizedStack } from "./policy-document";
import { PolicyRule } from "./policy-rule";

/** All rules, in a stable order. */
export const POLICY_CHECKS: readonly ((stack: SynthesizedStack) => PolicyViolation[])[] = [
  checkDatadogTrustExternalId,
  checkNoWildcardPrincipal,
  checkLogGroupRetention,
  checkNoDdApiKeyParameter,
];

/** Runs every rule over a synthesized stack. */
export function checkSynthesizedStack(stack: SynthesizedStack): PolicyViolation[] {
  return POLICY_CHECKS.flatMap((check) => check(stack));
}

/** Every rule as an aspect, in the order of {@link POLICY_CHECKS}. */
export function policyRules(): PolicyRule[] {
  return [new DatadogTrustExternalId(), new NoWildcardPrincipal(), new LogGroupRetention(), new NoDdApiKeyParameter()];
}

/** Adds every policy rule to `scope` as an aspect: their findings stop the synth (lib/siem-stack.ts). */
export function addPolicyAspects(scope: IConstruct): void {
  for (const rule of policyRules()) Aspects.of(scope).add(rule);
}
