import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { Testing } from "cdktf";
import { ClusterScopeAttribute, ExclusionPreset, LogExplorer, LogExplorerProps } from "../modules/log-explorer";

const CLUSTERS = [
  { name: "prod-a", region: "eu-west-1", auditLogGroupName: "/aws/eks/prod-a/cluster" },
  { name: "Prod_B", region: "eu-central-1", auditLogGroupName: "/aws/eks/Prod_B/cluster" },
];

const BASE: LogExplorerProps = { environment: "prod", datadogSite: "datadoghq.eu", clusters: CLUSTERS };

const SCOPE = 'source:kubernetes.audit @aws.awslogs.logGroup:("/aws/eks/prod-a/cluster" OR "/aws/eks/Prod_B/cluster")';
const SCOPE_A = 'source:kubernetes.audit @aws.awslogs.logGroup:"/aws/eks/prod-a/cluster"';
const URL_A = "https://app.datadoghq.eu/logs?query=source%3Akubernetes.audit%20%40aws.awslogs.logGroup%3A%22%2Faws%2Feks%2Fprod-a%2Fcluster%22";
const URL_B = "https://app.datadoghq.eu/logs?query=source%3Akubernetes.audit%20%40aws.awslogs.logGroup%3A%22%2Faws%2Feks%2FProd_B%2Fcluster%22";

interface Synth {
  resource: Record<string, Record<string, Record<string, any>>>;
  output?: Record<string, { value: string; description?: string }>;
}

function synth(props: Partial<LogExplorerProps> = {}): Synth {
  return JSON.parse(Testing.synthScope((scope) => new LogExplorer(scope, "LogExplorer", { ...BASE, ...props })));
}

function only(s: Synth, type: string): Record<string, any> {
  const all = Object.values(s.resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
}

function dashboardOf(s: Synth): any {
  return JSON.parse(only(s, "datadog_dashboard_json").dashboard);
}

function monitorNamed(s: Synth, fragment: string): Record<string, any> {
  const found = Object.values(s.resource.datadog_monitor).filter((m) => m.name.includes(fragment));
  expect(found).toHaveLength(1);
  return found[0];
}

describe("defaults (no index of its own)", () => {
  const s = synth();

  test("creates no index and no index order", () => {
    expect(s.resource.datadog_logs_index).toBeUndefined();
    expect(s.resource.datadog_logs_index_order).toBeUndefined();
  });

  test("creates one dashboard and one health monitor per cluster", () => {
    expect(Object.keys(s.resource)).toEqual(["datadog_dashboard_json", "datadog_monitor"]);
    expect(Object.keys(s.resource.datadog_monitor)).toHaveLength(2);
  });

  test("monitors search all indexes when no index is named", () => {
    expect(monitorNamed(s, "prod-a").query).toBe(
      'logs("source:kubernetes.audit @aws.awslogs.logGroup:\\"/aws/eks/prod-a/cluster\\"").index("*").rollup("count").last("30m") < 1',
    );
    expect(dashboardOf(s).widgets[1].definition.requests[0].queries[0].indexes).toEqual(["*"]);
  });

  test("outputs a Log Explorer link per cluster and the dashboard URL", () => {
    expect(s.output).toEqual({
      eks_audit_dashboard_url: {
        description: 'Datadog dashboard "EKS audit — prod"',
        value: "https://app.datadoghq.eu${datadog_dashboard_json.eks_audit.url}",
      },
      "log_explorer_url_prod-a": {
        description: "Datadog Log Explorer: kubernetes.audit logs of EKS cluster prod-a (eu-west-1)",
        value: URL_A,
      },
      log_explorer_url_Prod_B: {
        description: "Datadog Log Explorer: kubernetes.audit logs of EKS cluster Prod_B (eu-central-1)",
        value: URL_B,
      },
    });
  });

  test("exposes queries and links as attributes", () => {
    let explorer: LogExplorer | undefined;
    Testing.synthScope((scope) => {
      explorer = new LogExplorer(scope, "LogExplorer", BASE);
    });
    expect(explorer!.auditLogQuery).toBe(SCOPE);
    expect(explorer!.auditLogQueryByCluster).toEqual({
      "prod-a": SCOPE_A,
      Prod_B: 'source:kubernetes.audit @aws.awslogs.logGroup:"/aws/eks/Prod_B/cluster"',
    });
    expect(explorer!.logExplorerUrlByCluster).toEqual({ "prod-a": URL_A, Prod_B: URL_B });
    expect(explorer!.logExplorerUrl).toBe(`https://app.datadoghq.eu/logs?query=${encodeURIComponent(SCOPE)}`);
    expect(explorer!.logsIndexName).toBeUndefined();
    expect(explorer!.logsIndex).toBeUndefined();
    expect(Object.keys(explorer!.healthMonitors)).toEqual(["prod-a", "Prod_B"]);
  });
});

describe("dedicated index", () => {
  test("filters the environment's audit logs with finite retention, no quota and prevent_destroy", () => {
    const index = only(synth({ createIndex: true }), "datadog_logs_index");
    expect(index).toEqual({
      name: "eks-audit-prod",
      filter: { query: SCOPE },
      retention_days: 15,
      disable_daily_limit: true,
      exclusion_filter: [],
      lifecycle: { prevent_destroy: true },
    });
  });

  test("daily quota with warning threshold and reset time", () => {
    const index = only(
      synth({
        createIndex: true,
        indexName: "k8s-audit",
        indexRetentionInDays: 30,
        indexDailyLimit: 5000000,
        indexDailyLimitWarningThresholdPercentage: 80,
        indexDailyLimitResetTime: "00:00",
        indexDailyLimitResetUtcOffset: "+01:00",
        indexPreventDestroy: false,
      }),
      "datadog_logs_index",
    );
    expect(index.name).toBe("k8s-audit");
    expect(index.retention_days).toBe(30);
    expect(index.disable_daily_limit).toBe(false);
    expect(index.daily_limit).toBe(5000000);
    expect(index.daily_limit_warning_threshold_percentage).toBe(80);
    expect(index.daily_limit_reset).toEqual({ reset_time: "00:00", reset_utc_offset: "+01:00" });
    expect(index.lifecycle).toEqual({ prevent_destroy: false });
  });

  test("exclusion presets come first in canonical order, then custom filters in the given order", () => {
    const index = only(
      synth({
        createIndex: true,
        indexExclusionPresets: [{ preset: ExclusionPreset.SYSTEM_READ_ONLY, sampleRate: 0.95 }, { preset: ExclusionPreset.HEALTH_ENDPOINTS }],
        indexExclusionFilters: [
          { name: "coredns reads", query: "@usr.id:system\\:serviceaccount\\:kube-system\\:coredns", sampleRate: 0.5 },
          { name: "off for now", query: "@http.method:get", enabled: false },
        ],
      }),
      "datadog_logs_index",
    );
    expect(index.exclusion_filter).toEqual([
      {
        name: "eks-audit: health and readiness endpoints",
        is_enabled: true,
        filter: [{ query: '@http.method:get @http.url_details.path:("/livez" OR "/readyz" OR "/metrics")', sample_rate: 1 }],
      },
      {
        name: "eks-audit: read-only requests from system identities",
        is_enabled: true,
        filter: [
          {
            query:
              "@http.method:(get OR list OR watch) @http.status_code:[200 TO 299] @usr.id:(system\\:kube-controller-manager OR system\\:kube-scheduler OR system\\:kube-proxy OR system\\:apiserver OR system\\:node\\:* OR system\\:serviceaccount\\:kube-system\\:* OR eks\\:*)",
            sample_rate: 0.95,
          },
        ],
      },
      { name: "coredns reads", is_enabled: true, filter: [{ query: "@usr.id:system\\:serviceaccount\\:kube-system\\:coredns", sample_rate: 0.5 }] },
      { name: "off for now", is_enabled: false, filter: [{ query: "@http.method:get", sample_rate: 1 }] },
    ]);
  });

  test("identityAttribute @usr.name: the system-read-only preset, the user toplist and the columns name @usr.name", () => {
    const s = synth({ createIndex: true, identityAttribute: "@usr.name", indexExclusionPresets: [{ preset: ExclusionPreset.SYSTEM_READ_ONLY }] });
    expect(only(s, "datadog_logs_index").exclusion_filter[0].filter[0].query).toMatch(/ @usr\.name:\(system\\:kube-controller-manager OR /);
    const widgets = dashboardOf(s).widgets.map((w: any) => w.definition);
    expect(widgets[3].title).toBe("Top users (@usr.name)");
    expect(JSON.stringify(widgets)).not.toContain("@usr.id");
    expect(widgets[7].requests[0].columns).toContainEqual({ field: "@usr.name", width: "auto" });
  });

  test("a custom exclusion filter on the other identity attribute is refused", () => {
    expect(() =>
      synth({
        createIndex: true,
        indexExclusionFilters: [{ name: "coredns reads", query: "@usr.name:system\\:serviceaccount\\:kube-system\\:coredns" }],
      }),
    ).toThrow(
      'indexExclusionFilters[0].query: received "@usr.name:system\\\\:serviceaccount\\\\:kube-system\\\\:coredns" (@usr.name is not the identity attribute of the rules); allowed: a query on @usr.id',
    );
  });

  test("monitors and widgets search the dedicated index", () => {
    const s = synth({ createIndex: true });
    expect(monitorNamed(s, "prod-a").query).toContain('.index("eks-audit-prod")');
    const widgets = dashboardOf(s).widgets;
    expect(widgets[6].definition.requests[0].query.indexes).toEqual(["eks-audit-prod"]);
  });

  test("the index keeps its Terraform address (stateful: a deleted index name cannot be reused)", () => {
    expect(Object.keys(synth({ createIndex: true }).resource.datadog_logs_index)).toEqual(["eks_audit"]);
  });

  test("host scope attribute changes the index filter", () => {
    const index = only(synth({ createIndex: true, clusterScopeAttribute: ClusterScopeAttribute.HOST }), "datadog_logs_index");
    expect(index.filter.query).toBe('source:kubernetes.audit host:("/aws/eks/prod-a/cluster" OR "/aws/eks/Prod_B/cluster")');
  });
});

describe("existing index", () => {
  const s = synth({ existingIndexName: "main" });

  test("creates no index resource", () => {
    expect(s.resource.datadog_logs_index).toBeUndefined();
  });

  test("monitors and widgets search that index", () => {
    expect(monitorNamed(s, "Prod_B").query).toBe(
      'logs("source:kubernetes.audit @aws.awslogs.logGroup:\\"/aws/eks/Prod_B/cluster\\"").index("main").rollup("count").last("30m") < 1',
    );
    for (const w of dashboardOf(s).widgets.slice(1)) {
      const r = w.definition.requests[0];
      expect(r.queries?.[0].indexes ?? r.query.indexes).toEqual(["main"]);
    }
  });
});

describe("index order (org-wide, opt-in)", () => {
  test("lists the org's indexes and references the dedicated index so it is created first", () => {
    const order = only(synth({ createIndex: true, indexOrder: ["cloud-siem-a1b2", "eks-audit-prod", "main"] }), "datadog_logs_index_order");
    expect(order).toEqual({
      name: "logs_index_order",
      indexes: ["cloud-siem-a1b2", "${datadog_logs_index.eks_audit.name}", "main"],
    });
  });

  test("with an existing index, names are passed as they are", () => {
    const order = only(synth({ existingIndexName: "main", indexOrder: ["main", "debug"] }), "datadog_logs_index_order");
    expect(order.indexes).toEqual(["main", "debug"]);
  });
});

describe("integration pipeline", () => {
  test("is imported by ID and kept enabled", () => {
    const s: any = synth({ integrationPipelineId: "kEl9c4xHQ2aZ1rB5mT0pWg" });
    const [[name, pipeline]] = Object.entries(s.resource.datadog_logs_integration_pipeline);
    expect(pipeline).toEqual({ is_enabled: true });
    expect(s.import).toEqual([{ id: "kEl9c4xHQ2aZ1rB5mT0pWg", to: `datadog_logs_integration_pipeline.${name}` }]);
  });

  test("is not managed by default", () => {
    const s: any = synth();
    expect(s.resource.datadog_logs_integration_pipeline).toBeUndefined();
    expect(s.import).toBeUndefined();
  });
});

describe("dashboard", () => {
  const d = dashboardOf(synth());

  test("is titled per environment, fixed layout, no template variables", () => {
    expect(d.title).toBe("EKS audit — prod");
    expect(d.layout_type).toBe("ordered");
    expect(d.reflow_type).toBe("fixed");
    expect(d.template_variables).toEqual([]);
    expect(d.description).toContain(SCOPE);
  });

  test("has the widgets in order", () => {
    expect(d.widgets.map((w: any) => [w.definition.type, w.definition.title])).toEqual([
      ["note", undefined],
      ["timeseries", "Audit events per cluster"],
      ["timeseries", "Denied requests (403 / Forbidden) per cluster"],
      ["toplist", "Top users (@usr.id)"],
      ["toplist", "Top verbs (@http.method)"],
      ["toplist", "Top resources (@objectRef.resource)"],
      ["list_stream", "Exec / attach into pods"],
      ["list_stream", "Audit log stream"],
    ]);
  });

  test("header note lists each cluster with its log group and Log Explorer link", () => {
    const content: string = d.widgets[0].definition.content;
    expect(content).toContain("| prod-a | eu-west-1 | `/aws/eks/prod-a/cluster` | [Log Explorer](" + URL_A + ") |");
    expect(content).toContain("| Prod_B | eu-central-1 | `/aws/eks/Prod_B/cluster` | [Log Explorer](" + URL_B + ") |");
  });

  test("toplists count the scope grouped by user, verb and resource", () => {
    for (const [i, facet] of [
      [3, "@usr.id"],
      [4, "@http.method"],
      [5, "@objectRef.resource"],
    ] as const) {
      const r = d.widgets[i].definition.requests[0];
      expect(r.response_format).toBe("scalar");
      expect(r.formulas).toEqual([{ formula: "q1" }]);
      expect(r.queries).toEqual([
        {
          data_source: "logs",
          name: "q1",
          indexes: ["*"],
          compute: { aggregation: "count" },
          group_by: [{ facet, limit: 10, sort: { aggregation: "count", order: "desc" } }],
          search: { query: SCOPE },
          storage: "hot",
        },
      ]);
    }
  });

  test("denied requests are 403 or Forbidden, per cluster", () => {
    const q = d.widgets[2].definition.requests[0].queries[0];
    expect(q.search.query).toBe(`${SCOPE} (@http.status_code:403 OR @responseStatus.reason:Forbidden)`);
    expect(q.group_by[0].facet).toBe("@aws.awslogs.logGroup");
    expect(d.widgets[2].definition.requests[0].response_format).toBe("timeseries");
  });

  test("exec/attach stream selects create on pods/exec and pods/attach", () => {
    const r = d.widgets[6].definition.requests[0];
    expect(r.response_format).toBe("event_list");
    expect(r.query).toEqual({
      data_source: "logs_stream",
      query_string: `${SCOPE} @objectRef.resource:pods @objectRef.subresource:(exec OR attach) @http.method:create`,
      indexes: ["*"],
      storage: "hot",
      sort: { column: "timestamp", order: "desc" },
    });
    expect(r.columns.map((c: any) => c.field)).toEqual([
      "timestamp",
      "@aws.awslogs.logGroup",
      "@usr.id",
      "@objectRef.namespace",
      "@objectRef.name",
      "@objectRef.subresource",
      "@http.status_code",
    ]);
  });

  test("log stream shows the whole scope", () => {
    expect(d.widgets[7].definition.requests[0].query.query_string).toBe(SCOPE);
  });

  test("widgets fit the 12-column grid without overlapping", () => {
    const cells = new Set<string>();
    for (const w of d.widgets) {
      const { x, y, width, height } = w.layout;
      expect(x + width).toBeLessThanOrEqual(12);
      for (let i = x; i < x + width; i++) {
        for (let j = y; j < y + height; j++) {
          expect(cells.has(`${i},${j}`)).toBe(false);
          cells.add(`${i},${j}`);
        }
      }
    }
  });

  test("can be turned off, and its output with it", () => {
    const s = synth({ createDashboard: false });
    expect(s.resource.datadog_dashboard_json).toBeUndefined();
    expect(Object.keys(s.output ?? {}).sort()).toEqual(["log_explorer_url_Prod_B", "log_explorer_url_prod-a"]);
  });
});

describe("health monitors", () => {
  const s = synth({ notificationTargets: ["@slack-secops", "@pagerduty-eks-audit"], monitorTags: ["Team:Security"] });
  const m = monitorNamed(s, "prod-a");

  test("one simple log alert per cluster, alerting below one log", () => {
    expect(m.type).toBe("log alert");
    expect(m.name).toBe("[prod] EKS audit logs stopped arriving from prod-a (eu-west-1)");
    expect(m.query).toBe(
      'logs("source:kubernetes.audit @aws.awslogs.logGroup:\\"/aws/eks/prod-a/cluster\\"").index("*").rollup("count").last("30m") < 1',
    );
    expect(m.monitor_thresholds).toEqual({ critical: "1" });
    expect(m.on_missing_data).toBe("default");
    expect(m.require_full_window).toBe(false);
    expect(m.notify_no_data).toBeUndefined();
  });

  test("message carries the runbook, the link and the notification targets", () => {
    const message: string = m.message;
    expect(message.startsWith("{{#is_alert}}\n")).toBe(true);
    expect(message).toContain("`aws eks describe-cluster --region eu-west-1 --name prod-a --query cluster.logging`");
    expect(message).toContain("`aws logs describe-subscription-filters --region eu-west-1 --log-group-name /aws/eks/prod-a/cluster`");
    expect(message).toContain("Forwarder failing");
    expect(message).toContain(`Log Explorer: ${URL_A}`);
    expect(message).toContain("{{#is_recovery}}\nEKS audit logs from cluster prod-a (eu-west-1) are arriving again.\n{{/is_recovery}}");
    expect(message.endsWith("\n\n@slack-secops @pagerduty-eks-audit")).toBe(true);
    expect(message).toBe(message.trim());
  });

  test("without targets the message has no handles", () => {
    const plain = monitorNamed(synth(), "prod-a").message as string;
    expect(plain.endsWith("{{/is_recovery}}")).toBe(true);
    expect(plain).not.toMatch(/ @[a-z]/);
  });

  test("tags are lowercase (Datadog lowercases tags)", () => {
    expect(monitorNamed(s, "Prod_B").tags).toEqual([
      "env:prod",
      "eks_cluster:prod_b",
      "region:eu-central-1",
      "source:kubernetes.audit",
      "managed-by:eks-audit-siem",
      "team:security",
    ]);
  });

  test("the silence window is configurable", () => {
    expect(monitorNamed(synth({ auditLogSilenceInMinutes: 45 }), "prod-a").query).toMatch(/\.last\("45m"\) < 1$/);
    expect(monitorNamed(synth({ auditLogSilenceInMinutes: 45 }), "prod-a").message).toContain("in the last 45 minutes");
  });

  test("keep their Terraform addresses", () => {
    expect(Object.keys(s.resource.datadog_monitor).sort()).toEqual(["audit_logs_stopped_Prod_B", "audit_logs_stopped_prod-a"]);
  });

  test("can be turned off", () => {
    expect(synth({ createHealthMonitors: false }).resource.datadog_monitor).toBeUndefined();
  });
});

describe("sites", () => {
  test.each([
    ["datadoghq.com", "https://app.datadoghq.com/logs?query="],
    ["us3.datadoghq.com", "https://us3.datadoghq.com/logs?query="],
    ["ddog-gov.com", "https://app.ddog-gov.com/logs?query="],
    ["us2.ddog-gov.com", "https://us2.ddog-gov.com/logs?query="],
  ])("links for %s start with %s", (datadogSite, prefix) => {
    const s = synth({ datadogSite });
    expect(s.output!["log_explorer_url_prod-a"].value.startsWith(prefix)).toBe(true);
    expect(s.output!.eks_audit_dashboard_url.value.startsWith(prefix.replace("/logs?query=", "${"))).toBe(true);
  });
});

describe("provider", () => {
  test("every resource uses the given provider", () => {
    const s: Synth = JSON.parse(
      Testing.synthScope((scope) => {
        const second = new DatadogProvider(scope, "second", { alias: "second" });
        new LogExplorer(scope, "LogExplorer", { ...BASE, createIndex: true, indexOrder: ["eks-audit-prod"], datadogProvider: second });
      }),
    );
    const providers = Object.values(s.resource).flatMap((byName) => Object.values(byName).map((r) => r.provider));
    expect(providers).toHaveLength(5);
    expect(new Set(providers)).toEqual(new Set(["datadog.second"]));
  });
});

describe("determinism", () => {
  test("two synths of the same props are byte-identical and carry no paths or timestamps", () => {
    const props: Partial<LogExplorerProps> = {
      createIndex: true,
      indexExclusionPresets: [{ preset: ExclusionPreset.HEALTH_ENDPOINTS }],
      indexOrder: ["eks-audit-prod", "main"],
      notificationTargets: ["@slack-secops"],
    };
    const a = Testing.synthScope((scope) => new LogExplorer(scope, "LogExplorer", { ...BASE, ...props }));
    const b = Testing.synthScope((scope) => new LogExplorer(scope, "LogExplorer", { ...BASE, ...props }));
    expect(a).toBe(b);
    expect(a).not.toContain(process.cwd());
    expect(a).not.toMatch(/20[0-9]{2}-[0-9]{2}-[0-9]{2}T/);
  });
});
