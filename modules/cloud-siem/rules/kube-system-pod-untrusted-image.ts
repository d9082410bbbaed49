import type { DetectionRuleProps } from "../rule-model";
import { EKS_AUDIT, IF_UNEXPECTED, KUBE_SYSTEM_SERVICE_ACCOUNTS, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { container, podManifest, serviceAccount, sample } from "../samples";

/**
 * Image patterns of EKS add-ons and upstream Kubernetes components: Amazon EKS's add-on registry account
 * (602401143452, most regions; other regions' add-on accounts publish under `/eks/` and `/amazon-k8s-cni`), Amazon
 * ECR Public's `eks` and `eks-distro` repositories, and `registry.k8s.io` (AWS docs "View Amazon container image
 * registries for Amazon EKS add-ons"), and the upstream Kubernetes registries (`registry.k8s.io` and the frozen
 * `k8s.gcr.io` it replaced).
 */
export const TRUSTED_KUBE_SYSTEM_IMAGES: readonly string[] = [
  String.raw`602401143452.dkr.ecr.*`,
  String.raw`*.dkr.ecr.*.amazonaws.com\/eks\/*`,
  String.raw`*.dkr.ecr.*.amazonaws.com\/amazon-k8s-cni*`,
  String.raw`*.dkr.ecr.*.amazonaws.com\/amazon\/aws-network-policy-agent*`,
  String.raw`public.ecr.aws\/eks\/*`,
  String.raw`public.ecr.aws\/eks-distro\/*`,
  String.raw`registry.k8s.io\/*`,
  String.raw`k8s.gcr.io\/*`,
];

/** Options of `kubeSystemPodUntrustedImageRule`. */
export interface KubeSystemPodUntrustedImageOptions {
  /**
   * Image patterns (Datadog wildcards, `/` escaped) whose pods are expected in `kube-system`.
   * @default TRUSTED_KUBE_SYSTEM_IMAGES
   */
  readonly trustedImages?: readonly string[];
}

/** Controller-created pods in the system namespaces whose image is not from a trusted registry. */
export function kubeSystemPodUntrustedImageRule(options: KubeSystemPodUntrustedImageOptions = {}): DetectionRuleProps {
  const trusted = options.trustedImages ?? TRUSTED_KUBE_SYSTEM_IMAGES;
  return {
    id: "kube-system-pod-untrusted-image",
    name: "EKS: pod with an untrusted image started in a system namespace",
    detectionMethod: "threshold",
    tactic: "TA0002-execution",
    technique: "T1610-deploy-container",
    queries: [
      {
        query: `${EKS_AUDIT} @objectRef.resource:pods -@objectRef.subresource:* @objectRef.namespace:(kube-system OR kube-public OR kube-node-lease) @http.method:create @usr.name:${KUBE_SYSTEM_SERVICE_ACCOUNTS} @requestObject.spec.containers.image:* -@requestObject.spec.containers.image:(${trusted.join(" OR ")}) ${SUCCEEDED}`,
        groupByFields: ["@objectRef.namespace", "@requestObject.metadata.generateName"],
      },
    ],
    cases: [{ status: "medium", condition: "a > 0" }],
    message: ruleMessage(
      "Detect pods that a controller started in `kube-system`, `kube-public` or `kube-node-lease` with an image outside the EKS add-on and Kubernetes registries: a Deployment, DaemonSet or Job planted among the add-ons, whose pods blend in with them.",
      "Successful pod creates in the system namespaces by `kube-system` service accounts (the workload controllers), whose containers' images match none of the trusted patterns; one signal per namespace and pod name prefix. People creating pods there are reported by `kube-system-pod`. Add-ons from other registries (Karpenter, cluster-autoscaler from a mirror, Datadog, Falco) are expected: add their images to `trustedImages` or an exclusion. Blind spot: a pod with one trusted and one untrusted container is not reported.",
      [
        "Find the owner (`@requestObject.metadata.ownerReferences`) and who created it: search the owner's name in `@objectRef.name`.",
        "Check the image (`@requestObject.spec.containers.image`): which registry, which tag, is it a known add-on?",
        IF_UNEXPECTED,
      ],
    ),
    samples: {
      positive: [
        sample("the replicaset controller starts an nginx pod in kube-system", {
          verb: "create",
          resource: "pods",
          namespace: "kube-system",
          name: "helper-7998647bdf-x2kqp",
          user: serviceAccount("kube-system", "replicaset-controller"),
          requestObject: podManifest("helper-7998647bdf-x2kqp", "kube-system", { containers: [{ name: "nginx", image: "nginx" }] }),
        }),
        sample("the daemon-set controller starts a miner in kube-node-lease", {
          verb: "create",
          resource: "pods",
          namespace: "kube-node-lease",
          name: "lease-agent-abcde",
          user: serviceAccount("kube-system", "daemon-set-controller"),
          requestObject: podManifest("lease-agent-abcde", "kube-node-lease", {
            containers: [{ name: "m", image: "docker.io/someone/xmrig:latest" }],
          }),
        }),
      ],
      negative: [
        sample("CoreDNS from the EKS add-on registry", {
          verb: "create",
          resource: "pods",
          namespace: "kube-system",
          name: "coredns-5d78c9869d-abcde",
          user: serviceAccount("kube-system", "replicaset-controller"),
          requestObject: podManifest("coredns-5d78c9869d-abcde", "kube-system", {
            containers: [{ name: "coredns", image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1.11.1-eksbuild.9" }],
          }),
        }),
        sample("the VPC CNI from another region's add-on account", {
          verb: "create",
          resource: "pods",
          namespace: "kube-system",
          name: "aws-node-x7k2p",
          user: serviceAccount("kube-system", "daemon-set-controller"),
          requestObject: podManifest("aws-node-x7k2p", "kube-system", {
            containers: [{ name: "aws-node", image: "800184023465.dkr.ecr.ap-east-1.amazonaws.com/amazon-k8s-cni:v1.18.3-eksbuild.2" }],
          }),
        }),
        sample("metrics-server from registry.k8s.io", {
          verb: "create",
          resource: "pods",
          namespace: "kube-system",
          name: "metrics-server-86c5f959ff-rcxtk",
          user: serviceAccount("kube-system", "replicaset-controller"),
          requestObject: podManifest("metrics-server-86c5f959ff-rcxtk", "kube-system", {
            containers: [{ name: "metrics-server", image: "registry.k8s.io/metrics-server/metrics-server:v0.7.2" }],
          }),
        }),
        sample("an untrusted image in an application namespace", {
          verb: "create",
          resource: "pods",
          namespace: "web",
          name: "web-7998647bdf-x2kqp",
          user: serviceAccount("kube-system", "replicaset-controller"),
          requestObject: podManifest("web-7998647bdf-x2kqp", "web", { containers: [container("nginx")] }),
        }),
      ],
    },
  };
}

export const rule: DetectionRuleProps = kubeSystemPodUntrustedImageRule();
