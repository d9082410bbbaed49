import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, Testing, TerraformStack } from "cdktf";
import {
  ADOPTED_CLUSTER_IGNORED_ATTRIBUTES,
  EksAuditLogging,
  EksAuditLoggingProps,
  EksClusterSource,
  eksAuditLoggingProblems,
} from "../modules/eks-audit-logging";
import { Partition } from "../lib/aws";

function synth(props: EksAuditLoggingProps): any {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new EksAuditLogging(stack, props.clusterName, props);
  return JSON.parse(Testing.synth(stack));
}

const NEW = { roleArn: "arn:aws:iam::111111111111:role/eks", subnetIds: ["subnet-1", "subnet-2"] };

describe("EksAuditLogging: new cluster", () => {
  const out = synth({
    clusterName: "apps",
    cluster: EksClusterSource.newCluster(NEW),
    additionalLogTypes: ["scheduler", "api"],
    logRetentionInDays: 30,
    kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  });
  const cluster = out.resource.aws_eks_cluster.cluster_apps;
  const logGroup = out.resource.aws_cloudwatch_log_group.audit_log_group_apps;

  it("creates the /aws/eks/<name>/cluster log group with retention and KMS", () => {
    expect(logGroup).toEqual(
      expect.objectContaining({
        name: "/aws/eks/apps/cluster",
        retention_in_days: 30,
        kms_key_id: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      }),
    );
  });

  it("enables audit plus the opted-in types, in a stable order", () => {
    expect(cluster.enabled_cluster_log_types).toEqual(["api", "audit", "scheduler"]);
  });

  it("creates the log group before the cluster", () => {
    expect(cluster.depends_on).toEqual(["aws_cloudwatch_log_group.audit_log_group_apps"]);
  });

  it("passes what EKS needs, with private-endpoint defaults", () => {
    expect(cluster).toEqual(
      expect.objectContaining({
        name: "apps",
        role_arn: NEW.roleArn,
        vpc_config: { subnet_ids: NEW.subnetIds, endpoint_private_access: true, endpoint_public_access: false },
        access_config: { authentication_mode: "API_AND_CONFIG_MAP", bootstrap_cluster_creator_admin_permissions: true },
        lifecycle: { prevent_destroy: true },
      }),
    );
    expect(out.import).toBeUndefined();
  });

  it("defaults to audit only and 90 days", () => {
    const o = synth({ clusterName: "b", cluster: EksClusterSource.newCluster(NEW) });
    expect(o.resource.aws_eks_cluster.cluster_b.enabled_cluster_log_types).toEqual(["audit"]);
    expect(o.resource.aws_cloudwatch_log_group.audit_log_group_b.retention_in_days).toBe(90);
    expect(o.resource.aws_cloudwatch_log_group.audit_log_group_b.kms_key_id).toBeUndefined();
  });

  it("lets prevent_destroy be turned off for a cluster this stack owns", () => {
    const o = synth({ clusterName: "b", cluster: EksClusterSource.newCluster({ ...NEW, preventDestroy: false }) });
    expect(o.resource.aws_eks_cluster.cluster_b.lifecycle).toEqual({ prevent_destroy: false });
  });
});

describe("EksAuditLogging: existing cluster", () => {
  const out = synth({ clusterName: "payments", cluster: EksClusterSource.existingCluster(), additionalLogTypes: ["authenticator"] });
  const cluster = out.resource.aws_eks_cluster.cluster_payments;

  it("imports the cluster by name", () => {
    expect(out.import).toEqual([{ id: "payments", to: "aws_eks_cluster.cluster_payments" }]);
  });

  it("ignores every attribute but the log types, and can never be destroyed", () => {
    expect(cluster.lifecycle.prevent_destroy).toBe(true);
    expect(cluster.lifecycle.ignore_changes).toEqual([...ADOPTED_CLUSTER_IGNORED_ATTRIBUTES]);
    expect(cluster.lifecycle.ignore_changes).toEqual(
      expect.arrayContaining(["bootstrap_self_managed_addons", "access_config", "role_arn", "vpc_config", "name"]),
    );
    expect(cluster.lifecycle.ignore_changes).not.toContain("enabled_cluster_log_types");
    expect(cluster.enabled_cluster_log_types).toEqual(["audit", "authenticator"]);
  });

  it("creates the log group when it does not exist yet, before logging is turned on", () => {
    expect(out.resource.aws_cloudwatch_log_group.audit_log_group_payments.name).toBe("/aws/eks/payments/cluster");
    expect(cluster.depends_on).toEqual(["aws_cloudwatch_log_group.audit_log_group_payments"]);
  });

  it("imports the log group EKS created when it exists", () => {
    const o = synth({ clusterName: "payments", cluster: EksClusterSource.existingCluster({ logGroupExists: true }) });
    expect(o.import).toEqual([
      { id: "/aws/eks/payments/cluster", to: "aws_cloudwatch_log_group.audit_log_group_payments" },
      { id: "payments", to: "aws_eks_cluster.cluster_payments" },
    ]);
  });

  it("uses the partition in the ignored placeholder role", () => {
    const o = synth({ clusterName: "gov", cluster: EksClusterSource.existingCluster(), awsPartition: "aws-us-gov" });
    expect(o.resource.aws_eks_cluster.cluster_gov.role_arn).toBe("arn:aws-us-gov:iam::000000000000:role/adopted-cluster-role-ignored");
  });
});

describe("EksAuditLogging: attributes and validation", () => {
  it("exposes the log group name and ARN for the forwarder subscriptions", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "t");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const m = new EksAuditLogging(stack, "x", { clusterName: "x", cluster: EksClusterSource.existingCluster() });
    expect(m.auditLogGroupName).toBe("/aws/eks/x/cluster");
    new TerraformOutput(stack, "arn", { value: m.auditLogGroupArn });
    expect(JSON.parse(Testing.synth(stack)).output.arn.value).toBe("${aws_cloudwatch_log_group.audit_log_group_x.arn}");
    expect(m.enabledLogTypes).toEqual(["audit"]);
  });

  const errors: Array<[string, Partial<EksAuditLoggingProps>, string]> = [
    [
      "bad name",
      { clusterName: "-x" },
      'eks audit logging "test/-x": clusterName: received "-x"; allowed: an EKS cluster name (1-100 letters, digits, hyphens, underscores; starting with a letter or digit)',
    ],
    [
      "no cluster source",
      { cluster: undefined },
      'eks audit logging "test/c": cluster: received nothing; allowed: EksClusterSource.newCluster(...) (this stack creates the cluster) or EksClusterSource.existingCluster(...) (adopt it for logging only)',
    ],
    [
      "the plain options of earlier versions",
      { cluster: { cluster: EksClusterSource.existingCluster() } as unknown as EksClusterSource },
      'eks audit logging "test/c": cluster: received a value not built by EksClusterSource; allowed: EksClusterSource.newCluster(...) (this stack creates the cluster) or EksClusterSource.existingCluster(...) (adopt it for logging only)',
    ],
    [
      "partition",
      { awsPartition: "aws-eu" as Partition },
      'eks audit logging "test/c": awsPartition: received "aws-eu"; allowed: one of aws, aws-us-gov, aws-cn',
    ],
    [
      "every problem at once",
      { clusterName: "-c", logRetentionInDays: 0, kmsKeyArn: "alias/x" },
      'eks audit logging "test/-c": 3 problems:\n- clusterName: received "-c"; allowed: an EKS cluster name (1-100 letters, digits, hyphens, underscores; starting with a letter or digit)\n- logRetentionInDays: received 0; allowed: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653\n- kmsKeyArn: received "alias/x"; allowed: a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)',
    ],
    [
      "retention",
      { logRetentionInDays: 0 },
      'eks audit logging "test/c": logRetentionInDays: received 0; allowed: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ],
    [
      "audit listed as additional",
      { additionalLogTypes: ["audit"] },
      'eks audit logging "test/c": additionalLogTypes: received "audit"; allowed: api, authenticator, controllerManager, scheduler (audit is always on)',
    ],
    [
      "kms",
      { kmsKeyArn: "alias/x" },
      'eks audit logging "test/c": kmsKeyArn: received "alias/x"; allowed: a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)',
    ],
    [
      "one subnet",
      { cluster: EksClusterSource.newCluster({ ...NEW, subnetIds: ["subnet-1"] }) },
      'eks audit logging "test/c": newCluster.subnetIds: received 1 subnet(s); allowed: at least 2, in different Availability Zones',
    ],
    [
      "no endpoint",
      { cluster: EksClusterSource.newCluster({ ...NEW, endpointPrivateAccess: false }) },
      'eks audit logging "test/c": newCluster.endpointPublicAccess: received false; allowed: true when newCluster.endpointPrivateAccess is false (the API server needs an endpoint)',
    ],
    [
      "public CIDRs without the public endpoint (the rule the config states in its own names)",
      { cluster: EksClusterSource.newCluster({ ...NEW, publicAccessCidrs: ["10.0.0.0/8"] }) },
      'eks audit logging "test/c": newCluster.publicAccessCidrs: received ["10.0.0.0/8"]; allowed: empty when newCluster.endpointPublicAccess is false',
    ],
  ];
  it("checks the cluster source by shape: a source built by another copy of the package is accepted", () => {
    const foreign = { spec: { mode: "existing", options: { logGroupExists: true } } } as unknown as EksClusterSource;
    expect(synth({ clusterName: "a", cluster: foreign })).toEqual(
      synth({ clusterName: "a", cluster: EksClusterSource.existingCluster({ logGroupExists: true }) }),
    );
    expect(eksAuditLoggingProblems({ clusterName: "a", cluster: EksClusterSource.existingCluster() })).toEqual([]);
  });

  it.each(errors)("rejects %s at construction", (_n, override, message) => {
    expect(() => synth({ clusterName: "c", cluster: EksClusterSource.newCluster(NEW), ...override })).toThrow(message);
  });
});
