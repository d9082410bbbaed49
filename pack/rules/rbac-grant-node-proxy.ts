import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, WRITES, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, roleManifest, serviceAccount, sample } from "../samples";

const RBAC = { apiGroup: "rbac.authorization.k8s.io" };

export const rule: DetectionRuleProps = {
  id: "rbac-grant-node-proxy",
  name: "EKS: role grants the nodes/proxy subresource",
  detectionMethod: "threshold",
  tactic: "TA0004-privilege-escalation",
  technique: "T1098-account-manipulation",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:(clusterroles OR roles) ${WRITES} @requestObject.rules.resources:("nodes/proxy" OR nodes\\/\\*) ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "high", condition: "a > 0" }],
  message: ruleMessage(
    "Detect a ClusterRole or Role that grants `nodes/proxy`: it reaches the kubelet API of every node, which runs commands in any container on the node (`/exec`, `/run`) without the API server's exec audit trail.",
    "Successful create/update/patch of roles and cluster roles whose rules name `nodes/proxy` or `nodes/*`, platform identities excluded. Monitoring agents that scrape kubelet metrics through the API server need `nodes/proxy` `get`: exclude them by service account.",
    [IDENTIFY_USER, "Read `@requestObject.rules` (verbs on `nodes/proxy`) and find who is bound to the role.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("a ClusterRole granting nodes/proxy", {
        verb: "create",
        resource: "clusterroles",
        ...RBAC,
        name: "node-accessor",
        user: DEVELOPER,
        requestObject: roleManifest("ClusterRole", "node-accessor", [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get", "create"] }]),
      }),
      sample("a ClusterRole patched to every node subresource", {
        verb: "patch",
        resource: "clusterroles",
        ...RBAC,
        name: "node-admin",
        user: KUBERNETES_ADMIN,
        code: 200,
        requestObject: roleManifest("ClusterRole", "node-admin", [{ apiGroups: [""], resources: ["nodes/*"], verbs: ["*"] }]),
      }),
    ],
    negative: [
      sample("a ClusterRole listing nodes only", {
        verb: "create",
        resource: "clusterroles",
        ...RBAC,
        name: "node-viewer",
        user: DEVELOPER,
        requestObject: roleManifest("ClusterRole", "node-viewer", [
          { apiGroups: [""], resources: ["nodes", "nodes/status"], verbs: ["get", "list"] },
        ]),
      }),
      sample("a kube-system operator (excluded identity)", {
        verb: "create",
        resource: "clusterroles",
        ...RBAC,
        name: "metrics",
        user: serviceAccount("kube-system", "operator"),
        requestObject: roleManifest("ClusterRole", "metrics", [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }]),
      }),
      sample("the role denied (403)", {
        verb: "create",
        resource: "clusterroles",
        ...RBAC,
        name: "node-proxy",
        user: DEVELOPER,
        code: 403,
        requestObject: roleManifest("ClusterRole", "node-proxy", [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }]),
      }),
    ],
  },
};
