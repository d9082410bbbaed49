/**
 * Amazon EKS's audit policy, as data, and what it does to an audit event: which requests EKS logs at all, at which
 * level (how much of the request and response bodies survive), and at which stages.
 *
 * Source: EKS Best Practices Guide, "Auditing and logging"
 * (https://docs.aws.amazon.com/eks/latest/best-practices/auditing-and-logging.html; upstream
 * `aws/aws-eks-best-practices`, `latest/bpg/security/detective.adoc`, the `audit.k8s.io/v1beta1` Policy listed there).
 * `EKS_AUDIT_POLICY` copies its 17 rules in order; `rule` is the rule's 1-based position in that listing, which is
 * how messages name it ("EKS audit policy rule 9").
 *
 * Matching follows the API server's policy checker (kubernetes/kubernetes
 * `staging/src/k8s.io/apiserver/pkg/audit/policy/checker.go`, `ruleMatches`): the first rule whose `users`,
 * `userGroups`, `verbs` and then resource or non-resource selectors all match decides the level; a rule with
 * `resources` or `namespaces` matches only resource requests, one with `nonResourceURLs` only non-resource requests
 * (a trailing `*` is a prefix match on the path, without the query string); a resource `"pods/exec"` matches that
 * subresource only, `"pods"` the resource without subresource; `resourceNames` restrict the object name.
 *
 * Levels (audit.k8s.io/v1 `Level`, https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/): `None` logs
 * nothing, `Metadata` drops `requestObject` and `responseObject`, `Request` drops `responseObject`,
 * `RequestResponse` keeps both.
 *
 * Stages: the API server writes `RequestReceived` (unless omitted), `ResponseStarted` for long-running requests only
 * (kube-apiserver's `LongRunningFunc`: `BasicLongRunningRequestCheck(sets.NewString("watch", "proxy"),
 * sets.NewString("attach", "exec", "proxy", "log", "portforward"))`, kubernetes/kubernetes
 * `pkg/controlplane/apiserver/config.go`), then `ResponseComplete` (or `Panic`). Every stage of one request carries
 * the same `auditID`. `eksLoggedEvents` expands one request into the events EKS writes for it.
 */
import { isObject } from "../is-object";

/** Audit levels (audit.k8s.io/v1). */
export type AuditLevel = "None" | "Metadata" | "Request" | "RequestResponse";
/** Audit stages (audit.k8s.io/v1). */
export type AuditStage = "RequestReceived" | "ResponseStarted" | "ResponseComplete" | "Panic";

/** `GroupResources` of a policy rule. */
export interface PolicyGroupResources {
  /** API group; `""` is the core group. */
  readonly group: string;
  /** Resources (`"configmaps"`, `"pods/status"`); @default - every resource of the group */
  readonly resources?: readonly string[];
  /** Object names; @default - any name */
  readonly resourceNames?: readonly string[];
}

/** One rule of an audit policy. Unset selectors match everything. */
export interface AuditPolicyRule {
  /** 1-based position in the published policy. */
  readonly rule: number;
  readonly level: AuditLevel;
  /** What the rule is for, in the policy's own words where it has a comment. */
  readonly summary: string;
  /** @default - any user */
  readonly users?: readonly string[];
  /** @default - any group */
  readonly userGroups?: readonly string[];
  /** @default - any verb */
  readonly verbs?: readonly string[];
  /** @default - any namespace */
  readonly namespaces?: readonly string[];
  /** @default - any resource */
  readonly resources?: readonly PolicyGroupResources[];
  /** @default - none (a resource rule or a catch-all) */
  readonly nonResourceURLs?: readonly string[];
  /** @default [] */
  readonly omitStages?: readonly AuditStage[];
}

/** The API groups EKS's policy lists as "known APIs" (rules 15 and 16). */
export const EKS_KNOWN_API_GROUPS: readonly string[] = [
  "",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "apps",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "autoscaling",
  "batch",
  "certificates.k8s.io",
  "extensions",
  "metrics.k8s.io",
  "networking.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "scheduling.k8s.io",
  "settings.k8s.io",
  "storage.k8s.io",
];

const RR: readonly AuditStage[] = ["RequestReceived"];
const known = EKS_KNOWN_API_GROUPS.map((group) => ({ group }));

/** EKS's audit policy, rule by rule, in its published order (see the file's doc for the source). */
export const EKS_AUDIT_POLICY: readonly AuditPolicyRule[] = [
  {
    rule: 1,
    level: "RequestResponse",
    summary: "aws-auth ConfigMap changes (update/patch/delete of configmaps/aws-auth in kube-system)",
    namespaces: ["kube-system"],
    verbs: ["update", "patch", "delete"],
    resources: [{ group: "", resources: ["configmaps"], resourceNames: ["aws-auth"] }],
    omitStages: RR,
  },
  {
    rule: 2,
    level: "None",
    summary: "system:kube-proxy watching endpoints and services",
    users: ["system:kube-proxy"],
    verbs: ["watch"],
    resources: [{ group: "", resources: ["endpoints", "services", "services/status"] }],
  },
  {
    rule: 3,
    level: "None",
    summary: "the legacy kubelet identity getting nodes",
    users: ["kubelet"],
    verbs: ["get"],
    resources: [{ group: "", resources: ["nodes", "nodes/status"] }],
  },
  {
    rule: 4,
    level: "None",
    summary: "group system:nodes getting nodes",
    userGroups: ["system:nodes"],
    verbs: ["get"],
    resources: [{ group: "", resources: ["nodes", "nodes/status"] }],
  },
  {
    rule: 5,
    level: "None",
    summary: "controller manager, scheduler and endpoint controller get/update of endpoints in kube-system",
    users: ["system:kube-controller-manager", "system:kube-scheduler", "system:serviceaccount:kube-system:endpoint-controller"],
    verbs: ["get", "update"],
    namespaces: ["kube-system"],
    resources: [{ group: "", resources: ["endpoints"] }],
  },
  {
    rule: 6,
    level: "None",
    summary: "system:apiserver getting namespaces",
    users: ["system:apiserver"],
    verbs: ["get"],
    resources: [{ group: "", resources: ["namespaces", "namespaces/status", "namespaces/finalize"] }],
  },
  {
    rule: 7,
    level: "None",
    summary: "the controller manager reading metrics.k8s.io",
    users: ["system:kube-controller-manager"],
    verbs: ["get", "list"],
    resources: [{ group: "metrics.k8s.io" }],
  },
  { rule: 8, level: "None", summary: "non-resource URLs /healthz*, /version, /swagger*", nonResourceURLs: ["/healthz*", "/version", "/swagger*"] },
  { rule: 9, level: "None", summary: "core events (any verb, any user)", resources: [{ group: "", resources: ["events"] }] },
  {
    rule: 10,
    level: "Request",
    summary: "kubelet and node-problem-detector status updates",
    users: ["kubelet", "system:node-problem-detector", "system:serviceaccount:kube-system:node-problem-detector"],
    verbs: ["update", "patch"],
    resources: [{ group: "", resources: ["nodes/status", "pods/status"] }],
    omitStages: RR,
  },
  {
    rule: 11,
    level: "Request",
    summary: "system:nodes status updates",
    userGroups: ["system:nodes"],
    verbs: ["update", "patch"],
    resources: [{ group: "", resources: ["nodes/status", "pods/status"] }],
    omitStages: RR,
  },
  {
    rule: 12,
    level: "Request",
    summary: "the namespace controller's deletecollection",
    users: ["system:serviceaccount:kube-system:namespace-controller"],
    verbs: ["deletecollection"],
    omitStages: RR,
  },
  {
    rule: 13,
    level: "Metadata",
    summary: "Secrets, ConfigMaps, and TokenReviews can contain sensitive & binary data, so only log at the Metadata level",
    resources: [
      { group: "", resources: ["secrets", "configmaps"] },
      { group: "authentication.k8s.io", resources: ["tokenreviews"] },
    ],
    omitStages: RR,
  },
  {
    rule: 14,
    level: "Request",
    summary: "serviceaccounts/token (TokenRequest), all stages",
    resources: [{ group: "", resources: ["serviceaccounts/token"] }],
  },
  {
    rule: 15,
    level: "Request",
    summary: "get/list/watch of the known API groups",
    verbs: ["get", "list", "watch"],
    resources: known,
    omitStages: RR,
  },
  { rule: 16, level: "RequestResponse", summary: "default level for known APIs", resources: known, omitStages: RR },
  { rule: 17, level: "Metadata", summary: "default level for all other requests", omitStages: RR },
];

/** The request attributes the policy reads, taken from an audit event. */
export interface PolicyRequest {
  readonly user: string;
  readonly groups: readonly string[];
  readonly verb: string;
  /** Undefined for non-resource requests (no `objectRef`). */
  readonly resource?: {
    readonly group: string;
    readonly resource: string;
    readonly subresource: string;
    readonly namespace: string;
    readonly name: string;
  };
  /** The request path without the query string. */
  readonly path: string;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** The attributes of an audit event that the policy reads. */
export function policyRequest(event: Json): PolicyRequest {
  const user = isObject(event.user) ? event.user : {};
  const groups = Array.isArray(user.groups) ? user.groups.filter((g): g is string => typeof g === "string") : [];
  const uri = str(event.requestURI);
  const q = uri.indexOf("?");
  const ref = event.objectRef;
  return {
    user: str(user.username),
    groups,
    verb: str(event.verb),
    resource: isObject(ref)
      ? {
          group: str(ref.apiGroup),
          resource: str(ref.resource),
          subresource: str(ref.subresource),
          namespace: str(ref.namespace),
          name: str(ref.name),
        }
      : undefined,
    path: q < 0 ? uri : uri.slice(0, q),
  };
}

function pathMatches(path: string, spec: string): boolean {
  return spec === "*" || spec === path || (spec.endsWith("*") && path.startsWith(spec.replace(/\*+$/, "")));
}

function resourceMatches(rule: AuditPolicyRule, r: NonNullable<PolicyRequest["resource"]>): boolean {
  if (rule.namespaces !== undefined && !rule.namespaces.includes(r.namespace)) return false;
  if (rule.resources === undefined) return true;
  const combined = r.subresource === "" ? r.resource : `${r.resource}/${r.subresource}`;
  return rule.resources.some((gr) => {
    if (gr.group !== r.group) return false;
    if (gr.resources === undefined || gr.resources.length === 0) return true;
    if (gr.resourceNames !== undefined && gr.resourceNames.length > 0 && !gr.resourceNames.includes(r.name)) return false;
    return gr.resources.some(
      (res) =>
        res === combined ||
        res === "*" ||
        (r.subresource !== "" && res.startsWith("*/") && res.slice(2) === r.subresource) ||
        (res.endsWith("/*") && res.slice(0, -2) === r.resource),
    );
  });
}

/** Whether one policy rule applies to a request (the checker's `ruleMatches`). */
export function policyRuleMatches(rule: AuditPolicyRule, req: PolicyRequest): boolean {
  if (rule.users !== undefined && !rule.users.includes(req.user)) return false;
  if (rule.userGroups !== undefined && !req.groups.some((g) => rule.userGroups?.includes(g))) return false;
  if (rule.verbs !== undefined && !rule.verbs.includes(req.verb)) return false;
  if (rule.namespaces !== undefined || rule.resources !== undefined) return req.resource !== undefined && resourceMatches(rule, req.resource);
  if (rule.nonResourceURLs !== undefined) return req.resource === undefined && rule.nonResourceURLs.some((s) => pathMatches(req.path, s));
  return true;
}

/** The first rule of `policy` that applies to the event's request (EKS's policy ends with a catch-all). */
export function policyRuleFor(event: Json, policy: readonly AuditPolicyRule[] = EKS_AUDIT_POLICY): AuditPolicyRule {
  const req = policyRequest(event);
  const found = policy.find((rule) => policyRuleMatches(rule, req));
  if (found === undefined) throw new Error("internal: the audit policy has no catch-all rule");
  return found;
}

/** `EKS audit policy rule 9 (level None: core events (any verb, any user))`: how messages name a rule. */
export function describePolicyRule(rule: AuditPolicyRule): string {
  return `EKS audit policy rule ${rule.rule} (level ${rule.level}: ${rule.summary})`;
}

/**
 * Whether the API server treats the request as long-running (and so writes a `ResponseStarted` stage): verbs
 * `watch` and `proxy`, subresources `attach`, `exec`, `proxy`, `log` and `portforward` (see the file's doc).
 */
export function isLongRunning(event: Json): boolean {
  const verb = str(event.verb);
  const ref = event.objectRef;
  const sub = isObject(ref) ? str(ref.subresource) : "";
  return verb === "watch" || verb === "proxy" || ["attach", "exec", "proxy", "log", "portforward"].includes(sub);
}

/** What EKS does to one audit event. */
export type EksVerdict =
  | { readonly logged: false; readonly rule: AuditPolicyRule; readonly why: string }
  | { readonly logged: true; readonly rule: AuditPolicyRule; readonly event: Json; readonly stripped: readonly string[] };

/** The body fields a level drops. */
function droppedFields(level: AuditLevel): readonly string[] {
  return level === "Metadata" ? ["requestObject", "responseObject"] : level === "Request" ? ["responseObject"] : [];
}

/**
 * One audit event as EKS would log it: not at all (level `None`, or its stage omitted by the rule), or with the
 * bodies its level drops removed and `level` set. An event without `stage` is treated as `ResponseComplete`. The
 * input is not modified; `stripped` lists the removed fields that the event had.
 */
export function asLoggedByEks(event: Json, policy: readonly AuditPolicyRule[] = EKS_AUDIT_POLICY): EksVerdict {
  const rule = policyRuleFor(event, policy);
  const copy: Json = { ...event };
  const why = applyEksPolicy(copy, policy);
  if (why !== undefined) return { logged: false, rule, why };
  return { logged: true, rule, event: copy, stripped: droppedFields(rule.level).filter((f) => event[f] !== undefined) };
}

/**
 * The events EKS writes for one request described by a `ResponseComplete` event: none (level `None`), or its
 * `ResponseStarted` (long-running requests) and `ResponseComplete` stages, plus `RequestReceived` where the matching
 * rule does not omit it (rule 14, TokenRequests), each stripped to the rule's level and sharing the `auditID`.
 */
export function eksLoggedEvents(
  request: Json,
  policy: readonly AuditPolicyRule[] = EKS_AUDIT_POLICY,
): { readonly events: readonly Json[]; readonly rule: AuditPolicyRule } {
  const rule = policyRuleFor(request, policy);
  if (rule.level === "None") return { events: [], rule };
  const stages: AuditStage[] = ["RequestReceived", ...(isLongRunning(request) ? (["ResponseStarted"] as const) : []), "ResponseComplete"];
  const events: Json[] = [];
  for (const stage of stages) {
    if ((rule.omitStages ?? []).includes(stage)) continue;
    const e: Json = { ...request, stage };
    // RequestReceived is written before the request is handled: no response yet.
    if (stage === "RequestReceived") {
      delete e.responseStatus;
      delete e.responseObject;
    }
    const verdict = asLoggedByEks(e, policy);
    if (verdict.logged) events.push(verdict.event);
  }
  return { events, rule };
}

/**
 * {@link asLoggedByEks} in place, for replay tools (`rules match --as-eks`, `eval:corpus --as-eks`) that own the
 * event object (e.g. a normalized log's attributes): strips the bodies the level drops and sets `level`. Returns why
 * EKS would not log the event at all, or undefined when it would.
 */
export function applyEksPolicy(event: Json, policy: readonly AuditPolicyRule[] = EKS_AUDIT_POLICY): string | undefined {
  const rule = policyRuleFor(event, policy);
  if (rule.level === "None") return `${describePolicyRule(rule)} never logs it`;
  const stage = typeof event.stage === "string" ? event.stage : "ResponseComplete";
  if ((rule.omitStages ?? []).includes(stage as AuditStage)) return `${describePolicyRule(rule)} omits the ${stage} stage`;
  for (const f of droppedFields(rule.level)) delete event[f];
  event.level = rule.level;
  return undefined;
}
