import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { IDENTIFY_USER, IF_UNEXPECTED, NOT_KUBE_SYSTEM_SELF, STREAM_VERBS, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, sample } from "../samples";

/**
 * The Datadog guide's rule, exactly ("Export a query to a rule in Log Explorer"): the guide's query, New Value
 * on `@usr.name` - a signal the first time each user execs into a pod, not again for that user.
 * (Provider 3.82 caps `forget_after` at 28 days: a user idle for 28 days alerts again.)
 */
export const GUIDE_EXEC_QUERY =
  "source:kubernetes.audit @objectRef.resource:pods @objectRef.subresource:exec @http.method:create @http.status_code:[101 TO 299]";

/**
 * The pack's exec query: the guide's, with verb `get` as well as `create`. kubectl >= 1.30 runs exec over WebSockets,
 * which the API server audits with verb `get` (kubernetes/kubernetes#133515), so the guide's query misses it.
 */
export const EXEC_QUERY = GUIDE_EXEC_QUERY.replace("@http.method:create", STREAM_VERBS);

/** Options of `podExecNewUserRule`. */
export interface PodExecNewUserOptions {
  /**
   * Deploy the Datadog guide's rule exactly as the guide writes it: verb `create` only (kubectl < 1.30), New Value on
   * `@usr.name` whatever the pack's identity attribute.
   * @default false - verbs `create` and `get`, New Value on the pack's identity attribute
   */
  readonly guide?: boolean;
}

/** The exec New Value rule: the pack's version (both verbs) or, with `guide: true`, the guide's exactly. */
export function podExecNewUserRule(options: PodExecNewUserOptions = {}): DetectionRuleProps {
  const guide = options.guide ?? false;
  return {
    id: "pod-exec-new-user",
    name: "EKS: user exec into a pod for the first time",
    detectionMethod: "new_value",
    tactic: "TA0002-execution",
    technique: "T1609-container-administration-command",
    // The pack's version leaves out kube-system add-ons exec'ing into their own pods.
    queries: [{ query: guide ? GUIDE_EXEC_QUERY : `${EXEC_QUERY} ${NOT_KUBE_SYSTEM_SELF}`, metrics: ["@usr.name"] }],
    ...(guide ? { identityAttribute: "@usr.name" as const } : {}),
    cases: [{ status: "medium" }],
    newValueOptions: { forgetAfterDays: 28, learningDurationDays: 1 },
    keepAliveSeconds: 3600,
    maxSignalDurationSeconds: 86400,
    message: ruleMessage(
      "Detect the first time a user runs a command inside a container (`kubectl exec`) in an EKS cluster.",
      `New Value on \`@usr.name\` over successful ${guide ? "`create` requests (the Datadog guide's query; kubectl >= 1.30 execs over WebSockets with verb `get` and is not seen)" : "`create` (kubectl < 1.30) and `get` (kubectl >= 1.30, WebSockets) requests"} on the \`pods/exec\` subresource (HTTP 101 Switching Protocols to 299)${guide ? "" : ", except kube-system service accounts exec'ing into kube-system pods"}. After the first signal for a user, that user does not alert again until it has been idle for 28 days.`,
      [
        IDENTIFY_USER,
        "Find the pod and container: `@objectRef.namespace`, `@objectRef.name`, and the command in `@http.url_details.path` / `requestURI` (`command=` parameters).",
        "Exec bypasses the image's entrypoint and the deployment pipeline; check whether the command changed files, read secrets mounted in the pod, or opened network connections.",
        IF_UNEXPECTED,
      ],
    ),
    samples: {
      positive: [
        sample("kubernetes-admin (IAM role PlatformAdmin) opens a shell in a pod: 101 Switching Protocols", {
          verb: "create",
          resource: "pods",
          subresource: "exec",
          namespace: "payments",
          name: "payments-api-7c9f8d6b5-x2kqp",
          user: KUBERNETES_ADMIN,
          code: 101,
          query: "command=sh&container=api&stdin=true&stdout=true&tty=true",
        }),
        sample("a developer (EKS access entry) execs into a pod", {
          verb: "create",
          resource: "pods",
          subresource: "exec",
          namespace: "web",
          name: "frontend-6d4cf56db6-8jz2m",
          user: DEVELOPER,
          code: 101,
          query: "command=cat&command=%2Fetc%2Fpasswd&container=frontend&stdout=true",
        }),
        ...(guide
          ? []
          : [
              sample("kubectl 1.31 exec over WebSockets: verb get, 101 Switching Protocols", {
                verb: "get",
                resource: "pods",
                subresource: "exec",
                namespace: "payments",
                name: "payments-api-7c9f8d6b5-x2kqp",
                user: DEVELOPER,
                code: 101,
                query: "command=sh&container=api&stdin=true&stdout=true&tty=true",
              }),
            ]),
      ],
      negative: [
        ...(guide
          ? [
              sample("kubectl 1.31 exec over WebSockets (verb get): not seen by the guide's query", {
                verb: "get",
                resource: "pods",
                subresource: "exec",
                namespace: "payments",
                name: "payments-api-7c9f8d6b5-x2kqp",
                user: DEVELOPER,
                code: 101,
                query: "command=sh&container=api&stdin=true&stdout=true&tty=true",
              }),
            ]
          : []),
        sample("exec denied by RBAC (403): not a successful exec", {
          verb: "create",
          resource: "pods",
          subresource: "exec",
          namespace: "payments",
          name: "payments-api-7c9f8d6b5-x2kqp",
          user: DEVELOPER,
          code: 403,
          query: "command=sh&container=api&stdin=true&stdout=true&tty=true",
        }),
        sample("reading the pod (get) instead of exec", {
          verb: "get",
          resource: "pods",
          namespace: "payments",
          name: "payments-api-7c9f8d6b5-x2kqp",
          user: DEVELOPER,
        }),
        sample("attach instead of exec", {
          verb: "create",
          resource: "pods",
          subresource: "attach",
          namespace: "payments",
          name: "payments-api-7c9f8d6b5-x2kqp",
          user: DEVELOPER,
          code: 101,
        }),
      ],
    },
  };
}

export const rule: DetectionRuleProps = podExecNewUserRule();
