/**
 * The `cloudSiem` config section: tuning of the EKS rule pack per environment, notifications, suppressions and the
 * review of Datadog's built-in rules. Maps 1:1 onto `EksCloudSiemProps` (modules/cloud-siem). Types, enums and rule
 * ids are checked here; what needs the rule itself (a threshold on a New Value rule, query lint) comes from the
 * module's own `tuningProblems`, so the two can never disagree.
 */
import { RULE_WINDOWS_SECONDS, SEVERITIES } from "../modules/cloud-siem/allowed-values";
import { DEFAULT_IDENTITY_ATTRIBUTE, IDENTITY_ATTRIBUTES } from "../modules/cloud-siem/identity";
import { NOTIFICATION_HANDLE, NOTIFICATION_HANDLE_ALLOWED } from "../lib/datadog-notifications";
import { EKS_RULE_PACK } from "../pack/rules";
import { tuneRules, tuningProblems } from "../modules/cloud-siem/tuning";
import { BUILT_IN_OVERLAP_CHOICES, resolveBuiltInOverlaps } from "../modules/cloud-siem/builtin-rule-review";
import { datadogTag } from "./schema-datadog";
import { Schema, arr, bool, int, join, literal, obj, optional, record, required, str, withDefault } from "./dsl";

export const notificationHandle = str({ pattern: NOTIFICATION_HANDLE, format: NOTIFICATION_HANDLE_ALLOWED });
const handles = arr(notificationHandle, { minItems: 1, unique: true });
const severity = literal(SEVERITIES);
const perSeverity = obj(
  Object.fromEntries(SEVERITIES.map((s) => [s, optional(handles)])) as Record<(typeof SEVERITIES)[number], ReturnType<typeof optional<string[]>>>,
);
const window = int({ enum: RULE_WINDOWS_SECONDS });
const logQuery = str({ minLength: 1, maxLength: 4000, format: "a Datadog log search query" });
const rfc3339 = str({
  pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  format: "an RFC 3339 date-time such as 2027-03-31T00:00:00Z",
});

/** The pack's rule ids, the only keys `rules` accepts. */
export const PACK_RULE_IDS: readonly string[] = EKS_RULE_PACK.map((r) => r.id);

const ruleTuning = obj({
  enabled: optional(bool()),
  severity: optional(severity),
  threshold: optional(int({ minimum: 0 }).describe("Threshold rules with one case `<query> > N` only.")),
  evaluationWindowSeconds: optional(window),
  keepAliveSeconds: optional(window),
  maxSignalDurationSeconds: optional(window),
  exclusionQuery: optional(logQuery.describe("Benign activity excluded from this rule (appended as -(...)).")),
  notifications: optional(handles),
});

const cloudSiemObject = obj({
  enabled: withDefault(
    bool().describe(
      "Deploy the rule pack from this environment. Rules are org-wide in Datadog: when several environments share one Datadog organization, enable it in one of them.",
    ),
    true,
  ),
  ruleTags: withDefault(arr(datadogTag, { unique: true }).describe("Tags added to every rule, e.g. env:production."), []),
  exclusionQuery: optional(logQuery.describe("Benign activity excluded from every rule (appended as -(...)).")),
  notifications: withDefault(perSeverity.describe("Notification targets per signal severity."), {}),
  notificationDelivery: withDefault(
    literal(["case", "notification_rule"]).describe(
      "case: targets on each rule case; notification_rule: one datadog_security_notification_rule per severity.",
    ),
    "case",
  ),
  identityAttribute: withDefault(
    literal(IDENTITY_ATTRIBUTES).describe(
      "The user attribute every rule groups, excludes and reports on: @usr.id (what Datadog's current built-in Kubernetes rules use) or @usr.name (the guide's). Check which one your kubernetes.audit logs carry in Log Explorer (docs/cloud-siem.md).",
    ),
    DEFAULT_IDENTITY_ATTRIBUTE,
  ),
  guideExecRule: withDefault(
    bool().describe(
      "Deploy pod-exec-new-user exactly as the Datadog guide writes it (verb create only, @usr.name) instead of the pack's version (create and get: kubectl >= 1.30 execs over WebSockets with verb get).",
    ),
    false,
  ),
  rules: withDefault(record(literal(PACK_RULE_IDS), ruleTuning).describe("Per-rule tuning, by pack rule id."), {}),
  suppressions: withDefault(
    arr(
      obj({
        name: required(str({ minLength: 1, maxLength: 200 })),
        description: optional(str({ maxLength: 2000 })),
        enabled: withDefault(bool(), true),
        ruleIds: optional(arr(literal(PACK_RULE_IDS), { minItems: 1, unique: true })),
        ruleQuery: optional(logQuery),
        suppressionQuery: optional(logQuery),
        dataExclusionQuery: optional(logQuery),
        startDate: optional(rfc3339),
        expirationDate: optional(rfc3339),
      }),
    ).describe("Known-benign activity (datadog_security_monitoring_suppression)."),
    [],
  ),
  securityNotificationRules: withDefault(
    arr(
      obj({
        name: required(str({ minLength: 1, maxLength: 200 })),
        targets: required(handles),
        severities: optional(arr(severity, { minItems: 1, unique: true })),
        ruleTypes: optional(arr(str({ pattern: /^[a-z_]+$/, format: "a rule type such as log_detection" }), { minItems: 1, unique: true })),
        query: optional(str({ maxLength: 4000 })),
        timeAggregationSeconds: optional(int({ minimum: 0, maximum: 86400 })),
        enabled: withDefault(bool(), true),
      }),
    ),
    [],
  ),
  builtInRules: optional(
    obj({
      rules: required(
        arr(
          obj({
            name: required(str({ minLength: 1, maxLength: 500 }).describe("Exact Datadog rule name.")),
            enabled: withDefault(bool(), true),
            notifications: optional(perSeverity),
            overlap: optional(
              literal(BUILT_IN_OVERLAP_CHOICES).describe(
                "When this built-in rule covers the same behaviour as an enabled pack rule: keep-both, keep-built-in (disables the pack rule) or keep-pack (adopts the built-in rule disabled). Required when they overlap.",
              ),
            ),
          }),
          {
            minItems: 1,
          },
        ),
      ),
      notifications: optional(perSeverity),
      tagsFilter: optional(arr(datadogTag, { minItems: 1, unique: true })),
    }).describe("Adopt Datadog's built-in Kubernetes rules by exact name and pin enabled/notifications (planning needs Datadog API access)."),
  ),
});

export const cloudSiemSection: Schema<typeof cloudSiemObject extends Schema<infer T> ? T : never> = cloudSiemObject.refine((value, path, ctx) => {
  const { enabled: _enabled, builtInRules: builtIn, ...tuning } = value;
  const tuningIssues = tuningProblems(EKS_RULE_PACK, tuning);
  ctx.addAll(tuningIssues, path);
  if (builtIn !== undefined && tuningIssues.length === 0) {
    const enabledPackRules = tuneRules(EKS_RULE_PACK, tuning)
      .filter((r) => r.enabled ?? true)
      .map((r) => r.id);
    ctx.addAll(resolveBuiltInOverlaps(builtIn.rules, enabledPackRules).problems, join(path, "builtInRules"));
  }
  value.suppressions.forEach((s, i) => {
    if (s.ruleIds === undefined && s.ruleQuery === undefined)
      ctx.add(
        join(join(join(path, "suppressions"), i), "ruleIds"),
        undefined,
        "a list of pack rule ids, or a ruleQuery (a suppression must say which rules it applies to)",
      );
    if (s.suppressionQuery === undefined && s.dataExclusionQuery === undefined)
      ctx.add(
        join(join(join(path, "suppressions"), i), "suppressionQuery"),
        undefined,
        "a signal query, or a dataExclusionQuery (a suppression must say what it suppresses)",
      );
  });
});
