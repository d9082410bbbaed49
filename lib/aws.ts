/**
 * AWS facts the config validator and the modules share.
 * Sources: AWS General Reference "Regions and endpoints" (region codes per partition); EKS API reference
 * `CreateCluster` (cluster name rules; log types); CloudWatch Logs API reference `PutRetentionPolicy`
 * (allowed `retentionInDays`).
 */

export const PARTITIONS = ["aws", "aws-us-gov", "aws-cn"] as const;
export type Partition = (typeof PARTITIONS)[number];

/** Region codes per partition (commercial regions generally available as of 2026). */
export const REGIONS_BY_PARTITION: Readonly<Record<Partition, readonly string[]>> = {
  aws: [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
  ],
  "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
  "aws-cn": ["cn-north-1", "cn-northwest-1"],
};

export const ALL_REGIONS: readonly string[] = Object.values(REGIONS_BY_PARTITION).flat();

/** The shape of a region code (any partition, including ones not listed above), e.g. us-east-1, us-gov-west-1. */
export const AWS_REGION_CODE = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$/;

export function partitionOfRegion(region: string): Partition | undefined {
  return PARTITIONS.find((p) => REGIONS_BY_PARTITION[p].includes(region));
}

/** EKS control-plane log types (`enabled_cluster_log_types`), case-sensitive. */
export const CLUSTER_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
export type ClusterLogType = (typeof CLUSTER_LOG_TYPES)[number];

/**
 * CloudWatch Logs retention values (`PutRetentionPolicy`). 0 ("never expire") is deliberately absent: audit logs
 * kept forever are a cost and privacy liability, so this project requires a finite retention.
 */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** EKS cluster names: 1-100 characters, start with a letter or digit, then letters, digits, hyphens, underscores. */
export const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

/** The log group EKS writes control-plane logs to; the name is fixed by EKS. */
export function eksClusterLogGroupName(clusterName: string): string {
  return `/aws/eks/${clusterName}/cluster`;
}

/** What {@link EKS_CLUSTER_NAME} allows, in words (config and construct messages). */
export const EKS_CLUSTER_NAME_ALLOWED = "an EKS cluster name (1-100 letters, digits, hyphens, underscores; starting with a letter or digit)";

/** An ARN pattern of any partition this project knows (`aws`, `aws-us-gov`, `aws-cn`). */
export function arnPattern(service: string, resource: string): RegExp {
  return new RegExp(`^arn:aws(-us-gov|-cn)?:${service}:${resource}$`);
}

/** A KMS key ARN (`key/<uuid>`) or alias ARN (`alias/<name>`); KMS API reference, "Key identifiers (KeyId)". */
export const KMS_KEY_ARN = arnPattern("kms", "[a-z0-9-]+:[0-9]{12}:(key/[0-9a-f-]{36}|alias/[A-Za-z0-9/_-]+)");
export const KMS_KEY_ARN_ALLOWED = "a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)";

/** IAM role names (IAM API reference `CreateRole` `RoleName`): 1-64 of `[\w+=,.@-]`. */
export const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
export const IAM_ROLE_NAME_ALLOWED = "an IAM role name (1-64 letters, digits and +=,.@_-)";

/** IAM paths (IAM API reference `CreateRole` `Path`): `/`, or `/` + printable ASCII + `/`, at most 512 characters. */
export const IAM_PATH = /^\/([\x21-\x7e]{0,510}\/)?$/;
export const IAM_PATH_ALLOWED = 'an IAM path: "/" or one that starts and ends with "/", such as /datadog/';

/** An IAM role ARN. */
export const IAM_ROLE_ARN = arnPattern("iam", ":[0-9]{12}:role/[\\w+=,.@/-]{1,512}");
export const IAM_ROLE_ARN_ALLOWED = "an IAM role ARN";

/** An IAM managed policy ARN (customer-managed in an account, or AWS-managed `iam::aws:`). */
export const IAM_POLICY_ARN = arnPattern("iam", ":(\\d{12}|aws):policy/[\\w+=,.@/-]+");
export const IAM_POLICY_ARN_ALLOWED = "an IAM policy ARN";

/** A Secrets Manager secret ARN (`arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`). */
export const SECRETS_MANAGER_SECRET_ARN = arnPattern("secretsmanager", "[a-z0-9-]+:\\d{12}:secret:.+");
export const SECRETS_MANAGER_SECRET_ARN_ALLOWED = "a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>)";

/**
 * Default CloudWatch retention of the log groups this project creates (EKS audit, Forwarder): finite, and long
 * enough for an incident investigation.
 */
export const DEFAULT_LOG_RETENTION_IN_DAYS = 90;

/**
 * The largest CloudWatch Logs event, in bytes: "Each log event can be no larger than 1 MB" (CloudWatch Logs API
 * reference, `PutLogEvents`, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html;
 * "Event size" in https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html). It was 256 KB
 * until April 2025 (https://aws.amazon.com/about-aws/whats-new/2025/04/amazon-cloudwatch-logs-increases-log-event-size-1-mb/).
 */
export const CLOUDWATCH_MAX_EVENT_BYTES = 1024 * 1024;
