/**
 * Review of Datadog's built-in (out-of-the-box) Kubernetes rules, pinned per environment: which are enabled and
 * who they notify. Built-in rules cannot be created, only imported, and their IDs differ between orgs
 * (DataDog/terraform-provider-datadog@v3.82.0 `docs/resources/security_monitoring_default_rule.md`), so IDs are looked up at plan time with the
 * `datadog_security_monitoring_rules` data source (`docs/data-sources/security_monitoring_rules.md`)
 * and fed to an `import` block (Terraform >= 1.6 evaluates an import `id` expression during plan when its inputs
 * are known; a data source's outputs are).
 */
import { Construct } from "constructs";
import { TerraformOutput, TerraformProvider } from "cdktf";
import { DataDatadogSecurityMonitoringRules } from "@cdktf/provider-datadog/lib/data-datadog-security-monitoring-rules";
import { SecurityMonitoringDefaultRule } from "@cdktf/provider-datadog/lib/security-monitoring-default-rule";
import type { Severity } from "../../lib/rules/matchable";
import { SEVERITIES } from "./allowed-values";
import { severityNotificationProblems } from "./rule-model";
import { slug, unknownKeyProblems } from "./suppressions";
import { readableAddress } from "../../lib/addresses";
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
  /**
   * What to do when this built-in rule covers the same behaviour as an enabled rule of the pack
   * ({@link BUILT_IN_RULE_OVERLAPS}): `keep-both` (two signals for one event), `keep-built-in` (the pack rule is
   * disabled), `keep-pack` (the built-in rule is adopted disabled).
   * @default - none: an enabled overlapping built-in rule is a synth error that names both rules
   */
  readonly overlap?: BuiltInOverlapChoice;
}

/** The choices for a built-in rule that overlaps a pack rule. */
export const BUILT_IN_OVERLAP_CHOICES = ["keep-both", "keep-built-in", "keep-pack"] as const;
export type BuiltInOverlapChoice = (typeof BUILT_IN_OVERLAP_CHOICES)[number];

/**
 * Datadog's built-in Kubernetes rules that cover the behaviour of a pack rule, by exact built-in name → pack rule id.
 * Names and queries from Datadog's default rules (https://docs.datadoghq.com/security/default_rules/: e.g. "A
 * Kubernetes user was assigned cluster administrator permissions", `@requestObject.roleRef.name:cluster-admin`; "A new
 * Kubernetes admission controller was created", create of webhook configurations) and the older set documented in
 * DataDog/documentation `content/en/security/default_rules/`.
 */
export const BUILT_IN_RULE_OVERLAPS: Readonly<Record<string, string>> = {
  "A Kubernetes user was assigned cluster administrator permissions": "cluster-admin-binding",
  "A new Kubernetes admission controller was created": "admission-webhook-changed",
  "A Kubernetes user attempted to perform a high number of actions that were denied": "forbidden-burst",
  "Kubernetes principal attempted to enumerate their permissions": "permission-enumeration",
  "User Exec into a Pod": "pod-exec-new-user",
  "User Attached to a Pod": "pod-attach",
  "Anonymous Request Authorized": "anonymous-request-authorized",
  "Kubernetes Pod Created with hostNetwork": "host-namespaces-pod",
  "Kubernetes Service Created with NodePort": "nodeport-service",
  "New Kubernetes Namespace Created": "namespace-created",
  "Kubernetes Pod Created in Kube Namespace": "kube-system-pod",
  "Kubernetes Service Account Created in Kube Namespace": "kube-system-serviceaccount",
  "New Kubernetes privileged pod created": "privileged-pod",
};

/** The outcome of {@link resolveBuiltInOverlaps}. */
export interface BuiltInOverlapResolution {
  /** The settings with `keep-pack` rules disabled. */
  readonly rules: readonly BuiltInRuleSetting[];
  /** Pack rule ids to disable (`keep-built-in`). */
  readonly disablePackRules: readonly string[];
  /** One line per overlap kept on both sides (`keep-both`), for the docs and the synth summary. */
  readonly keptBoth: readonly string[];
  /** Overlaps without a choice, and choices that name no overlap. */
  readonly problems: readonly Problem[];
}

/**
 * Applies each adopted built-in rule's `overlap` choice against the pack rules that are enabled. An enabled built-in
 * rule that overlaps an enabled pack rule without a choice is a problem naming both rules and the choices.
 */
export function resolveBuiltInOverlaps(settings: readonly BuiltInRuleSetting[], enabledPackRules: readonly string[]): BuiltInOverlapResolution {
  const p = new Problems();
  const disablePackRules: string[] = [];
  const keptBoth: string[] = [];
  const rules = settings.map((setting, i) => {
    const packRule = BUILT_IN_RULE_OVERLAPS[setting.name];
    const overlaps = packRule !== undefined && enabledPackRules.includes(packRule) && (setting.enabled ?? true);
    const field = `rules[${i}].overlap`;
    if (setting.overlap !== undefined && !BUILT_IN_OVERLAP_CHOICES.includes(setting.overlap)) {
      p.add(field, setting.overlap, BUILT_IN_OVERLAP_CHOICES.join(", "));
      return setting;
    }
    if (!overlaps) {
      if (setting.overlap !== undefined && packRule === undefined)
        p.add(field, setting.overlap, "no overlap setting", `${JSON.stringify(setting.name)} overlaps no pack rule`);
      return setting;
    }
    const both = `built-in rule ${JSON.stringify(setting.name)} and pack rule ${packRule}`;
    switch (setting.overlap) {
      case undefined:
        p.add(
          field,
          undefined,
          `${BUILT_IN_OVERLAP_CHOICES.join(", ")} (keep-built-in disables the pack rule, keep-pack adopts the built-in rule disabled)`,
          `${both} detect the same behaviour: both would signal for one event`,
        );
        return setting;
      case "keep-built-in":
        disablePackRules.push(packRule);
        return setting;
      case "keep-pack":
        return { ...setting, enabled: false };
      case "keep-both":
        keptBoth.push(both);
        return setting;
    }
  });
  return { rules, disablePackRules, keptBoth, problems: p.list };
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
  /**
   * The Datadog provider of the data source and the adopted rules.
   * @default - the stack's default Datadog provider
   */
  readonly datadogProvider?: TerraformProvider;
}

/** Every problem of the props (unknown keys, names, notification handles). Empty when valid. */
export function builtInRuleReviewProblems(props: BuiltInRuleReviewProps): Problem[] {
  const p = new Problems();
  p.addAll(severityNotificationProblems("notifications", props.notifications));
  const seen = new Set<string>();
  props.rules.forEach((r, i) => {
    p.addAll(unknownKeyProblems(r, ["name", "enabled", "notifications", "overlap"], `rules[${i}].`));
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
    throwProblems(`built-in rule review "${this.node.path}"`, builtInRuleReviewProblems(props));
    this.builtInRulesDataSource = this.builtInRuleListing(props);
    this.builtInRules = Object.fromEntries(props.rules.map((setting) => this.adoptRule(props, setting)));
  }

  /** The data source listing the built-in rules, and their names as the output `builtin_rule_names` for the review. */
  private builtInRuleListing(props: BuiltInRuleReviewProps): DataDatadogSecurityMonitoringRules {
    const dataSource = new DataDatadogSecurityMonitoringRules(this, "kubernetes", {
      provider: props.datadogProvider,
      defaultOnlyFilter: true,
      tagsFilter: [...(props.tagsFilter ?? ["source:kubernetes"])],
    });
    readableAddress(dataSource, "builtin_rules");
    new TerraformOutput(this, "names", {
      description: "Names of the Datadog built-in rules matching the tags filter (review them; adopt by exact name)",
      value: terraformExpression(`sort(${dataSourceRef(dataSource, "rules")}[*].name)`),
    }).overrideLogicalId("builtin_rule_names");
    return dataSource;
  }

  /** One built-in rule, imported by its exact name, with `enabled` and every case's notifications pinned. */
  private adoptRule(props: BuiltInRuleReviewProps, setting: BuiltInRuleSetting): [string, SecurityMonitoringDefaultRule] {
    const key = `builtin-${slug(setting.name)}`;
    const rulesRef = dataSourceRef(this.builtInRulesDataSource, "rules");
    // index() fails the plan ("item not found") when no built-in rule has this exact name.
    const position = `index(${rulesRef}[*].name, ${hclLiteral(setting.name)})`;
    const notifications = setting.notifications ?? props.notifications ?? {};
    const notificationMap: Record<string, string[]> = {};
    for (const severity of SEVERITIES) notificationMap[severity] = [...(notifications[severity] ?? [])];
    const rule = readableAddress(
      new SecurityMonitoringDefaultRule(this, key, { provider: props.datadogProvider, enabled: setting.enabled ?? true }),
      slug(setting.name),
    );
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
    importExisting(rule, terraformExpression(`${dataSourceRef(this.builtInRulesDataSource, "rule_ids")}[${position}]`), props.datadogProvider);
    return [key, rule];
  }
}

/**
 * `data.<type>.<name>.<attribute>` of the listing. Expressions are written as tokens (terraformExpression) with their
 * text as HCL literals (hclLiteral): a rule name or a notification handle is text, never a template
 * (lib/literal-text.ts).
 */
function dataSourceRef(ds: DataDatadogSecurityMonitoringRules, attribute: "rules" | "rule_ids"): string {
  return `data.${ds.terraformResourceType}.${ds.friendlyUniqueId}.${attribute}`;
}
