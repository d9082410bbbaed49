import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";
import { EKS_AUDIT, IF_UNEXPECTED, KUBE_SYSTEM_SERVICE_ACCOUNTS, SUCCEEDED, ruleMessage } from "../pack-helpers";
import { container, podManifest, serviceAccount, sample } from "../samples";

/**
 * Image patterns of EKS add-ons and upstream Kubernetes components: Amazon EKS's add-on registry account
 * (602401143452, most regions, also through the FIPS endpoints `dkr.ecr-fips`; other regions' add-on accounts,
 * the China regions' `amazonaws.com.cn` included, publish under `/eks/` and `/amazon-k8s-cni`), Amazon ECR Public's
 * `eks` and `eks-distro` repositories (AWS docs "View Amazon container image registries for Amazon EKS add-ons",
 * https://docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html), the EBS and EFS CSI drivers' ECR Public
 * repositories, Karpenter's (`public.ecr.aws/karpenter`, https://karpenter.sh/docs/getting-started/), and the
 * upstream Kubernetes registries (`registry.k8s.io` and the frozen `k8s.gcr.io` it replaced).
 */
export const TRUSTED_KUBE_SYSTEM_IMAGES: readonly string[] = [
  String.raw`602401143452.dkr.ecr.*`,
  String.raw`602401143452.dkr.ecr-fips.*`,
  String.raw`*.dkr.ecr.*.amazonaws.com\/eks\/*`,
  String.raw`*.dkr.ecr.*.amazonaws.com.cn\/eks\/*`,
  String.raw`*.dkr.ecr.*.amazonaws.com.cn\/amazon-k8s-cni*`,
  String.raw`*.dkr.ecr.*.amazonaws.com\/amazon-k8s-cni*`,
  String.raw`*.dkr.ecr.*.amazonaws.com\/amazon\/aws-network-policy-agent*`,
  String.raw`public.ecr.aws\/eks\/*`,
  String.raw`public.ecr.aws\/eks-distro\/*`,
  String.raw`public.ecr.aws\/ebs-csi-driver\/*`,
  String.raw`public.ecr.aws\/efs-csi-driver\/*`,
  String.raw`public.ecr.aws\/karpenter\/*`,
  String.raw`registry.k8s.io\/*`,
  String.raw`k8s.gcr.io\/*`,
];

/**
 * Registries that host no EKS add-on: an image from one of them next to a trusted image is reported. Datadog search
 * cannot say "some element of the array is not trusted" (a term on an array matches when any element matches, and
 * `-` excludes the event when any element matches), so a pod that mixes a trusted image with an untrusted one is
 * caught only through these positive patterns.
 */
export const THIRD_PARTY_REGISTRIES: readonly string[] = [
  String.raw`docker.io\/*`,
  String.raw`index.docker.io\/*`,
  String.raw`ghcr.io\/*`,
  String.raw`quay.io\/*`,
  String.raw`gcr.io\/*`,
  String.raw`*-docker.pkg.dev\/*`,
  String.raw`*.azurecr.io\/*`,
  String.raw`registry.gitlab.com\/*`,
];

/** Options of `kubeSystemPodUntrustedImageRule`. */
export interface KubeSystemPodUntrustedImageOptions {
  /**
   * Image patterns (Datadog wildcards, `/` escaped) whose pods are expected in `kube-system`.
   * @default TRUSTED_KUBE_SYSTEM_IMAGES
   */
  readonly trustedImages?: readonly string[];
  /**
   * Registry patterns (Datadog wildcards, `/` escaped) reported when one of their images runs next to a trusted one.
   * @default THIRD_PARTY_REGISTRIES
   */
  readonly thirdPartyRegistries?: readonly string[];
}

/** Controller-created pods in the system namespaces whose image is not from a trusted registry. */
export function kubeSystemPodUntrustedImageRule(options: KubeSystemPodUntrustedImageOptions = {}): DetectionRuleProps {
  const trusted = options.trustedImages ?? TRUSTED_KUBE_SYSTEM_IMAGES;
  const thirdParty = options.thirdPartyRegistries ?? THIRD_PARTY_REGISTRIES;
  const systemPodCreate = `${EKS_AUDIT} @objectRef.resource:pods -@objectRef.subresource:* @objectRef.namespace:(kube-system OR kube-public OR kube-node-lease) @http.method:create @usr.name:${KUBE_SYSTEM_SERVICE_ACCOUNTS}`;
  /** `@requestObject.spec.containers.image:<v> OR ...initContainers.image:<v>` (joined with `join`). */
  const images = (value: string, join = " OR ") => ["containers", "initContainers"].map((c) => `@requestObject.spec.${c}.image:${value}`).join(join);
  return {
    id: "kube-system-pod-untrusted-image",
    name: "EKS: pod with an untrusted image started in a system namespace",
    detectionMethod: "threshold",
    tactic: "TA0002-execution",
    technique: "T1610-deploy-container",
    queries: [
      {
        // No container or init container image is trusted.
        name: "untrusted",
        query: `${systemPodCreate} (${images("*")}) -${images(`(${trusted.join(" OR ")})`, " -")} ${SUCCEEDED}`,
        groupByFields: ["@objectRef.namespace", "@usr.name"],
      },
      {
        // A trusted image cannot hide another: an image from a third-party registry next to a trusted one.
        name: "mixed",
        query: `${systemPodCreate} (${images(`(${trusted.join(" OR ")})`)}) (${images(`(${thirdParty.join(" OR ")})`)}) ${SUCCEEDED}`,
        groupByFields: ["@objectRef.namespace", "@usr.name"],
      },
    ],
    cases: [
      { name: "untrusted images", status: "medium", condition: "untrusted > 0" },
      { name: "third-party image next to a trusted one", status: "medium", condition: "mixed > 0" },
    ],
    message: ruleMessage(
      "Detect pods that a controller started in `kube-system`, `kube-public` or `kube-node-lease` with an image outside the EKS add-on and Kubernetes registries: a Deployment, DaemonSet or Job planted among the add-ons, whose pods blend in with them.",
      'Successful pod creates in the system namespaces by `kube-system` service accounts (the workload controllers), whose container and init container images match none of the trusted patterns, or that run an image from a third-party registry (Docker Hub, GHCR, Quay, GCR, Artifact Registry, ACR, GitLab) next to a trusted one; one signal per namespace and controller. People creating pods there are reported by `kube-system-pod`. Add-ons from other registries (cluster-autoscaler from a mirror, Datadog, Falco) are expected: add their images to `trustedImages` or an exclusion. Blind spot: Datadog search cannot say "some image is not trusted", so a Docker Hub short name (`busybox`) or a private registry next to a trusted image is not reported; admission control (image verification) covers that.',
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
        sample("a Docker Hub sidecar added next to the trusted CoreDNS image", {
          verb: "create",
          resource: "pods",
          namespace: "kube-system",
          name: "coredns-6f8d9c4b7-qwert",
          user: serviceAccount("kube-system", "replicaset-controller"),
          requestObject: podManifest("coredns-6f8d9c4b7-qwert", "kube-system", {
            containers: [
              { name: "coredns", image: "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1.11.1-eksbuild.9" },
              { name: "helper", image: "docker.io/someone/xmrig:latest" },
            ],
          }),
        }),
        sample("an untrusted init container before a trusted container", {
          verb: "create",
          resource: "pods",
          namespace: "kube-system",
          name: "ebs-csi-node-zzzzz",
          user: serviceAccount("kube-system", "daemon-set-controller"),
          requestObject: podManifest("ebs-csi-node-zzzzz", "kube-system", {
            initContainers: [{ name: "init", image: "ghcr.io/someone/loader:1" }],
            containers: [{ name: "ebs-plugin", image: "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.37.0" }],
          }),
        }),
      ],
      negative: [
        sample("Karpenter's controller from its ECR Public repository", {
          verb: "create",
          resource: "pods",
          namespace: "kube-system",
          name: "karpenter-7d4b8c9f6-abcde",
          user: serviceAccount("kube-system", "replicaset-controller"),
          requestObject: podManifest("karpenter-7d4b8c9f6-abcde", "kube-system", {
            containers: [{ name: "controller", image: "public.ecr.aws/karpenter/controller:1.1.1" }],
          }),
        }),
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
