import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_SYSTEM, SUCCEEDED, WRITES, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, container, cronJobManifest, serviceAccount, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "cronjob-created",
  name: "EKS: person creates or changes a CronJob",
  detectionMethod: "threshold",
  tactic: "TA0003-persistence",
  technique: "T1053.007-container-orchestration-job",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:cronjobs -@objectRef.subresource:* ${WRITES} -@objectRef.namespace:(kube-system OR kube-public) ${SUCCEEDED} ${NOT_SYSTEM}`,
      groupByFields: ["@usr.name", "@objectRef.namespace"],
    },
  ],
  cases: [{ status: "low", condition: "a > 0" }],
  message: ruleMessage(
    "Detect a person creating or changing a CronJob in an application namespace: scheduled jobs are a classic persistence mechanism, and people rarely write them by hand outside a pipeline.",
    "Successful create/update/patch of cronjobs (not their `status`) by people (every `system:` identity excluded), outside `kube-system`/`kube-public` (those are reported, at high severity, by `kube-system-cronjob`).",
    [
      IDENTIFY_USER,
      "Read the schedule and the job template (`@requestObject.spec.jobTemplate.spec.template.spec`): image, command, service account, mounts.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("an admin creates a cronjob in default", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "default",
        name: "backup-job",
        user: KUBERNETES_ADMIN,
        requestObject: cronJobManifest("backup-job", "default", { containers: [container("backup")] }, "0 2 * * *"),
      }),
      sample("a developer updates a cronjob (metadata-level event, no body)", {
        verb: "update",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "production",
        name: "nightly-job",
        user: DEVELOPER,
      }),
    ],
    negative: [
      sample("the cronjob controller updating the status (system identity, status subresource)", {
        verb: "update",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "production",
        name: "nightly-job",
        subresource: "status",
        user: serviceAccount("kube-system", "cronjob-controller"),
      }),
      sample("a pipeline's service account applying a cronjob (excluded: not a person)", {
        verb: "patch",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "production",
        name: "nightly-job",
        user: serviceAccount("ci", "deployer"),
        code: 200,
      }),
      sample("reading a cronjob", {
        verb: "get",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "default",
        name: "backup-job",
        user: DEVELOPER,
      }),
      sample("creation denied (403)", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "default",
        name: "backup-job",
        user: DEVELOPER,
        code: 403,
      }),
    ],
  },
};
