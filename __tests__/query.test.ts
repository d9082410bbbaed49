import {
  compileFieldReader,
  compileQuery,
  listAttributePaths,
  listQueryTerms,
  listReservedValues,
  matchesQuery,
  NormalizedLog,
  parseQuery,
  QuerySyntaxError,
} from "../lib/query";

function log(attributes: Record<string, unknown>, extra: Partial<NormalizedLog> = {}): NormalizedLog {
  return { source: "kubernetes.audit", tags: [], attributes, ...extra };
}

function matches(query: string, l: NormalizedLog): boolean {
  return compileQuery(query)(l);
}

function syntaxError(query: string): QuerySyntaxError {
  try {
    parseQuery(query);
  } catch (e) {
    if (e instanceof QuerySyntaxError) return e;
    throw e;
  }
  throw new Error(`expected ${query} to be rejected`);
}

const execEvent = log({
  verb: "create",
  objectRef: { resource: "pods", subresource: "exec", namespace: "default", name: "web-0" },
  http: { method: "create", status_code: 101, url_details: { path: "/api/v1/namespaces/default/pods/web-0/exec" } },
  usr: { name: "kubernetes-admin", id: "kubernetes-admin" },
  user: { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] },
});

describe("the guide's query", () => {
  const guide = "source:kubernetes.audit @objectRef.resource:pods @objectRef.subresource:exec @http.method:create @http.status_code:[101 TO 299]";

  test("matches a successful exec", () => {
    expect(matches(guide, execEvent)).toBe(true);
  });

  test("does not match a failed exec (403)", () => {
    const failed = log({ ...execEvent.attributes, http: { method: "create", status_code: 403 } });
    expect(matches(guide, failed)).toBe(false);
  });

  test("does not match an attach", () => {
    const attach = log({ ...execEvent.attributes, objectRef: { resource: "pods", subresource: "attach" } });
    expect(matches(guide, attach)).toBe(false);
  });

  test("does not match another source", () => {
    expect(matches(guide, { ...execEvent, source: "kubernetes.aduit" })).toBe(false);
  });

  test("parses into an AND of five terms", () => {
    const node = parseQuery(guide);
    expect(node.kind).toBe("and");
    expect(node.kind === "and" && node.children.length).toBe(5);
    expect(listReservedValues(node, "source")).toEqual(["kubernetes.audit"]);
    expect(listAttributePaths(node)).toEqual(["objectRef.resource", "objectRef.subresource", "http.method", "http.status_code"]);
  });
});

describe("attribute values", () => {
  test("exact match of the whole value, case-sensitive", () => {
    expect(matches("@objectRef.resource:pods", execEvent)).toBe(true);
    expect(matches("@objectRef.resource:Pods", execEvent)).toBe(false);
    expect(matches("@objectRef.resource:pod", execEvent)).toBe(false);
  });

  test("numbers match their decimal spelling", () => {
    expect(matches("@http.status_code:101", execEvent)).toBe(true);
    expect(matches("@http.status_code:101.0", execEvent)).toBe(true);
    expect(matches("@http.status_code:102", execEvent)).toBe(false);
  });

  test("booleans match true/false", () => {
    const l = log({ requestObject: { spec: { hostNetwork: true } } });
    expect(matches("@requestObject.spec.hostNetwork:true", l)).toBe(true);
    expect(matches("@requestObject.spec.hostNetwork:false", l)).toBe(false);
  });

  test("a missing attribute does not match, and its negation does", () => {
    expect(matches("@objectRef.apiGroup:apps", execEvent)).toBe(false);
    expect(matches("-@objectRef.apiGroup:apps", execEvent)).toBe(true);
  });

  test("a path does not match an object value", () => {
    expect(matches("@objectRef:pods", execEvent)).toBe(false);
  });

  test("keys that contain dots are found by the dotted path", () => {
    const l = log({ annotations: { "authorization.k8s.io/decision": "allow" } });
    expect(matches("@annotations.authorization.k8s.io/decision:allow", l)).toBe(true);
    expect(matches("@annotations.authorization.k8s.io/decision:forbid", l)).toBe(false);
  });

  test("escaped dots in a path name one key", () => {
    const l = log({ "a.b": 1, a: { b: 2 } });
    expect(matches("@a\\.b:1", l)).toBe(true);
    expect(matches("@a\\.b:2", l)).toBe(false);
    expect(matches("@a.b:2", l)).toBe(true);
    // dotted keys are only tried where the plain segment is not a key
    expect(matches("@a.b:1", l)).toBe(false);
    expect(matches("@a.b:1", log({ "a.b": 1 }))).toBe(true);
  });
});

describe("quoted phrases and escapes", () => {
  const anon = log({ usr: { name: "system:anonymous" }, reason: "hello world" });

  test("quoted value with ':' matches exactly", () => {
    expect(matches('@usr.name:"system:anonymous"', anon)).toBe(true);
    expect(matches('@usr.name:"system:anon"', anon)).toBe(false);
  });

  test("escaped ':' in an unquoted value", () => {
    expect(matches("@usr.name:system\\:anonymous", anon)).toBe(true);
  });

  test("escaped space", () => {
    expect(matches("@reason:hello\\ world", anon)).toBe(true);
    expect(matches('@reason:"hello world"', anon)).toBe(true);
  });

  test("wildcards inside quotes are literal", () => {
    expect(matches('@reason:"hello*"', anon)).toBe(false);
    expect(matches('@reason:"hello*"', log({ reason: "hello*" }))).toBe(true);
  });

  test("escaped wildcard is literal", () => {
    expect(matches("@reason:hello\\*", log({ reason: "hello*" }))).toBe(true);
    expect(matches("@reason:hello\\*", log({ reason: "hello world" }))).toBe(false);
  });

  test("escaped quote inside a phrase", () => {
    expect(matches('@reason:"say \\"hi\\""', log({ reason: 'say "hi"' }))).toBe(true);
  });
});

describe("wildcards", () => {
  const sa = log({ usr: { id: "system:serviceaccount:monitoring:datadog-agent" } });

  test("* matches any sequence, anchored at both ends", () => {
    expect(matches("@usr.id:system\\:serviceaccount\\:*\\:datadog*", sa)).toBe(true);
    expect(matches("@usr.id:*datadog", sa)).toBe(false);
    expect(matches("@usr.id:*datadog*", sa)).toBe(true);
  });

  test("? matches exactly one character", () => {
    const l = log({ name: "pod-a" });
    expect(matches("@name:pod?a", l)).toBe(true);
    expect(matches("@name:pod?", l)).toBe(false);
  });

  test("wildcards are case-sensitive on attributes", () => {
    expect(matches("@usr.id:SYSTEM*", sa)).toBe(false);
  });

  test("wildcards apply to numbers' spelling", () => {
    expect(matches("@http.status_code:10*", execEvent)).toBe(true);
    expect(matches("@http.status_code:2*", execEvent)).toBe(false);
  });
});

describe("existence", () => {
  test("@attr:* matches when the attribute exists", () => {
    expect(matches("@objectRef.subresource:*", execEvent)).toBe(true);
    expect(matches("@objectRef.apiGroup:*", execEvent)).toBe(false);
    expect(matches("-@objectRef.apiGroup:*", execEvent)).toBe(true);
  });

  test("null counts as absent", () => {
    expect(matches("@a:*", log({ a: null }))).toBe(false);
  });

  test("an object-valued attribute does not exist for @attr:* (conservative: undocumented in Datadog); its leaves do", () => {
    const ingress = log({ requestObject: { spec: { tls: [{ hosts: ["a.example.com"] }], rules: [{ host: "a.example.com" }], backend: {} } } });
    expect(matches("@requestObject.spec.tls:*", ingress)).toBe(false);
    expect(matches("@requestObject.spec.backend:*", ingress)).toBe(false);
    expect(matches("-@requestObject.spec.tls:*", ingress)).toBe(true);
    expect(matches("@requestObject.spec.tls.hosts:*", ingress)).toBe(true);
    expect(matches("@requestObject.spec.rules.host:*", ingress)).toBe(true);
    expect(matches("@a:*", log({ a: [1, { b: 2 }] }))).toBe(true);
  });
});

describe("numeric ranges and comparisons", () => {
  const code = (n: unknown) => log({ http: { status_code: n } });

  test("[a TO b] is inclusive", () => {
    expect(matches("@http.status_code:[101 TO 299]", code(101))).toBe(true);
    expect(matches("@http.status_code:[101 TO 299]", code(299))).toBe(true);
    expect(matches("@http.status_code:[101 TO 299]", code(300))).toBe(false);
    expect(matches("@http.status_code:[101 TO 299]", code(100))).toBe(false);
  });

  test("{a TO b} is exclusive, mixed brackets allowed", () => {
    expect(matches("@http.status_code:{101 TO 299}", code(101))).toBe(false);
    expect(matches("@http.status_code:{101 TO 299}", code(102))).toBe(true);
    expect(matches("@http.status_code:[101 TO 299}", code(299))).toBe(false);
    expect(matches("@http.status_code:{101 TO 299]", code(299))).toBe(true);
  });

  test("* is an open bound", () => {
    expect(matches("@http.status_code:[400 TO *]", code(503))).toBe(true);
    expect(matches("@http.status_code:[* TO 399]", code(503))).toBe(false);
  });

  test("numeric strings are compared as numbers, other strings never match a numeric range", () => {
    expect(matches("@http.status_code:[200 TO 299]", code("204"))).toBe(true);
    expect(matches("@http.status_code:[200 TO 299]", code("abc"))).toBe(false);
    expect(matches("@http.status_code:[200 TO 299]", code(true))).toBe(false);
  });

  test("comparisons", () => {
    expect(matches("@http.status_code:>400", code(403))).toBe(true);
    expect(matches("@http.status_code:>403", code(403))).toBe(false);
    expect(matches("@http.status_code:>=403", code(403))).toBe(true);
    expect(matches("@http.status_code:<403", code(403))).toBe(false);
    expect(matches("@http.status_code:<=403", code(403))).toBe(true);
    expect(matches("@http.status_code:<404", code(403))).toBe(true);
  });

  test("string ranges compare lexicographically", () => {
    expect(matches("@v:[b TO d]", log({ v: "c" }))).toBe(true);
    expect(matches("@v:[b TO d]", log({ v: "e" }))).toBe(false);
  });
});

describe("boolean operators", () => {
  const a = log({ x: "a", y: "b" });

  test("implicit AND and explicit AND", () => {
    expect(matches("@x:a @y:b", a)).toBe(true);
    expect(matches("@x:a @y:c", a)).toBe(false);
    expect(matches("@x:a AND @y:c", a)).toBe(false);
    expect(matches("@x:a AND @y:b", a)).toBe(true);
  });

  test("OR", () => {
    expect(matches("@x:z OR @y:b", a)).toBe(true);
    expect(matches("@x:z OR @y:z", a)).toBe(false);
  });

  test("AND binds tighter than OR (implicit AND too)", () => {
    // (@x:z AND @y:z) OR @x:a
    expect(matches("@x:z @y:z OR @x:a", a)).toBe(true);
    // @x:a OR (@x:q AND @y:z): true; a left-to-right reading ((@x:a OR @x:q) AND @y:z) would be false
    expect(matches("@x:a OR @x:q AND @y:z", a)).toBe(true);
    expect(matches("@x:a OR @x:q @y:z", a)).toBe(true);
  });

  test("NOT and - negate the next term or group", () => {
    expect(matches("NOT @x:a", a)).toBe(false);
    expect(matches("-@x:a", a)).toBe(false);
    expect(matches("NOT (@x:z OR @y:z)", a)).toBe(true);
    expect(matches("-(@x:a OR @y:z)", a)).toBe(false);
    expect(matches("@x:a NOT @y:b", a)).toBe(false);
  });

  test("parentheses", () => {
    expect(matches("(@x:z OR @x:a) @y:b", a)).toBe(true);
    expect(matches("(@x:z OR @x:a) (@y:z)", a)).toBe(false);
  });

  test("* alone matches every log", () => {
    expect(matches("*", a)).toBe(true);
    expect(matches("-*", a)).toBe(false);
  });
});

describe("value groups", () => {
  const l = log({ objectRef: { namespace: "kube-system" }, usr: { id: "eks:authenticator" } });

  test("@attr:(a OR b)", () => {
    expect(matches('@objectRef.namespace:("kube-system" OR "kube-public")', l)).toBe(true);
    expect(matches("@objectRef.namespace:(default OR kube-public)", l)).toBe(false);
  });

  test("negated group with escaped values (OOTB exclusion list)", () => {
    const q = "-@usr.id:(system\\:kube-scheduler OR eks\\:authenticator OR system\\:serviceaccount\\:kube-system\\:*)";
    expect(matches(q, l)).toBe(false);
    expect(matches(q, log({ usr: { id: "kubernetes-admin" } }))).toBe(true);
    expect(matches(q, log({ usr: { id: "system:serviceaccount:kube-system:coredns" } }))).toBe(false);
  });

  test("@attr:(a b) requires both (useful on arrays)", () => {
    const groups = log({ user: { groups: ["system:masters", "system:authenticated"] } });
    expect(matches('@user.groups:("system:masters" "system:authenticated")', groups)).toBe(true);
    expect(matches('@user.groups:("system:masters" "system:nodes")', groups)).toBe(false);
  });

  test("NOT and nested parentheses inside a group", () => {
    expect(matches("@usr.id:(eks* -eks\\:authenticator)", l)).toBe(false);
    expect(matches("@usr.id:((eks* -eks\\:node) OR nobody)", l)).toBe(true);
  });
});

describe("arrays", () => {
  const pod = log({
    sourceIPs: ["10.0.0.1", "192.168.1.5"],
    requestObject: {
      spec: {
        containers: [
          { name: "a", securityContext: { privileged: false } },
          { name: "b", securityContext: { privileged: true } },
        ],
      },
    },
  });

  test("any element of a scalar array matches", () => {
    expect(matches("@sourceIPs:192.168.*", pod)).toBe(true);
    expect(matches("@sourceIPs:172.16.*", pod)).toBe(false);
  });

  test("paths descend through arrays of objects", () => {
    expect(matches("@requestObject.spec.containers.securityContext.privileged:true", pod)).toBe(true);
    expect(matches("@requestObject.spec.containers.name:c", pod)).toBe(false);
  });

  test("negation means no element matches", () => {
    expect(matches("-@sourceIPs:10.0.0.1", pod)).toBe(false);
  });

  test("an empty array does not exist", () => {
    expect(matches("@sourceIPs:*", log({ sourceIPs: [] }))).toBe(false);
  });
});

describe("reserved attributes and tags", () => {
  const l = log(
    {},
    { source: "kubernetes.audit", service: "eks", host: "/aws/eks/prod/cluster", status: "info", tags: ["env:prod", "team:Platform", "standalone"] },
  );

  test("source, service, host, status", () => {
    expect(matches("source:kubernetes.audit", l)).toBe(true);
    expect(matches("source:kubernetes.*", l)).toBe(true);
    expect(matches("source:kubernetes.aduit", l)).toBe(false);
    expect(matches("service:eks host:\\/aws\\/eks\\/prod\\/cluster status:info", l)).toBe(true);
    expect(matches("service:cloudwatch", l)).toBe(false);
  });

  test("reserved attributes are not attributes", () => {
    expect(matches("@source:kubernetes.audit", l)).toBe(false);
  });

  test("key:value without @ searches tags, case-insensitively", () => {
    expect(matches("env:prod", l)).toBe(true);
    expect(matches("env:staging", l)).toBe(false);
    expect(matches("ENV:PROD", l)).toBe(true);
    expect(matches("team:platform", l)).toBe(true);
    expect(matches("env:(staging OR prod)", l)).toBe(true);
    expect(matches("env:*", l)).toBe(true);
    expect(matches("region:*", l)).toBe(false);
  });

  test("tags:<tag> searches the raw tag strings", () => {
    expect(matches("tags:standalone", l)).toBe(true);
    expect(matches("tags:other", l)).toBe(false);
  });

  test("a missing reserved attribute does not match", () => {
    expect(matches("service:eks", log({}))).toBe(false);
  });
});

describe("free text", () => {
  const l = log({}, { message: "Forbidden: User cannot exec into pods" });

  test("a word matches a whole word of the message, case-insensitively", () => {
    expect(matches("forbidden", l)).toBe(true);
    expect(matches("forbid", l)).toBe(false);
    expect(matches("forbid*", l)).toBe(true);
  });

  test("a phrase matches a substring", () => {
    expect(matches('"cannot exec"', l)).toBe(true);
    expect(matches('"exec cannot"', l)).toBe(false);
  });

  test("no message, no match", () => {
    expect(matches("forbidden", log({}))).toBe(false);
  });
});

describe("matchesQuery", () => {
  test("evaluates a parsed node (and reuses its compiled form)", () => {
    const node = parseQuery("@objectRef.subresource:exec");
    expect(matchesQuery(node, execEvent)).toBe(true);
    expect(matchesQuery(node, log({ objectRef: { subresource: "log" } }))).toBe(false);
  });
});

describe("compileFieldReader", () => {
  test("reads @attributes, bare paths and reserved attributes", () => {
    expect(compileFieldReader("@usr.name")(execEvent)).toBe("kubernetes-admin");
    expect(compileFieldReader("usr.name")(execEvent)).toBe("kubernetes-admin");
    expect(compileFieldReader("@http.status_code")(execEvent)).toBe("101");
    expect(compileFieldReader("source")(execEvent)).toBe("kubernetes.audit");
    expect(compileFieldReader("@user.groups")(execEvent)).toBe("system:masters");
    expect(compileFieldReader("@missing")(execEvent)).toBeUndefined();
  });
});

describe("listQueryTerms", () => {
  test("reports fields, values, positions and negation", () => {
    expect(listQueryTerms(parseQuery('source:kubernetes.audit -@usr.id:(a OR b\\:c) "x y"'))).toEqual([
      { field: "source", fieldKind: "reserved", valueKind: "exact", value: "kubernetes.audit", position: 0, negated: false },
      { field: "@usr.id", fieldKind: "attribute", valueKind: "exact", value: "a", position: 34, negated: true },
      { field: "@usr.id", fieldKind: "attribute", valueKind: "exact", value: "b:c", position: 39, negated: true },
      { field: "", fieldKind: "message", valueKind: "exact", value: "x y", position: 45, negated: false },
    ]);
  });
});

describe("syntax errors (0-based positions)", () => {
  const cases: [string, number, string][] = [
    ["", 0, "the query is empty; write at least one term, or * to match every log"],
    ["@a:x &&  @b:y", 5, '"&&" is not supported; use AND or OR'],
    ["@a:x || @b:y", 5, '"||" is not supported; use AND or OR'],
    ["!@a:x", 0, "'!' is not supported; use NOT or -"],
    ["+@a:x", 0, "'+' (required term) is not supported; terms are already required (implicit AND)"],
    [
      "@a:x or @b:y",
      5,
      'lowercase "or" would be searched as a word, not an operator (operators are case-sensitive); write OR, or quote it ("or") to search the word',
    ],
    ["- @a:x", 0, "'-' must be followed directly by the term it excludes (e.g. -@usr.id:x)"],
    ["@a:x OR", 7, "expected a term, found the end of the query"],
    ["OR @a:x", 0, "expected a term, found the operator OR"],
    ["(@a:x", 0, "'(' is never closed; add the matching ')'"],
    ["@a:x)", 4, "unmatched ')'"],
    ["@a:(x OR y", 3, "the value group of @a is never closed; add the matching ')'"],
    ["@a:()", 3, "the value group of @a is empty"],
    ["@a: x", 3, 'expected a value after @a:, found " "'],
    ["@a:", 3, "expected a value after @a:, found the end of the query"],
    [
      "@usr.id:system:anonymous",
      14,
      "unescaped ':' in the value system:anonymous of @usr.id; escape it (system\\:anonymous) or quote the value (\"system:anonymous\")",
    ],
    ['@a:"open', 3, "the quoted value is never closed; add the closing '\"'"],
    ["@a:[1 TO 2", 10, "expected ']' or '}' to close the range of @a"],
    ["@a:[1 2]", 6, "expected TO in the range of @a (write [100 TO 299])"],
    ["@a:[1 TO b]", 3, "the range of @a mixes a number and a string bound (1 TO b)"],
    ["@a:>abc", 4, 'expected a number after @a:>, found "abc"'],
    ["*:hello", 0, "full-text search (*:value) is not supported; search a specific @attribute"],
    [
      "CIDR(@network.client.ip,10.0.0.0/33)",
      0,
      '"10.0.0.0/33" is not a CIDR block; write an IPv4 or IPv6 network and a prefix length, e.g. 10.0.0.0/8 or fc00::/7',
    ],
    ["#duration:>5", 0, "calculated fields (#name) are not supported; search an @attribute instead"],
    ["@usr.*:x", 0, "wildcards in field names are not supported (field @usr.*)"],
    ["@a..b:x", 0, "attribute path @a..b has an empty segment; write @a.b.c"],
    [
      "@objectRef.resource",
      0,
      'attribute search @objectRef.resource has no value; write @objectRef.resource:<value>, or @objectRef.resource:* for "exists"',
    ],
    ["@a:x~2", 4, 'unescaped "~" inside "x~"; escape it with \'\\\' or quote the value'],
    ["@a:x\\", 4, "the query ends with a lone '\\'"],
    ["[1 TO 2]", 0, 'unescaped "[" inside "["; escape it with \'\\\' or quote the value'],
    [":x", 0, "':' must follow a field name such as @usr.name, source or a tag key"],
    ["@a:x TO", 5, "'TO' is only allowed inside a range such as [100 TO 299]"],
  ];

  test.each(cases)("%j -> position %i", (query, position, reason) => {
    const err = syntaxError(query);
    expect(err.reason).toBe(reason);
    expect(err.position).toBe(position);
    expect(err.message).toBe(`invalid query at position ${position} (0-based): ${reason}; query: ${JSON.stringify(query)}`);
  });

  test("compileQuery throws the same error", () => {
    expect(() => compileQuery("@a:x && @b:y")).toThrow(QuerySyntaxError);
  });
});

describe('CIDR(@attr, blocks...) (Datadog search syntax, "Search using CIDR notation")', () => {
  const ips = (sourceIPs: unknown) => log({ sourceIPs, network: { client: { ip: Array.isArray(sourceIPs) ? sourceIPs[0] : sourceIPs } } });
  test("IPv4 and IPv6 blocks, several blocks, arrays (any address), NOT and -", () => {
    expect(matches("CIDR(@network.client.ip,10.0.0.0/8)", ips("10.1.2.3"))).toBe(true);
    expect(matches("CIDR(@network.client.ip, 10.0.0.0/8, 172.16.0.0/12)", ips("172.31.255.1"))).toBe(true);
    expect(matches("CIDR(@network.client.ip, 172.16.0.0/12)", ips("172.32.0.1"))).toBe(false);
    expect(matches("NOT(CIDR(@network.client.ip, 10.0.0.0/8))", ips("8.8.8.8"))).toBe(true);
    expect(matches("CIDR(@sourceIPs, 10.0.0.0/8)", ips(["8.8.8.8", "10.0.0.1"]))).toBe(true);
    expect(matches("-CIDR(@sourceIPs, 10.0.0.0/8)", ips(["8.8.8.8", "10.0.0.1"]))).toBe(false);
    expect(matches("CIDR(@sourceIPs, fc00::/7)", ips(["fd12:3456::1"]))).toBe(true);
    expect(matches("CIDR(@sourceIPs, ::1/128)", ips(["::1"]))).toBe(true);
    expect(matches("CIDR(@sourceIPs, 10.0.0.0/8)", ips(["not-an-ip"]))).toBe(false);
    expect(matches("CIDR(@sourceIPs, 0.0.0.0/0)", ips(["fd12::1"]))).toBe(false);
  });

  test.each([
    ["CIDR(@a, 10.0.0.0/33)", '"10.0.0.0/33" is not a CIDR block'],
    ["CIDR(10.0.0.0/8)", "CIDR() takes an @attribute, then one or more CIDR blocks"],
    ["CIDR(@a, 10.0.0.0/8", "CIDR( is never closed"],
  ])("%s is refused", (q, message) => {
    expect(() => parseQuery(q)).toThrow(message);
  });
});
