/**
 * The per-environment "EKS audit — <environment>" dashboard, as Datadog dashboard API JSON (v1 `Dashboard` object:
 * docs.datadoghq.com/api/latest/dashboards/). Built as a plain object and serialized with `JSON.stringify`, so the
 * output is deterministic (key order is the order written here).
 *
 * Widgets use the formula-and-functions request shape (`queries[]` with `data_source: "logs"`, `formulas[]`) for
 * timeseries and toplists, and `list_stream` with `data_source: "logs_stream"` for log streams.
 */
import type { IdentityAttribute } from "../../lib/datadog-identity";
import { ClusterScopeAttribute } from "./queries";

/** What the dashboard shows. */
export interface AuditDashboardInput {
  readonly environment: string;
  /** Search query selecting the environment's audit logs (`source:kubernetes.audit <clusters>`). */
  readonly scopeQuery: string;
  /** The attribute that tells clusters apart; used to break series down per cluster. */
  readonly clusterScopeAttribute: ClusterScopeAttribute;
  /** The attribute that names the user (toplist and log stream columns). */
  readonly identityAttribute: IdentityAttribute;
  /** Indexes to search (`["*"]` for all). */
  readonly indexes: readonly string[];
  /** Clusters, for the header note: name, region, log group and Log Explorer link. */
  readonly clusters: readonly { readonly name: string; readonly region: string; readonly logGroupName: string; readonly logExplorerUrl: string }[];
}

/** Denied requests: HTTP 403 or the `Forbidden` reason (Datadog's "high number of actions denied" rule uses the latter). */
export const DENIED_REQUESTS_QUERY = "(@http.status_code:403 OR @responseStatus.reason:Forbidden)";

/** `kubectl exec` / `kubectl attach` into a pod (Datadog's "User Exec into a Pod" / "User Attached to a Pod" rules). */
export const EXEC_ATTACH_QUERY = "@objectRef.resource:pods @objectRef.subresource:(exec OR attach) @http.method:create";

interface Layout {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

function logsQuery(name: string, search: string, indexes: readonly string[], groupBy: readonly { facet: string; limit: number }[]): object {
  return {
    data_source: "logs",
    name,
    indexes: [...indexes],
    compute: { aggregation: "count" },
    group_by: groupBy.map((g) => ({ facet: g.facet, limit: g.limit, sort: { aggregation: "count", order: "desc" } })),
    search: { query: search },
    storage: "hot",
  };
}

function timeseries(title: string, search: string, input: AuditDashboardInput, layout: Layout): object {
  return {
    definition: {
      title,
      title_size: "16",
      title_align: "left",
      show_legend: true,
      legend_layout: "auto",
      legend_columns: ["avg", "min", "max", "value", "sum"],
      type: "timeseries",
      requests: [
        {
          response_format: "timeseries",
          queries: [logsQuery("q1", search, input.indexes, [{ facet: input.clusterScopeAttribute, limit: 10 }])],
          formulas: [{ formula: "q1" }],
          display_type: "bars",
          style: { palette: "dog_classic", line_type: "solid", line_width: "normal" },
        },
      ],
    },
    layout,
  };
}

function toplist(title: string, facet: string, input: AuditDashboardInput, layout: Layout): object {
  return {
    definition: {
      title,
      title_size: "16",
      title_align: "left",
      type: "toplist",
      requests: [
        {
          response_format: "scalar",
          queries: [logsQuery("q1", input.scopeQuery, input.indexes, [{ facet, limit: 10 }])],
          formulas: [{ formula: "q1" }],
          sort: { count: 10, order_by: [{ type: "formula", index: 0, order: "desc" }] },
        },
      ],
    },
    layout,
  };
}

function logStream(title: string, search: string, columns: readonly string[], input: AuditDashboardInput, layout: Layout): object {
  return {
    definition: {
      title,
      title_size: "16",
      title_align: "left",
      type: "list_stream",
      requests: [
        {
          response_format: "event_list",
          query: {
            data_source: "logs_stream",
            query_string: search,
            indexes: [...input.indexes],
            storage: "hot",
            sort: { column: "timestamp", order: "desc" },
          },
          columns: columns.map((field) => ({ field, width: "auto" })),
        },
      ],
    },
    layout,
  };
}

function headerNote(input: AuditDashboardInput, layout: Layout): object {
  const rows = input.clusters.map((c) => `| ${c.name} | ${c.region} | \`${c.logGroupName}\` | [Log Explorer](${c.logExplorerUrl}) |`);
  const content = [
    `EKS audit logs (\`source:kubernetes.audit\`) of environment **${input.environment}**, managed by eks-audit-siem (Terraform): edits made in the UI are overwritten on the next apply.`,
    "",
    "| Cluster | Region | Audit log group | Logs |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
  return {
    definition: {
      type: "note",
      content,
      background_color: "white",
      font_size: "14",
      text_align: "left",
      vertical_align: "top",
      show_tick: false,
      tick_pos: "50%",
      tick_edge: "left",
      has_padding: true,
    },
    layout,
  };
}

/** The dashboard title for an environment. */
export function auditDashboardTitle(environment: string): string {
  return `EKS audit — ${environment}`;
}

/** The dashboard as a Datadog API JSON object. */
export function auditDashboard(input: AuditDashboardInput): object {
  const scope = input.scopeQuery;
  const noteHeight = Math.min(2 + input.clusters.length, 6);
  let y = 0;
  const widgets: object[] = [];
  widgets.push(headerNote(input, { x: 0, y, width: 12, height: noteHeight }));
  y += noteHeight;
  widgets.push(timeseries("Audit events per cluster", scope, input, { x: 0, y, width: 6, height: 3 }));
  widgets.push(
    timeseries("Denied requests (403 / Forbidden) per cluster", `${scope} ${DENIED_REQUESTS_QUERY}`, input, { x: 6, y, width: 6, height: 3 }),
  );
  y += 3;
  widgets.push(toplist(`Top users (${input.identityAttribute})`, input.identityAttribute, input, { x: 0, y, width: 4, height: 4 }));
  widgets.push(toplist("Top verbs (@http.method)", "@http.method", input, { x: 4, y, width: 4, height: 4 }));
  widgets.push(toplist("Top resources (@objectRef.resource)", "@objectRef.resource", input, { x: 8, y, width: 4, height: 4 }));
  y += 4;
  widgets.push(
    logStream(
      "Exec / attach into pods",
      `${scope} ${EXEC_ATTACH_QUERY}`,
      [
        "timestamp",
        input.clusterScopeAttribute,
        input.identityAttribute,
        "@objectRef.namespace",
        "@objectRef.name",
        "@objectRef.subresource",
        "@http.status_code",
      ],
      input,
      { x: 0, y, width: 12, height: 4 },
    ),
  );
  y += 4;
  widgets.push(
    logStream(
      "Audit log stream",
      scope,
      [
        "status_line",
        "timestamp",
        input.clusterScopeAttribute,
        input.identityAttribute,
        "@http.method",
        "@objectRef.resource",
        "@http.status_code",
        "content",
      ],
      input,
      { x: 0, y, width: 12, height: 6 },
    ),
  );
  return {
    title: auditDashboardTitle(input.environment),
    description: `EKS audit logs of environment ${input.environment}: volume, denied requests, top users, verbs and resources, exec/attach events and the log stream. Scope: ${scope}`,
    layout_type: "ordered",
    reflow_type: "fixed",
    notify_list: [],
    template_variables: [],
    widgets,
  };
}
