import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, eksIdentity, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "ephemeral-container",
  name: "EKS: ephemeral container added to a pod",
  detectionMethod: "threshold",
  tactic: "TA0002-execution",
  technique: "T1609-container-administration-command",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:pods @objectRef.subresource:ephemeralcontainers @http.method:(patch OR update) ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "medium", condition: "a > 0" }],
  message: ruleMessage(
    "Detect `kubectl debug` style ephemeral containers, which run an arbitrary image inside an existing pod's namespaces.",
    "Successful `patch`/`update` on the `pods/ephemeralcontainers` subresource by a non-platform identity.",
    [
      IDENTIFY_USER,
      "Inspect the image and command of the ephemeral container in `@requestObject.spec.ephemeralContainers` and whether it targets another container's process namespace (`targetContainerName`).",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("a developer runs kubectl debug against a pod", {
        verb: "patch",
        resource: "pods",
        subresource: "ephemeralcontainers",
        namespace: "web",
        name: "frontend-6d4cf56db6-8jz2m",
        user: DEVELOPER,
        requestObject: {
          spec: { ephemeralContainers: [{ name: "debugger-7x2lq", image: "busybox:1.36", targetContainerName: "frontend", stdin: true, tty: true }] },
        },
      }),
    ],
    negative: [
      sample("the same patch rejected (403)", {
        verb: "patch",
        resource: "pods",
        subresource: "ephemeralcontainers",
        namespace: "web",
        name: "frontend-6d4cf56db6-8jz2m",
        user: DEVELOPER,
        code: 403,
      }),
      sample("EKS identity patching the pod status (excluded identity, other subresource)", {
        verb: "patch",
        resource: "pods",
        subresource: "status",
        namespace: "web",
        name: "frontend-6d4cf56db6-8jz2m",
        user: eksIdentity("node-manager"),
      }),
      sample("a get of the ephemeralcontainers subresource (read)", {
        verb: "get",
        resource: "pods",
        subresource: "ephemeralcontainers",
        namespace: "web",
        name: "frontend-6d4cf56db6-8jz2m",
        user: DEVELOPER,
      }),
    ],
  },
};
