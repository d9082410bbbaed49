import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IDENTIFY_USER, NOT_SYSTEM, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { DEVELOPER, KUBERNETES_ADMIN, serviceAccount, sample } from "../samples";

const ingress = (spec: Record<string, unknown>, annotations: Record<string, string> = {}) => ({
  kind: "Ingress",
  apiVersion: "networking.k8s.io/v1",
  metadata: { name: "api", annotations },
  spec,
});
const rules = [
  { host: "api.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } },
];

/**
 * "The Ingress has rules", on leaf attributes (existence of an object attribute is not documented in Datadog search):
 * a rule's host, or a path's `path`, `pathType` (networking.k8s.io/v1) or backend service (`service.name` in v1,
 * `serviceName` in the older extensions/v1beta1 and networking.k8s.io/v1beta1).
 */
const HAS_RULES = `(${["host", "http.paths.path", "http.paths.pathType", "http.paths.backend.service.name", "http.paths.backend.serviceName"].map((f) => `@requestObject.spec.rules.${f}:*`).join(" OR ")})`;

export const rule: DetectionRuleProps = {
  id: "ingress-without-tls",
  name: "EKS: person exposes an Ingress without TLS",
  detectionMethod: "threshold",
  tactic: "TA0001-initial-access",
  technique: "T1133-external-remote-services",
  queries: [
    {
      query: String.raw`${EKS_AUDIT} @objectRef.resource:ingresses -@objectRef.subresource:* @http.method:create ${HAS_RULES} -@requestObject.spec.tls.hosts:* -@requestObject.spec.tls.secretName:* -@requestObject.spec.ingressClassName:alb -@objectRef.namespace:kube-system ${SUCCEEDED} ${NOT_SYSTEM}`,
      groupByFields: ["@usr.name", "@objectRef.namespace"],
    },
  ],
  cases: [{ status: "low", condition: "a > 0" }],
  message: ruleMessage(
    "Detect a person creating an Ingress with no `tls` section: a service exposed over plain HTTP, credentials and tokens in clear text on the way.",
    "Successful Ingress creates by people (every `system:` identity excluded) whose body has rules (a host, or an HTTP path or backend) but no TLS entry (`spec.tls[].hosts` or `secretName`), outside `kube-system`. AWS Load Balancer Controller ingresses (`ingressClassName: alb`) terminate TLS through annotations (`alb.ingress.kubernetes.io/certificate-arn`) and are not reported; ingresses using the older `kubernetes.io/ingress.class: alb` annotation are (exclude them through tuning). Metadata-level events have no body and are not reported.",
    [
      IDENTIFY_USER,
      "Is the host public (`@requestObject.spec.rules.host`), and what does the backend serve? Add a `tls` section or terminate TLS at the load balancer.",
    ],
  ),
  samples: {
    positive: [
      sample("a developer exposes an API over HTTP", {
        verb: "create",
        resource: "ingresses",
        apiGroup: "networking.k8s.io",
        namespace: "production",
        name: "api",
        user: DEVELOPER,
        requestObject: ingress({ ingressClassName: "nginx", rules }),
      }),
      sample("an admin creates an Ingress without a class or TLS", {
        verb: "create",
        resource: "ingresses",
        apiGroup: "networking.k8s.io",
        namespace: "default",
        name: "test",
        user: KUBERNETES_ADMIN,
        requestObject: ingress({ rules }),
      }),
    ],
    negative: [
      sample("an Ingress with a tls section", {
        verb: "create",
        resource: "ingresses",
        apiGroup: "networking.k8s.io",
        namespace: "production",
        name: "api",
        user: DEVELOPER,
        requestObject: ingress({ ingressClassName: "nginx", tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }], rules }),
      }),
      sample("an Ingress whose tls entry names only a secret (applies to every host)", {
        verb: "create",
        resource: "ingresses",
        apiGroup: "networking.k8s.io",
        namespace: "production",
        name: "api",
        user: DEVELOPER,
        requestObject: ingress({ ingressClassName: "nginx", tls: [{ secretName: "wildcard-tls" }], rules }),
      }),
      sample("an ALB Ingress (TLS through annotations)", {
        verb: "create",
        resource: "ingresses",
        apiGroup: "networking.k8s.io",
        namespace: "production",
        name: "api",
        user: DEVELOPER,
        requestObject: ingress(
          { ingressClassName: "alb", rules },
          { "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:111122223333:certificate/abc" },
        ),
      }),
      sample("an Ingress updated (re-applied manifests)", {
        verb: "update",
        resource: "ingresses",
        apiGroup: "networking.k8s.io",
        namespace: "production",
        name: "api",
        user: DEVELOPER,
        requestObject: ingress({ rules }),
      }),
      sample("Argo CD's service account creating an Ingress (excluded: not a person)", {
        verb: "create",
        resource: "ingresses",
        apiGroup: "networking.k8s.io",
        namespace: "production",
        name: "api",
        user: serviceAccount("argocd", "argocd-application-controller"),
        requestObject: ingress({ rules }),
      }),
    ],
  },
};
