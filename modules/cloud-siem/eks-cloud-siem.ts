import { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { BuiltInRuleReview, BuiltInRuleReviewProps, resolveBuiltInOverlaps } from "./builtin-rule-review";
import { CloudSiemRules } from "./cloud-siem-rules";
import { DetectionRuleProps } from "./rule-model";
import { EKS_RULE_PACK } from "../../pack/rules";
import { unknownKeyProblems } from "./suppressions";
import { throwProblems } from "../../lib/problem";
import { CloudSiemTuning, cloudSiemPropsFromTuning, tuneRules } from "./tuning";

/** Built-in rule review settings of an environment. */
export interface EksBuiltInRulesProps {
  /** Built-in rules to adopt and pin, by exact Datadog name. */
  readonly rules: BuiltInRuleReviewProps["rules"];
  /**
   * Notification targets per severity of the adopted rules.
   * @default - the environment's `notifications` with `notificationDelivery: case`; none with `notification_rule`
   *   (the notification rules already route built-in Kubernetes signals)
   */
  readonly notifications?: BuiltInRuleReviewProps["notifications"];
  /**
   * Tags the built-in rules are listed by.
   * @default ["source:kubernetes"]
   */
  readonly tagsFilter?: readonly string[];
}

export interface EksCloudSiemProps extends CloudSiemTuning {
  /**
   * The rule pack to tune and deploy.
   * @default EKS_RULE_PACK
   */
  readonly pack?: readonly DetectionRuleProps[];
  /**
   * Review of Datadog's built-in Kubernetes rules.
   * @default - built-in rules are not managed
   */
  readonly builtInRules?: EksBuiltInRulesProps;
  /**
   * The Datadog provider of every resource (code only: a config file has no providers).
   * @default - the stack's default Datadog provider
   */
  readonly datadogProvider?: TerraformProvider;
}

/** The options of `EksCloudSiemProps`: a config file's `cloudSiem` keys, and `datadogProvider`. */
export const EKS_CLOUD_SIEM_KEYS: readonly string[] = [
  "pack",
  "rules",
  "exclusionQuery",
  "notifications",
  "notificationDelivery",
  "suppressions",
  "securityNotificationRules",
  "ruleTags",
  "builtInRules",
  "identityAttribute",
  "guideExecRule",
  "datadogProvider",
];

/**
 * The Cloud SIEM section of an environment in one construct: the (tuned) EKS rule pack with its suppressions and
 * notifications (`rules`), and the built-in rule review (`builtin-rules`). This is what the config file's
 * `cloudSiem` section maps to.
 */
export class EksCloudSiem extends Construct {
  public readonly cloudSiemRules: CloudSiemRules;
  /** @default - undefined when `builtInRules` is not set */
  public readonly builtInRuleReview?: BuiltInRuleReview;

  constructor(scope: Construct, id: string, props: EksCloudSiemProps = {}) {
    super(scope, id);
    throwProblems(`cloud siem "${this.node.path}"`, [
      ...unknownKeyProblems(props, EKS_CLOUD_SIEM_KEYS),
      ...unknownKeyProblems(props.builtInRules ?? {}, ["rules", "notifications", "tagsFilter"], "builtInRules."),
    ]);
    const pack = props.pack ?? EKS_RULE_PACK;
    // A built-in rule that covers a pack rule's behaviour: the user keeps one, or both (builtin-rule-review.ts).
    const enabledPackRules = tuneRules(pack, props)
      .filter((r) => r.enabled ?? true)
      .map((r) => r.id);
    const overlaps = resolveBuiltInOverlaps(props.builtInRules?.rules ?? [], enabledPackRules);
    throwProblems(
      `cloud siem "${this.node.path}"`,
      overlaps.problems.map((problem) => ({ ...problem, field: `builtInRules.${problem.field}` })),
    );
    const ruleTuning = { ...(props.rules ?? {}) };
    for (const packRule of overlaps.disablePackRules) ruleTuning[packRule] = { ...ruleTuning[packRule], enabled: false };
    this.cloudSiemRules = new CloudSiemRules(this, "rules", {
      ...cloudSiemPropsFromTuning(pack, { ...props, rules: ruleTuning }),
      datadogProvider: props.datadogProvider,
    });
    if (props.builtInRules !== undefined) {
      const perCase = (props.notificationDelivery ?? "case") === "case";
      this.builtInRuleReview = new BuiltInRuleReview(this, "builtin-rules", {
        rules: overlaps.rules,
        notifications: props.builtInRules.notifications ?? (perCase ? (props.notifications ?? {}) : {}),
        ...(props.builtInRules.tagsFilter === undefined ? {} : { tagsFilter: props.builtInRules.tagsFilter }),
        datadogProvider: props.datadogProvider,
      });
    }
  }
}
