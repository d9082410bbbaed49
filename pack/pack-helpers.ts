/**
 * Shared pieces of the EKS rule pack: the base query, the identity exclusions, and the message layout
 * (Datadog's own rules use "Goal / Strategy / Triage and response").
 */

/** Every pack query starts from the EKS audit log source. */
export const EKS_AUDIT = "source:kubernetes.audit";

/** Successful requests (2xx). */
export const SUCCEEDED = "@http.status_code:[200 TO 299]";

/** EKS's own control-plane identities (`eks:addon-manager`, `eks:node-manager`, `eks:certificate-controller`, ...). */
export const EKS_IDENTITIES = String.raw`eks\:*`;
/** Kubernetes control-plane components and the kubelets. */
export const CONTROL_PLANE_IDENTITIES = String.raw`system\:kube-controller-manager OR system\:kube-scheduler OR system\:apiserver OR system\:node\:*`;
/** Controllers and add-ons running as service accounts in `kube-system` (replicaset-controller, aws-node, coredns...). */
export const KUBE_SYSTEM_SERVICE_ACCOUNTS = String.raw`system\:serviceaccount\:kube-system\:*`;

/** Excludes EKS, control-plane and `kube-system` service-account identities: what would otherwise alert all day. */
export const NOT_PLATFORM = `-@usr.name:(${EKS_IDENTITIES} OR ${CONTROL_PLANE_IDENTITIES} OR ${KUBE_SYSTEM_SERVICE_ACCOUNTS})`;
/** Excludes EKS and control-plane identities only: `kube-system` service accounts stay in (a stolen add-on token is used as one). */
export const NOT_CONTROL_PLANE = `-@usr.name:(${EKS_IDENTITIES} OR ${CONTROL_PLANE_IDENTITIES})`;
/** Excludes every `eks:` and `system:` identity (all service accounts included): for actions only people should do. */
export const NOT_SYSTEM = String.raw`-@usr.name:(eks\:* OR system\:*)`;

/** Excludes a kube-system service account acting inside kube-system (add-ons managing their own pods). */
export const NOT_KUBE_SYSTEM_SELF = String.raw`-(@usr.name:system\:serviceaccount\:kube-system\:* @objectRef.namespace:kube-system)`;

/** Create, update or patch: the verbs that carry a request body (`@requestObject`). */
export const WRITES = "@http.method:(create OR update OR patch)";

/**
 * Exec, attach and port-forward requests: `create` from kubectl < 1.30 (SPDY), `get` from kubectl >= 1.30, which
 * streams over WebSockets and is audited with verb `get` (kubernetes/kubernetes#133515).
 */
export const STREAM_VERBS = "@http.method:(create OR get)";

/** The resources whose request body holds a pod spec. */
export const POD_WORKLOADS =
  "@objectRef.resource:(pods OR deployments OR daemonsets OR statefulsets OR replicasets OR replicationcontrollers OR jobs OR cronjobs)";

/**
 * Where the pod spec sits in the request body: a Pod (`spec`), a Deployment, StatefulSet, DaemonSet, ReplicaSet,
 * ReplicationController or Job (`spec.template.spec`), a CronJob (`spec.jobTemplate.spec.template.spec`).
 */
export const POD_SPEC_PATHS: readonly string[] = ["spec", "spec.template.spec", "spec.jobTemplate.spec.template.spec"];

/** `(@requestObject.<pod spec>.<field>:<value> OR ...)` over every pod spec path, e.g. `inPodSpec("hostPID", "true")`. */
export function inPodSpec(field: string, value: string): string {
  return `(${POD_SPEC_PATHS.map((p) => `@requestObject.${p}.${field}:${value}`).join(" OR ")})`;
}

/**
 * Like `inPodSpec`, for a container field in `containers` and `initContainers` of every pod spec path, and in a pod's
 * `ephemeralContainers` (added by `kubectl debug` through the `pods/ephemeralcontainers` subresource, whose body is
 * the pod), e.g. `inContainers("securityContext.privileged", "true")`.
 */
export function inContainers(field: string, value: string): string {
  const paths = [...POD_SPEC_PATHS.flatMap((p) => ["containers", "initContainers"].map((c) => `${p}.${c}`)), "spec.ephemeralContainers"];
  return `(${paths.map((p) => `@requestObject.${p}.${field}:${value}`).join(" OR ")})`;
}

/** The signal message: goal, strategy, numbered triage steps. */
export function ruleMessage(goal: string, strategy: string, triage: readonly string[]): string {
  return ["## Goal", goal, "", "## Strategy", strategy, "", "## Triage and response", ...triage.map((step, i) => `${i + 1}. ${step}`)].join("\n");
}

/** The usual first triage step: who did it, from where. */
export const IDENTIFY_USER =
  "Identify `{{@usr.name}}` (for IAM principals, `@user.extra.arn` and `@user.extra.sessionName` give the role and session; check the source IP `@sourceIPs`) and confirm with them or their team that the action was expected.";
/** The usual last triage step. */
export const IF_UNEXPECTED =
  'If unexpected: revoke the principal\'s access (EKS access entry or `aws-auth` mapping, RBAC binding), rotate its credentials, and review everything else it did in the cluster in the same time range (`@usr.name:"{{@usr.name}}"`).';
