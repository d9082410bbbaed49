import { Fn, Testing } from "cdktf";
import { ClusterScopeAttribute, ExclusionPreset, LogExplorer, LogExplorerProps, logExplorerProblems } from "../modules/log-explorer";

const BASE: LogExplorerProps = {
  environment: "prod",
  datadogSite: "datadoghq.com",
  clusters: [
    { name: "prod-a", region: "us-east-1", auditLogGroupName: "/aws/eks/prod-a/cluster" },
    { name: "prod-b", region: "us-west-2", auditLogGroupName: "/aws/eks/prod-b/cluster" },
  ],
};

const PREFIX = 'log explorer "stack/LogExplorer": ';
const INDEX_NAME_ALLOWED = "an index name: a lowercase letter, then lowercase letters, digits and -";

function build(props: Partial<LogExplorerProps>): void {
  Testing.synthScope((scope) => new LogExplorer(scope, "LogExplorer", { ...BASE, ...props }));
}

function fails(props: Partial<LogExplorerProps>, message: string): void {
  expect(() => build(props)).toThrow(new Error(message));
}

test("valid props have no problems", () => {
  expect(logExplorerProblems(BASE)).toEqual([]);
  expect(() => build({})).not.toThrow();
});

describe("environment, site and clusters", () => {
  test("fails on an empty environment name", () => {
    fails({ environment: "" }, 'log explorer "stack/LogExplorer": environment: received ""; allowed: a non-empty environment name');
  });

  test("fails on an unknown site", () => {
    fails(
      { datadogSite: "app.datadoghq.com" },
      PREFIX +
        'datadogSite: received "app.datadoghq.com"; allowed: datadoghq.com, us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, uk1.datadoghq.com, ddog-gov.com, us2.ddog-gov.com',
    );
  });

  test("fails without clusters", () => {
    fails({ clusters: [] }, PREFIX + "clusters: received []; allowed: at least one cluster");
  });

  test("fails on an invalid cluster name", () => {
    fails(
      { clusters: [{ name: "-bad", region: "us-east-1", auditLogGroupName: "/aws/eks/-bad/cluster" }] },
      PREFIX +
        'clusters[0].name: received "-bad"; allowed: an EKS cluster name (1-100 letters, digits, hyphens, underscores; starting with a letter or digit)',
    );
  });

  test("fails on a repeated cluster name", () => {
    fails(
      {
        clusters: [
          { name: "prod-a", region: "us-east-1", auditLogGroupName: "/aws/eks/prod-a/cluster" },
          { name: "prod-a", region: "us-west-2", auditLogGroupName: "/aws/eks/prod-a2/cluster" },
        ],
      },
      PREFIX + 'clusters[1].name: received "prod-a"; allowed: a name not already used by clusters[0]',
    );
  });

  test("fails on an invalid region", () => {
    fails(
      { clusters: [{ name: "prod-a", region: "eu-west", auditLogGroupName: "/aws/eks/prod-a/cluster" }] },
      PREFIX + 'clusters[0].region: received "eu-west"; allowed: an AWS region code such as us-east-1',
    );
  });

  test("fails on an invalid log group name", () => {
    fails(
      { clusters: [{ name: "prod-a", region: "us-east-1", auditLogGroupName: '/aws/eks/"a"/cluster' }] },
      PREFIX +
        'clusters[0].auditLogGroupName: received "/aws/eks/\\"a\\"/cluster"; allowed: a CloudWatch log group name of 1-512 characters from a-z A-Z 0-9 . - _ / #',
    );
  });

  test("fails when two clusters share a log group", () => {
    fails(
      {
        clusters: [
          { name: "a", region: "us-east-1", auditLogGroupName: "/aws/eks/a/cluster" },
          { name: "b", region: "us-west-2", auditLogGroupName: "/aws/eks/a/cluster" },
        ],
      },
      PREFIX +
        'clusters[1].auditLogGroupName: received "/aws/eks/a/cluster"; allowed: a log group not already used by clusters[0] (audit logs are told apart by log group, so two clusters cannot share one)',
    );
  });

  test("fails on a log group name that is a token", () => {
    fails(
      { clusters: [{ name: "a", region: "us-east-1", auditLogGroupName: Fn.lower("/aws/eks/A/cluster") }] },
      PREFIX +
        'clusters[0].auditLogGroupName: received "<unresolved token>"; allowed: a literal log group name (it is written into queries, links and the index filter)',
    );
  });

  test("fails on an unknown cluster scope attribute", () => {
    fails(
      { clusterScopeAttribute: "service" as ClusterScopeAttribute },
      PREFIX + 'clusterScopeAttribute: received "service"; allowed: @aws.awslogs.logGroup, host',
    );
  });
});

describe("index", () => {
  test("fails when both creating an index and naming an existing one", () => {
    fails(
      { createIndex: true, existingIndexName: "main" },
      PREFIX +
        'existingIndexName: received "main"; allowed: absent when createIndex is true (either create a dedicated index or name an existing one)',
    );
  });

  test("fails on an invalid existing index name", () => {
    fails({ existingIndexName: "Main" }, PREFIX + `existingIndexName: received "Main"; allowed: ${INDEX_NAME_ALLOWED}`);
  });

  test("fails on index settings without createIndex", () => {
    fails(
      { indexRetentionInDays: 30, indexPreventDestroy: false },
      PREFIX +
        "2 problems:\n" +
        "- indexRetentionInDays: received 30; allowed: absent when createIndex is false (it configures the dedicated index)\n" +
        "- indexPreventDestroy: received false; allowed: absent when createIndex is false (it configures the dedicated index)",
    );
  });

  test("fails on exclusion filters for an index this module does not own", () => {
    fails(
      { existingIndexName: "main", indexExclusionPresets: [{ preset: ExclusionPreset.HEALTH_ENDPOINTS }] },
      PREFIX +
        'indexExclusionPresets: received ["health-endpoints"]; allowed: empty when createIndex is false (exclusion filters are part of the datadog_logs_index resource, which replaces the whole list on every update, so they cannot be added to an index this module does not own)',
    );
  });

  test("fails on custom exclusion filters without createIndex", () => {
    fails(
      { indexExclusionFilters: [{ name: "x", query: "@http.method:get" }] },
      PREFIX +
        'indexExclusionFilters: received ["x"]; allowed: empty when createIndex is false (exclusion filters are part of the datadog_logs_index resource, which replaces the whole list on every update, so they cannot be added to an index this module does not own)',
    );
  });

  test("fails on an invalid index name", () => {
    fails(
      { createIndex: true, indexName: "eks_audit" },
      PREFIX + `indexName: received "eks_audit"; allowed: ${INDEX_NAME_ALLOWED} (set indexName when the environment name does not fit)`,
    );
  });

  test("fails when the default index name does not fit the environment name", () => {
    fails(
      { environment: "Prod", createIndex: true },
      `log explorer "stack/LogExplorer": indexName: received "eks-audit-Prod"; allowed: ${INDEX_NAME_ALLOWED} (set indexName when the environment name does not fit)`,
    );
  });

  test("fails on a retention Datadog does not offer", () => {
    fails({ createIndex: true, indexRetentionInDays: 14 }, PREFIX + "indexRetentionInDays: received 14; allowed: 3, 7, 15, 30, 45, 60, 90, 180, 360");
  });

  test.each([0, 1.5])("fails on a daily limit of %p", (limit) => {
    fails(
      { createIndex: true, indexDailyLimit: limit },
      PREFIX + `indexDailyLimit: received ${limit}; allowed: an integer number of log events per day, at least 1`,
    );
  });

  test("fails on a warning threshold without a daily limit", () => {
    fails(
      { createIndex: true, indexDailyLimitWarningThresholdPercentage: 80 },
      PREFIX + "indexDailyLimitWarningThresholdPercentage: received 80; allowed: absent when indexDailyLimit is not set",
    );
  });

  test("fails on a warning threshold below 50", () => {
    fails(
      { createIndex: true, indexDailyLimit: 1000, indexDailyLimitWarningThresholdPercentage: 40 },
      PREFIX + "indexDailyLimitWarningThresholdPercentage: received 40; allowed: a number from 50 to 99.99",
    );
  });

  test("fails on a reset time without a daily limit", () => {
    fails(
      { createIndex: true, indexDailyLimitResetTime: "10:00", indexDailyLimitResetUtcOffset: "+00:00" },
      PREFIX + 'indexDailyLimitResetTime: received "10:00"; allowed: absent when indexDailyLimit is not set',
    );
  });

  test("fails on a malformed reset time and offset", () => {
    fails(
      { createIndex: true, indexDailyLimit: 1000, indexDailyLimitResetTime: "24:00", indexDailyLimitResetUtcOffset: "+15:00" },
      PREFIX +
        "2 problems:\n" +
        '- indexDailyLimitResetTime: received "24:00"; allowed: HH:00 with HH from 00 to 23\n' +
        '- indexDailyLimitResetUtcOffset: received "+15:00"; allowed: +HH:00 or -HH:00 with hours from -12 to +14',
    );
  });

  test("fails on a reset time without its offset", () => {
    fails(
      { createIndex: true, indexDailyLimit: 1000, indexDailyLimitResetTime: "06:00" },
      PREFIX + "indexDailyLimitResetUtcOffset: received nothing; allowed: +HH:00 or -HH:00 (-12 to +14), required with indexDailyLimitResetTime",
    );
  });

  test("fails on a reset offset without its time", () => {
    fails(
      { createIndex: true, indexDailyLimit: 1000, indexDailyLimitResetUtcOffset: "-05:00" },
      PREFIX + "indexDailyLimitResetTime: received nothing; allowed: HH:00 (00-23), required with indexDailyLimitResetUtcOffset",
    );
  });
});

describe("exclusion filters", () => {
  test("fails on an unknown preset", () => {
    fails(
      { createIndex: true, indexExclusionPresets: [{ preset: "leases" as ExclusionPreset }] },
      PREFIX + 'indexExclusionPresets[0].preset: received "leases"; allowed: health-endpoints, system-read-only',
    );
  });

  test("fails on a preset selected twice", () => {
    fails(
      {
        createIndex: true,
        indexExclusionPresets: [{ preset: ExclusionPreset.SYSTEM_READ_ONLY }, { preset: ExclusionPreset.SYSTEM_READ_ONLY, sampleRate: 0.5 }],
      },
      PREFIX + 'indexExclusionPresets[1].preset: received "system-read-only"; allowed: a preset not already selected by indexExclusionPresets[0]',
    );
  });

  // NaN is named (JSON, and so the message, had it as null).
  test.each([
    [1.5, "1.5"],
    [-0.1, "-0.1"],
    [Number.NaN, "NaN"],
  ])("fails on a preset sample rate of %p", (rate, shown) => {
    fails(
      { createIndex: true, indexExclusionPresets: [{ preset: ExclusionPreset.HEALTH_ENDPOINTS, sampleRate: rate }] },
      PREFIX + `indexExclusionPresets[0].sampleRate: received ${shown}; allowed: a number from 0 to 1 (the fraction of matching logs excluded)`,
    );
  });

  test("fails on a custom filter without name or query", () => {
    fails(
      { createIndex: true, indexExclusionFilters: [{ name: " ", query: "" }] },
      PREFIX +
        "2 problems:\n" +
        '- indexExclusionFilters[0].name: received " "; allowed: a non-empty name\n' +
        '- indexExclusionFilters[0].query: received ""; allowed: a non-empty log search query',
    );
  });

  test("fails on a custom filter named like a selected preset's filter", () => {
    fails(
      {
        createIndex: true,
        indexExclusionPresets: [{ preset: ExclusionPreset.HEALTH_ENDPOINTS }],
        indexExclusionFilters: [{ name: "eks-audit: health and readiness endpoints", query: "@http.method:get" }],
      },
      PREFIX +
        'indexExclusionFilters[0].name: received "eks-audit: health and readiness endpoints"; allowed: a name not already used by indexExclusionPresets[0]',
    );
  });

  test("accepts template syntax in a custom filter as text (the stack writes it escaped: lib/literal-text.ts)", () => {
    expect(logExplorerProblems({ ...BASE, createIndex: true, indexExclusionFilters: [{ name: "x%{y}", query: "@usr.id:${user}" }] })).toEqual([]);
  });

  test("fails on a template sequence in a notification target", () => {
    fails(
      { notificationTargets: ["@slack-${channel}"] },
      PREFIX +
        'notificationTargets[0]: received "@slack-${channel}"; allowed: @slack-<channel>, @pagerduty-<service>, @opsgenie-<team>, @webhook-<name>, @teams-<channel>, @jira-<project>, @servicenow-<name>, @workflow-<id> or @<email address>',
    );
  });

  test("fails on a custom filter sample rate above 1", () => {
    fails(
      { createIndex: true, indexExclusionFilters: [{ name: "x", query: "@http.method:get", sampleRate: 2 }] },
      PREFIX + "indexExclusionFilters[0].sampleRate: received 2; allowed: a number from 0 to 1 (the fraction of matching logs excluded)",
    );
  });

  test("fails on a filter excluding everything while health monitors are on", () => {
    fails(
      { createIndex: true, indexExclusionFilters: [{ name: "all", query: "*" }] },
      PREFIX +
        'indexExclusionFilters[0].query: received "*"; allowed: a query narrower than * while the health monitors are on (excluding 100% of the index leaves nothing indexed, and log monitors only count indexed logs, so every cluster would look silent)',
    );
  });

  test("accepts a filter excluding everything when it only samples, is disabled, or monitors are off", () => {
    expect(() => build({ createIndex: true, indexExclusionFilters: [{ name: "all", query: "*", sampleRate: 0.99 }] })).not.toThrow();
    expect(() => build({ createIndex: true, indexExclusionFilters: [{ name: "all", query: "*", enabled: false }] })).not.toThrow();
    expect(() => build({ createIndex: true, createHealthMonitors: false, indexExclusionFilters: [{ name: "all", query: "*" }] })).not.toThrow();
  });
});

describe("index order", () => {
  test("fails on an invalid or repeated index name", () => {
    fails(
      { existingIndexName: "main", indexOrder: ["main", "Debug", "main"] },
      PREFIX +
        `2 problems:\n` +
        `- indexOrder[1]: received "Debug"; allowed: ${INDEX_NAME_ALLOWED}\n` +
        `- indexOrder[2]: received "main"; allowed: an index not already listed at indexOrder[0]`,
    );
  });

  test("fails when the Cloud SIEM index is not first", () => {
    fails(
      { existingIndexName: "main", indexOrder: ["main", "cloud-siem-x1y2"] },
      PREFIX +
        'indexOrder[1]: received "cloud-siem-x1y2"; allowed: position 0: the Cloud SIEM index must come first, or logs other indexes match first never reach Cloud SIEM (docs.datadoghq.com/getting_started/cloud_siem/, "Reorder the Cloud SIEM index")',
    );
  });

  test("fails when the dedicated index is missing from the order", () => {
    fails(
      { createIndex: true, indexOrder: ["main"] },
      PREFIX +
        'indexOrder: received ["main"]; allowed: a list that contains "eks-audit-prod" (the order resource replaces the whole org order, so every index must be listed)',
    );
  });

  test("fails when the existing index is missing from the order", () => {
    fails(
      { existingIndexName: "security", indexOrder: ["main"] },
      PREFIX +
        'indexOrder: received ["main"]; allowed: a list that contains "security" (the order resource replaces the whole org order, so every index must be listed)',
    );
  });

  test("fails on an empty order", () => {
    fails({ indexOrder: [] }, PREFIX + "indexOrder: received []; allowed: every index of the Datadog organization, in order");
  });
});

test("fails on an integration pipeline ID with a space", () => {
  fails(
    { integrationPipelineId: "abc 123" },
    PREFIX +
      'integrationPipelineId: received "abc 123"; allowed: a logs pipeline ID (letters, digits, - and _), as listed by GET /api/v1/logs/config/pipelines',
  );
});

describe("health monitors and notifications", () => {
  test.each([4, 2881, 10.5])("fails on a silence window of %p minutes", (minutes) => {
    fails({ auditLogSilenceInMinutes: minutes }, PREFIX + `auditLogSilenceInMinutes: received ${minutes}; allowed: an integer from 5 to 2880`);
  });

  test.each([5, 2880])("accepts a silence window of %p minutes", (minutes) => {
    expect(() => build({ auditLogSilenceInMinutes: minutes })).not.toThrow();
  });

  test("fails on a notification target without @", () => {
    fails(
      { notificationTargets: ["slack-secops"] },
      PREFIX +
        'notificationTargets[0]: received "slack-secops"; allowed: @slack-<channel>, @pagerduty-<service>, @opsgenie-<team>, @webhook-<name>, @teams-<channel>, @jira-<project>, @servicenow-<name>, @workflow-<id> or @<email address>',
    );
  });

  test("fails on a repeated notification target", () => {
    fails(
      { notificationTargets: ["@slack-secops", "@slack-secops"] },
      PREFIX + 'notificationTargets[1]: received "@slack-secops"; allowed: a handle not already listed at notificationTargets[0]',
    );
  });

  test("fails on a monitor tag with a space", () => {
    fails(
      { monitorTags: ["team security"] },
      PREFIX + 'monitorTags[0]: received "team security"; allowed: a tag such as team:security (no spaces or commas)',
    );
  });
});

test("reports every problem in one message", () => {
  fails(
    { datadogSite: "datadoghq.org", auditLogSilenceInMinutes: 1, notificationTargets: ["oops"] },
    PREFIX +
      "3 problems:\n" +
      '- datadogSite: received "datadoghq.org"; allowed: datadoghq.com, us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, uk1.datadoghq.com, ddog-gov.com, us2.ddog-gov.com\n' +
      "- auditLogSilenceInMinutes: received 1; allowed: an integer from 5 to 2880\n" +
      '- notificationTargets[0]: received "oops"; allowed: @slack-<channel>, @pagerduty-<service>, @opsgenie-<team>, @webhook-<name>, @teams-<channel>, @jira-<project>, @servicenow-<name>, @workflow-<id> or @<email address>',
  );
});
