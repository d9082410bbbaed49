/**
 * Review of Datadog's built-in (out-of-the-box) Kubernetes rules, pinned per environment: which are enabled and
 * who they notify. Built-in rules cannot be created, only imported, and their IDs differ between orgs
 * (DataDog/terraform-provider-datadog@v3.82.0 `docs/resources/security_monitoring_default_rule.md`), so IDs are looked up at plan time with the
 * `datadog_security_monitoring_rules` data source (`docs/data-sources/security_monitoring_rules.md`)
 * and fed to an `import` block (Terraform >= 1.6 evaluates an import `id` expression during plan when its inputs
 * are known; a data source's outputs are).
 */
import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { DataDatadogSecurityMonitoringRules } from "@cdktf/provider-datadog/lib/data-datadog-security-monitoring-rules";
import { SecurityMonitoringDefaultRule } from "@cdktf/provider-datadog/lib/security-monitoring-default-rule";
import type { Severity } from "../../lib/rules/matchable";
import { SEVERITIES } from "./allowed-values";
import { severityNotificationProblems } from "./rule-model";
import { slug, unknownKeyProblems } from "./suppressions";
import { readableAddress } from "../addresses";
import { Problem, Problems, throwProblems } from "../../lib/problem";
import { importExisting } from "../../lib/terraform-floor";
import { terraformExpression } from "../../lib/literal-text";
import { hclLiteral } from "../../lib/terraform-template";

/** One built-in rule to pin. */
export interface BuiltInRuleSetting {
  /** The rule's exact name in Datadog, e.g. `A Kubernetes user was assigned cluster administrator permissions`. */
  readonly name: string;
  /**
   * Whether the rule is enabled.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Notification targets per case severity (cases of other severities get none).
   * @default - the construct's `notifications`
   */
  readonly notifications?: Readonly<Partial<Record<Severity, readonly string[]>>>;
}

export interface BuiltInRuleReviewProps {
  /** Built-in rules to adopt and pin, by exact name. */
  readonly rules: readonly BuiltInRuleSetting[];
  /**
   * Notification targets per severity for rules without their own.
   * @default {} (notifications of adopted rules are cleared)
   */
  readonly notifications?: Readonly<Partial<Record<Severity, readonly string[]>>>;
  /**
   * Tags the built-in rules are listed by (a rule must carry all of them).
   * @default ["source:kubernetes"]
   */
  readonly tagsFilter?: readonly string[];
}

/** Every problem of the props (unknown keys, names, notification handles). Empty when valid. */
export function builtInRuleReviewProblems(props: BuiltInRuleReviewProps): Problem[] {
  const p = new Problems();
  p.addAll(severityNotificationProblems("notifications", props.notifications));
  const seen = new Set<string>();
  props.rules.forEach((r, i) => {
    p.addAll(unknownKeyProblems(r, ["name", "enabled", "notifications"], `rules[${i}].`));
    if (typeof r.name !== "string" || slug(r.name) === "") p.add(`rules[${i}].name`, r.name, "the exact name of a Datadog built-in rule");
    else if (seen.has(slug(r.name))) p.add(`rules[${i}].name`, r.name, "each rule once", "listed twice");
    else seen.add(slug(r.name));
    p.addAll(severityNotificationProblems(`rules[${i}].notifications`, r.notifications));
  });
  return p.list;
}

/**
 * Adopts the named built-in rules (`datadog_security_monitoring_default_rule` + `import` block whose ID is looked
 * up by exact name) and pins `enabled` and per-severity notifications. Also outputs the names of every built-in
 * rule matching `tagsFilter`, for the review itself.
 */
export class BuiltInRuleReview extends Construct {
  /** The data source listing the built-in rules. */
  public readonly builtInRulesDataSource: DataDatadogSecurityMonitoringRules;
  /** The adopted rules, by construct ID (`builtin-<slug of name>`). */
  public readonly builtInRules: Readonly<Record<string, SecurityMonitoringDefaultRule>>;

  constructor(scope: Construct, id: string, props: BuiltInRuleReviewProps) {
    super(scope, id);
    throwProblems(`built-in rule review "${id}"`, builtInRuleReviewProblems(props));

    this.builtInRulesDataSource = new DataDatadogSecurityMonitoringRules(this, "kubernetes", {
      defaultOnlyFilter: true,
      tagsFilter: [...(props.tagsFilter ?? ["source:kubernetes"])],
    });
    readableAddress(this.builtInRulesDataSource, "builtin_rules");
    const ds = this.builtInRulesDataSource;
    // Expressions are written as tokens (terraformExpression) with their text as HCL literals (hclLiteral): a rule
    // name or a notification handle is text, never a template (lib/literal-text.ts).
    const rulesRef = `data.${ds.terraformResourceType}.${ds.friendlyUniqueId}.rules`;
    new TerraformOutput(this, "names", {
      description: "Names of the Datadog built-in rules matching the tags filter (review them; adopt by exact name)",
      value: terraformExpression(`sort(${rulesRef}[*].name)`),
    }).overrideLogicalId("builtin_rule_names");

    const adopted: Record<string, SecurityMonitoringDefaultRule> = {};
    for (const setting of props.rules) {
      const key = `builtin-${slug(setting.name)}`;
      // index() fails the plan ("item not found") when no built-in rule has this exact name.
      const position = `index(${rulesRef}[*].name, ${hclLiteral(setting.name)})`;
      const notifications = setting.notifications ?? props.notifications ?? {};
      const notificationMap: Record<string, string[]> = {};
      for (const severity of SEVERITIES) notificationMap[severity] = [...(notifications[severity] ?? [])];
      const rule = readableAddress(new SecurityMonitoringDefaultRule(this, key, { enabled: setting.enabled ?? true }), slug(setting.name));
      // Every case of the rule, matched by status, with notifications pinned to the config (security_monitoring_default_rule docs: cases
      // left out would have their notifications cleared anyway). Written as a raw dynamic block: the case list
      // only exists at plan time.
      rule.addOverride("dynamic.case", {
        for_each: terraformExpression(`${rulesRef}[${position}].case`),
        iterator: "builtin_case",
        content: {
          status: terraformExpression("builtin_case.value.status"),
          notifications: terraformExpression(`lookup(${hclLiteral(notificationMap)}, builtin_case.value.status, [])`),
        },
      });
      importExisting(rule, terraformExpression(`data.${ds.terraformResourceType}.${ds.friendlyUniqueId}.rule_ids[${position}]`));
      adopted[key] = rule;
    }
    this.builtInRules = adopted;
  }
}
