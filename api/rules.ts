// Only re-exports: the package's public API is what this file lists (recorded in api-report/; see CHANGELOG.md).
/**
 * `rules match` as a library: replay audit events through detection rules from a program, with the same
 * arguments, output and exit codes as the command; the rule conditions and the rules a config deploys.
 *
 * `import { runMatch, resolveRules } from "eks-audit-siem/rules";`
 *
 * @packageDocumentation
 */
export { runMatch, parseMatchArgs, RulesArgumentError, MATCH_USAGE, compileCondition, MAX_DISTINCT_VALUES_PER_RULE } from "../tools/rules/match";
export type { MatchIo, MatchArgs, ResolveRules, ResolveRulesOptions } from "../tools/rules/match";
export { rulesFromConfig, resolveRules } from "../tools/rules/cli";
export * from "../lib/rules/condition";
export * from "../lib/rules/count-requests";
export type * from "../lib/rules/matchable";
export type { AppConfig } from "../config/schema";
