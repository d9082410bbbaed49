import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, sample } from "../samples";

export const rule: DetectionRuleProps = {
  id: "aws-auth-configmap-changed",
  name: "EKS: aws-auth ConfigMap changed",
  detectionMethod: "threshold",
  tactic: "TA0003-persistence",
  technique: "T1098-account-manipulation",
  queries: [
    {
      query: String.raw`${EKS_AUDIT} @objectRef.resource:configmaps @objectRef.namespace:kube-system @objectRef.name:aws-auth @http.method:(create OR update OR patch OR delete) ${SUCCEEDED} -@usr.name:eks\:*`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  message: ruleMessage(
    "Detect changes to the `aws-auth` ConfigMap, which maps IAM roles and users to Kubernetes users and groups (`system:masters` is cluster admin).",
    "Successful create/update/patch/delete of `kube-system/aws-auth` by anything but EKS itself (`eks:*`; managed node groups add their role as EKS).",
    [
      IDENTIFY_USER,
      "Diff the `mapRoles`/`mapUsers` entries in `@requestObject.data` with the previous version: which IAM principal gained which groups?",
      "Prefer EKS access entries over aws-auth; if unexpected, restore the previous mapping first.",
      IF_UNEXPECTED,
    ],
  ),
  samples: {
    positive: [
      sample("kubernetes-admin maps a new IAM role to system:masters", {
        verb: "patch",
        resource: "configmaps",
        namespace: "kube-system",
        name: "aws-auth",
        user: KUBERNETES_ADMIN,
        requestObject: {
          data: { mapRoles: "- rolearn: arn:aws:iam::444455556666:role/External\n  username: external\n  groups:\n  - system:masters\n" },
        },
      }),
    ],
    negative: [
      sample("EKS (excluded identity) adding a node group role", {
        verb: "update",
        resource: "configmaps",
        namespace: "kube-system",
        name: "aws-auth",
        user: eksIdentity("node-manager"),
      }),
      sample("reading aws-auth (get)", { verb: "get", resource: "configmaps", namespace: "kube-system", name: "aws-auth", user: DEVELOPER }),
      sample("the patch denied (403)", {
        verb: "patch",
        resource: "configmaps",
        namespace: "kube-system",
        name: "aws-auth",
        user: DEVELOPER,
        code: 403,
      }),
      sample("another ConfigMap in kube-system", {
        verb: "patch",
        resource: "configmaps",
        namespace: "kube-system",
        name: "coredns",
        user: KUBERNETES_ADMIN,
      }),
    ],
  },
};
