import { Construct } from "constructs";
import { TerraformProvider } from "cdktf";
import { SecurityMonitoringRule, SecurityMonitoringRuleQuery } from "@cdktf/provider-datadog/lib/security-monitoring-rule";
import { SecurityMonitoringSuppression } from "@cdktf/provider-datadog/lib/security-monitoring-suppression";
import { SecurityNotificationRule } from "@cdktf/provider-datadog/lib/security-notification-rule";
import { SEVERITIES } from "./allowed-values";
import { DetectionRule, DetectionRuleProps, normalizeRule, ruleProblems } from "./rule-model";
import {
  RULE_ID_TAG_KEY,
  SecurityNotificationRuleProps,
  SuppressionProps,
  notificationRuleProblems,
  slug,
  suppressionProblems,
  suppressionRuleQuery,
} from "./suppressions";
import { readableAddress } from "../../lib/addresses";
import { Problem, Problems, throwProblems } from "../../lib/problem";
import { DATADOG_TAG, DATADOG_TAG_ALLOWED } from "../../lib/datadog-tags";
import { identityAttributesIn, identityAttributesOf } from "./identity";

export interface CloudSiemRulesProps {
  /** Detection rules (e.g. `tuneRules(EKS_RULE_PACK, tuning)`); each becomes one `datadog_security_monitoring_rule`. */
  readonly rules: readonly DetectionRuleProps[];
  /**
   * Suppressions of known-benign activity (`datadog_security_monitoring_suppression`).
   * @default []
   */
  readonly suppressions?: readonly SuppressionProps[];
  /**
   * Notification rules (`datadog_security_notification_rule`), the alternative to per-case notifications.
   * @default []
   */
  readonly securityNotificationRules?: readonly SecurityNotificationRuleProps[];
  /**
   * Tags added to every rule, e.g. `env:prod`.
   * @default []
   */
  readonly ruleTags?: readonly string[];
  /**
   * The Datadog provider of the resources.
   * @default - the stack's default Datadog provider
   */
  readonly datadogProvider?: TerraformProvider;
}

/** Where a rule's problems are reported: `rules.<id>` (the tuning's and the tables' key), `rules[<i>]` without an id. */
function ruleField(rule: DetectionRuleProps, index: number): string {
  return typeof rule.id === "string" && rule.id !== "" ? `rules.${rule.id}` : `rules[${index}]`;
}

/**
 * Every problem of the props: each rule definition, duplicate rule ids and names, suppressions, notification rules
 * and rule tags, each under its field path (`rules.<id>.case[0].status`, `suppressions[0].name`). Empty when valid.
 */
export function cloudSiemRulesProblems(props: CloudSiemRulesProps): Problem[] {
  const p = new Problems();
  (props.ruleTags ?? []).forEach((tag, i) => {
    if (typeof tag !== "string" || !DATADOG_TAG.test(tag)) p.add(`ruleTags[${i}]`, tag, DATADOG_TAG_ALLOWED);
  });
  const ids = new Map<string, number>();
  const names = new Map<string, string>();
  props.rules.forEach((rule, i) => {
    const f = ruleField(rule, i);
    p.addAll(ruleProblems(rule), f);
    const firstId = ids.get(rule.id);
    if (firstId !== undefined) p.add(`${f}.id`, rule.id, "unique rule ids", `also the id of rules[${firstId}]`);
    else ids.set(rule.id, i);
    const other = names.get(rule.name);
    if (other !== undefined && other !== rule.id) p.add(`${f}.name`, rule.name, "unique rule names", `already used by rule "${other}"`);
    else names.set(rule.name, rule.id);
  });
  const ruleIds = props.rules.map((r) => r.id);
  namedEntryProblems(p, "suppressions", props.suppressions ?? [], (s) => [
    ...suppressionProblems(s, ruleIds),
    ...suppressionIdentityProblems(s, props.rules),
  ]);
  namedEntryProblems(p, "securityNotificationRules", props.securityNotificationRules ?? [], notificationRuleProblems);
  return p.list;
}

/**
 * A suppression whose query names an identity attribute (`@usr.id`, `@usr.name`) that none of the rules it selects
 * carries would never match: the pack's rules use one identity attribute (`identityAttribute`).
 */
export function suppressionIdentityProblems(s: SuppressionProps, rules: readonly DetectionRuleProps[]): Problem[] {
  const selected = (s.ruleIds ?? []).length > 0 ? rules.filter((r) => (s.ruleIds ?? []).includes(r.id)) : rules;
  const carried = new Set(selected.flatMap((r) => [...identityAttributesOf(r)]));
  const p = new Problems();
  for (const [field, query] of [
    ["suppression_query", s.suppressionQuery],
    ["data_exclusion_query", s.dataExclusionQuery],
  ] as const) {
    if (query === undefined) continue;
    for (const attribute of identityAttributesIn(query)) {
      if (!carried.has(attribute))
        p.add(
          field,
          query,
          `a query on ${carried.size > 0 ? [...carried].join(" or ") : "an attribute the selected rules carry"} (the identity attribute of its rules, cloudSiem.identityAttribute)`,
          `${attribute} is not an attribute of the rules it suppresses`,
        );
    }
  }
  return p.list;
}

/**
 * The problems of each entry of a list of named resources under `<prop>[i]`, and, for valid entries, a name whose
 * slug (the resource's construct id and address) an earlier entry already has.
 */
function namedEntryProblems<T extends { readonly name: string }>(
  p: Problems,
  prop: string,
  entries: readonly T[],
  problemsOf: (entry: T) => Problem[],
): void {
  const firstBySlug = new Map<string, number>();
  entries.forEach((entry, i) => {
    const problems = problemsOf(entry);
    p.addAll(problems, `${prop}[${i}]`);
    const first = firstBySlug.get(slug(entry.name ?? ""));
    if (problems.length === 0 && first !== undefined) p.add(`${prop}[${i}].name`, entry.name, "unique names", `also the name of ${prop}[${first}]`);
    else firstBySlug.set(slug(entry.name ?? ""), i);
  });
}

/**
 * Cloud SIEM detection rules as code: one `datadog_security_monitoring_rule` per definition (construct ID = rule
 * id, so Terraform addresses stay stable), plus suppressions and notification rules. Every definition is
 * validated here, before anything is synthesized.
 */
export class CloudSiemRules extends Construct {
  /** The validated rules, in input order. */
  public readonly detectionRules: readonly DetectionRule[];
  /** The rule resources by rule id. */
  public readonly securityMonitoringRules: Readonly<Record<string, SecurityMonitoringRule>>;
  /** The suppression resources by construct ID (slug of the name). */
  public readonly securityMonitoringSuppressions: Readonly<Record<string, SecurityMonitoringSuppression>>;
  /** The notification rule resources by construct ID (slug of the name). */
  public readonly securityNotificationRules: Readonly<Record<string, SecurityNotificationRule>>;

  constructor(scope: Construct, id: string, props: CloudSiemRulesProps) {
    super(scope, id);
    throwProblems(`cloud siem "${this.node.path}"`, cloudSiemRulesProblems(props));
    const ruleTags = props.ruleTags ?? [];
    this.detectionRules = props.rules.map((r) => normalizeRule(r));
    this.securityMonitoringRules = Object.fromEntries(this.detectionRules.map((rule) => [rule.id, this.createRule(props, rule, ruleTags)]));
    this.securityMonitoringSuppressions = Object.fromEntries((props.suppressions ?? []).map((s) => this.createSuppression(props, s)));
    this.securityNotificationRules = Object.fromEntries((props.securityNotificationRules ?? []).map((n) => this.createNotificationRule(props, n)));
  }

  /** One `datadog_security_monitoring_suppression`, keyed `suppression-<slug of name>`. */
  private createSuppression(props: CloudSiemRulesProps, s: SuppressionProps): [string, SecurityMonitoringSuppression] {
    const key = `suppression-${slug(s.name ?? "")}`;
    const suppression = new SecurityMonitoringSuppression(this, key, {
      provider: props.datadogProvider,
      name: s.name,
      enabled: s.enabled ?? true,
      ruleQuery: suppressionRuleQuery(s),
      ...(s.description === undefined ? {} : { description: s.description }),
      ...(s.suppressionQuery === undefined ? {} : { suppressionQuery: s.suppressionQuery }),
      ...(s.dataExclusionQuery === undefined ? {} : { dataExclusionQuery: s.dataExclusionQuery }),
      ...(s.startDate === undefined ? {} : { startDate: s.startDate }),
      ...(s.expirationDate === undefined ? {} : { expirationDate: s.expirationDate }),
    });
    return [key, readableAddress(suppression, slug(s.name ?? ""))];
  }

  /** One `datadog_security_notification_rule` on security signals, keyed `notification-<slug of name>`. */
  private createNotificationRule(props: CloudSiemRulesProps, n: SecurityNotificationRuleProps): [string, SecurityNotificationRule] {
    const key = `notification-${slug(n.name ?? "")}`;
    const rule = new SecurityNotificationRule(this, key, {
      provider: props.datadogProvider,
      name: n.name,
      enabled: n.enabled ?? true,
      targets: [...n.targets],
      timeAggregation: n.timeAggregationSeconds ?? 0,
      selectors: {
        triggerSource: "security_signals",
        ruleTypes: [...(n.ruleTypes ?? ["log_detection"])],
        severities: [...(n.severities ?? SEVERITIES)],
        query: n.query ?? "source:kubernetes",
      },
    });
    return [key, readableAddress(rule, slug(n.name ?? ""))];
  }

  private createRule(props: CloudSiemRulesProps, rule: DetectionRule, ruleTags: readonly string[]): SecurityMonitoringRule {
    const isNewValue = rule.detectionMethod === "new_value";
    const tags = [...rule.tags];
    for (const tag of [...ruleTags, `${RULE_ID_TAG_KEY}:${rule.id}`]) if (!tags.includes(tag)) tags.push(tag);
    // Addressed by rule id: `datadog_security_monitoring_rule.<rule id>`.
    const resource = new SecurityMonitoringRule(this, rule.id, {
      provider: props.datadogProvider,
      name: rule.name,
      message: rule.message,
      enabled: rule.enabled,
      type: "log_detection",
      tags,
      hasExtendedTitle: rule.hasExtendedTitle,
      ...(rule.groupSignalsBy.length > 0 ? { groupSignalsBy: [...rule.groupSignalsBy] } : {}),
      query: rule.queries.map((q): SecurityMonitoringRuleQuery => ({
        // Provider docs: `name` is "not compatible with new_value aggregations" (DataDog/terraform-provider-datadog@v3.82.0 `docs/resources/security_monitoring_rule.md`) - omitted there.
        ...(isNewValue ? {} : { name: q.name }),
        query: q.query,
        aggregation: q.aggregation,
        dataSource: "logs",
        groupByFields: [...q.groupByFields],
        distinctFields: [...q.distinctFields],
        hasOptionalGroupByFields: false,
        // `metric` is echoed by the API; set both consistently so 3.82 shows no perpetual diff (DataDog/terraform-provider-datadog#3038).
        ...(q.metrics.length > 0 ? { metrics: [...q.metrics] } : {}),
        ...(q.metrics.length === 1 ? { metric: q.metrics[0] } : {}),
      })),
      case: rule.cases.map((c) => ({
        status: c.status,
        ...(c.condition === undefined ? {} : { condition: c.condition }),
        ...(c.name === undefined ? {} : { name: c.name }),
        notifications: [...c.notifications],
      })),
      options: {
        detectionMethod: rule.detectionMethod,
        // Every timing option is explicit: 3.82 sends 0 for an unset keep_alive (provider 3.82 `resource_datadog_security_monitoring_rule.go`).
        evaluationWindow: rule.evaluationWindowSeconds,
        keepAlive: rule.keepAliveSeconds,
        maxSignalDuration: rule.maxSignalDurationSeconds,
        decreaseCriticalityBasedOnEnv: rule.decreaseCriticalityBasedOnEnv,
        ...(rule.newValueOptions === undefined
          ? {}
          : {
              newValueOptions: {
                forgetAfter: rule.newValueOptions.forgetAfterDays,
                learningDuration: rule.newValueOptions.learningDurationDays,
                learningMethod: rule.newValueOptions.learningMethod,
                learningThreshold: rule.newValueOptions.learningThreshold,
              },
            }),
      },
    });
    return readableAddress(resource, rule.id);
  }
}
