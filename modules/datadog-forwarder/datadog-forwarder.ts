import { Construct } from "constructs";
import { ITerraformDependable, TerraformProvider, Token } from "cdktf";
import { CloudformationStack } from "@cdktf/provider-aws/lib/cloudformation-stack";
import { CloudwatchLogSubscriptionFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-subscription-filter";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { DATADOG_SITES } from "../../lib/datadog-sites";
import {
  DEFAULT_LOG_RETENTION_IN_DAYS,
  EKS_CLUSTER_NAME,
  EKS_CLUSTER_NAME_ALLOWED,
  IAM_PATH,
  IAM_PATH_ALLOWED,
  IAM_POLICY_ARN,
  IAM_POLICY_ARN_ALLOWED,
  LOG_RETENTION_DAYS,
  SECRETS_MANAGER_SECRET_ARN,
  SECRETS_MANAGER_SECRET_ARN_ALLOWED,
  partitionOfRegion,
} from "../../lib/aws";
import { datadogTagProblem, datadogTagValue } from "../../lib/datadog-tags";
import { FieldNames, Problem, Problems, propsNames, show, throwProblems } from "../../lib/problem";
import {
  AuditLogFilterPattern,
  DEFAULT_SUBSCRIPTION_FILTERS_PER_LOG_GROUP,
  DEFAULT_SUBSCRIPTION_FILTER_NAME,
  SUBSCRIPTION_FILTER_NAME,
} from "./filter-patterns";
import {
  CLOUDFORMATION_STACK_NAME,
  CLOUDFORMATION_STACK_NAME_ALLOWED,
  DATADOG_FORWARDER_DEFAULT_NAME,
  DATADOG_FORWARDER_DEFAULT_VERSION,
  FORWARDER_FUNCTION_NAME,
  FORWARDER_MEMORY_SIZE_MIB,
  FORWARDER_TIMEOUT_SECONDS,
  TEMPLATE_BASE_URL,
  TEMPLATE_BASE_URL_ALLOWED,
  DATADOG_FORWARDER_TEMPLATE_BASE_URL,
  forwarderTemplateUrl,
  forwarderVersionProblem,
} from "./forwarder-template";
import { readableAddress } from "../../lib/addresses";

/** An EKS audit log group to subscribe to the Forwarder (same account and region as the Forwarder). */
export interface AuditLogGroup {
  /** The EKS cluster the log group belongs to (used for construct ids and messages). */
  readonly clusterName: string;
  /** Log group name, e.g. `/aws/eks/<cluster>/cluster`. */
  readonly logGroupName: string;
  /** Log group ARN without the `:*` suffix (as `aws_cloudwatch_log_group.arn` returns it). */
  readonly logGroupArn: string;
  /**
   * Subscription filters that already exist on the group and are not managed here (e.g. another SIEM, or
   * Datadog's automatic `DD_LOG_SUBSCRIPTION_FILTER_*`).
   * @default 0
   */
  readonly existingSubscriptionFilterCount?: number;
}

/** CloudFormation capabilities the Forwarder template needs (IAM roles with names, macros). */
export const DATADOG_FORWARDER_CAPABILITIES: readonly string[] = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"];

/** Template parameters this construct owns; `additionalParameters` may not set them. */
export const MANAGED_FORWARDER_PARAMETERS: readonly string[] = [
  "DdApiKey",
  "DdApiKeySecretArn",
  "DdApiKeySsmParameterName",
  "DdSite",
  "DdTags",
  "FunctionName",
  "MemorySize",
  "Timeout",
  "ReservedConcurrency",
  "LogRetentionInDays",
  "PermissionsBoundaryArn",
  "IamRolePath",
];

/** Options of the API-key secret the construct creates ({@link ForwarderApiKey.fromSecretValue}). */
export interface ForwarderApiKeySecretOptions {
  /**
   * Name of the created secret.
   * @default "datadog-forwarder-api-key"
   */
  readonly secretName?: string;
  /**
   * KMS key for the created secret.
   * @default - the AWS-managed key `aws/secretsmanager`
   */
  readonly kmsKeyId?: string;
  /**
   * Store the key through the write-only `secret_string_wo` (Terraform >= 1.11): the value never enters the state.
   * Bump the number to rotate.
   * @default - `secret_string` (the value is in the state, marked sensitive)
   */
  readonly writeOnlyVersion?: number;
}

/** The source a {@link ForwarderApiKey} stands for, as a tagged union on `mode`. */
export type ForwarderApiKeySpec =
  | { readonly mode: "secretArn"; readonly secretArn: string }
  | { readonly mode: "secretValue"; readonly value: string; readonly options: ForwarderApiKeySecretOptions };

/**
 * Where the Forwarder's Datadog API key comes from: an existing secret, or a secret the construct creates from a
 * token (never a literal). Enum-like class (AWS CDK style): build it with {@link ForwarderApiKey.fromSecretArn} or
 * {@link ForwarderApiKey.fromSecretValue}.
 */
export class ForwarderApiKey {
  /** An existing Secrets Manager secret holding the API key as plaintext, in the forwarder's region. */
  public static fromSecretArn(secretArn: string): ForwarderApiKey {
    return new ForwarderApiKey({ mode: "secretArn", secretArn });
  }

  /**
   * A secret created by the construct, filled with a token (e.g. a sensitive, ephemeral `TerraformVariable`'s
   * value). A literal string is rejected: it would be written to `cdktf.out/`.
   */
  public static fromSecretValue(value: string, options: ForwarderApiKeySecretOptions = {}): ForwarderApiKey {
    return new ForwarderApiKey({ mode: "secretValue", value, options });
  }

  private constructor(
    /** The source, as a tagged union on `mode`. */
    public readonly spec: ForwarderApiKeySpec,
  ) {}
}

export interface DatadogForwarderProps {
  /**
   * The Datadog API key's source: `ForwarderApiKey.fromSecretArn(arn)` (an existing plaintext secret in the
   * forwarder's region) or `ForwarderApiKey.fromSecretValue(token, options)` (a secret created here). The template
   * gets only the secret's ARN (`DdApiKeySecretArn`), never the key (`DdApiKey`).
   */
  readonly apiKey: ForwarderApiKey;
  /** Datadog site the Forwarder sends to (`DdSite`). */
  readonly datadogSite: string;
  /**
   * The AWS region of the Forwarder; used to check that every log group is in the same region.
   * @default - no region check
   */
  readonly region?: string;
  /**
   * The AWS provider of the forwarder's region (e.g. an aliased provider); set on every resource.
   * @default - the stack's default AWS provider
   */
  readonly awsProvider?: TerraformProvider;
  /**
   * Forwarder release to pin (`x.y.z`; never `latest`).
   * @default "5.4.14" (DATADOG_FORWARDER_DEFAULT_VERSION)
   */
  readonly forwarderVersion?: string;
  /**
   * Base URL of the versioned templates (mirror it for GovCloud or air-gapped accounts if needed).
   * @default "https://datadog-cloudformation-template.s3.amazonaws.com/aws/forwarder"
   */
  readonly templateBaseUrl?: string;
  /**
   * CloudFormation stack name.
   * @default "datadog-forwarder"
   */
  readonly stackName?: string;
  /**
   * Lambda function name (`FunctionName`). Must not be "DatadogForwarder" (the template then lets CloudFormation
   * generate a name) and must never change on an existing stack (the function is replaced and its triggers lost).
   * @default "datadog-forwarder"
   */
  readonly functionName?: string;
  /**
   * Environment name, sent as the tag `env:<environment>` (lowercased).
   */
  readonly environment: string;
  /**
   * Extra Datadog tags (`key:value`) added to `DdTags`.
   * @default []
   */
  readonly ddTags?: string[];
  /**
   * Lambda memory in MiB (`MemorySize`, 128-3008).
   * @default - template default (1024)
   */
  readonly memorySizeMiB?: number;
  /**
   * Lambda timeout in seconds (`Timeout`).
   * @default - template default (120)
   */
  readonly timeoutSeconds?: number;
  /**
   * Reserved concurrency (`ReservedConcurrency`); Datadog recommends at least 10.
   * @default - unreserved account concurrency
   */
  readonly reservedConcurrency?: number;
  /**
   * Retention of the Forwarder's own log group (`LogRetentionInDays`), one of CloudWatch's allowed values.
   * @default 90
   */
  readonly logRetentionInDays?: number;
  /**
   * Permissions boundary for the roles the template creates (`PermissionsBoundaryArn`).
   * @default - none
   */
  readonly permissionsBoundaryArn?: string;
  /**
   * IAM path for the roles the template creates (`IamRolePath`).
   * @default - template default ("/")
   */
  readonly iamRolePath?: string;
  /**
   * Other template parameters, passed verbatim (e.g. `DdFetchLambdaTags: "false"`). May not set a parameter this
   * construct owns (see MANAGED_FORWARDER_PARAMETERS).
   * @default {}
   */
  readonly additionalParameters?: { [name: string]: string };
  /**
   * AWS tags for the stack and the secret.
   * @default {}
   */
  readonly tags?: { [key: string]: string };
  /**
   * The EKS audit log groups to subscribe (the guide's "Setup triggers").
   * @default []
   */
  readonly auditLogGroups?: AuditLogGroup[];
  /**
   * Name of the subscription filter on every log group. Changing it replaces the filter, which needs a free slot.
   * @default "datadog-forwarder-eks-audit"
   */
  readonly subscriptionFilterName?: string;
  /**
   * Which events to send.
   * @default AuditLogFilterPattern.ALL_EVENTS (pattern "")
   */
  readonly filterPattern?: AuditLogFilterPattern;
  /**
   * Subscription filters CloudWatch Logs allows per log group in this account. AWS documents 2; raise it only if
   * your account has a higher quota.
   * @default 2
   */
  readonly subscriptionFiltersPerLogGroup?: number;
  /**
   * Add an `aws_lambda_permission` per log group (principal `logs.amazonaws.com`, source `<logGroupArn>:*`). Not
   * needed with the Datadog template, whose `CloudWatchLogsInvokePermission` already lets every log group of the
   * account and region invoke the Forwarder; enable it if you customise the template or want an explicit grant.
   * @default false
   */
  readonly grantInvokePermission?: boolean;
}

/** The API-key secret the template reads, and what must exist before the stack does. */
interface ApiKeySecret {
  readonly secretArn: string;
  readonly dependencies: ITerraformDependable[];
}

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const LOG_GROUP_ARN = /^arn:(aws|aws-us-gov|aws-cn):logs:([a-z0-9-]+):(\d{12}):log-group:([.\-_/#A-Za-z0-9]{1,512})$/;

/**
 * The "Datadog Forwarder" step of the guide for one AWS region: the API-key secret (existing, or created from a
 * sensitive variable), the Forwarder CloudFormation stack pinned to a release and configured with
 * `DdApiKeySecretArn` (never `DdApiKey`), and the subscription filters that send the region's EKS audit log groups
 * to it ("Setup triggers").
 */
export class DatadogForwarder extends Construct {
  /** ARN of the Forwarder Lambda (stack output `DatadogForwarderArn`). @attribute */
  public readonly forwarderArn: string;
  /** ARN of the secret holding the API key. @attribute */
  public readonly forwarderApiKeySecretArn: string;
  /** The pinned Forwarder version. */
  public readonly forwarderVersion: string;
  /** The Lambda function name. */
  public readonly forwarderFunctionName: string;
  /** The `DdTags` value sent to the template. */
  public readonly forwarderDdTags: string;
  /** The filter pattern used for the subscriptions. */
  public readonly forwarderFilterPattern: AuditLogFilterPattern;

  constructor(scope: Construct, id: string, props: DatadogForwarderProps) {
    super(scope, id);
    throwProblems(`datadog forwarder "${this.node.path}"`, datadogForwarderProblems(props));
    this.forwarderVersion = props.forwarderVersion ?? DATADOG_FORWARDER_DEFAULT_VERSION;
    this.forwarderFunctionName = props.functionName ?? DATADOG_FORWARDER_DEFAULT_NAME;
    this.forwarderDdTags = forwarderDdTags(props);
    this.forwarderFilterPattern = props.filterPattern ?? AuditLogFilterPattern.ALL_EVENTS;

    const secret = this.apiKeySecret(props);
    this.forwarderApiKeySecretArn = secret.secretArn;
    const stack = this.forwarderStack(props, secret);
    this.forwarderArn = stack.outputs.lookup("DatadogForwarderArn");
    // Setup triggers: one subscription filter per audit log group.
    for (const group of props.auditLogGroups ?? []) this.subscribe(props, group, stack);
  }

  /**
   * The API-key secret (plaintext, as the template requires): the existing one, or one created from the token, its
   * version written through `secret_string_wo` when `writeOnlyVersion` is set.
   */
  private apiKeySecret(props: DatadogForwarderProps): ApiKeySecret {
    const source = props.apiKey.spec;
    if (source.mode === "secretArn") return { secretArn: source.secretArn, dependencies: [] };
    const region = props.region ?? "";
    const writeOnlyVersion = source.options.writeOnlyVersion;
    const secret = new SecretsmanagerSecret(this, "ApiKeySecret", {
      provider: props.awsProvider,
      name: source.options.secretName ?? "datadog-forwarder-api-key",
      description: "Datadog API key for the Datadog Forwarder (plaintext)",
      kmsKeyId: source.options.kmsKeyId,
      tags: props.tags,
    });
    readableAddress(secret, "datadog_api_key", region);
    const secretVersion = new SecretsmanagerSecretVersion(this, "ApiKeySecretValue", {
      provider: props.awsProvider,
      secretId: secret.id,
      ...(writeOnlyVersion !== undefined
        ? { secretStringWo: source.value, secretStringWoVersion: writeOnlyVersion }
        : { secretString: source.value }),
    });
    readableAddress(secretVersion, "datadog_api_key", region);
    return { secretArn: secret.arn, dependencies: [secretVersion] };
  }

  /** The Forwarder's CloudFormation stack: the pinned template and its parameters, the key only as `DdApiKeySecretArn`. */
  private forwarderStack(props: DatadogForwarderProps, secret: ApiKeySecret): CloudformationStack {
    const parameters: { [name: string]: string } = {
      ...(props.additionalParameters ?? {}),
      DdApiKeySecretArn: secret.secretArn,
      DdSite: props.datadogSite,
      DdTags: this.forwarderDdTags,
      FunctionName: this.forwarderFunctionName,
      LogRetentionInDays: String(props.logRetentionInDays ?? DEFAULT_LOG_RETENTION_IN_DAYS),
    };
    if (props.memorySizeMiB !== undefined) parameters.MemorySize = String(props.memorySizeMiB);
    if (props.timeoutSeconds !== undefined) parameters.Timeout = String(props.timeoutSeconds);
    if (props.reservedConcurrency !== undefined) parameters.ReservedConcurrency = String(props.reservedConcurrency);
    if (props.permissionsBoundaryArn !== undefined) parameters.PermissionsBoundaryArn = props.permissionsBoundaryArn;
    if (props.iamRolePath !== undefined) parameters.IamRolePath = props.iamRolePath;

    const stack = new CloudformationStack(this, "Stack", {
      provider: props.awsProvider,
      dependsOn: secret.dependencies.length > 0 ? secret.dependencies : undefined,
      name: props.stackName ?? DATADOG_FORWARDER_DEFAULT_NAME,
      templateUrl: forwarderTemplateUrl(this.forwarderVersion, props.templateBaseUrl ?? DATADOG_FORWARDER_TEMPLATE_BASE_URL),
      capabilities: [...DATADOG_FORWARDER_CAPABILITIES],
      parameters: sortedObject(parameters),
      tags: props.tags,
    });
    // The region is part of every address: one forwarder per region, so two forwarders in one stack do not collide.
    return readableAddress(stack, "datadog_forwarder", props.region ?? "");
  }

  /** "Setup triggers" for one audit log group: the subscription filter (and, on request, an explicit invoke grant). */
  private subscribe(props: DatadogForwarderProps, group: AuditLogGroup, stack: CloudformationStack): void {
    const scopeId = `Cluster-${group.clusterName}`;
    const dependencies: ITerraformDependable[] = [stack];
    if (props.grantInvokePermission ?? false) {
      const permission = new LambdaPermission(this, `${scopeId}-InvokePermission`, {
        provider: props.awsProvider,
        action: "lambda:InvokeFunction",
        functionName: this.forwarderArn,
        principal: "logs.amazonaws.com",
        sourceArn: `${group.logGroupArn.replace(/:\*$/, "")}:*`,
        statementId: `datadog-forwarder-eks-audit-${group.clusterName}`.slice(0, 100),
      });
      dependencies.push(readableAddress(permission, "forwarder_invoke", group.clusterName));
    }
    const subscription = new CloudwatchLogSubscriptionFilter(this, `${scopeId}-AuditSubscription`, {
      provider: props.awsProvider,
      dependsOn: dependencies,
      name: props.subscriptionFilterName ?? DEFAULT_SUBSCRIPTION_FILTER_NAME,
      logGroupName: group.logGroupName,
      destinationArn: this.forwarderArn,
      filterPattern: this.forwarderFilterPattern.pattern,
    });
    readableAddress(subscription, "audit_logs_to_datadog", group.clusterName);
  }
}

/** `DdTags`: `env:<environment>`, the cluster when the forwarder serves exactly one, then `ddTags`, each once. */
function forwarderDdTags(props: DatadogForwarderProps): string {
  const clusters = [...new Set((props.auditLogGroups ?? []).map((g) => g.clusterName))];
  const tags = [
    `env:${datadogTagValue(props.environment.trim())}`,
    ...(clusters.length === 1 ? [`kube_cluster_name:${datadogTagValue(clusters[0])}`] : []),
    ...(props.ddTags ?? []),
  ];
  return [...new Set(tags)].join(",");
}

function sortedObject(input: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.entries(input).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Every problem of the props (empty when valid). Pure: the constructor throws them all at once, before creating
 * anything.
 */
export function datadogForwarderProblems(props: DatadogForwarderProps): Problem[] {
  const problems = new Problems();
  const p = (field: string, received: string, allowed: string): void => problems.addDescribed(field, received, allowed);
  if (!(DATADOG_SITES as readonly string[]).includes(props.datadogSite)) {
    problems.add("datadogSite", props.datadogSite, DATADOG_SITES.join(", "));
  }
  const regionValid = props.region === undefined || partitionOfRegion(props.region) !== undefined;
  if (!regionValid) {
    problems.add("region", props.region, "an AWS region code such as us-east-1 or us-gov-west-1");
  }
  const version = props.forwarderVersion ?? DATADOG_FORWARDER_DEFAULT_VERSION;
  const versionProblem = forwarderVersionProblem(version);
  if (versionProblem !== undefined) problems.addAll([versionProblem]);
  const baseUrl = props.templateBaseUrl ?? DATADOG_FORWARDER_TEMPLATE_BASE_URL;
  if (!TEMPLATE_BASE_URL.test(baseUrl)) {
    problems.add("templateBaseUrl", baseUrl, TEMPLATE_BASE_URL_ALLOWED);
  }
  const stackName = props.stackName ?? DATADOG_FORWARDER_DEFAULT_NAME;
  if (!CLOUDFORMATION_STACK_NAME.test(stackName)) {
    problems.add("stackName", stackName, CLOUDFORMATION_STACK_NAME_ALLOWED);
  }
  const functionName = props.functionName ?? DATADOG_FORWARDER_DEFAULT_NAME;
  if (functionName === "DatadogForwarder") {
    problems.add(
      "functionName",
      functionName,
      `any other stable name (default "${DATADOG_FORWARDER_DEFAULT_NAME}"), never changed afterwards`,
      "the template default, for which CloudFormation generates a random function name",
    );
  } else if (!FORWARDER_FUNCTION_NAME.test(functionName)) {
    problems.add("functionName", functionName, "1-64 letters, digits, hyphens or underscores");
  }

  // API key: one source, never a literal.
  problems.addAll(apiKeyProblems(props.apiKey, regionValid ? props.region : undefined));

  // Lambda settings.
  const memory = props.memorySizeMiB;
  if (
    memory !== undefined &&
    (!Number.isInteger(memory) || memory < FORWARDER_MEMORY_SIZE_MIB.minimum || memory > FORWARDER_MEMORY_SIZE_MIB.maximum)
  ) {
    problems.add(
      "memorySizeMiB",
      memory,
      `an integer from ${FORWARDER_MEMORY_SIZE_MIB.minimum} to ${FORWARDER_MEMORY_SIZE_MIB.maximum} (template limits)`,
    );
  }
  const timeout = props.timeoutSeconds;
  if (
    timeout !== undefined &&
    (!Number.isInteger(timeout) || timeout < FORWARDER_TIMEOUT_SECONDS.minimum || timeout > FORWARDER_TIMEOUT_SECONDS.maximum)
  ) {
    problems.add(
      "timeoutSeconds",
      timeout,
      `an integer from ${FORWARDER_TIMEOUT_SECONDS.minimum} to ${FORWARDER_TIMEOUT_SECONDS.maximum} (Lambda limit)`,
    );
  }
  const concurrency = props.reservedConcurrency;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 0)) {
    problems.add("reservedConcurrency", concurrency, "a non-negative integer (Datadog recommends at least 10)");
  }
  const retention = props.logRetentionInDays ?? DEFAULT_LOG_RETENTION_IN_DAYS;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
    problems.add("logRetentionInDays", retention, LOG_RETENTION_DAYS.join(", "));
  }
  if (
    props.permissionsBoundaryArn !== undefined &&
    !Token.isUnresolved(props.permissionsBoundaryArn) &&
    !IAM_POLICY_ARN.test(props.permissionsBoundaryArn)
  ) {
    problems.add("permissionsBoundaryArn", props.permissionsBoundaryArn, IAM_POLICY_ARN_ALLOWED);
  }
  if (props.iamRolePath !== undefined && !IAM_PATH.test(props.iamRolePath)) {
    problems.add("iamRolePath", props.iamRolePath, IAM_PATH_ALLOWED);
  }
  const additional = props.additionalParameters ?? {};
  const clashing = Object.keys(additional).filter((k) => MANAGED_FORWARDER_PARAMETERS.includes(k));
  if (clashing.length > 0) {
    p("additionalParameters", `${clashing.join(", ")}, which this construct manages`, "any other template parameter (use the typed props instead)");
  }

  // Tags: env, the cluster when the forwarder serves exactly one, and the caller's.
  const environment = props.environment.trim();
  if (environment.length === 0) p("environment", `an empty name`, "the environment name");
  const groups = props.auditLogGroups ?? [];
  const clusters = [...new Set(groups.map((g) => g.clusterName))];
  // Checks the tags the construct will send; an empty environment is reported above, not as a tag.
  const tags = [
    ...(environment.length > 0 ? [`env:${datadogTagValue(environment)}`] : []),
    ...(clusters.length === 1 ? [`kube_cluster_name:${datadogTagValue(clusters[0])}`] : []),
    ...(props.ddTags ?? []),
  ];
  for (const tag of tags) {
    const tagProblem = datadogTagProblem(tag);
    if (tagProblem !== undefined) problems.addAll([tagProblem], "ddTags");
  }

  // Subscriptions: validate every group before creating anything.
  const filterName = props.subscriptionFilterName ?? DEFAULT_SUBSCRIPTION_FILTER_NAME;
  if (!SUBSCRIPTION_FILTER_NAME.test(filterName)) {
    problems.add("subscriptionFilterName", filterName, `1-512 characters without ":" or "*"`);
  }
  const limit = props.subscriptionFiltersPerLogGroup ?? DEFAULT_SUBSCRIPTION_FILTERS_PER_LOG_GROUP;
  const limitValid = Number.isInteger(limit) && limit >= 1 && limit <= 5;
  if (!limitValid) {
    problems.add("subscriptionFiltersPerLogGroup", limit, "an integer from 1 to 5 (AWS documents 2)");
  }
  const seenClusters = new Set<string>();
  const seenGroups = new Set<string>();
  for (const group of groups) {
    const at = `auditLogGroups[cluster ${show(group.clusterName)}]`;
    if (!EKS_CLUSTER_NAME.test(group.clusterName)) {
      problems.add(`${at}.clusterName`, group.clusterName, EKS_CLUSTER_NAME_ALLOWED);
    }
    const repeated = seenClusters.has(group.clusterName);
    if (repeated) p(`${at}.clusterName`, `${show(group.clusterName)} a second time`, "each cluster once");
    seenClusters.add(group.clusterName);
    const nameValid = !Token.isUnresolved(group.logGroupName) && LOG_GROUP_NAME.test(group.logGroupName);
    if (!Token.isUnresolved(group.logGroupName)) {
      if (!LOG_GROUP_NAME.test(group.logGroupName)) {
        problems.add(`${at}.logGroupName`, group.logGroupName, "1-512 characters of letters, digits and . - _ / #");
      } else if (seenGroups.has(group.logGroupName) && !repeated)
        p(`${at}.logGroupName`, `${show(group.logGroupName)} a second time`, "each log group once");
      seenGroups.add(group.logGroupName);
    }
    if (!Token.isUnresolved(group.logGroupArn)) {
      const arn = LOG_GROUP_ARN.exec(group.logGroupArn.replace(/:\*$/, ""));
      if (arn === null) {
        problems.add(`${at}.logGroupArn`, group.logGroupArn, "arn:<partition>:logs:<region>:<account>:log-group:<name>");
      } else {
        if (props.region !== undefined && regionValid && arn[2] !== props.region) {
          p(
            `${at}.logGroupArn`,
            `a log group in region ${arn[2]}, but this forwarder is in ${props.region}`,
            `a log group in ${props.region} (a log group can only feed a Lambda in its own region: add a forwarder for ${arn[2]})`,
          );
        }
        if (nameValid && arn[4] !== group.logGroupName) {
          p(
            `${at}.logGroupArn`,
            `the ARN of log group ${show(arn[4])}, but logGroupName is ${show(group.logGroupName)}`,
            "the ARN of the same log group",
          );
        }
      }
    }
    // An invalid limit is reported above: only the count itself is checked then.
    const slots = limitValid ? limit : Number.POSITIVE_INFINITY;
    problems.addAll(subscriptionFilterSlotProblems({ ...group, subscriptionFiltersPerLogGroup: slots }), at);
  }
  return problems.list;
}

/**
 * CloudWatch's quota of subscription filters per log group (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html),
 * stated once for the construct and the config (which passes its own field names): the filters already on a log group
 * plus the one this stack adds fit in it.
 */
export function subscriptionFilterSlotProblems(
  props: Pick<AuditLogGroup, "existingSubscriptionFilterCount"> & Pick<DatadogForwarderProps, "subscriptionFiltersPerLogGroup">,
  names: FieldNames = propsNames,
): Problem[] {
  const p = new Problems();
  const existing = props.existingSubscriptionFilterCount ?? 0;
  const limit = props.subscriptionFiltersPerLogGroup ?? DEFAULT_SUBSCRIPTION_FILTERS_PER_LOG_GROUP;
  if (!Number.isInteger(existing) || existing < 0) {
    p.add(names("existingSubscriptionFilterCount"), existing, "a non-negative integer");
  } else if (existing + 1 > limit) {
    p.add(
      names("existingSubscriptionFilterCount"),
      existing,
      `at most ${limit - 1} (CloudWatch allows ${limit} subscription filters per log group and this stack adds one; raise ${names("subscriptionFiltersPerLogGroup")} only if your account's quota is higher)`,
    );
  }
  return p.list;
}

/** Problems of the `apiKey` prop; `region` is the forwarder's (valid) region, when known. */
function apiKeyProblems(apiKey: ForwarderApiKey | undefined, region: string | undefined): Problem[] {
  const problems = new Problems();
  // By shape, not instanceof: two copies of this package in one app must accept each other's keys.
  const source = (apiKey as { readonly spec?: ForwarderApiKeySpec } | undefined)?.spec;
  if (source?.mode !== "secretArn" && source?.mode !== "secretValue") {
    problems.addDescribed(
      "apiKey",
      apiKey === undefined ? "nothing" : "a value not built by ForwarderApiKey",
      "ForwarderApiKey.fromSecretArn(arn) or ForwarderApiKey.fromSecretValue(token, options)",
    );
  } else if (source.mode === "secretValue") {
    if (!Token.isUnresolved(source.value)) {
      problems.addDescribed(
        "apiKey.value",
        "a literal string, which would be written to cdktf.out/",
        "a token such as a sensitive TerraformVariable's value (supply it at apply time with TF_VAR_...)",
      );
    }
    const writeOnlyVersion = source.options.writeOnlyVersion;
    if (writeOnlyVersion !== undefined && (!Number.isInteger(writeOnlyVersion) || writeOnlyVersion < 1)) {
      problems.add("apiKey.writeOnlyVersion", writeOnlyVersion, "a positive integer");
    }
  } else if (!Token.isUnresolved(source.secretArn)) {
    const arn = source.secretArn;
    const secretRegion = arn.split(":")[3];
    if (!SECRETS_MANAGER_SECRET_ARN.test(arn)) problems.add("apiKey.secretArn", arn, SECRETS_MANAGER_SECRET_ARN_ALLOWED);
    else if (region !== undefined && secretRegion !== region) {
      problems.addDescribed(
        "apiKey.secretArn",
        `a secret in region ${secretRegion}, but this forwarder is in ${region}`,
        `a secret in ${region} (replicate the secret, or let the construct create one)`,
      );
    }
  }
  return problems.list;
}
