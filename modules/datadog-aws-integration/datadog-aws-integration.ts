import { Construct } from "constructs";
import { ITerraformDependable, TerraformProvider, Token } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { IntegrationAwsAccount } from "@cdktf/provider-datadog/lib/integration-aws-account";
import { IntegrationAwsExternalId } from "@cdktf/provider-datadog/lib/integration-aws-external-id";
import { DataDatadogIntegrationAwsExternalId } from "@cdktf/provider-datadog/lib/data-datadog-integration-aws-external-id";
import {
  IAM_PATH,
  IAM_PATH_ALLOWED,
  IAM_POLICY_ARN,
  IAM_POLICY_ARN_ALLOWED,
  IAM_ROLE_NAME,
  IAM_ROLE_NAME_ALLOWED,
  Partition,
  REGIONS_BY_PARTITION,
} from "../../lib/aws";
import { datadogTrustedAccountId } from "../../lib/datadog-accounts";
import { datadogIntegrationActions } from "./iam-permissions";
import { permissionsPolicyJson, splitActionsIntoPolicies } from "./policy-split";
import { readableAddress } from "../../lib/addresses";
import { FieldNames, Problem, Problems, propsNames, throwProblems } from "../../lib/problem";

/** Datadog's default metric namespace exclusions (provider 3.82 `metrics_config.namespace_filters.exclude_only`). */
export const DATADOG_DEFAULT_EXCLUDED_NAMESPACES: readonly string[] = ["AWS/SQS", "AWS/ElasticMapReduce", "AWS/Usage"];

/** Default name of the role Datadog assumes: the name Datadog's own CloudFormation template gives it. */
export const DATADOG_INTEGRATION_DEFAULT_ROLE_NAME = "DatadogIntegrationRole";

/** Default IAM path of the role and its policies. */
export const DATADOG_INTEGRATION_DEFAULT_ROLE_PATH = "/";

/** IAM's default quota of managed policies attached to one role (adjustable to 20). */
export const IAM_MANAGED_POLICIES_PER_ROLE = 10;

export interface DatadogAwsIntegrationProps {
  /** The AWS account to integrate, 12 digits. */
  readonly awsAccountId: string;
  /** The Datadog site of the organisation, e.g. `datadoghq.com`, `datadoghq.eu`, `ddog-gov.com`. */
  readonly datadogSite: string;
  /**
   * AWS partition of the account: `aws` or `aws-us-gov` (`aws-cn` is rejected: Datadog documents no account to trust).
   * @default "aws"
   */
  readonly awsPartition?: Partition;
  /**
   * Name of the IAM role Datadog assumes (created here, or the existing one when `createRole` is false).
   * @default "DatadogIntegrationRole"
   */
  readonly roleName?: string;
  /**
   * IAM path of the role and of its managed policies.
   * @default "/"
   */
  readonly rolePath?: string;
  /**
   * ARN of a permissions boundary to set on the role.
   * @default - no permissions boundary
   */
  readonly rolePermissionsBoundaryArn?: string;
  /**
   * Create the IAM role and its policies. False = bring your own role: it is referenced by `roleName` and nothing
   * IAM is created.
   * @default true
   */
  readonly createRole?: boolean;
  /**
   * Create the Datadog side (`datadog_integration_aws_external_id` + `datadog_integration_aws_account`). False = the
   * integration already exists in Datadog; the role (if created) then trusts the existing integration's external ID
   * (`externalId`, or looked up with the `datadog_integration_aws_external_id` data source).
   * @default true
   */
  readonly createIntegration?: boolean;
  /**
   * External ID of an existing integration, used only when `createIntegration` is false and `createRole` is true.
   * @default - read from the `datadog_integration_aws_external_id` data source by account id
   */
  readonly externalId?: string;
  /**
   * Attach the AWS-managed `SecurityAudit` policy (needed for Cloud Security Posture Management and resource
   * collection).
   * @default true
   */
  readonly attachSecurityAuditPolicy?: boolean;
  /**
   * Grant the log-collection permissions (automatic Forwarder triggers).
   * @default true
   */
  readonly logCollectionPermissions?: boolean;
  /**
   * Regions Datadog collects from (`aws_regions.include_only`).
   * @default - all regions (`aws_regions.include_all = true`)
   */
  readonly regions?: string[];
  /**
   * Tags Datadog applies to all metrics of the account (`account_tags`).
   * @default []
   */
  readonly accountTags?: string[];
  /**
   * ARNs of the Datadog Forwarder Lambda functions (`logs_config.lambda_forwarder.lambdas`).
   * @default []
   */
  readonly logsForwarderArns?: string[];
  /**
   * AWS log sources Datadog subscribes automatically (`logs_config.lambda_forwarder.sources`); the valid ids come
   * from `GET /api/v2/integration/aws/logs/services`. Audit logs of EKS are subscribed by this project explicitly.
   * @default []
   */
  readonly logsSources?: string[];
  /**
   * Collect CloudWatch metrics (`metrics_config.enabled`).
   * @default true
   */
  readonly metricsEnabled?: boolean;
  /**
   * Mute monitors of instances that AWS stopped on purpose (`metrics_config.automute_enabled`).
   * @default true
   */
  readonly metricsAutomuteEnabled?: boolean;
  /**
   * Collect CloudWatch alarms (`metrics_config.collect_cloudwatch_alarms`).
   * @default false
   */
  readonly metricsCollectCloudwatchAlarms?: boolean;
  /**
   * Collect custom metrics (`metrics_config.collect_custom_metrics`).
   * @default false
   */
  readonly metricsCollectCustomMetrics?: boolean;
  /**
   * Namespaces to exclude (`metrics_config.namespace_filters.exclude_only`). Mutually exclusive with
   * `metricsIncludeOnlyNamespaces`.
   * @default ["AWS/SQS", "AWS/ElasticMapReduce", "AWS/Usage"]
   */
  readonly metricsExcludeOnlyNamespaces?: string[];
  /**
   * Namespaces to collect exclusively (`metrics_config.namespace_filters.include_only`).
   * @default - exclusion list instead
   */
  readonly metricsIncludeOnlyNamespaces?: string[];
  /**
   * Extended resource collection (`resources_config.extended_collection`); also grants the resource-collection
   * permissions to the role.
   * @default true
   */
  readonly resourcesExtendedCollection?: boolean;
  /**
   * Cloud Security Posture Management collection (`resources_config.cloud_security_posture_management_collection`);
   * requires `resourcesExtendedCollection`.
   * @default false
   */
  readonly resourcesCspmCollection?: boolean;
  /**
   * Collect X-Ray traces of all services (`traces_config.xray_services.include_all`).
   * @default false
   */
  readonly tracesXrayIncludeAll?: boolean;
  /**
   * X-Ray services to collect (`traces_config.xray_services.include_only`).
   * @default []
   */
  readonly tracesXrayIncludeOnly?: string[];
  /**
   * AWS tags for the role and policies.
   * @default {}
   */
  readonly tags?: { [key: string]: string };
  /**
   * AWS provider for the IAM resources.
   * @default - the stack's default AWS provider
   */
  readonly awsProvider?: TerraformProvider;
  /**
   * Datadog provider for the Datadog resources.
   * @default - the stack's default Datadog provider
   */
  readonly datadogProvider?: TerraformProvider;
}

const AWS_ACCOUNT_ID = /^\d{12}$/;
const LAMBDA_ARN = /^arn:aws(-us-gov|-cn)?:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}$/;

/**
 * The "Datadog AWS integration" step of the guide: an IAM role Datadog's account for the site may assume (with the
 * external ID), the documented permissions split into managed policies of at most 6,144 characters, the AWS-managed
 * `SecurityAudit` policy, and the v2 `datadog_integration_aws_account` with every configuration block set explicitly.
 * Only what is missing is created: see `createRole` / `createIntegration`.
 */
export class DatadogAwsIntegration extends Construct {
  /** Name of the integration role (created or existing). @attribute */
  public readonly integrationRoleName: string;
  /** ARN of the created role; undefined when the role is brought. @attribute */
  public readonly integrationRoleArn?: string;
  /** The external ID the role trusts (token). @attribute */
  public readonly integrationExternalId: string;
  /** The Datadog account trusted by the role. */
  public readonly integrationTrustedAccountId: string;
  /** Number of customer-managed permission policies created. */
  public readonly integrationPolicyCount: number;

  constructor(scope: Construct, id: string, props: DatadogAwsIntegrationProps) {
    super(scope, id);
    throwProblems(`datadog aws integration "${this.node.path}"`, datadogAwsIntegrationProblems(props));
    const partition = props.awsPartition ?? "aws";
    this.integrationRoleName = props.roleName ?? DATADOG_INTEGRATION_DEFAULT_ROLE_NAME;
    this.integrationTrustedAccountId = (datadogTrustedAccountId(props.datadogSite, partition) as { accountId: string }).accountId;
    this.integrationExternalId = this.externalId(props);

    let roleDependencies: ITerraformDependable[] = [];
    if (props.createRole ?? true) {
      const role = this.integrationRole(props);
      this.integrationRoleArn = role.arn;
      const policies = this.permissionPolicies(props, role);
      this.integrationPolicyCount = policies.length;
      roleDependencies = [role, ...policies, ...this.securityAuditPolicy(props, role)];
    } else {
      this.integrationPolicyCount = 0;
    }
    if (props.createIntegration ?? true) this.integrationAccount(props, roleDependencies);
  }

  /** The external ID the role trusts: created (new integration), given, or read from the existing integration. */
  private externalId(props: DatadogAwsIntegrationProps): string {
    if (props.createIntegration ?? true) {
      return readableAddress(new IntegrationAwsExternalId(this, "ExternalId", { provider: props.datadogProvider }), "datadog_integration").id;
    }
    if (props.externalId !== undefined) return props.externalId;
    const existing = new DataDatadogIntegrationAwsExternalId(this, "ExistingExternalId", {
      provider: props.datadogProvider,
      awsAccountId: props.awsAccountId,
    });
    return readableAddress(existing, "datadog_integration").externalId;
  }

  /** The role Datadog's account for the site and partition assumes, with the external ID. */
  private integrationRole(props: DatadogAwsIntegrationProps): IamRole {
    const role = new IamRole(this, "Role", {
      provider: props.awsProvider,
      name: this.integrationRoleName,
      path: props.rolePath ?? DATADOG_INTEGRATION_DEFAULT_ROLE_PATH,
      description: "Role the Datadog AWS integration assumes",
      permissionsBoundary: props.rolePermissionsBoundaryArn,
      assumeRolePolicy: datadogTrustPolicyJson(props.awsPartition ?? "aws", this.integrationTrustedAccountId, this.integrationExternalId),
      tags: props.tags,
    });
    return readableAddress(role, "datadog_integration");
  }

  /** The documented permissions as managed policies of at most 6,144 characters, attached to the role (attachments returned). */
  private permissionPolicies(props: DatadogAwsIntegrationProps, role: IamRole): IamRolePolicyAttachment[] {
    const { chunks, sidFor } = permissionPolicies(props);
    return chunks.map((chunk, index) => {
      const n = index + 1;
      const policy = new IamPolicy(this, `Policy${n}`, {
        provider: props.awsProvider,
        name: `${this.integrationRoleName}-ManagedPolicy-${n}`,
        path: props.rolePath ?? DATADOG_INTEGRATION_DEFAULT_ROLE_PATH,
        description: `Datadog AWS integration permissions, part ${n} of ${chunks.length}`,
        policy: permissionsPolicyJson(chunk, sidFor(n)),
        tags: props.tags,
      });
      readableAddress(policy, "datadog_integration", `${n}`);
      const attachment = new IamRolePolicyAttachment(this, `Policy${n}Attachment`, {
        provider: props.awsProvider,
        role: role.name,
        policyArn: policy.arn,
      });
      return readableAddress(attachment, "datadog_integration", `${n}`);
    });
  }

  /** The AWS-managed `SecurityAudit` policy attached to the role, unless `attachSecurityAuditPolicy` is false. */
  private securityAuditPolicy(props: DatadogAwsIntegrationProps, role: IamRole): IamRolePolicyAttachment[] {
    if (!(props.attachSecurityAuditPolicy ?? true)) return [];
    const attachment = new IamRolePolicyAttachment(this, "SecurityAuditAttachment", {
      provider: props.awsProvider,
      role: role.name,
      policyArn: `arn:${props.awsPartition ?? "aws"}:iam::aws:policy/SecurityAudit`,
    });
    return [readableAddress(attachment, "datadog_integration_security_audit")];
  }

  /** The v2 `datadog_integration_aws_account`, every configuration block set explicitly. */
  private integrationAccount(props: DatadogAwsIntegrationProps, dependencies: ITerraformDependable[]): IntegrationAwsAccount {
    const account = new IntegrationAwsAccount(this, "Account", {
      provider: props.datadogProvider,
      dependsOn: dependencies.length > 0 ? dependencies : undefined,
      awsAccountId: props.awsAccountId,
      awsPartition: props.awsPartition ?? "aws",
      accountTags: props.accountTags ?? [],
      authConfig: { awsAuthConfigRole: { roleName: this.integrationRoleName, externalId: this.integrationExternalId } },
      awsRegions: props.regions !== undefined ? { includeOnly: [...props.regions] } : { includeAll: true },
      logsConfig: {
        lambdaForwarder: { lambdas: [...(props.logsForwarderArns ?? [])], sources: [...(props.logsSources ?? [])] },
      },
      metricsConfig: {
        enabled: props.metricsEnabled ?? true,
        automuteEnabled: props.metricsAutomuteEnabled ?? true,
        collectCloudwatchAlarms: props.metricsCollectCloudwatchAlarms ?? false,
        collectCustomMetrics: props.metricsCollectCustomMetrics ?? false,
        namespaceFilters:
          props.metricsIncludeOnlyNamespaces !== undefined
            ? { includeOnly: [...props.metricsIncludeOnlyNamespaces] }
            : { excludeOnly: [...(props.metricsExcludeOnlyNamespaces ?? DATADOG_DEFAULT_EXCLUDED_NAMESPACES)] },
      },
      resourcesConfig: {
        extendedCollection: props.resourcesExtendedCollection ?? true,
        cloudSecurityPostureManagementCollection: props.resourcesCspmCollection ?? false,
      },
      tracesConfig: {
        xrayServices: (props.tracesXrayIncludeAll ?? false) ? { includeAll: true } : { includeOnly: [...(props.tracesXrayIncludeOnly ?? [])] },
      },
    });
    return readableAddress(account, "datadog_integration");
  }
}

/**
 * The role's trust policy: Datadog's account for the site and partition may assume the role only with the external
 * ID (confused-deputy protection). Plain minified JSON; the external ID is a Terraform reference inside a string,
 * so the synthesized output is deterministic.
 */
export function datadogTrustPolicyJson(partition: string, trustedAccountId: string, externalId: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DatadogAWSIntegrationAssumeRole",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${trustedAccountId}:root` },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": externalId } },
      },
    ],
  });
}

/** The role's permission policies: the documented actions split into policies of at most 6,144 characters. */
function permissionPolicies(props: DatadogAwsIntegrationProps): { chunks: string[][]; sidFor: (n: number) => string } {
  const actions = datadogIntegrationActions({
    resourceCollection: props.resourcesExtendedCollection ?? true,
    logCollection: props.logCollectionPermissions ?? true,
  });
  const sidFor = (n: number) => `DatadogAWSIntegration${n}`;
  return { chunks: splitActionsIntoPolicies(actions, sidFor), sidFor };
}

/**
 * Every problem of the props (empty when valid). Pure: the constructor throws them all at once, before creating
 * anything.
 */
export function datadogAwsIntegrationProblems(props: DatadogAwsIntegrationProps): Problem[] {
  const p = new Problems();
  p.addAll(integrationPartitionProblems(props));
  if (!Token.isUnresolved(props.awsAccountId) && !AWS_ACCOUNT_ID.test(props.awsAccountId)) p.add("awsAccountId", props.awsAccountId, "12 digits");
  const roleName = props.roleName ?? DATADOG_INTEGRATION_DEFAULT_ROLE_NAME;
  if (!Token.isUnresolved(roleName) && !IAM_ROLE_NAME.test(roleName)) p.add("roleName", roleName, IAM_ROLE_NAME_ALLOWED);
  const rolePath = props.rolePath ?? DATADOG_INTEGRATION_DEFAULT_ROLE_PATH;
  if (!IAM_PATH.test(rolePath)) p.add("rolePath", rolePath, IAM_PATH_ALLOWED);
  const boundary = props.rolePermissionsBoundaryArn;
  if (boundary !== undefined && !Token.isUnresolved(boundary) && !IAM_POLICY_ARN.test(boundary))
    p.add("rolePermissionsBoundaryArn", boundary, IAM_POLICY_ARN_ALLOWED);
  const regions = props.regions;
  if (regions !== undefined) {
    if (regions.length === 0) p.add("regions", regions, "omit it for all regions, or list at least one region");
    if (new Set(regions).size !== regions.length) p.add("regions", regions, "each region once");
  }
  const badForwarders = (props.logsForwarderArns ?? []).filter((arn) => !Token.isUnresolved(arn) && !LAMBDA_ARN.test(arn));
  if (badForwarders.length > 0) {
    p.add("logsForwarderArns", badForwarders, "Lambda function ARNs (e.g. a DatadogForwarder's forwarderArn)");
  }
  p.addAll(integrationChoiceProblems(props));
  if ((props.tracesXrayIncludeAll ?? false) && (props.tracesXrayIncludeOnly ?? []).length > 0) {
    p.add("tracesXrayIncludeOnly", props.tracesXrayIncludeOnly, "absent when tracesXrayIncludeAll is true (choose one)");
  }
  const createRole = props.createRole ?? true;
  const createIntegration = props.createIntegration ?? true;
  if (!createRole && !createIntegration)
    p.addDescribed("createRole/createIntegration", "false and false", "at least one true (nothing to create: remove the construct instead)");
  if (createRole) {
    const attached = permissionPolicies(props).chunks.length + ((props.attachSecurityAuditPolicy ?? true) ? 1 : 0);
    if (attached > IAM_MANAGED_POLICIES_PER_ROLE) {
      p.addDescribed(
        "resourcesExtendedCollection",
        `true, which gives the role ${attached} managed policies`,
        `at most ${IAM_MANAGED_POLICIES_PER_ROLE} managed policies per role, IAM's default quota (raise the quota, or set resourcesExtendedCollection to false)`,
      );
    }
  }
  return p.list;
}

/**
 * The rules between the integration's choices, stated once for the construct and the config (which passes its own
 * field names): an external ID only for an existing integration with a new role, a permissions boundary only on a
 * role this stack creates, one of the metric namespace filters, CSPM only with extended resource collection
 * (provider 3.82 `datadog_integration_aws_account`; docs.datadoghq.com/integrations/amazon_web_services/).
 */
export function integrationChoiceProblems(
  props: Pick<
    DatadogAwsIntegrationProps,
    | "externalId"
    | "createIntegration"
    | "createRole"
    | "rolePermissionsBoundaryArn"
    | "metricsExcludeOnlyNamespaces"
    | "metricsIncludeOnlyNamespaces"
    | "resourcesCspmCollection"
    | "resourcesExtendedCollection"
  >,
  names: FieldNames = propsNames,
): Problem[] {
  const p = new Problems();
  const createRole = props.createRole ?? true;
  const createIntegration = props.createIntegration ?? true;
  if (props.externalId !== undefined && (createIntegration || !createRole)) {
    p.add(
      names("externalId"),
      props.externalId,
      `absent unless ${names("createIntegration")} is false and ${names("createRole")} is true (a new integration generates its own)`,
    );
  }
  if (!createRole && props.rolePermissionsBoundaryArn !== undefined) {
    p.add(
      names("rolePermissionsBoundaryArn"),
      props.rolePermissionsBoundaryArn,
      `absent when ${names("createRole")} is false (the boundary of a brought role is managed elsewhere)`,
    );
  }
  if (props.metricsExcludeOnlyNamespaces !== undefined && props.metricsIncludeOnlyNamespaces !== undefined) {
    p.add(
      names("metricsIncludeOnlyNamespaces"),
      props.metricsIncludeOnlyNamespaces,
      `absent when ${names("metricsExcludeOnlyNamespaces")} is set (choose one)`,
    );
  }
  if ((props.resourcesCspmCollection ?? false) && !(props.resourcesExtendedCollection ?? true)) {
    p.add(
      names("resourcesCspmCollection"),
      true,
      `false when ${names("resourcesExtendedCollection")} is false (CSPM needs extended resource collection)`,
    );
  }
  return p.list;
}

/**
 * The rules between the Datadog site, the AWS partition and the regions collected, stated once for the construct and
 * the config: a site that serves the partition (see {@link datadogTrustedAccountId}), regions of that partition.
 */
export function integrationPartitionProblems(
  props: Pick<DatadogAwsIntegrationProps, "datadogSite" | "awsPartition" | "regions">,
  names: FieldNames = propsNames,
): Problem[] {
  const p = new Problems();
  const partition = props.awsPartition ?? "aws";
  const trust = datadogTrustedAccountId(props.datadogSite, partition, names);
  if ("problem" in trust) p.addAll([trust.problem]);
  const known = REGIONS_BY_PARTITION[partition];
  // An unknown partition is reported above: its regions are not checked.
  if (known !== undefined)
    (props.regions ?? []).forEach((r, i) => {
      if (!known.includes(r)) p.add(`${names("regions")}[${i}]`, r, `a region of partition ${partition}`);
    });
  return p.list;
}
