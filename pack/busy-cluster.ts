/**
 * A seeded, benign "busy cluster week": the API traffic of a healthy EKS cluster's machinery, as EKS logs it (every
 * request passes through EKS's audit policy, `lib/audit/eks-audit-policy.ts`, and long-running requests are logged
 * at both stages). No person does anything all week: every signal the pack raises on it is noise. Used by
 * `rules noise` (signals per rule per day) and by the tests that keep the pack quiet.
 *
 * Traffic per actor, and where its shape comes from (public documents; volumes are sampled, see below):
 * - kube-controller-manager controllers run as `system:serviceaccount:kube-system:<controller>`
 *   (`--use-service-account-credentials`; Kubernetes RBAC docs, "Controller roles",
 *   https://kubernetes.io/docs/reference/access-authn-authz/rbac/#controller-roles): the ReplicaSet controller creates
 *   application pods, the DaemonSet controller creates the node agents' pods (privileged, host network, host paths)
 *   on every new node, the garbage collector deletes, the namespace controller cleans up.
 * - kube-scheduler binds pods (`pods/binding`); both renew their leader-election leases.
 * - kubelets (`system:node:<name>`, group `system:nodes`) renew node leases, patch node and pod status, watch their
 *   pods, and request a service account token for every pod's projected volume, refreshed when 80% of its TTL has
 *   elapsed (https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken); a new node creates a
 *   `kubernetes.io/kubelet-serving` CSR (https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/)
 *   that EKS approves as `eks:certificate-controller`.
 * - EKS's managed identities (`eks:certificate-controller`, `eks:addon-manager`, `eks:node-manager`,
 *   `eks:authenticator`, `eks:k8s-metrics`; "Default Amazon EKS created Kubernetes roles and users",
 *   https://docs.aws.amazon.com/eks/latest/userguide/default-roles-users.html).
 * - add-ons in kube-system: kube-proxy, aws-node (VPC CNI), CoreDNS, the EBS CSI driver, the AWS Load Balancer
 *   Controller (https://kubernetes-sigs.github.io/aws-load-balancer-controller/), Karpenter (NodeClaims, node
 *   deletion and pod evictions through the Eviction API, https://karpenter.sh/docs/concepts/disruption/; controller
 *   image `public.ecr.aws/karpenter/controller`).
 * - cert-manager: the controller caches every Secret cluster-wide and writes certificate Secrets
 *   (https://cert-manager.io/docs/devops-tips/scaling-cert-manager/); the cainjector updates the `caBundle` of
 *   webhook configurations and CRDs (https://cert-manager.io/docs/concepts/ca-injector/).
 * - ingress-nginx lists and watches Secrets cluster-wide for TLS and updates Ingress status (its chart's ClusterRole,
 *   `kubernetes/ingress-nginx` `charts/ingress-nginx/templates/clusterrole.yaml`).
 * - Istio: istiod watches Secrets for gateway credentials, patches its webhooks' `caBundle` and writes the
 *   `istio-ca-root-cert` ConfigMap in every namespace (https://istio.io/latest/docs/ops/configuration/mesh/webhook/).
 * - Kyverno's admission controller manages its own webhook configurations
 *   (https://kyverno.io/docs/installation/customization/).
 * - Argo CD's application controller caches every resource of the cluster (Secrets included) and syncs
 *   Deployments (https://argo-cd.readthedocs.io/en/stable/operator-manual/high_availability/).
 * - external-secrets watches Secrets cluster-wide, writes synced Secrets, and its cert-controller injects the
 *   `caBundle` of its webhook (https://external-secrets.io/latest/api/components/).
 * - Prometheus scrapes cAdvisor through the API server proxy (`/api/v1/nodes/<node>/proxy/metrics/cadvisor`,
 *   prometheus/prometheus `documentation/examples/prometheus-kubernetes.yml`); kube-state-metrics lists and watches
 *   every resource, Secrets included (kubernetes/kube-state-metrics `docs/metrics/`).
 * - the Datadog Cluster Agent watches pods, services and nodes and keeps its admission webhook
 *   (https://docs.datadoghq.com/containers/cluster_agent/admission_controller/); a few of its list calls are denied.
 * - Velero's daily backup lists every resource, Secrets included (https://velero.io/docs/main/how-velero-works/).
 * - one legitimate change: on Wednesday Argo CD installs an application whose chart ships a validating webhook.
 *
 * Volumes are sampled, not real: informers re-list and re-watch every 30 minutes per resource (client-go reflectors
 * do it every 5 to 10 minutes), leases and status updates every 10 minutes (the real period is seconds). No rule of
 * the pack counts that traffic, so sampling changes event counts, not signals.
 */
import { eksLoggedEvents } from "../lib/audit";
import { AuditEventSpec, AuditUser, auditEvent, container, eksIdentity, podManifest, serviceAccount } from "./samples";
import { mulberry32 } from "../lib/random";

/** Monday 2026-11-16 00:00 UTC, the first day of the week. */
export const BUSY_WEEK_START_MS = Date.UTC(2026, 10, 16);
/** The seed docs/cloud-siem.md's noise table uses. */
export const DEFAULT_SEED = 18;
const DAY = 86_400_000;
const MIN = 60_000;

/** Options of {@link busyClusterWeek}. */
export interface BusyWeekOptions {
  /**
   * PRNG seed (same seed, same events).
   * @default 18
   */
  readonly seed?: number;
  /**
   * Days simulated from {@link BUSY_WEEK_START_MS}.
   * @default 7
   */
  readonly days?: number;
}

const node = (name: string): AuditUser => ({ username: `system:node:${name}`, groups: ["system:nodes", "system:authenticated"] });
const sa = serviceAccount;
const KCM = (controller: string) => sa("kube-system", controller);
const SCHEDULER: AuditUser = { username: "system:kube-scheduler", groups: ["system:authenticated"] };

/** One request of the week: when, what, how long (watches stay open). */
interface Request {
  readonly t: number;
  readonly spec: AuditEventSpec;
  readonly durationMs: number;
}

const APP_NAMESPACES = ["payments", "checkout", "catalog", "web", "search"];
const CONTROL_PLANE_IP = "172.16.52.10";

/** The images and security settings of the node agents a DaemonSet puts on every node. */
const DAEMONSET_PODS: readonly { namespace: string; name: string; spec: Record<string, unknown> }[] = [
  {
    namespace: "kube-system",
    name: "aws-node",
    spec: {
      hostNetwork: true,
      initContainers: [
        {
          name: "aws-vpc-cni-init",
          image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni-init:v1.19.0-eksbuild.1",
          securityContext: { privileged: true },
        },
      ],
      containers: [
        {
          name: "aws-node",
          image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.19.0-eksbuild.1",
          securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW"] } },
        },
        {
          name: "aws-eks-nodeagent",
          image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon/aws-network-policy-agent:v1.1.5-eksbuild.1",
          securityContext: { privileged: true },
        },
      ],
      volumes: [
        { name: "cni-bin-dir", hostPath: { path: "/opt/cni/bin" } },
        { name: "run-dir", hostPath: { path: "/var/run/aws-node" } },
      ],
    },
  },
  {
    namespace: "kube-system",
    name: "kube-proxy",
    spec: {
      hostNetwork: true,
      containers: [
        {
          name: "kube-proxy",
          image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.31.2-minimal-eksbuild.3",
          securityContext: { privileged: true },
        },
      ],
      volumes: [
        { name: "xtables-lock", hostPath: { path: "/run/xtables.lock" } },
        { name: "lib-modules", hostPath: { path: "/lib/modules" } },
      ],
    },
  },
  {
    namespace: "kube-system",
    name: "ebs-csi-node",
    spec: {
      containers: [
        { name: "ebs-plugin", image: "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.37.0", securityContext: { privileged: true } },
        { name: "node-driver-registrar", image: "public.ecr.aws/eks-distro/kubernetes-csi/node-driver-registrar:v2.12.0-eks-1-31-7" },
      ],
      volumes: [{ name: "kubelet-dir", hostPath: { path: "/var/lib/kubelet" } }],
    },
  },
  {
    namespace: "datadog",
    name: "datadog-agent",
    spec: {
      containers: [{ name: "agent", image: "gcr.io/datadoghq/agent:7.59.0" }],
      volumes: [
        { name: "procdir", hostPath: { path: "/proc" } },
        { name: "runtimesocketdir", hostPath: { path: "/var/run/containerd" } },
        { name: "cgroups", hostPath: { path: "/sys/fs/cgroup" } },
      ],
    },
  },
  {
    namespace: "monitoring",
    name: "prometheus-node-exporter",
    spec: {
      hostNetwork: true,
      hostPID: true,
      containers: [{ name: "node-exporter", image: "quay.io/prometheus/node-exporter:v1.8.2" }],
      volumes: [{ name: "root", hostPath: { path: "/" } }],
    },
  },
];

/** Long-lived informers: identity, namespace (undefined = cluster-wide), resource, API group. */
const INFORMERS: readonly (readonly [AuditUser, string | undefined, string, string])[] = [
  [sa("kube-system", "kube-proxy"), undefined, "endpointslices", "discovery.k8s.io"],
  [sa("kube-system", "kube-proxy"), undefined, "services", ""],
  [sa("kube-system", "coredns"), undefined, "endpointslices", "discovery.k8s.io"],
  [sa("kube-system", "coredns"), undefined, "namespaces", ""],
  [sa("kube-system", "aws-node"), undefined, "nodes", ""],
  [sa("kube-system", "aws-load-balancer-controller"), undefined, "ingresses", "networking.k8s.io"],
  [sa("kube-system", "aws-load-balancer-controller"), undefined, "targetgroupbindings", "elbv2.k8s.aws"],
  [sa("kube-system", "karpenter"), undefined, "pods", ""],
  [sa("kube-system", "karpenter"), undefined, "nodeclaims", "karpenter.sh"],
  [sa("cert-manager", "cert-manager"), undefined, "secrets", ""],
  [sa("cert-manager", "cert-manager"), undefined, "certificates", "cert-manager.io"],
  [sa("cert-manager", "cert-manager-cainjector"), undefined, "validatingwebhookconfigurations", "admissionregistration.k8s.io"],
  [sa("ingress-nginx", "ingress-nginx"), undefined, "secrets", ""],
  [sa("ingress-nginx", "ingress-nginx"), undefined, "ingresses", "networking.k8s.io"],
  [sa("istio-system", "istiod"), undefined, "secrets", ""],
  [sa("istio-system", "istiod"), undefined, "pods", ""],
  [sa("kyverno", "kyverno-admission-controller"), undefined, "clusterpolicies", "kyverno.io"],
  [sa("kyverno", "kyverno-background-controller"), undefined, "configmaps", ""],
  [sa("argocd", "argocd-application-controller"), undefined, "secrets", ""],
  [sa("argocd", "argocd-application-controller"), undefined, "deployments", "apps"],
  [sa("external-secrets", "external-secrets"), undefined, "secrets", ""],
  [sa("external-secrets", "external-secrets"), undefined, "externalsecrets", "external-secrets.io"],
  [sa("monitoring", "kube-prometheus-stack-prometheus"), undefined, "pods", ""],
  [sa("monitoring", "kube-prometheus-stack-prometheus"), undefined, "endpointslices", "discovery.k8s.io"],
  [sa("monitoring", "kube-state-metrics"), undefined, "secrets", ""],
  [sa("monitoring", "kube-state-metrics"), undefined, "pods", ""],
  [sa("datadog", "datadog-cluster-agent"), undefined, "pods", ""],
  [sa("datadog", "datadog-cluster-agent"), undefined, "nodes", ""],
  [sa("velero", "velero-server"), "velero", "backups", "velero.io"],
  [KCM("replicaset-controller"), undefined, "replicasets", "apps"],
  [KCM("daemon-set-controller"), undefined, "daemonsets", "apps"],
  [KCM("generic-garbage-collector"), undefined, "pods", ""],
  [eksIdentity("authenticator"), "kube-system", "configmaps", ""],
  [eksIdentity("k8s-metrics"), undefined, "nodes", ""],
];

/** Webhooks whose `caBundle` an operator keeps up to date (update of the whole object). */
const CA_INJECTORS: readonly (readonly [AuditUser, string, string])[] = [
  [sa("cert-manager", "cert-manager-cainjector"), "validatingwebhookconfigurations", "cert-manager-webhook"],
  [sa("cert-manager", "cert-manager-cainjector"), "mutatingwebhookconfigurations", "aws-load-balancer-webhook"],
  [sa("istio-system", "istiod"), "mutatingwebhookconfigurations", "istio-sidecar-injector"],
  [sa("istio-system", "istiod"), "validatingwebhookconfigurations", "istio-validator-istio-system"],
  [sa("kyverno", "kyverno-admission-controller"), "validatingwebhookconfigurations", "kyverno-resource-validating-webhook-cfg"],
  [sa("kyverno", "kyverno-admission-controller"), "mutatingwebhookconfigurations", "kyverno-resource-mutating-webhook-cfg"],
  [sa("external-secrets", "external-secrets-cert-controller"), "validatingwebhookconfigurations", "externalsecret-validate"],
  [sa("datadog", "datadog-cluster-agent"), "mutatingwebhookconfigurations", "datadog-webhook"],
];

/**
 * The requests of the week, as EKS logs them (0, 1 or 2 events each), in time order. Deterministic for a seed.
 */
export function busyClusterWeek(options: BusyWeekOptions = {}): Record<string, unknown>[] {
  const rand = mulberry32(options.seed ?? DEFAULT_SEED);
  const days = options.days ?? 7;
  const end = BUSY_WEEK_START_MS + days * DAY;
  const requests: Request[] = [];
  const at = (t: number, spec: AuditEventSpec, durationMs = 40): void => {
    if (t < end) requests.push({ t, spec, durationMs });
  };
  const jitter = (ms: number) => Math.floor(rand() * ms);
  const every = (periodMs: number, fn: (t: number) => void): void => {
    for (let t = BUSY_WEEK_START_MS + jitter(periodMs); t < end; t += periodMs) fn(t);
  };
  let serial = 0;
  const podName = (base: string) => `${base}-${(++serial).toString(36).padStart(5, "0")}`;
  const inCluster = (ip: number) => `10.0.${(ip >> 8) & 255}.${ip & 255}`;

  // Nodes: six steady ones, plus Karpenter's churn (about six new nodes a day, each living a few hours).
  const nodes: { name: string; from: number; to: number }[] = [];
  for (let i = 0; i < 6; i++) nodes.push({ name: `ip-10-0-${10 + i}-${20 + i}.eu-west-1.compute.internal`, from: BUSY_WEEK_START_MS, to: end });
  for (let d = 0; d < days; d++) {
    for (let k = 0; k < 6; k++) {
      const from = BUSY_WEEK_START_MS + d * DAY + jitter(DAY);
      nodes.push({
        name: `ip-10-0-${40 + ((d * 6 + k) % 200)}-${jitter(250)}.eu-west-1.compute.internal`,
        from,
        to: Math.min(end, from + (2 + rand() * 6) * 3_600_000),
      });
    }
  }

  for (const n of nodes) {
    const kubelet = node(n.name);
    const nodeIp = `10.0.${jitter(200)}.${jitter(250)}`;
    const born = n.from > BUSY_WEEK_START_MS;
    if (born) {
      // Registration, serving certificate, DaemonSet pods, scheduling.
      at(n.from, {
        verb: "create",
        resource: "nodes",
        name: n.name,
        user: kubelet,
        sourceIP: nodeIp,
        userAgent: "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46",
      });
      const csr = `csr-${(++serial).toString(36)}`;
      at(n.from + 2000, {
        verb: "create",
        resource: "certificatesigningrequests",
        apiGroup: "certificates.k8s.io",
        name: csr,
        user: kubelet,
        sourceIP: nodeIp,
        requestObject: {
          kind: "CertificateSigningRequest",
          apiVersion: "certificates.k8s.io/v1",
          spec: { signerName: "kubernetes.io/kubelet-serving", usages: ["digital signature", "server auth"] },
        },
      });
      at(n.from + 4000, {
        verb: "update",
        resource: "certificatesigningrequests",
        subresource: "approval",
        apiGroup: "certificates.k8s.io",
        name: csr,
        user: eksIdentity("certificate-controller"),
        sourceIP: CONTROL_PLANE_IP,
      });
      at(n.from + 60_000, {
        verb: "create",
        resource: "nodeclaims",
        apiGroup: "karpenter.sh",
        name: `default-${serial}`,
        user: sa("kube-system", "karpenter"),
        sourceIP: inCluster(7),
      });
      for (const ds of DAEMONSET_PODS) {
        const name = podName(ds.name);
        at(n.from + 5000 + jitter(3000), {
          verb: "create",
          resource: "pods",
          namespace: ds.namespace,
          name,
          user: KCM("daemon-set-controller"),
          sourceIP: CONTROL_PLANE_IP,
          requestObject: podManifest(name, ds.namespace, { ...ds.spec, nodeName: n.name }),
        });
      }
      if (n.to < end) {
        // Karpenter consolidation: evict, then delete the node.
        for (let k = 0; k < 3; k++) {
          const ns = APP_NAMESPACES[jitter(APP_NAMESPACES.length)];
          at(n.to - 120_000 + k * 1000, {
            verb: "create",
            resource: "pods",
            subresource: "eviction",
            namespace: ns,
            name: podName("api"),
            user: sa("kube-system", "karpenter"),
            sourceIP: inCluster(7),
            code: 201,
          });
        }
        at(n.to, { verb: "delete", resource: "nodes", name: n.name, user: sa("kube-system", "karpenter"), sourceIP: inCluster(7) });
      }
    }
    for (let t = n.from + jitter(10 * MIN); t < n.to; t += 10 * MIN) {
      at(t, {
        verb: "update",
        resource: "leases",
        apiGroup: "coordination.k8s.io",
        namespace: "kube-node-lease",
        name: n.name,
        user: kubelet,
        sourceIP: nodeIp,
      });
      at(t + 500, { verb: "patch", resource: "nodes", subresource: "status", name: n.name, user: kubelet, sourceIP: nodeIp });
      at(t + 900, { verb: "get", resource: "nodes", name: n.name, user: kubelet, sourceIP: nodeIp });
    }
    for (let t = n.from + jitter(30 * MIN); t < n.to; t += 30 * MIN) {
      at(
        t,
        { verb: "watch", resource: "pods", query: `fieldSelector=spec.nodeName%3D${n.name}&watch=true`, user: kubelet, sourceIP: nodeIp },
        25 * MIN,
      );
      // Projected service account tokens, refreshed at 80% of their one-hour TTL (about every 48 minutes per pod).
      for (let p = 0; p < 4; p++) {
        const ns = APP_NAMESPACES[(p + n.name.length) % APP_NAMESPACES.length];
        at(t + 1000 + p * 250, {
          verb: "create",
          resource: "serviceaccounts",
          subresource: "token",
          namespace: ns,
          name: "default",
          user: kubelet,
          sourceIP: nodeIp,
          code: 201,
        });
      }
      at(t + 2000, {
        verb: "get",
        resource: "secrets",
        namespace: APP_NAMESPACES[jitter(APP_NAMESPACES.length)],
        name: "app-config",
        user: kubelet,
        sourceIP: nodeIp,
      });
      at(t + 2500, { verb: "get", resource: "configmaps", namespace: "kube-system", name: "kube-root-ca.crt", user: kubelet, sourceIP: nodeIp });
    }
    // Prometheus scrapes cAdvisor through the API server proxy.
    for (let t = n.from + jitter(5 * MIN); t < n.to; t += 5 * MIN) {
      at(t, {
        verb: "get",
        resource: "nodes",
        subresource: "proxy",
        name: n.name,
        requestURI: `/api/v1/nodes/${n.name}/proxy/metrics/cadvisor`,
        user: sa("monitoring", "kube-prometheus-stack-prometheus"),
        sourceIP: inCluster(21),
      });
    }
  }

  // Informers of controllers and operators: list, then watch, re-established every 30 minutes.
  INFORMERS.forEach(([user, namespace, resource, apiGroup], i) => {
    every(30 * MIN, (t) => {
      const base: AuditEventSpec = {
        verb: "list",
        resource,
        apiGroup,
        user,
        sourceIP: user.username.startsWith("eks:") ? CONTROL_PLANE_IP : inCluster(100 + i),
        userAgent: "Go-http-client/2.0",
        ...(namespace === undefined ? {} : { namespace }),
      };
      at(t, { ...base, query: "limit=500&resourceVersion=0" });
      at(t + 200, { ...base, verb: "watch", query: "allowWatchBookmarks=true&timeoutSeconds=1800&watch=true" }, 29 * MIN);
    });
  });

  // Leader election of the control plane and the operators.
  for (const [user, namespace, name] of [
    [{ username: "system:kube-controller-manager", groups: ["system:authenticated"] }, "kube-system", "kube-controller-manager"],
    [SCHEDULER, "kube-system", "kube-scheduler"],
    [sa("kube-system", "aws-load-balancer-controller"), "kube-system", "aws-load-balancer-controller-leader"],
    [sa("kube-system", "karpenter"), "kube-system", "karpenter-leader-election"],
    [sa("cert-manager", "cert-manager"), "kube-system", "cert-manager-controller"],
    [sa("ingress-nginx", "ingress-nginx"), "ingress-nginx", "ingress-nginx-leader"],
    [sa("external-secrets", "external-secrets"), "external-secrets", "external-secrets-controller"],
  ] as const) {
    every(10 * MIN, (t) =>
      at(t, { verb: "update", resource: "leases", apiGroup: "coordination.k8s.io", namespace, name, user, sourceIP: CONTROL_PLANE_IP }),
    );
  }

  for (let d = 0; d < days; d++) {
    const day = BUSY_WEEK_START_MS + d * DAY;
    // Deployments: Argo CD syncs image bumps; the ReplicaSet controller creates the pods; the scheduler binds them.
    for (let k = 0; k < 12; k++) {
      const t = day + 8 * 3_600_000 + jitter(10 * 3_600_000);
      const ns = APP_NAMESPACES[jitter(APP_NAMESPACES.length)];
      at(t, {
        verb: "patch",
        resource: "deployments",
        apiGroup: "apps",
        namespace: ns,
        name: "api",
        user: sa("argocd", "argocd-application-controller"),
        sourceIP: inCluster(30),
        requestObject: {
          spec: { template: { spec: { containers: [{ name: "api", image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/${ns}/api:${d}.${k}` }] } } },
        },
      });
      for (let r = 0; r < 3; r++) {
        const name = podName("api");
        at(t + 2000 + r * 500, {
          verb: "create",
          resource: "pods",
          namespace: ns,
          name,
          user: KCM("replicaset-controller"),
          sourceIP: CONTROL_PLANE_IP,
          requestObject: podManifest(name, ns, {
            serviceAccountName: "api",
            containers: [{ ...container("api"), image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/${ns}/api:${d}.${k}` }],
          }),
        });
        at(t + 2200 + r * 500, {
          verb: "create",
          resource: "pods",
          subresource: "binding",
          namespace: ns,
          name,
          user: SCHEDULER,
          sourceIP: CONTROL_PLANE_IP,
        });
        at(t + 60_000 + r * 500, {
          verb: "delete",
          resource: "pods",
          namespace: ns,
          name: podName("api-old"),
          user: KCM("generic-garbage-collector"),
          sourceIP: CONTROL_PLANE_IP,
        });
      }
    }
    // A kube-system controller pod restarts: Karpenter, the load balancer controller, CoreDNS.
    for (const [base, image] of [
      ["karpenter", "public.ecr.aws/karpenter/controller:1.1.1@sha256:3ba7b1b2f5dc9b4c6f9b1c4e1a8e2f2b6f1c0d9e8a7b6c5d4e3f2a1b0c9d8e7f"],
      ["aws-load-balancer-controller", "public.ecr.aws/eks/aws-load-balancer-controller:v2.10.1"],
      ["coredns", "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1.11.3-eksbuild.2"],
    ] as const) {
      const name = podName(base);
      at(day + jitter(DAY), {
        verb: "create",
        resource: "pods",
        namespace: "kube-system",
        name,
        user: KCM("replicaset-controller"),
        sourceIP: CONTROL_PLANE_IP,
        requestObject: podManifest(name, "kube-system", { serviceAccountName: base, containers: [{ name: base, image }] }),
      });
    }
    // CA bundles: the injectors rewrite their webhooks a few times a day (resyncs, certificate renewals, restarts).
    for (const [user, resource, name] of CA_INJECTORS) {
      for (let k = 0; k < 3; k++)
        at(day + jitter(DAY), {
          verb: "update",
          resource,
          apiGroup: "admissionregistration.k8s.io",
          name,
          user,
          sourceIP: inCluster(60),
          requestObject: {
            kind: "ValidatingWebhookConfiguration",
            metadata: { name },
            webhooks: [{ name: `${name}.example`, clientConfig: { caBundle: "LS0tLS1CRUdJTi..." } }],
          },
        });
    }
    // cert-manager renews certificates; external-secrets writes synced secrets; istiod writes its root CA ConfigMap.
    for (let k = 0; k < 4; k++) {
      const ns = APP_NAMESPACES[jitter(APP_NAMESPACES.length)];
      at(day + jitter(DAY), {
        verb: "update",
        resource: "secrets",
        namespace: ns,
        name: "api-tls",
        user: sa("cert-manager", "cert-manager"),
        sourceIP: inCluster(40),
      });
      at(day + jitter(DAY), {
        verb: "update",
        resource: "secrets",
        namespace: ns,
        name: "db-credentials",
        user: sa("external-secrets", "external-secrets"),
        sourceIP: inCluster(41),
      });
    }
    for (const ns of APP_NAMESPACES)
      at(day + jitter(DAY), {
        verb: "update",
        resource: "configmaps",
        namespace: ns,
        name: "istio-ca-root-cert",
        user: sa("istio-system", "istiod"),
        sourceIP: inCluster(42),
      });
    // EKS: add-on reconciliation, aws-auth reads.
    at(day + 3 * 3_600_000 + jitter(3_600_000), {
      verb: "patch",
      resource: "daemonsets",
      apiGroup: "apps",
      namespace: "kube-system",
      name: "aws-node",
      user: eksIdentity("addon-manager"),
      sourceIP: CONTROL_PLANE_IP,
      requestObject: { spec: { template: { spec: DAEMONSET_PODS[0].spec } } },
    });
    at(day + jitter(DAY), {
      verb: "get",
      resource: "configmaps",
      namespace: "kube-system",
      name: "aws-auth",
      user: eksIdentity("node-manager"),
      sourceIP: CONTROL_PLANE_IP,
    });
    // Velero's nightly backup lists everything, Secrets included.
    const backup = day + 3_600_000 + jitter(10 * MIN);
    ["namespaces", "secrets", "configmaps", "pods", "serviceaccounts"].forEach((resource, k) =>
      at(backup + k * 2000, { verb: "list", resource, user: sa("velero", "velero-server"), sourceIP: inCluster(50) }),
    );
    ["deployments", "daemonsets", "statefulsets"].forEach((resource, k) =>
      at(backup + 20_000 + k * 2000, { verb: "list", resource, apiGroup: "apps", user: sa("velero", "velero-server"), sourceIP: inCluster(50) }),
    );
    at(backup + 60_000, {
      verb: "create",
      resource: "backups",
      apiGroup: "velero.io",
      namespace: "velero",
      name: `daily-${d}`,
      user: sa("velero", "velero-server"),
      sourceIP: inCluster(50),
    });
    // The Datadog Cluster Agent is denied a list its ClusterRole lacks, a few times an hour.
    every(20 * MIN, (t) => {
      if (t >= day && t < day + DAY)
        at(t, {
          verb: "list",
          resource: "verticalpodautoscalers",
          apiGroup: "autoscaling.k8s.io",
          user: sa("datadog", "datadog-cluster-agent"),
          sourceIP: inCluster(70),
          code: 403,
        });
    });
  }

  // Wednesday: Argo CD installs a new application whose chart ships a validating webhook (a legitimate change that
  // admission-webhook-changed reports: the one signal of the week).
  if (days > 2) {
    at(BUSY_WEEK_START_MS + 2 * DAY + 14 * 3_600_000, {
      verb: "create",
      resource: "validatingwebhookconfigurations",
      apiGroup: "admissionregistration.k8s.io",
      name: "trivy-operator-webhook",
      user: sa("argocd", "argocd-application-controller"),
      sourceIP: inCluster(30),
      requestObject: {
        kind: "ValidatingWebhookConfiguration",
        metadata: { name: "trivy-operator-webhook" },
        webhooks: [{ name: "validate.trivy", clientConfig: { service: { name: "trivy-operator", namespace: "trivy-system" } } }],
      },
    });
  }

  requests.sort((a, b) => a.t - b.t);
  const iso = (ms: number) => new Date(ms).toISOString();
  const out: Record<string, unknown>[] = [];
  for (const r of requests) {
    const request = auditEvent({ ...r.spec, auditID: uuid(rand) });
    const { events } = eksLoggedEvents(request);
    for (const e of events) {
      const started = e.stage === "ResponseStarted" || e.stage === "RequestReceived";
      out.push({ ...e, requestReceivedTimestamp: iso(r.t), stageTimestamp: iso(r.t + (started ? 5 : r.durationMs)) });
    }
  }
  // Both stages of a watch: the ResponseComplete of a long watch comes later.
  return out.sort((a, b) => String(a.stageTimestamp).localeCompare(String(b.stageTimestamp)));
}

function uuid(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
