import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, STREAM_VERBS, ruleMessage } from "../pack-helpers";
import { DEVELOPER, eksIdentity, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "pod-attach",
  name: "EKS: user attached to a running container",
  detectionMethod: "threshold",
  tactic: "TA0002-execution",
  technique: "T1609-container-administration-command",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:pods @objectRef.subresource:attach ${STREAM_VERBS} @http.status_code:[101 TO 299] ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  evaluationWindowSeconds: 300,
  keepAliveSeconds: 3600,
  maxSignalDurationSeconds: 86400,
  message: ruleMessage(
    "Detect `kubectl attach` to a running container, which gives access to the main process's stdin/stdout.",
    "Successful `create` on the `pods/attach` subresource by anyone but EKS, control-plane and kube-system identities.",
    [
      IDENTIFY_USER,
      "Check which pod (`@objectRef.namespace`/`@objectRef.name`) and whether the container runs an interactive process.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a developer attaches to a pod", {
        verb: "create",
        resource: "pods",
        subresource: "attach",
        namespace: "web",
        name: "frontend-6d4cf56db6-8jz2m",
        user: DEVELOPER,
        code: 101,
        query: "container=frontend&stdin=true&stdout=true&tty=true",
      }),
      sample("kubectl 1.31 attaches over WebSockets (verb get)", {
        verb: "get",
        resource: "pods",
        subresource: "attach",
        namespace: "web",
        name: "frontend-6d4cf56db6-8jz2m",
        user: DEVELOPER,
        code: 101,
        query: "container=frontend&stdin=true&stdout=true&tty=true",
      }),
    ],
    negative: [
      sample("attach denied (403)", {
        verb: "create",
        resource: "pods",
        subresource: "attach",
        namespace: "web",
        name: "frontend-6d4cf56db6-8jz2m",
        user: DEVELOPER,
        code: 403,
      }),
      sample("attach by an excluded EKS identity", {
        verb: "create",
        resource: "pods",
        subresource: "attach",
        namespace: "kube-system",
        name: "coredns-5d78c9869d-abcde",
        user: eksIdentity("addon-manager"),
        code: 101,
      }),
      sample("reading pod logs (a read, not an attach)", {
        verb: "get",
        resource: "pods",
        subresource: "log",
        namespace: "web",
        name: "frontend-6d4cf56db6-8jz2m",
        user: DEVELOPER,
      }),
    ],
  },
};
