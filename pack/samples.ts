/**
 * Builders for realistic `audit.k8s.io/v1` events as EKS writes them to CloudWatch (the audit.k8s.io/v1 Event API, https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/; Kubernetes
 * apiserver-audit.v1 reference; EKS identities as the AWS observability guide shows them). Used by the sample events
 * of every rule in the pack. Deterministic: fixed timestamps, audit IDs derived from the event content.
 */
import { createHash } from "crypto";
import type { SampleEvent } from "../lib/rules/matchable";

/** The `user` block of an audit event. */
export interface AuditUser {
  readonly username: string;
  /** @default - no uid */
  readonly uid?: string;
  readonly groups: readonly string[];
  /** `user.extra` (EKS: `arn`, `canonicalArn`, `sessionName`, ...). @default - none */
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

const ACCOUNT = "111122223333";

/** An IAM principal mapped to `kubernetes-admin` (aws-auth / cluster creator), with `user.extra.arn`. */
export const KUBERNETES_ADMIN: AuditUser = {
  username: "kubernetes-admin",
  uid: `aws-iam-authenticator:${ACCOUNT}:AROAEXAMPLEADMIN0001`,
  groups: ["system:masters", "system:authenticated"],
  extra: {
    accessKeyId: ["ASIAEXAMPLEKEY000001"],
    arn: [`arn:aws:sts::${ACCOUNT}:assumed-role/PlatformAdmin/alice`],
    canonicalArn: [`arn:aws:iam::${ACCOUNT}:role/PlatformAdmin`],
    principalId: ["AROAEXAMPLEADMIN0001"],
    sessionName: ["alice"],
  },
};

/** A developer mapped through an EKS access entry (username = the assumed-role session ARN). */
export const DEVELOPER: AuditUser = {
  username: `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/bob`,
  uid: `aws-iam-authenticator:${ACCOUNT}:AROAEXAMPLEDEV000002`,
  groups: ["developers", "system:authenticated"],
  extra: {
    accessKeyId: ["ASIAEXAMPLEKEY000002"],
    arn: [`arn:aws:sts::${ACCOUNT}:assumed-role/Developer/bob`],
    canonicalArn: [`arn:aws:iam::${ACCOUNT}:role/Developer`],
    principalId: ["AROAEXAMPLEDEV000002"],
    sessionName: ["bob"],
  },
};

/** A service account in an application namespace. */
export function serviceAccount(namespace: string, name: string): AuditUser {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    uid: createHash("md5")
      .update(`${namespace}/${name}`)
      .digest("hex")
      .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, "$1-$2-$3-$4-$5"),
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
  };
}

/** An EKS control-plane identity, e.g. `eks:addon-manager`. */
export function eksIdentity(name: string): AuditUser {
  return { username: `eks:${name}`, groups: ["system:authenticated"] };
}

/** A worker node (`system:node:<hostname>`). */
export const NODE: AuditUser = {
  username: "system:node:ip-10-0-12-34.eu-west-1.compute.internal",
  uid: `aws-iam-authenticator:${ACCOUNT}:AROAEXAMPLENODE00003`,
  groups: ["system:nodes", "system:authenticated"],
  extra: {
    arn: [`arn:aws:sts::${ACCOUNT}:assumed-role/eks-node-group-role/i-0abc123def4567890`],
    canonicalArn: [`arn:aws:iam::${ACCOUNT}:role/eks-node-group-role`],
    sessionName: ["i-0abc123def4567890"],
  },
};

export const KUBE_CONTROLLER_MANAGER: AuditUser = { username: "system:kube-controller-manager", groups: ["system:authenticated"] };
export const ANONYMOUS: AuditUser = { username: "system:anonymous", groups: ["system:unauthenticated"] };

/** What an audit event describes. */
export interface AuditEventSpec {
  readonly verb: string;
  readonly resource: string;
  /** @default KUBERNETES_ADMIN */
  readonly user?: AuditUser;
  /** @default - cluster-scoped (no namespace) */
  readonly namespace?: string;
  /** @default - no object name (collection request) */
  readonly name?: string;
  /** @default - no subresource */
  readonly subresource?: string;
  /** API group; "" is the core group. @default "" */
  readonly apiGroup?: string;
  /** @default "v1" */
  readonly apiVersion?: string;
  /** HTTP status of the response. @default 200 (201 for create) */
  readonly code?: number;
  /** @default - none (level Metadata) */
  readonly requestObject?: Record<string, unknown>;
  /** Query string appended to the request URI. @default - none */
  readonly query?: string;
  /** Override of the computed request URI. @default - computed from group, version, namespace, resource, name, subresource */
  readonly requestURI?: string;
  /** A non-resource request (`/healthz`, `/version`): no `objectRef`, this is the request URI. @default - a resource request */
  readonly nonResourceURL?: string;
  /** @default - no impersonation */
  readonly impersonatedUser?: AuditUser;
  /** @default - 10.0.12.34 for nodes, 203.0.113.24 otherwise */
  readonly sourceIP?: string;
  /** @default - kubectl v1.31.2 */
  readonly userAgent?: string;
  /** @default - derived from the event's content (deterministic) */
  readonly auditID?: string;
}

const REASONS: Record<number, string> = { 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "AlreadyExists", 422: "Invalid" };

/** A raw audit event (`kind: Event`, `apiVersion: audit.k8s.io/v1`). */
export function auditEvent(spec: AuditEventSpec): Record<string, unknown> {
  const user = spec.user ?? KUBERNETES_ADMIN;
  const group = spec.apiGroup ?? "";
  const version = spec.apiVersion ?? "v1";
  const code = spec.code ?? (spec.verb === "create" ? 201 : 200);
  const collection = ["list", "watch", "deletecollection"].includes(spec.verb) || (spec.verb === "create" && spec.subresource === undefined);
  const path = [
    group === "" ? "/api/v1" : `/apis/${group}/${version}`,
    spec.namespace === undefined ? "" : `/namespaces/${spec.namespace}`,
    `/${spec.resource}`,
    spec.name === undefined || (collection && spec.subresource === undefined) ? "" : `/${spec.name}`,
    spec.subresource === undefined ? "" : `/${spec.subresource}`,
  ].join("");
  const requestURI = spec.nonResourceURL ?? spec.requestURI ?? (spec.query === undefined ? path : `${path}?${spec.query}`);
  const objectRef: Record<string, unknown> = { resource: spec.resource };
  if (spec.namespace !== undefined) objectRef.namespace = spec.namespace;
  if (spec.name !== undefined) objectRef.name = spec.name;
  objectRef.apiGroup = group;
  objectRef.apiVersion = version;
  if (spec.subresource !== undefined) objectRef.subresource = spec.subresource;
  const allowed = code < 400 || (code !== 401 && code !== 403);
  const responseStatus: Record<string, unknown> = { metadata: {}, code };
  if (code >= 400) {
    responseStatus.status = "Failure";
    responseStatus.reason = REASONS[code] ?? "BadRequest";
    responseStatus.message = `${spec.resource} "${spec.name ?? ""}" is forbidden`;
  }
  const userBlock: Record<string, unknown> = { username: user.username };
  if (user.uid !== undefined) userBlock.uid = user.uid;
  userBlock.groups = [...user.groups];
  if (user.extra !== undefined) userBlock.extra = user.extra;
  const body: Record<string, unknown> = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: spec.requestObject === undefined ? "Metadata" : "Request",
    stage: "ResponseComplete",
    requestURI,
    verb: spec.verb,
    user: userBlock,
    ...(spec.impersonatedUser === undefined
      ? {}
      : { impersonatedUser: { username: spec.impersonatedUser.username, groups: [...spec.impersonatedUser.groups] } }),
    sourceIPs: [spec.sourceIP ?? (user.username.startsWith("system:node:") ? "10.0.12.34" : "203.0.113.24")],
    userAgent: spec.userAgent ?? "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",
    ...(spec.nonResourceURL === undefined ? { objectRef } : {}),
    responseStatus,
    ...(spec.requestObject === undefined ? {} : { requestObject: spec.requestObject }),
    requestReceivedTimestamp: "2026-11-20T10:15:30.123456Z",
    stageTimestamp: "2026-11-20T10:15:30.187654Z",
    annotations: {
      "authorization.k8s.io/decision": allowed ? "allow" : "forbid",
      "authorization.k8s.io/reason": allowed
        ? 'EKS Access Policy: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"'
        : "",
    },
  };
  const auditID =
    spec.auditID ??
    createHash("sha256")
      .update(JSON.stringify(body))
      .digest("hex")
      .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, "$1-$2-$3-$4-$5");
  return { auditID, ...body };
}

/** A sample event with its description. */
export function sample(description: string, spec: AuditEventSpec): SampleEvent {
  return { description, event: auditEvent(spec) };
}

/** A pod manifest (`requestObject` of a pod create). */
export function podManifest(name: string, namespace: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { kind: "Pod", apiVersion: "v1", metadata: { name, namespace }, spec };
}

/** A container with the given security context. */
export function container(name: string, securityContext?: Record<string, unknown>): Record<string, unknown> {
  return { name, image: "public.ecr.aws/docker/library/busybox:1.36", ...(securityContext === undefined ? {} : { securityContext }) };
}

/** A workload manifest whose pod template is `podSpec` (`spec.template.spec`), e.g. a Deployment or a Job. */
export function workloadManifest(kind: string, name: string, namespace: string, podSpec: Record<string, unknown>): Record<string, unknown> {
  const apiVersion = kind === "Job" ? "batch/v1" : "apps/v1";
  return { kind, apiVersion, metadata: { name, namespace }, spec: { template: { metadata: { labels: { app: name } }, spec: podSpec } } };
}

/** A CronJob manifest whose pod template is `podSpec` (`spec.jobTemplate.spec.template.spec`). */
export function cronJobManifest(
  name: string,
  namespace: string,
  podSpec: Record<string, unknown>,
  schedule = "*/5 * * * *",
): Record<string, unknown> {
  return {
    kind: "CronJob",
    apiVersion: "batch/v1",
    metadata: { name, namespace },
    spec: { schedule, jobTemplate: { spec: { template: { spec: podSpec } } } },
  };
}

/** A Role or ClusterRole manifest (`requestObject` of a create/update). */
export function roleManifest(
  kind: "Role" | "ClusterRole",
  name: string,
  rules: readonly Record<string, unknown>[],
  namespace?: string,
): Record<string, unknown> {
  return { kind, apiVersion: "rbac.authorization.k8s.io/v1", metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, rules };
}

/** A RoleBinding or ClusterRoleBinding manifest. */
export function bindingManifest(
  kind: "RoleBinding" | "ClusterRoleBinding",
  name: string,
  roleRef: string,
  subjects: readonly Record<string, unknown>[],
): Record<string, unknown> {
  return {
    kind,
    apiVersion: "rbac.authorization.k8s.io/v1",
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleRef },
    subjects,
  };
}
