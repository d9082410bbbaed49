/**
 * EKS's audit policy (lib/audit/eks-audit-policy.ts), checked rule by rule against the published policy
 * (aws/aws-eks-best-practices latest/bpg/security/detective.adoc) and the API server's matching semantics.
 */
import { applyEksPolicy, asLoggedByEks, EKS_AUDIT_POLICY, eksLoggedEvents, policyRuleFor } from "../lib/audit";
import { auditEvent, ANONYMOUS, KUBE_CONTROLLER_MANAGER, NODE, serviceAccount } from "../pack/samples";

const ruleOf = (spec: Parameters<typeof auditEvent>[0]) => policyRuleFor(auditEvent(spec)).rule;

describe("EKS audit policy", () => {
  test("17 rules in the published order, ending with a Metadata catch-all", () => {
    expect(EKS_AUDIT_POLICY.map((r) => r.rule)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(EKS_AUDIT_POLICY.map((r) => r.level).join(",")).toBe(
      "RequestResponse,None,None,None,None,None,None,None,None,Request,Request,Request,Metadata,Request,Request,RequestResponse,Metadata",
    );
  });

  test.each([
    ["aws-auth patch", { verb: "patch", resource: "configmaps", namespace: "kube-system", name: "aws-auth" }, 1],
    ["aws-auth get (a read: Metadata like every configmap)", { verb: "get", resource: "configmaps", namespace: "kube-system", name: "aws-auth" }, 13],
    ["another configmap patched in kube-system", { verb: "patch", resource: "configmaps", namespace: "kube-system", name: "coredns" }, 13],
    ["kube-proxy watching endpoints", { verb: "watch", resource: "endpoints", user: { username: "system:kube-proxy", groups: [] } }, 2],
    ["a node getting its node object", { verb: "get", resource: "nodes", name: "ip-10-0-12-34", user: NODE }, 4],
    ["a node listing nodes (not get)", { verb: "list", resource: "nodes", user: NODE }, 15],
    [
      "the controller manager updating kube-system endpoints",
      { verb: "update", resource: "endpoints", namespace: "kube-system", name: "x", user: KUBE_CONTROLLER_MANAGER },
      5,
    ],
    [
      "the controller manager updating endpoints elsewhere",
      { verb: "update", resource: "endpoints", namespace: "payments", name: "x", user: KUBE_CONTROLLER_MANAGER },
      16,
    ],
    ["/healthz?verbose", { verb: "get", resource: "", nonResourceURL: "/healthz/etcd", user: ANONYMOUS }, 8],
    ["/version", { verb: "get", resource: "", nonResourceURL: "/version", user: ANONYMOUS }, 8],
    ["/livez (not in the list: logged)", { verb: "get", resource: "", nonResourceURL: "/livez", user: ANONYMOUS }, 17],
    ["core events", { verb: "deletecollection", resource: "events", namespace: "payments" }, 9],
    [
      "events.k8s.io events (another group: Metadata)",
      { verb: "delete", resource: "events", apiGroup: "events.k8s.io", namespace: "payments", name: "e" },
      17,
    ],
    ["a node patching pods/status", { verb: "patch", resource: "pods", subresource: "status", namespace: "payments", name: "p", user: NODE }, 11],
    [
      "the namespace controller's deletecollection",
      { verb: "deletecollection", resource: "pods", namespace: "payments", user: serviceAccount("kube-system", "namespace-controller") },
      12,
    ],
    ["a secret read", { verb: "get", resource: "secrets", namespace: "payments", name: "db" }, 13],
    ["a TokenRequest", { verb: "create", resource: "serviceaccounts", subresource: "token", namespace: "payments", name: "api" }, 14],
    ["a pod list", { verb: "list", resource: "pods", namespace: "payments" }, 15],
    ["an exec (create on pods/exec)", { verb: "create", resource: "pods", subresource: "exec", namespace: "payments", name: "p" }, 16],
    ["a deployment created", { verb: "create", resource: "deployments", apiGroup: "apps", namespace: "payments" }, 16],
    ["a custom resource", { verb: "create", resource: "clusterpolicies", apiGroup: "kyverno.io", apiVersion: "v1" }, 17],
  ] as const)("%s -> rule %d", (_name, spec, rule) => {
    expect(ruleOf(spec as Parameters<typeof auditEvent>[0])).toBe(rule);
  });

  test("levels strip bodies: Metadata drops requestObject, Request drops responseObject", () => {
    const secret = {
      ...auditEvent({ verb: "create", resource: "secrets", namespace: "p", requestObject: { type: "Opaque" } }),
      responseObject: { a: 1 },
    };
    const v = asLoggedByEks(secret);
    expect(v.logged && v.event.requestObject).toBe(undefined);
    expect(v.logged && v.event.level).toBe("Metadata");
    expect(v.logged && v.stripped).toEqual(["requestObject", "responseObject"]);
    const read = { ...auditEvent({ verb: "get", resource: "pods", namespace: "p", name: "x", requestObject: { a: 1 } }), responseObject: { b: 1 } };
    const r = asLoggedByEks(read);
    expect(r.logged && [r.event.requestObject, r.event.responseObject, r.event.level]).toEqual([{ a: 1 }, undefined, "Request"]);
    expect(read.responseObject).toEqual({ b: 1 }); // input untouched
  });

  test("stages: a long-running request is logged twice with one auditID; a TokenRequest also at RequestReceived", () => {
    const exec = auditEvent({ verb: "create", resource: "pods", subresource: "exec", namespace: "p", name: "x", code: 101 });
    const { events } = eksLoggedEvents(exec);
    expect(events.map((e) => e.stage)).toEqual(["ResponseStarted", "ResponseComplete"]);
    expect(new Set(events.map((e) => e.auditID))).toEqual(new Set([exec.auditID]));
    const token = eksLoggedEvents(auditEvent({ verb: "create", resource: "serviceaccounts", subresource: "token", namespace: "p", name: "api" }));
    expect(token.events.map((e) => e.stage)).toEqual(["RequestReceived", "ResponseComplete"]);
    expect(token.events[0].responseStatus).toBe(undefined);
    expect(eksLoggedEvents(auditEvent({ verb: "list", resource: "pods", namespace: "p" })).events.map((e) => e.stage)).toEqual(["ResponseComplete"]);
    expect(eksLoggedEvents(auditEvent({ verb: "get", resource: "", nonResourceURL: "/version" })).events).toEqual([]);
  });

  test("replay: an omitted RequestReceived stage and a None level are reported, in place", () => {
    const e = { ...auditEvent({ verb: "list", resource: "pods", namespace: "p" }), stage: "RequestReceived" };
    expect(applyEksPolicy(e)).toBe(
      "EKS audit policy rule 15 (level Request: get/list/watch of the known API groups) omits the RequestReceived stage",
    );
    const events = auditEvent({ verb: "list", resource: "events", namespace: "p" });
    expect(applyEksPolicy(events)).toBe("EKS audit policy rule 9 (level None: core events (any verb, any user)) never logs it");
    const cm: Record<string, unknown> = auditEvent({
      verb: "update",
      resource: "configmaps",
      namespace: "p",
      name: "c",
      requestObject: { data: {} },
    });
    expect(applyEksPolicy(cm)).toBe(undefined);
    expect([cm.requestObject, cm.level]).toEqual([undefined, "Metadata"]);
  });
});
