import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { IDENTIFY_USER, IF_UNEXPECTED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, sample } from "../samples";
import { EXEC_QUERY } from "./pod-exec-new-user";
import { COUNT_REQUESTS } from "../../lib/rules/count-requests";

/** Options of the guide's threshold alternative. */
export interface PodExecBurstOptions {
  /**
   * Signal when one user execs more than this many times in the window.
   * @default 5
   */
  readonly maxExecs?: number;
  /**
   * Evaluation window in seconds (one of the rule windows, <= 3600 unless keep-alive is raised too).
   * @default 300
   */
  readonly evaluationWindowSeconds?: number;
}

/**
 * The guide's threshold alternative, with the pack's exec query (verbs `create` and `get`): a signal when one user execs more than `maxExecs` times
 * within `evaluationWindowSeconds`. Tuning can change both (`threshold`, `evaluationWindowSeconds`).
 */
export function podExecBurstRule(options: PodExecBurstOptions = {}): DetectionRuleProps {
  const maxExecs = options.maxExecs ?? 5;
  const window = options.evaluationWindowSeconds ?? 300;
  return {
    id: "pod-exec-burst",
    name: "EKS: user exec into pods many times",
    detectionMethod: "threshold",
    tactic: "TA0002-execution",
    technique: "T1609-container-administration-command",
    // One exec is logged twice on EKS (ResponseStarted and ResponseComplete): count distinct requests.
    queries: [{ name: "execs", query: EXEC_QUERY, ...COUNT_REQUESTS, groupByFields: ["@usr.name"] }],
    cases: [{ name: "many execs", status: "medium", condition: `execs > ${maxExecs}` }],
    evaluationWindowSeconds: window,
    keepAliveSeconds: Math.max(window, 3600),
    maxSignalDurationSeconds: 86400,
    message: ruleMessage(
      `Detect a user running commands inside containers (\`kubectl exec\`) more than ${maxExecs} times in ${window / 60} minutes.`,
      "Threshold on successful `create` (kubectl < 1.30) and `get` (kubectl >= 1.30, WebSockets) requests on `pods/exec`, counted per `@usr.name` as distinct requests (`@auditID`): EKS logs each exec twice, when it starts and when it ends.",
      [
        IDENTIFY_USER,
        "List the pods and commands (`@objectRef.namespace`, `@objectRef.name`, `command=` in the request URI): interactive debugging, a script looping over pods, or reconnaissance?",
        IF_UNEXPECTED,
      ],
    ),
    samples: {
      positive: [
        sample("kubernetes-admin execs into a pod (one of many)", {
          verb: "create",
          resource: "pods",
          subresource: "exec",
          namespace: "payments",
          name: "payments-api-7c9f8d6b5-x2kqp",
          user: KUBERNETES_ADMIN,
          code: 101,
          query: "command=env&container=api&stdout=true",
        }),
        sample("kubectl 1.31 execs over WebSockets (verb get)", {
          verb: "get",
          resource: "pods",
          subresource: "exec",
          namespace: "payments",
          name: "payments-api-7c9f8d6b5-x2kqp",
          user: DEVELOPER,
          code: 101,
          query: "command=env&container=api&stdout=true",
        }),
      ],
      negative: [
        sample("exec denied by RBAC (403)", {
          verb: "create",
          resource: "pods",
          subresource: "exec",
          namespace: "payments",
          name: "payments-api-7c9f8d6b5-x2kqp",
          user: DEVELOPER,
          code: 403,
        }),
        sample("port-forward instead of exec", {
          verb: "create",
          resource: "pods",
          subresource: "portforward",
          namespace: "payments",
          name: "payments-api-7c9f8d6b5-x2kqp",
          user: DEVELOPER,
          code: 101,
        }),
      ],
    },
  };
}

export const rule: DetectionRuleProps = podExecBurstRule();
