import { readFileSync } from "fs";
import { join } from "path";
import { AuditEventError, normalizeAuditEvent } from "../lib/audit";
import { compileQuery } from "../lib/query";
import { jsonParseError } from "./helpers/assert";

const execEvent = JSON.parse(readFileSync(join(__dirname, "fixtures/audit/exec-kubernetes-admin.json"), "utf8")) as Record<string, unknown>;
const GUIDE_QUERY = "source:kubernetes.audit @objectRef.resource:pods @objectRef.subresource:exec @http.method:create @http.status_code:[101 TO 299]";

function reason(input: unknown): string {
  try {
    normalizeAuditEvent(input);
  } catch (e) {
    if (e instanceof AuditEventError) return e.message;
    throw e;
  }
  throw new Error("expected the input to be rejected");
}

describe("normalizeAuditEvent on a raw EKS audit event", () => {
  const log = normalizeAuditEvent(execEvent);

  test("sets source kubernetes.audit, status info, no tags", () => {
    expect(log.source).toBe("kubernetes.audit");
    expect(log.status).toBe("info");
    expect(log.tags).toEqual([]);
    expect(log.service).toBeUndefined();
    expect(log.host).toBeUndefined();
  });

  test("remaps verb, responseStatus.code and requestURI into http.*", () => {
    expect(log.attributes.http).toEqual({
      method: "create",
      status_code: 101,
      url_details: {
        path: "/api/v1/namespaces/default/pods/web-0/exec",
        queryString: { command: "sh", container: "web", stdin: "true", stdout: "true", tty: "true" },
      },
    });
  });

  test("remaps user.username to both usr.name and usr.id", () => {
    expect(log.attributes.usr).toEqual({ name: "kubernetes-admin", id: "kubernetes-admin" });
  });

  test("remaps the first source IP to network.client.ip", () => {
    expect(log.attributes.network).toEqual({ client: { ip: "203.0.113.10" } });
  });

  test("takes the date from stageTimestamp", () => {
    expect(log.timestampMs).toBe(Date.UTC(2026, 10, 20, 10, 15, 2, 140));
  });

  test("keeps every raw field", () => {
    for (const key of Object.keys(execEvent)) {
      expect(log.attributes[key]).toEqual(execEvent[key]);
    }
  });

  test("does not modify its input", () => {
    expect(execEvent.http).toBeUndefined();
    expect(execEvent.usr).toBeUndefined();
  });

  test("matches the guide's query, standardized and raw spellings alike", () => {
    expect(compileQuery(GUIDE_QUERY)(log)).toBe(true);
    expect(compileQuery("@verb:create @responseStatus.code:101 @user.extra.arn:arn\\:aws\\:iam\\:\\:111122223333\\:user/alice")(log)).toBe(true);
    expect(compileQuery("@annotations.authorization.k8s.io/decision:allow")(log)).toBe(true);
    expect(compileQuery("@usr.id:kubernetes-admin @usr.name:kubernetes-admin")(log)).toBe(true);
  });

  test("repeated query-string keys become arrays", () => {
    const l = normalizeAuditEvent({ ...execEvent, requestURI: "/api/v1/pods?x=1&x=2&y=3" });
    expect((l.attributes.http as Record<string, unknown>).url_details).toEqual({ path: "/api/v1/pods", queryString: { x: ["1", "2"], y: "3" } });
  });

  test("falls back to requestReceivedTimestamp when stageTimestamp is missing", () => {
    const { stageTimestamp: _omit, ...rest } = execEvent;
    expect(normalizeAuditEvent(rest).timestampMs).toBe(Date.UTC(2026, 10, 20, 10, 15, 2, 123));
  });

  test("an event without responseStatus, user or sourceIPs still normalizes", () => {
    const l = normalizeAuditEvent({ kind: "Event", apiVersion: "audit.k8s.io/v1", verb: "get" });
    expect(l.attributes.http).toEqual({ method: "get" });
    expect(l.attributes.usr).toBeUndefined();
    expect(l.attributes.network).toBeUndefined();
    expect(l.timestampMs).toBeUndefined();
  });
});

describe("normalizeAuditEvent on wrapped lines", () => {
  test("a CloudWatch export line (aws logs filter-log-events)", () => {
    const l = normalizeAuditEvent({
      logStreamName: "kube-apiserver-audit-0123456789abcdef",
      timestamp: 1763633702140,
      message: JSON.stringify(execEvent),
      ingestionTime: 1763633703000,
      eventId: "3795",
    });
    expect(l.attributes.usr).toEqual({ name: "kubernetes-admin", id: "kubernetes-admin" });
    expect(l.attributes.aws).toEqual({ awslogs: { logStream: "kube-apiserver-audit-0123456789abcdef" } });
    expect(l.timestampMs).toBe(Date.UTC(2026, 10, 20, 10, 15, 2, 140));
    expect(compileQuery(GUIDE_QUERY)(l)).toBe(true);
  });

  test("a line without event timestamps takes the CloudWatch timestamp", () => {
    const { stageTimestamp: _a, requestReceivedTimestamp: _b, ...rest } = execEvent;
    expect(normalizeAuditEvent({ timestamp: 1763633702999, message: JSON.stringify(rest) }).timestampMs).toBe(1763633702999);
  });

  test("a forwarded log keeps host, service, tags and aws attributes", () => {
    const l = normalizeAuditEvent({
      id: "3795",
      timestamp: 1763633702140,
      message: JSON.stringify(execEvent),
      aws: { awslogs: { logGroup: "/aws/eks/prod/cluster", logStream: "kube-apiserver-audit-01", owner: "111122223333" } },
      ddsourcecategory: "aws",
      ddsource: "cloudwatch",
      ddtags: "forwardername:datadog-forwarder, forwarder_version:5.1.0,env:prod",
      service: "cloudwatch",
      host: "/aws/eks/prod/cluster",
    });
    expect(l.source).toBe("kubernetes.audit");
    expect(l.host).toBe("/aws/eks/prod/cluster");
    expect(l.service).toBe("cloudwatch");
    expect(l.tags).toEqual(["forwardername:datadog-forwarder", "forwarder_version:5.1.0", "env:prod"]);
    expect(compileQuery("@aws.awslogs.owner:111122223333 env:prod")(l)).toBe(true);
  });

  test("the host defaults to the log group name", () => {
    const l = normalizeAuditEvent({ logGroupName: "/aws/eks/dev/cluster", message: execEvent });
    expect(l.host).toBe("/aws/eks/dev/cluster");
  });

  test("a JSON string is parsed", () => {
    expect(normalizeAuditEvent(JSON.stringify(execEvent)).attributes.verb).toBe("create");
  });
});

describe("normalizeAuditEvent rejects what is not an audit event", () => {
  test.each<[string, unknown, string]>([
    ["null", null, "expected a JSON object (an audit.k8s.io/v1 Event or a CloudWatch line), got null"],
    ["an array", [1], "expected a JSON object (an audit.k8s.io/v1 Event or a CloudWatch line), got an array"],
    ["a number", 42, "expected a JSON object (an audit.k8s.io/v1 Event or a CloudWatch line), got the number 42"],
    ["invalid JSON text", "{nope", `not valid JSON (${jsonParseError("{nope")})`],
    [
      "an unrelated object",
      { hello: "world" },
      'expected an audit.k8s.io/v1 Event ("kind": "Event") or a CloudWatch line with "message", got an object with neither',
    ],
    [
      "another kind",
      { kind: "EventList", apiVersion: "audit.k8s.io/v1" },
      'kind is the string "EventList", expected "Event" (an audit.k8s.io/v1 Event)',
    ],
    ["a core Event", { kind: "Event", apiVersion: "v1", verb: "get" }, 'apiVersion is the string "v1", expected "audit.k8s.io/v1"'],
    ["no verb", { kind: "Event", apiVersion: "audit.k8s.io/v1" }, 'verb is missing, expected a string such as "create"'],
    ["a numeric verb", { kind: "Event", apiVersion: "audit.k8s.io/v1", verb: 3 }, 'verb is the number 3, expected a string such as "create"'],
    [
      "a message that is not JSON",
      { timestamp: 1, message: "I1120 10:15:02 controller started" },
      `message is not valid JSON (${jsonParseError("I1120 10:15:02 controller started")})`,
    ],
    ["a message that is a number", { message: 5 }, "message is the number 5, expected an audit.k8s.io/v1 Event as a JSON object or JSON string"],
    [
      "a message with another event",
      { message: JSON.stringify({ kind: "Pod", apiVersion: "v1" }) },
      'message: kind is the string "Pod", expected "Event" (an audit.k8s.io/v1 Event)',
    ],
  ])("%s", (_name, input, expected) => {
    expect(reason(input)).toBe(expected);
  });
});

describe("normalizeAuditEvent requireVerb: false", () => {
  const noVerb = { kind: "Event", apiVersion: "audit.k8s.io/v1", requestURI: "/api/v1/pods", user: { username: "system:anonymous" } };

  test("an event without verb is normalized without http.method (as Datadog indexes any log); the default refuses it", () => {
    const l = normalizeAuditEvent(noVerb, { requireVerb: false });
    expect(l.attributes.http).toEqual({ url_details: { path: "/api/v1/pods" } });
    expect(compileQuery("@usr.name:system\\:anonymous")(l)).toBe(true);
    expect(compileQuery("@http.method:*")(l)).toBe(false);
    expect(() => normalizeAuditEvent(noVerb)).toThrow("verb is missing");
  });

  test("a verb that is not a string is still refused", () => {
    expect(() => normalizeAuditEvent({ ...noVerb, verb: 3 }, { requireVerb: false })).toThrow("verb is the number 3");
    expect(() => normalizeAuditEvent({ message: JSON.stringify({ ...noVerb, verb: null }) }, { requireVerb: false })).toThrow("verb is null");
  });
});

describe("normalizeAuditEvent reuseInput", () => {
  test("by default a raw event object is copied, not extended", () => {
    const input = JSON.parse(JSON.stringify(execEvent)) as Record<string, unknown>;
    const l = normalizeAuditEvent(input);
    expect(l.attributes).not.toBe(input);
    expect(input.http).toBeUndefined();
  });

  test("an event given as an object inside a CloudWatch line is not extended either", () => {
    const inner = JSON.parse(JSON.stringify(execEvent)) as Record<string, unknown>;
    normalizeAuditEvent({ timestamp: 1, message: inner });
    expect(inner.usr).toBeUndefined();
  });

  test("reuseInput extends the caller's object in place", () => {
    const input = JSON.parse(JSON.stringify(execEvent)) as Record<string, unknown>;
    const l = normalizeAuditEvent(input, { reuseInput: true });
    expect(l.attributes).toBe(input);
    expect(input.usr).toEqual({ name: "kubernetes-admin", id: "kubernetes-admin" });
  });
});

describe("http.url_details.queryString", () => {
  // The hand-written parser must decode exactly like URLSearchParams (repeated keys become arrays).
  test.each([
    "command=cat&command=%2Fvar%2Frun%2Fsecrets%2Ftoken&stdout=true",
    "a=1&&b=&c",
    "x=a+b%20c&x=%ZZ&y==2",
    "=v&k",
    "limit=500&resourceVersion=0&timeoutSeconds=301&watch=true",
    "fieldSelector=metadata.name%3Dfoo&labelSelector=app+in+(a%2Cb)",
  ])("%s decodes like URLSearchParams", (query) => {
    const expected: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(query)) {
      const prev = expected[k];
      expected[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const log = normalizeAuditEvent({ kind: "Event", apiVersion: "audit.k8s.io/v1", verb: "get", requestURI: `/api/v1/pods?${query}` });
    expect((log.attributes.http as { url_details: { queryString: unknown } }).url_details.queryString).toEqual(expected);
  });
});
