/**
 * Turns one Kubernetes audit event, as Amazon EKS writes it to CloudWatch Logs, into the log Datadog's
 * `kubernetes.audit` integration pipeline produces, so detection queries can be evaluated offline.
 *
 * Datadog does not publish that pipeline. The remapping below follows public evidence: Datadog's out-of-the-box
 * Kubernetes audit rules, which query the standardized attribute and the raw one in pairs
 * (https://docs.datadoghq.com/security/default_rules/, e.g. "Anonymous request authorized":
 * `-@http.url_details.path:"/healthz"`), and the attribute conventions of Datadog's standard attributes
 * (https://docs.datadoghq.com/standard-attributes/); every uncertain mapping is listed in `docs/detection-testing.md`.
 *
 * | raw audit field        | Datadog attribute                | confidence                                   |
 * |------------------------|----------------------------------|----------------------------------------------|
 * | `verb`                 | `http.method` (value as-is)      | OOTB rule pairs                              |
 * | `responseStatus.code`  | `http.status_code`               | OOTB rule pairs                              |
 * | `requestURI`           | `http.url_details.path` (+ `.queryString`) | OOTB rule pairs (URL parser)       |
 * | `user.username`        | `usr.name` AND `usr.id`          | older rules use name, current rules use id   |
 * | `sourceIPs[0]`         | `network.client.ip`              | UNVERIFIED                                   |
 * | `stageTimestamp`       | log date (`timestampMs`)         | workshop date remapper                       |
 * | everything             | kept as-is (`@objectRef.*`, ...) | OOTB queries                                 |
 */
import type { NormalizedLog } from "../query";
import { isObject } from "../is-object";

/** The `source` Datadog assigns to EKS audit logs (Datadog guide "Log Collection for Amazon EKS Audit Logs"). */
export const KUBERNETES_AUDIT_SOURCE = "kubernetes.audit";

/** An input line that is not an audit event; `message` is one line, suitable for `{"line":n,"error":...}`. */
export class AuditEventError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = "AuditEventError";
  }
}

type Json = Record<string, unknown>;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)}`;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `the ${typeof v} ${String(v)}`;
  return typeof v === "object" ? "an object" : `the ${typeof v} value`;
}

/** Epoch milliseconds of an RFC 3339 string or a number (ms), else undefined. */
function toEpochMs(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string") {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** `application/x-www-form-urlencoded` decoding of one key or value, as `URLSearchParams` does it. */
function decodeComponent(text: string): string {
  const plus = text.indexOf("+") >= 0 ? text.replace(/\+/g, " ") : text;
  if (plus.indexOf("%") < 0) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    return new URLSearchParams(`k=${text}`).get("k") ?? plus;
  }
}

/**
 * Parses a query string into `{key: value}` (a repeated key gives an array, as in `command=tar&command=cf`), with the
 * decoding of `URLSearchParams`; hand-written because it runs for most audit events.
 */
function parseQueryString(query: string): Json {
  const queryString: Record<string, string | string[]> = {};
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf("&", start);
    if (end < 0) end = query.length;
    if (end > start) {
      const eq = query.indexOf("=", start);
      const hasValue = eq >= 0 && eq < end;
      const k = decodeComponent(query.slice(start, hasValue ? eq : end));
      const v = hasValue ? decodeComponent(query.slice(eq + 1, end)) : "";
      const prev = queryString[k];
      queryString[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    start = end + 1;
  }
  return queryString;
}

/** `http.url_details` for a request URI such as `/api/v1/namespaces/default/pods?limit=500`. */
function urlDetails(requestURI: string): Json {
  const q = requestURI.indexOf("?");
  if (q < 0) return { path: requestURI };
  return { path: requestURI.slice(0, q), queryString: parseQueryString(requestURI.slice(q + 1)) };
}

/** Metadata from the wrapper a line came in (CloudWatch export line or forwarded log). */
interface Envelope {
  readonly timestampMs?: number;
  readonly host?: string;
  readonly service?: string;
  readonly tags: readonly string[];
  readonly aws?: Json;
}

function checkEvent(event: Json, where: string, requireVerb: boolean): void {
  if (event.kind !== "Event") {
    throw new AuditEventError(`${where}kind is ${describe(event.kind)}, expected "Event" (an audit.k8s.io/v1 Event)`);
  }
  if (typeof event.apiVersion !== "string" || !event.apiVersion.startsWith("audit.k8s.io/")) {
    throw new AuditEventError(`${where}apiVersion is ${describe(event.apiVersion)}, expected "audit.k8s.io/v1"`);
  }
  if (typeof event.verb !== "string" && (requireVerb || event.verb !== undefined)) {
    throw new AuditEventError(`${where}verb is ${event.verb === undefined ? "missing" : describe(event.verb)}, expected a string such as "create"`);
  }
}

/** Unwraps `{"timestamp": ..., "message": "<event JSON>"}` (CloudWatch export) or a forwarded log. */
function unwrap(input: Json, requireVerb: boolean): { event: Json; envelope: Envelope; parsed: boolean } {
  const message = input.message;
  let event: unknown;
  if (typeof message === "string") {
    try {
      event = JSON.parse(message);
    } catch (e) {
      throw new AuditEventError(`message is not valid JSON (${(e as Error).message})`);
    }
  } else {
    event = message;
  }
  if (!isObject(event)) {
    throw new AuditEventError(`message is ${describe(event)}, expected an audit.k8s.io/v1 Event as a JSON object or JSON string`);
  }
  checkEvent(event, "message: ", requireVerb);
  const awsAttr = isObject(input.aws) ? input.aws : undefined;
  const awslogs = awsAttr !== undefined && isObject(awsAttr.awslogs) ? awsAttr.awslogs : undefined;
  const logGroup = typeof input.logGroupName === "string" ? input.logGroupName : typeof awslogs?.logGroup === "string" ? awslogs.logGroup : undefined;
  const logStream =
    typeof input.logStreamName === "string" ? input.logStreamName : typeof awslogs?.logStream === "string" ? awslogs.logStream : undefined;
  let aws = awsAttr;
  if (aws === undefined && (logGroup !== undefined || logStream !== undefined)) {
    const awslogsOut: Json = {};
    if (logGroup !== undefined) awslogsOut.logGroup = logGroup;
    if (logStream !== undefined) awslogsOut.logStream = logStream;
    aws = { awslogs: awslogsOut };
  }
  const tags =
    typeof input.ddtags === "string"
      ? input.ddtags
          .split(",")
          .map((t) => t.trim())
          .filter((t) => t.length > 0)
      : [];
  return {
    event,
    parsed: typeof message === "string",
    envelope: {
      timestampMs: toEpochMs(input.timestamp),
      host: typeof input.host === "string" ? input.host : logGroup,
      service: typeof input.service === "string" ? input.service : undefined,
      tags,
      aws,
    },
  };
}

/** Options of `normalizeAuditEvent`. */
export interface NormalizeOptions {
  /**
   * Add the remapped attributes to the parsed event object itself instead of a shallow copy. Only for callers that
   * own the object (e.g. it was just `JSON.parse`d); saves a copy per event when replaying millions of them.
   * @default false
   */
  readonly reuseInput?: boolean;
  /**
   * Refuse an event without `verb`. Every event the API server writes has one (`verb` has no `omitempty` in
   * `k8s.io/apiserver/pkg/apis/audit/v1/types.go`), so a missing verb is a mistake in a hand-written event. With
   * `false`, such an event is normalized as Datadog indexes any log: without `http.method` (Datadog's pipeline
   * requires no attribute), so only queries that do not read the verb can match it. `eval:corpus` uses `false` for
   * other projects' test events that leave out the fields their own rules do not read.
   * @default true
   */
  readonly requireVerb?: boolean;
}

/**
 * Normalizes one input into the attributes Datadog's `kubernetes.audit` pipeline produces.
 *
 * Accepts: a raw `audit.k8s.io/v1` Event object (as EKS writes it to CloudWatch Logs); a CloudWatch line
 * `{"timestamp": <ms>, "message": "<event JSON>"}` (also with `logStreamName`/`logGroupName`, as
 * `aws logs filter-log-events` returns it); a forwarded log `{"message", "aws": {"awslogs": ...}, "ddtags",
 * "host", "service"}`; or any of these as a JSON string. The input is not modified.
 *
 * @throws AuditEventError with a one-line reason when the input is not an audit event.
 */
export function normalizeAuditEvent(input: unknown, options: NormalizeOptions = {}): NormalizedLog {
  let value = input;
  const requireVerb = options.requireVerb ?? true;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch (e) {
      throw new AuditEventError(`not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isObject(value)) {
    throw new AuditEventError(`expected a JSON object (an audit.k8s.io/v1 Event or a CloudWatch line), got ${describe(value)}`);
  }
  let event: Json;
  let envelope: Envelope;
  // Whether `event` was parsed here (from a JSON string), so it is ours to extend in place.
  let parsed = typeof input === "string";
  if (value.kind !== undefined || value.apiVersion !== undefined) {
    checkEvent(value, "", requireVerb);
    event = value;
    envelope = { tags: [] };
  } else if (value.message !== undefined) {
    ({ event, envelope, parsed } = unwrap(value, requireVerb));
  } else {
    throw new AuditEventError('expected an audit.k8s.io/v1 Event ("kind": "Event") or a CloudWatch line with "message", got an object with neither');
  }

  const attributes: Json = parsed || options.reuseInput === true ? event : { ...event };
  const http: Json = event.verb === undefined ? {} : { method: event.verb };
  const responseStatus = event.responseStatus;
  if (isObject(responseStatus) && responseStatus.code !== undefined) http.status_code = responseStatus.code;
  if (typeof event.requestURI === "string") http.url_details = urlDetails(event.requestURI);
  attributes.http = http;
  const user = event.user;
  if (isObject(user) && typeof user.username === "string") {
    attributes.usr = { name: user.username, id: user.username };
  }
  const sourceIPs = event.sourceIPs;
  if (Array.isArray(sourceIPs) && typeof sourceIPs[0] === "string") {
    attributes.network = { client: { ip: sourceIPs[0] } };
  }
  if (envelope.aws !== undefined && attributes.aws === undefined) attributes.aws = envelope.aws;

  const timestampMs = toEpochMs(event.stageTimestamp) ?? toEpochMs(event.requestReceivedTimestamp) ?? envelope.timestampMs;
  return {
    source: KUBERNETES_AUDIT_SOURCE,
    service: envelope.service,
    host: envelope.host,
    status: "info",
    tags: envelope.tags,
    timestampMs,
    attributes,
  };
}
