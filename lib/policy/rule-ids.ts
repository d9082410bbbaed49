/** The organisation policy rules, by id (one file each in this folder). */
export const POLICY_RULE_IDS = ["datadog-trust-external-id", "no-wildcard-principal", "log-group-retention", "no-dd-api-key-parameter"] as const;

/** The id of a policy rule, e.g. `log-group-retention`. */
export type PolicyRuleId = (typeof POLICY_RULE_IDS)[number];
