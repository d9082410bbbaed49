import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { TerraformProvider, Token } from "cdktf";
import { Construct } from "constructs";
import {
  CLUSTER_LOG_TYPES,
  ClusterLogType,
  DEFAULT_LOG_RETENTION_IN_DAYS,
  EKS_CLUSTER_NAME,
  EKS_CLUSTER_NAME_ALLOWED,
  KMS_KEY_ARN,
  KMS_KEY_ARN_ALLOWED,
  LOG_RETENTION_DAYS,
  PARTITIONS,
  Partition,
  eksClusterLogGroupName,
} from "../../lib/aws";
import { readableAddress } from "../../lib/addresses";
import { importExisting } from "../../lib/terraform-floor";
import { FieldNames, Problem, Problems, propsNames, throwProblems } from "../../lib/problem";

/** What EKS needs to create a cluster. Only for clusters this stack creates. */
export interface NewEksClusterOptions {
  /** ARN of the IAM role EKS assumes to manage the cluster (`role_arn`). */
  readonly roleArn: string;
  /** At least two subnets in different Availability Zones (`vpc_config.subnet_ids`). */
  readonly subnetIds: readonly string[];
  /**
   * Extra security groups for the control-plane ENIs.
   * @default - none
   */
  readonly securityGroupIds?: readonly string[];
  /**
   * Kubernetes minor version, e.g. "1.33".
   * @default - EKS's default version at creation time
   */
  readonly kubernetesVersion?: string;
  /** @default true */
  readonly endpointPrivateAccess?: boolean;
  /** @default false */
  readonly endpointPublicAccess?: boolean;
  /**
   * CIDRs allowed to reach the public endpoint (only with `endpointPublicAccess`).
   * @default - EKS's default (0.0.0.0/0) when the public endpoint is on
   */
  readonly publicAccessCidrs?: readonly string[];
  /** `access_config.authentication_mode`. @default "API_AND_CONFIG_MAP" */
  readonly authenticationMode?: "API" | "API_AND_CONFIG_MAP" | "CONFIG_MAP";
  /**
   * `lifecycle.prevent_destroy` on the cluster.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/** How to adopt a cluster that already exists, to manage its logging setting only. */
export interface ExistingEksClusterOptions {
  /**
   * Whether `/aws/eks/<name>/cluster` already exists (logging was on at some point: EKS creates the group and never
   * deletes it). `true`: the log group is imported so its retention and KMS key are managed. `false`: it is created
   * before logging is turned on.
   * @default false
   */
  readonly logGroupExists?: boolean;
}

/**
 * Which cluster gets audit logging: one this stack creates, or one that exists and is adopted for its logging
 * setting only. Enum-like class (AWS CDK style): build it with {@link EksClusterSource.newCluster} or
 * {@link EksClusterSource.existingCluster}.
 */
export class EksClusterSource {
  /** A cluster this stack creates (`aws_eks_cluster` with the log types). */
  public static newCluster(options: NewEksClusterOptions): EksClusterSource {
    return new EksClusterSource({ mode: "new", options });
  }

  /** A cluster that exists: imported, every attribute but the log types ignored, never destroyed. */
  public static existingCluster(options: ExistingEksClusterOptions = {}): EksClusterSource {
    return new EksClusterSource({ mode: "existing", options });
  }

  private constructor(
    /** The mode and its options, as a tagged union on `mode`. */
    public readonly spec:
      { readonly mode: "new"; readonly options: NewEksClusterOptions } | { readonly mode: "existing"; readonly options: ExistingEksClusterOptions },
  ) {}
}

export interface EksAuditLoggingProps {
  /** The EKS cluster name. */
  readonly clusterName: string;
  /**
   * The cluster: `EksClusterSource.newCluster({...})` (this stack creates it) or
   * `EksClusterSource.existingCluster({...})` (adopted for its logging setting only).
   */
  readonly cluster: EksClusterSource;
  /**
   * Log types to enable besides `audit`, which is always enabled.
   * For an existing cluster, list every type that is already on, or the first apply turns it off.
   * @default - none (audit only)
   */
  readonly additionalLogTypes?: readonly ClusterLogType[];
  /**
   * Retention of the audit log group in days; one of CloudWatch's allowed values (never "0 = forever").
   * @default 90
   */
  readonly logRetentionInDays?: number;
  /**
   * KMS key ARN to encrypt the log group. Its key policy must allow `logs.<region>.amazonaws.com`.
   * @default - CloudWatch Logs' own encryption
   */
  readonly kmsKeyArn?: string;
  /**
   * AWS partition of the account, used in the placeholder role ARN of an adopted cluster.
   * @default "aws"
   */
  readonly awsPartition?: Partition;
  /**
   * The AWS provider of the cluster's region (e.g. an aliased provider for another region).
   * @default - the stack's default AWS provider
   */
  readonly awsProvider?: TerraformProvider;
}

/**
 * Every `aws_eks_cluster` argument and block except `enabled_cluster_log_types` (hashicorp/aws 5.100.0 schema,
 * from `terraform providers schema -json`). An adopted cluster ignores all of them, so the only change Terraform can
 * ever make to it is the logging setting. `bootstrap_self_managed_addons` and
 * `access_config[0].bootstrap_cluster_creator_admin_permissions` are the two that otherwise force replacement after
 * import (hashicorp/terraform-provider-aws#39058).
 */
export const ADOPTED_CLUSTER_IGNORED_ATTRIBUTES = [
  "access_config",
  "bootstrap_self_managed_addons",
  "compute_config",
  "encryption_config",
  "force_update_version",
  "kubernetes_network_config",
  "name",
  "outpost_config",
  "remote_network_config",
  "role_arn",
  "storage_config",
  "tags",
  "tags_all",
  "upgrade_policy",
  "version",
  "vpc_config",
  "zonal_shift_config",
] as const;

/** Placeholder subnet for an adopted cluster's required `vpc_config`; ignored by the lifecycle, never sent. */
export const ADOPTED_CLUSTER_PLACEHOLDER_SUBNET = "subnet-00000000000000000";

/**
 * EKS control-plane audit logging for one cluster: the `/aws/eks/<name>/cluster` log group (finite retention,
 * optional KMS), created before logging is turned on, and the cluster with `audit` in `enabled_cluster_log_types`,
 * either created here or adopted (imported) with every other attribute ignored.
 */
export class EksAuditLogging extends Construct {
  /** The EKS cluster name. */
  public readonly clusterName: string;
  /** `/aws/eks/<name>/cluster`: where EKS writes control-plane logs. */
  public readonly auditLogGroupName: string;
  /** ARN of the log group (without the `:*` suffix). */
  public readonly auditLogGroupArn: string;
  /** The enabled log types, sorted, `audit` included. */
  public readonly enabledLogTypes: readonly ClusterLogType[];
  public readonly logGroup: CloudwatchLogGroup;
  public readonly cluster: EksCluster;

  constructor(scope: Construct, id: string, props: EksAuditLoggingProps) {
    super(scope, id);
    throwProblems(`eks audit logging "${this.node.path}"`, eksAuditLoggingProblems(props));
    const source = props.cluster.spec;

    this.clusterName = props.clusterName;
    this.auditLogGroupName = eksClusterLogGroupName(props.clusterName);
    this.enabledLogTypes = CLUSTER_LOG_TYPES.filter((t) => t === "audit" || (props.additionalLogTypes ?? []).includes(t));
    this.logGroup = this.auditLogGroup(props, source.mode === "existing" && source.options.logGroupExists === true);
    this.auditLogGroupArn = this.logGroup.arn;
    this.cluster = source.mode === "existing" ? this.adoptedCluster(props) : this.newCluster(props, source.options);
    readableAddress(this.cluster, "cluster", props.clusterName);
  }

  /** `/aws/eks/<name>/cluster` with finite retention (imported when EKS created it already). */
  private auditLogGroup(props: EksAuditLoggingProps, exists: boolean): CloudwatchLogGroup {
    const logGroup = new CloudwatchLogGroup(this, "AuditLogGroup", {
      provider: props.awsProvider,
      name: this.auditLogGroupName,
      retentionInDays: props.logRetentionInDays ?? DEFAULT_LOG_RETENTION_IN_DAYS,
      kmsKeyId: props.kmsKeyArn,
    });
    readableAddress(logGroup, "audit_log_group", props.clusterName);
    if (exists) importExisting(logGroup, this.auditLogGroupName, props.awsProvider);
    return logGroup;
  }

  /** What every cluster resource sets: the name and log types, after the log group. */
  private clusterCommon(props: EksAuditLoggingProps) {
    return {
      provider: props.awsProvider,
      name: props.clusterName,
      enabledClusterLogTypes: [...this.enabledLogTypes],
      // The log group must exist first, or EKS creates its own with retention "never expire".
      dependsOn: [this.logGroup],
    };
  }

  /** An existing cluster, imported, every attribute but the log types ignored, never destroyed. */
  private adoptedCluster(props: EksAuditLoggingProps): EksCluster {
    const cluster = new EksCluster(this, "Cluster", {
      ...this.clusterCommon(props),
      // Required by the schema; never sent to AWS: the lifecycle ignores them and import fills the state.
      roleArn: `arn:${props.awsPartition ?? "aws"}:iam::000000000000:role/adopted-cluster-role-ignored`,
      vpcConfig: { subnetIds: [ADOPTED_CLUSTER_PLACEHOLDER_SUBNET] },
      lifecycle: { ignoreChanges: [...ADOPTED_CLUSTER_IGNORED_ATTRIBUTES], preventDestroy: true },
    });
    importExisting(cluster, props.clusterName, props.awsProvider);
    return cluster;
  }

  /** A cluster this stack creates, private endpoint by default, `prevent_destroy` by default. */
  private newCluster(props: EksAuditLoggingProps, c: NewEksClusterOptions): EksCluster {
    return new EksCluster(this, "Cluster", {
      ...this.clusterCommon(props),
      roleArn: c.roleArn,
      version: c.kubernetesVersion,
      vpcConfig: {
        subnetIds: [...c.subnetIds],
        securityGroupIds: c.securityGroupIds !== undefined ? [...c.securityGroupIds] : undefined,
        endpointPrivateAccess: c.endpointPrivateAccess ?? true,
        endpointPublicAccess: c.endpointPublicAccess ?? false,
        publicAccessCidrs: c.publicAccessCidrs !== undefined && c.publicAccessCidrs.length > 0 ? [...c.publicAccessCidrs] : undefined,
      },
      accessConfig: {
        authenticationMode: c.authenticationMode ?? "API_AND_CONFIG_MAP",
        bootstrapClusterCreatorAdminPermissions: true,
      },
      lifecycle: { preventDestroy: c.preventDestroy ?? true },
    });
  }
}

/** The cluster source of the props, or undefined when `cluster` was not built by {@link EksClusterSource}. */
function clusterSource(props: EksAuditLoggingProps): EksClusterSource | undefined {
  // By shape, not instanceof: two copies of this package in one app must accept each other's sources.
  const mode = (props.cluster as { readonly spec?: { readonly mode?: unknown } } | undefined)?.spec?.mode;
  return mode === "new" || mode === "existing" ? props.cluster : undefined;
}

/**
 * Every problem of the props (empty when valid). Pure: the constructor throws them all at once.
 */
export function eksAuditLoggingProblems(props: EksAuditLoggingProps): Problem[] {
  const p = new Problems();
  const name = props.clusterName;
  if (!Token.isUnresolved(name) && !EKS_CLUSTER_NAME.test(name)) p.add("clusterName", name, EKS_CLUSTER_NAME_ALLOWED);
  if (clusterSource(props) === undefined) {
    p.addDescribed(
      "cluster",
      props.cluster === undefined ? "nothing" : "a value not built by EksClusterSource",
      "EksClusterSource.newCluster(...) (this stack creates the cluster) or EksClusterSource.existingCluster(...) (adopt it for logging only)",
    );
  }
  const retention = props.logRetentionInDays;
  if (retention !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
    p.add("logRetentionInDays", retention, `one of ${LOG_RETENTION_DAYS.join(", ")}`);
  }
  for (const t of props.additionalLogTypes ?? []) {
    if (!(CLUSTER_LOG_TYPES as readonly string[]).includes(t) || t === "audit") {
      p.add("additionalLogTypes", t, "api, authenticator, controllerManager, scheduler (audit is always on)");
    }
  }
  if (props.awsPartition !== undefined && !PARTITIONS.includes(props.awsPartition))
    p.add("awsPartition", props.awsPartition, `one of ${PARTITIONS.join(", ")}`);
  const kms = props.kmsKeyArn;
  if (kms !== undefined && !Token.isUnresolved(kms) && !KMS_KEY_ARN.test(kms)) p.add("kmsKeyArn", kms, KMS_KEY_ARN_ALLOWED);
  const source = clusterSource(props)?.spec;
  if (source?.mode === "new") {
    const c = source.options;
    if (!Token.isUnresolved(c.subnetIds) && c.subnetIds.length < 2) {
      p.addDescribed("newCluster.subnetIds", `${c.subnetIds.length} subnet(s)`, "at least 2, in different Availability Zones");
    }
    p.addAll(eksEndpointProblems(c, (f) => `newCluster.${f}`));
  }
  return p.list;
}

/**
 * The endpoint rules of a cluster this stack creates, stated once for the construct and the config (which passes its
 * own field names): the API server needs an endpoint, and public access CIDRs only mean something with the public
 * endpoint on (EKS `vpc_config`, https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html).
 */
export function eksEndpointProblems(
  options: Pick<NewEksClusterOptions, "endpointPrivateAccess" | "endpointPublicAccess" | "publicAccessCidrs">,
  names: FieldNames = propsNames,
): Problem[] {
  const p = new Problems();
  const publicAccess = options.endpointPublicAccess ?? false;
  if (!(options.endpointPrivateAccess ?? true) && !publicAccess) {
    p.add(names("endpointPublicAccess"), publicAccess, `true when ${names("endpointPrivateAccess")} is false (the API server needs an endpoint)`);
  }
  const cidrs = options.publicAccessCidrs ?? [];
  if (!Token.isUnresolved(cidrs) && cidrs.length > 0 && !publicAccess) {
    p.add(names("publicAccessCidrs"), cidrs, `empty when ${names("endpointPublicAccess")} is false`);
  }
  return p.list;
}
