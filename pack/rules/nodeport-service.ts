import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, IF_UNEXPECTED, NOT_PLATFORM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, eksIdentity, sample } from "../samples";

const service = (type: string) => ({
  kind: "Service",
  apiVersion: "v1",
  metadata: { name: "shell", namespace: "web" },
  spec: { type, selector: { app: "shell" }, ports: [{ port: 4444, targetPort: 4444, ...(type === "NodePort" ? { nodePort: 31337 } : {}) }] },
});

export const rule: DetectionRuleProps = {
  id: "nodeport-service",
  name: "EKS: NodePort service created",
  detectionMethod: "threshold",
  tactic: "TA0001-initial-access",
  technique: "T1133-external-remote-services",
  queries: [
    {
      query: `${EKS_AUDIT} @objectRef.resource:services @http.method:(create OR update OR patch) @requestObject.spec.type:NodePort ${SUCCEEDED} ${NOT_PLATFORM}`,
      groupByFields: ["@usr.name"],
    },
  ],
  cases: [{ status: "low", condition: "a > 0" }],
  decreaseCriticalityBasedOnEnv: true,
  message: ruleMessage(
    "Detect NodePort services: a port opened on every node, reachable wherever the node security groups allow, bypassing ingress controls.",
    "Successful create/update/patch of services with `spec.type: NodePort`, platform identities excluded.",
    [IDENTIFY_USER, "Which pods does the selector reach and which port? Check the node security groups for exposure.", IF_UNEXPECTED],
  ),
  samples: {
    positive: [
      sample("a developer exposes a pod through a NodePort", {
        verb: "create",
        resource: "services",
        namespace: "web",
        name: "shell",
        user: DEVELOPER,
        requestObject: service("NodePort"),
      }),
    ],
    negative: [
      sample("a ClusterIP service", {
        verb: "create",
        resource: "services",
        namespace: "web",
        name: "shell",
        user: KUBERNETES_ADMIN,
        requestObject: service("ClusterIP"),
      }),
      sample("EKS (excluded identity) creating a NodePort service", {
        verb: "create",
        resource: "services",
        namespace: "kube-system",
        name: "eks-extension-metrics-api",
        user: eksIdentity("addon-manager"),
        requestObject: service("NodePort"),
      }),
      sample("the NodePort service rejected (403)", {
        verb: "create",
        resource: "services",
        namespace: "web",
        name: "shell",
        user: DEVELOPER,
        code: 403,
        requestObject: service("NodePort"),
      }),
    ],
  },
};
