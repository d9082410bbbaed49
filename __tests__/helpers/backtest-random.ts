/**
 * Seeded random audit events and Datadog log search queries for the differential test of the backtest engines.
 *
 * Events cover the edge cases of the query semantics: arrays (also nested two deep), missing attributes, null,
 * numbers vs numeric strings vs booleans, dotted keys next to plain ones, escaping (quotes, backslashes, colons,
 * spaces, literal `*`), case, non-ASCII text (Basic Multilingual Plane), query strings, odd shapes of the attributes
 * the DuckDB scan reads to rule lines out, and every input wrapper
 * (raw event, CloudWatch line, CloudWatch export line, archived Datadog log, and lines that are not events).
 * Known, documented differences (`docs/backtest.md`) are left out: duplicate keys, arrays nested deeper than
 * ARRAY_LEVELS, characters outside the BMP with `?`, numbers in exponent form under wildcards.
 */
import { normalizeAuditEvent } from "../../lib/audit";
import { logToArchiveLine } from "../../lib/backtest/archive";
import { mulberry32 } from "../../lib/random";

export type Rng = () => number;

/** The seeded generator of `lib/random.ts`. */
export function rng(seed: number): Rng {
  return mulberry32(seed);
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const chance = (r: Rng, p: number) => r() < p;

const WORDS = [
  "pods",
  "Pods",
  "PODS",
  "secrets",
  "exec",
  "eks:node",
  "system:masters",
  "a b",
  'say "hi"',
  "back\\slash",
  // A control character (JSON writes it `\u001B`), text its escape ends with, and a newline: wildcards test the value,
  // not its JSON text.
  "esc\u001b",
  "1B",
  "new\nline",
  "star*",
  "ünïcode",
  "中文",
  "x.y",
  "/healthz",
  "-dash",
  "1.5",
  "42",
  "true",
  "",
  "allow",
  "alice",
  "system:anonymous",
];
const USERS = [
  "system:anonymous",
  "eks:node-manager",
  "system:node:ip-10-0-1-2",
  "alice",
  "Alice",
  "arn:aws:sts::1:assumed-role/Dev/bob",
  "system:serviceaccount:kube-system:x",
];
const NUMBERS = [0, 1, 42, 200, 201, 299, 403, 404, 1.5, -3, 1000000, 0.25];

function scalar(r: Rng): unknown {
  const x = r();
  if (x < 0.45) return pick(r, WORDS);
  if (x < 0.7) return pick(r, NUMBERS);
  if (x < 0.8) return chance(r, 0.5);
  if (x < 0.87) return null;
  if (x < 0.94) return String(pick(r, NUMBERS));
  return chance(r, 0.5) ? "true" : "false";
}

function value(r: Rng, depth = 0): unknown {
  const x = r();
  if (x < 0.55 || depth > 2) return scalar(r);
  if (x < 0.75) return Array.from({ length: Math.floor(r() * 3) }, () => (depth === 0 && chance(r, 0.2) ? [scalar(r), scalar(r)] : scalar(r)));
  return object(r, depth + 1);
}

function object(r: Rng, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const keys = ["a", "b", "name", "x", "x.y", "y", "privileged", "add"];
  for (let k = 0; k < 1 + Math.floor(r() * 3); k++) o[pick(r, keys)] = value(r, depth);
  return o;
}

function container(r: Rng): Record<string, unknown> {
  const c: Record<string, unknown> = { name: pick(r, WORDS), image: pick(r, ["nginx", "registry.k8s.io/pause:3.9", "evil/miner:latest"]) };
  if (chance(r, 0.7)) {
    const sc: Record<string, unknown> = {};
    if (chance(r, 0.6)) sc.privileged = pick(r, [true, false, "true", null, 1]);
    if (chance(r, 0.5))
      sc.capabilities = { add: chance(r, 0.2) ? [["SYS_ADMIN"], "NET_RAW"] : pick(r, [["SYS_ADMIN"], ["NET_ADMIN", "sys_admin"], "SYS_ADMIN", []]) };
    if (chance(r, 0.3)) sc.runAsUser = pick(r, [0, "0", 1000, null]);
    c.securityContext = sc;
  }
  return c;
}

function auditEvent(r: Rng, i: number, t0: number): Record<string, unknown> {
  const ts = new Date(t0 + i * 37_000 + Math.floor(r() * 1000)).toISOString();
  const resource = pick(r, [
    "pods",
    "secrets",
    "configmaps",
    "Pods",
    "rolebindings",
    "clusterrolebindings",
    "daemonsets",
    "nodes",
    "serviceaccounts",
  ]);
  const e: Record<string, unknown> = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: pick(r, ["Metadata", "Request", 3]),
    auditID: `id-${Math.floor(r() * 50)}`,
    stage: pick(r, ["ResponseComplete", "ResponseStarted"]),
    verb: pick(r, ["create", "get", "list", "delete", "patch", "Create"]),
    user: chance(r, 0.9)
      ? {
          username: pick(r, USERS),
          groups: chance(r, 0.8) ? pick(r, [["system:masters", "system:authenticated"], ["developers"], [], "system:masters"]) : undefined,
        }
      : { groups: ["x"] },
    sourceIPs: chance(r, 0.8) ? [pick(r, ["10.0.0.1", "192.168.1.5", "::1"])] : pick(r, [[], "10.0.0.1", [7]]),
    objectRef: chance(r, 0.9)
      ? {
          resource,
          namespace: pick(r, ["default", "kube-system", "web", undefined]),
          name: pick(r, [...WORDS, undefined]),
          subresource: pick(r, [undefined, undefined, "exec", "attach", "proxy"]),
        }
      : undefined,
    responseStatus: chance(r, 0.9) ? { code: pick(r, [200, 201, 403, 404, "403", 101, null]) } : pick(r, [undefined, "oops"]),
    requestURI: chance(r, 0.9)
      ? pick(r, [
          "/api/v1/namespaces/default/pods/p/exec?command=sh&command=-c&stdin=true",
          "/api/v1/namespaces/web/pods?limit=500",
          "/healthz",
          "/version?x=a%3Ab&y=1+2&command=cat%20%2Fetc%2Fshadow",
          "/api/v1/nodes/n/proxy/?command=bad%ZZ",
        ])
      : undefined,
    annotations: chance(r, 0.6)
      ? { "authorization.k8s.io/decision": pick(r, ["allow", "forbid"]), "authorization.k8s.io/reason": pick(r, WORDS) }
      : undefined,
    stageTimestamp: ts,
    requestReceivedTimestamp: ts,
  };
  if (chance(r, 0.4)) {
    const spec: Record<string, unknown> = { containers: Array.from({ length: 1 + Math.floor(r() * 2) }, () => container(r)) };
    if (chance(r, 0.3)) spec.hostNetwork = pick(r, [true, "true", false]);
    if (chance(r, 0.3)) spec.volumes = [{ hostPath: { path: pick(r, ["/", "/var/run/docker.sock", "/etc"]) } }, { emptyDir: {} }];
    e.requestObject = chance(r, 0.2) ? { spec: { template: { spec } } } : { spec, metadata: { generateName: pick(r, WORDS) } };
  }
  // Odd shapes of the attributes the DuckDB scan reads to rule lines out (`lib/backtest/scan.ts`): arrays (one
  // element, several, nested), objects, null and numbers where a string is usual; a parent that is not an object, or
  // missing with its child under a dotted top-level key instead.
  if (chance(r, 0.15)) {
    const odd = pick(r, [[resource], [resource, "secrets"], [[resource]], {}, null, 5, []]);
    const ref = (e.objectRef ?? {}) as Record<string, unknown>;
    e.objectRef = pick(r, [{ ...ref, resource: odd }, [ref], null, "pods", { ...ref, subresource: pick(r, [["exec"], null, {}]) }]);
  }
  if (chance(r, 0.08)) {
    delete e.objectRef;
    e[pick(r, ["objectRef.resource", "objectRef.subresource", "objectRef.namespace"])] = pick(r, ["pods", "exec", "kube-system", ["pods"]]);
  }
  if (chance(r, 0.1)) {
    // No string username: the event's own `usr`, if any, is what `@usr.*` searches.
    e.user = pick(r, [[{ username: pick(r, USERS) }], { username: [pick(r, USERS)] }, { username: 7 }, null]);
    if (chance(r, 0.7)) e.usr = { name: pick(r, USERS), id: pick(r, USERS) };
  }
  if (chance(r, 0.1)) e.responseStatus = pick(r, [{ code: [403] }, { code: [200, 403] }, [{ code: 403 }], { code: {} }]);
  if (chance(r, 0.15))
    e.sourceIPs = pick(r, [["10.0.0.1", "8.8.8.8"], [["10.0.0.1"]], ["::ffff:10.0.0.1"], ["010.0.0.1"], ["1.2.3.256"], ["8.8.8.8"], [null], {}]);
  if (chance(r, 0.15)) {
    const results = pick(r, [{ category: "tor" }, { category: ["scanner", "x"] }, [{ category: "malware" }], { intention: "malicious" }]);
    const at = pick(r, ["threat_intel", "threat_intel.results", "threat_intel.results.category"]);
    e[at] = at === "threat_intel" ? { results } : at === "threat_intel.results" ? results : pick(r, ["tor", ["tor"]]);
  }
  if (chance(r, 0.1)) e[pick(r, ["impersonatedUser", "impersonatedUser.username"])] = pick(r, [{ username: "alice" }, "alice", ["system:admin"]]);
  if (chance(r, 0.25)) e.extra = value(r);
  if (chance(r, 0.1)) e["objectRef.name"] = pick(r, WORDS);
  if (chance(r, 0.1)) e.x = object(r, 1);
  if (chance(r, 0.08)) e.http = { method: "SHADOWED" };
  if (chance(r, 0.08)) e.usr = { name: pick(r, ["own-usr", ...USERS]), id: pick(r, USERS) };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  return e;
}

/** `n` input lines, seeded. */
export function randomEvents(r: Rng, n: number): string[] {
  const t0 = Date.UTC(2026, 10, 1);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const e = auditEvent(r, i, t0);
    const x = r();
    if (x < 0.7) lines.push(JSON.stringify(e));
    else if (x < 0.8) {
      const wrapper: Record<string, unknown> = { timestamp: t0 + i * 1000, message: JSON.stringify(e) };
      if (chance(r, 0.5)) wrapper.logGroupName = "/aws/eks/prod/cluster";
      if (chance(r, 0.3)) wrapper.logStreamName = "kube-apiserver-audit-1";
      if (chance(r, 0.4)) wrapper.ddtags = pick(r, ["env:prod, team:Platform", "env:dev,,Team:x", " single "]);
      if (chance(r, 0.3)) wrapper.host = pick(r, ["node-1", 5]);
      if (chance(r, 0.3)) wrapper.service = "kube-apiserver";
      if (chance(r, 0.2)) wrapper.aws = { awslogs: { logGroup: "/aws/eks/other" } };
      lines.push(JSON.stringify(wrapper));
    } else if (x < 0.85) lines.push(`${new Date(t0 + i * 1000).toISOString()} ${JSON.stringify(e)}`);
    else if (x < 0.95) {
      const log = normalizeAuditEvent(e);
      const line = logToArchiveLine(
        {
          ...log,
          message: chance(r, 0.7) ? `${String(e.verb)} ${pick(r, WORDS)} by ${pick(r, USERS)}` : undefined,
          tags: chance(r, 0.5) ? ["env:prod", "team:Platform"] : [],
        },
        `a${i}`,
      );
      if (chance(r, 0.3)) line.status = "Warn";
      lines.push(JSON.stringify(line));
    } else {
      lines.push(
        pick(r, [
          "[1,2]",
          '{"kind":"Other"}',
          "not json",
          '{"message": 5}',
          JSON.stringify({ ...e, kind: "event" }),
          JSON.stringify({ ...e, verb: 3 }),
          "   ",
        ]),
      );
    }
  }
  return lines.filter((l) => l.trim() !== "");
}

const PATHS = [
  "objectRef.resource",
  "objectRef.name",
  "objectRef.subresource",
  "objectRef.namespace",
  "http.method",
  "http.status_code",
  "http.url_details.path",
  "http.url_details.queryString.command",
  "http.url_details.queryString",
  "usr.name",
  "usr.id",
  "user.groups",
  "network.client.ip",
  "annotations.authorization.k8s.io/decision",
  "requestObject.spec.containers.securityContext.privileged",
  "requestObject.spec.containers.securityContext.capabilities.add",
  "requestObject.spec.template.spec.containers.securityContext.privileged",
  "requestObject.spec.volumes.hostPath.path",
  "requestObject.spec.hostNetwork",
  "extra",
  "extra.a",
  "extra.x.y",
  "x.y",
  "x.y.a",
  "level",
  "aws.awslogs.logGroup",
  "responseStatus",
  "verb",
  "sourceIPs",
  "objectRef.apiGroup",
  "impersonatedUser.username",
  "threat_intel.results.category",
  "threat_intel.results.intention",
];

/** A query word with the query syntax's special characters escaped. */
function escapeWord(s: string): string {
  return s.replace(/[\\\s():"[\]{}~^*?<>-]/g, (c) => "\\" + c);
}

function valueText(r: Rng): string {
  const v = scalar(r);
  const s = v === null ? "null" : typeof v === "string" ? v : JSON.stringify(v);
  const x = r();
  if (s === "") return '""';
  if (x < 0.35) return escapeWord(s);
  if (x < 0.5) return JSON.stringify(s);
  if (x < 0.7) {
    const base = escapeWord(s.slice(0, Math.max(1, Math.floor(s.length / 2))));
    return pick(r, [`${base}*`, `*${escapeWord(s.slice(-2))}`, `*${escapeWord(s.slice(-2))}*`, `${base}?*`, "*"]);
  }
  if (x < 0.85) return pick(r, ["[200 TO 299]", "{200 TO 403]", "[* TO 0]", "[1 TO *}", "[a TO m]", "{A TO z}", "[eks TO system]"]);
  return pick(r, [">=400", ">1", "<1.5", "<=0", ">-5"]);
}

function term(r: Rng): string {
  const x = r();
  if (x < 0.72) {
    const path = pick(r, PATHS)
      .split(".")
      .map((s) => s.replace(/[\\\s():"/*?]/g, (c) => (c === "/" ? c : "\\" + c)))
      .join(".");
    if (chance(r, 0.2)) return `@${path}:(${valueText(r)} OR ${valueText(r)}${chance(r, 0.4) ? ` -${valueText(r)}` : ""})`;
    return `@${path}:${valueText(r)}`;
  }
  if (x < 0.82)
    return pick(r, [
      "source:kubernetes.audit",
      "source:KUBERNETES.audit",
      "source:kube*",
      "status:info",
      "status:warn",
      "host:node*",
      "service:kube-apiserver",
      "host:/aws/eks/prod/cluster",
      "status:[a TO j]",
    ]);
  if (x < 0.92) return pick(r, ["env:prod", "team:platform", "tags:env\\:prod", "tags:single", "team:p*", "env:*"]);
  if (x < 0.96)
    return pick(r, [
      "CIDR(@network.client.ip, 10.0.0.0/8)",
      "CIDR(@sourceIPs, 192.168.0.0/16, ::1/128)",
      "NOT(CIDR(@sourceIPs, 10.0.0.0/8, 172.16.0.0/12))",
      "CIDR(@extra, 0.0.0.0/0)",
    ]);
  return pick(r, ["pods", '"by alice"', "create", "sec*", "a?ice", '"eks:node"', "secrets"]);
}

function expr(r: Rng, depth: number): string {
  const x = r();
  if (depth > 2 || x < 0.4) return term(r);
  if (x < 0.55) return `${pick(r, ["NOT ", "-"])}${depth > 1 ? term(r) : `(${expr(r, depth + 1)})`}`;
  if (x < 0.8) return `${expr(r, depth + 1)} ${pick(r, ["", "AND "])}${expr(r, depth + 1)}`;
  return `(${expr(r, depth + 1)} OR ${expr(r, depth + 1)})`;
}

/** `n` queries from the grammar of `lib/query/parser.ts`, seeded. */
export function randomQueries(r: Rng, n: number): string[] {
  return Array.from({ length: n }, () => expr(r, 0));
}

/**
 * A time-ordered sequence with bursts across window edges (60 s / 120 s windows), a few events out of order or
 * without a timestamp, requests logged twice (same auditID), over three days.
 */
export function signalSequence(r: Rng, n: number): string[] {
  const lines: string[] = [];
  let t = Date.UTC(2026, 10, 1, 0, 0, 50);
  for (let i = 0; i < n; i++) {
    t += chance(r, 0.1) ? Math.floor(r() * 3_600_000) : Math.floor(r() * 4000);
    const e: Record<string, unknown> = {
      kind: "Event",
      apiVersion: "audit.k8s.io/v1",
      auditID: `req-${Math.floor(i / (chance(r, 0.3) ? 1 : 2))}`,
      stage: "ResponseComplete",
      verb: pick(r, ["create", "get", "create", "list"]),
      user: { username: pick(r, ["alice", "bob", "eve", "system:node:n1"]) },
      objectRef: {
        resource: pick(r, ["pods", "pods", "secrets"]),
        namespace: pick(r, ["a", "b", "c", "kube-system"]),
        name: `n${Math.floor(r() * 5)}`,
      },
      responseStatus: { code: pick(r, [200, 403, 201]) },
      requestURI: "/api/v1/namespaces/a/pods",
      stageTimestamp: new Date(chance(r, 0.03) ? t - 120_000 : t).toISOString(),
    };
    if (chance(r, 0.02)) delete e.stageTimestamp;
    lines.push(JSON.stringify(e));
  }
  return lines;
}
