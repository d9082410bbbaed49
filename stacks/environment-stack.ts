import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { EnvironmentConfig } from "../config/schema";
import { datadogApiUrl } from "../lib/datadog-sites";
import { EksAuditLogging } from "../modules/eks-audit-logging";

/** The state file of a local backend, relative to the project folder. */
export function defaultLocalStatePath(environment: string): string {
  return `terraform.${environment}.tfstate`;
}

/** Default S3 state key. */
export function defaultS3StateKey(environment: string): string {
  return `eks-audit-siem/${environment}.tfstate`;
}

/**
 * One environment: its backend, providers (one AWS provider per region, aliased by region name except the
 * primary) and the modules of the chain. Composition only: every resource lives in a module.
 *
 * The stack name is the environment name, so its Terraform JSON is `cdktf.out/stacks/<environment>/cdk.tf.json`.
 */
export class EnvironmentStack extends TerraformStack {
  public readonly environment: EnvironmentConfig;
  /** Audit logging per cluster, in config order. */
  public readonly clusters: readonly EksAuditLogging[];
  private readonly awsProviders = new Map<string, AwsProvider>();

  constructor(scope: Construct, env: EnvironmentConfig) {
    super(scope, env.name);
    this.environment = env;

    this.configureBackend(env);
    this.awsProviders.set(env.aws.region, this.newAwsProvider(env.aws.region, undefined));
    new DatadogProvider(this, "datadog", {
      // Keys come from DD_API_KEY / DD_APP_KEY at plan/apply time, never from the config or cdktf.out/.
      apiUrl: datadogApiUrl(env.datadog.site),
    });

    this.clusters = env.clusters.map((c) => {
      const region = c.region ?? env.aws.region;
      return new EksAuditLogging(this, c.name, {
        clusterName: c.name,
        provider: this.awsProvider(region),
        partition: env.aws.partition,
        additionalLogTypes: c.additionalLogTypes,
        logRetentionInDays: c.logRetentionInDays,
        kmsKeyArn: c.kmsKeyArn,
        ...(c.mode === "existing"
          ? { existingCluster: { logGroupExists: c.logGroupExists } }
          : {
              newCluster: {
                roleArn: c.roleArn!,
                subnetIds: c.subnetIds!,
                securityGroupIds: c.securityGroupIds,
                kubernetesVersion: c.kubernetesVersion,
                endpointPrivateAccess: c.endpointPrivateAccess,
                endpointPublicAccess: c.endpointPublicAccess,
                publicAccessCidrs: c.publicAccessCidrs,
                authenticationMode: c.authenticationMode,
                preventDestroy: c.preventDestroy,
              },
            }),
      });
    });
  }

  /** The AWS provider for a region: the default provider for the primary region, an alias for any other. */
  awsProvider(region: string): AwsProvider {
    let provider = this.awsProviders.get(region);
    if (provider === undefined) {
      provider = this.newAwsProvider(region, region);
      this.awsProviders.set(region, provider);
    }
    return provider;
  }

  /** Regions with at least one cluster, in config order. */
  get clusterRegions(): string[] {
    return [...new Set(this.environment.clusters.map((c) => c.region ?? this.environment.aws.region))];
  }

  private newAwsProvider(region: string, alias: string | undefined): AwsProvider {
    const env = this.environment;
    const tags = env.tags;
    return new AwsProvider(this, alias === undefined ? "aws" : `aws_${alias}`, {
      region,
      alias,
      // Refuses to plan or apply with credentials of another account.
      allowedAccountIds: [env.aws.accountId],
      defaultTags: Object.keys(tags).length > 0 ? [{ tags }] : undefined,
    });
  }

  private configureBackend(env: EnvironmentConfig): void {
    const backend = env.backend;
    if (backend.type === "s3") {
      new S3Backend(this, {
        bucket: backend.bucket,
        key: backend.key ?? defaultS3StateKey(env.name),
        region: backend.region,
        encrypt: backend.encrypt,
        dynamodbTable: backend.dynamodbTable,
      });
      // cdktf 0.21's S3Backend has no useLockfile; S3-native locking needs Terraform >= 1.10.
      if (backend.useLockfile) this.addOverride("terraform.backend.s3.use_lockfile", true);
    } else {
      // Terraform runs in cdktf.out/stacks/<environment>; the path below points back to the project folder.
      // Set explicitly: the stock LocalBackend default is an absolute path, which breaks determinism.
      new LocalBackend(this, { path: `../../../${backend.path ?? defaultLocalStatePath(env.name)}` });
    }
  }
}
