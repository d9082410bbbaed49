import {
  ClusterScopeAttribute,
  DATADOG_APP_HOSTS,
  EXCLUSION_PRESETS,
  EXCLUSION_PRESET_NAMES,
  ExclusionPreset,
  auditLogScopeQuery,
  datadogAppHost,
  logCountBelowOneQuery,
  logExplorerUrl,
  logGroupClause,
} from "../modules/log-explorer";

describe("datadogAppHost", () => {
  test.each([
    ["datadoghq.com", "app.datadoghq.com"],
    ["us3.datadoghq.com", "us3.datadoghq.com"],
    ["us5.datadoghq.com", "us5.datadoghq.com"],
    ["datadoghq.eu", "app.datadoghq.eu"],
    ["ap1.datadoghq.com", "ap1.datadoghq.com"],
    ["ap2.datadoghq.com", "ap2.datadoghq.com"],
    ["uk1.datadoghq.com", "uk1.datadoghq.com"],
    ["ddog-gov.com", "app.ddog-gov.com"],
    ["us2.ddog-gov.com", "us2.ddog-gov.com"],
  ])("site %s is served on %s", (site, host) => {
    expect(datadogAppHost(site)).toBe(host);
  });

  test("knows exactly nine sites", () => {
    expect(Object.keys(DATADOG_APP_HOSTS)).toHaveLength(9);
  });

  test("fails for an unknown site, naming the allowed ones", () => {
    expect(() => datadogAppHost("app.datadoghq.com")).toThrow(
      'datadog app host: site: received "app.datadoghq.com"; allowed: datadoghq.com, us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, uk1.datadoghq.com, ddog-gov.com, us2.ddog-gov.com',
    );
  });
});

describe("queries", () => {
  test("one log group is a quoted value", () => {
    expect(logGroupClause(["/aws/eks/a/cluster"])).toBe('@aws.awslogs.logGroup:"/aws/eks/a/cluster"');
  });

  test("several log groups are OR-ed in parentheses, in the given order", () => {
    expect(logGroupClause(["/aws/eks/b/cluster", "/aws/eks/a/cluster"])).toBe('@aws.awslogs.logGroup:("/aws/eks/b/cluster" OR "/aws/eks/a/cluster")');
  });

  test("host scope uses the reserved host attribute", () => {
    expect(auditLogScopeQuery(["/aws/eks/a/cluster"], ClusterScopeAttribute.HOST)).toBe('source:kubernetes.audit host:"/aws/eks/a/cluster"');
  });

  test("scope query starts with the kubernetes.audit source", () => {
    expect(auditLogScopeQuery(["/aws/eks/a/cluster"])).toBe('source:kubernetes.audit @aws.awslogs.logGroup:"/aws/eks/a/cluster"');
  });

  test("log monitor query escapes inner quotes and sets the window", () => {
    expect(logCountBelowOneQuery('source:kubernetes.audit host:"/aws/eks/a/cluster"', "*", 15)).toBe(
      'logs("source:kubernetes.audit host:\\"/aws/eks/a/cluster\\"").index("*").rollup("count").last("15m") < 1',
    );
  });

  test("Log Explorer link percent-encodes the whole query", () => {
    expect(logExplorerUrl("us5.datadoghq.com", 'source:kubernetes.audit @aws.awslogs.logGroup:"/aws/eks/a_b-1/cluster"')).toBe(
      "https://us5.datadoghq.com/logs?query=source%3Akubernetes.audit%20%40aws.awslogs.logGroup%3A%22%2Faws%2Feks%2Fa_b-1%2Fcluster%22",
    );
  });
});

describe("exclusion presets", () => {
  test("two presets, health endpoints first", () => {
    expect(EXCLUSION_PRESET_NAMES).toEqual([ExclusionPreset.HEALTH_ENDPOINTS, ExclusionPreset.SYSTEM_READ_ONLY]);
  });

  test("health endpoints preset drops only get requests to the three probe paths EKS logs", () => {
    expect(EXCLUSION_PRESETS[ExclusionPreset.HEALTH_ENDPOINTS].query).toBe(
      '@http.method:get @http.url_details.path:("/livez" OR "/readyz" OR "/metrics")',
    );
  });

  test("system read-only preset keeps writes and non-2xx answers", () => {
    const q = EXCLUSION_PRESETS[ExclusionPreset.SYSTEM_READ_ONLY].query;
    expect(q).toBe(
      "@http.method:(get OR list OR watch) @http.status_code:[200 TO 299] @usr.id:(system\\:kube-controller-manager OR system\\:kube-scheduler OR system\\:kube-proxy OR system\\:apiserver OR system\\:node\\:* OR system\\:serviceaccount\\:kube-system\\:* OR eks\\:*)",
    );
    expect(q).not.toMatch(/create|update|patch|delete/);
  });

  test("filter names are distinct", () => {
    const names = EXCLUSION_PRESET_NAMES.map((p) => EXCLUSION_PRESETS[p].filterName);
    expect(new Set(names).size).toBe(names.length);
  });
});
