/**
 * The second front door: the constructs composed in your own cdktf stack, without the config file.
 * One account, one region, one existing cluster: audit logging adopted, the integration, a forwarder
 * subscribed to the audit log group, Log Explorer views and the EKS rule pack with a tuning.
 *
 * Synthesize it with `node scripts/run-ts.js examples/compose-in-code.ts` (writes `cdktf.out.example/`).
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { App, LocalBackend, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { EksCloudSiem } from "../modules/cloud-siem";
import { DatadogAwsIntegration } from "../modules/datadog-aws-integration";
import { AuditLogFilterPattern, DatadogForwarder, ForwarderApiKey } from "../modules/datadog-forwarder";
import { EksAuditLogging, EksClusterSource } from "../modules/eks-audit-logging";
import { LogExplorer } from "../modules/log-explorer";
import { SiemStack } from "../lib/siem-stack";

/**
 * The base stack (lib/siem-stack.ts) runs the organisation policies, keeps every text literal (props, config, rule
 * files), and states terraform.required_version: the floor of what the stack uses (here >= 1.11, for the
 * write-only secret).
 */
export class PlatformAuditStack extends SiemStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new LocalBackend(this, { path: "../../../terraform.example.tfstate" });
    new AwsProvider(this, "aws", { region: "eu-central-1", allowedAccountIds: ["555555555555"] });
    new DatadogProvider(this, "datadog", { apiUrl: "https://api.datadoghq.eu/" });

    const audit = new EksAuditLogging(this, "platform", {
      clusterName: "platform",
      cluster: EksClusterSource.existingCluster({ logGroupExists: false }),
      additionalLogTypes: ["authenticator"],
      logRetentionInDays: 180,
    });

    // Ephemeral (Terraform >= 1.10): with the write-only secret below, the key is in no saved plan and no state.
    const apiKey = new TerraformVariable(this, "datadog_api_key", { type: "string", sensitive: true, nullable: false });
    apiKey.addOverride("ephemeral", true);
    const forwarder = new DatadogForwarder(this, "Forwarder", {
      datadogSite: "datadoghq.eu",
      environment: "platform",
      region: "eu-central-1",
      apiKey: ForwarderApiKey.fromSecretValue(apiKey.stringValue, { writeOnlyVersion: 1 }),
      filterPattern: AuditLogFilterPattern.DROP_HEALTH_CHECKS,
      auditLogGroups: [{ clusterName: audit.clusterName, logGroupName: audit.auditLogGroupName, logGroupArn: audit.auditLogGroupArn }],
    });

    new DatadogAwsIntegration(this, "Integration", {
      awsAccountId: "555555555555",
      datadogSite: "datadoghq.eu",
      regions: ["eu-central-1"],
      logsForwarderArns: [forwarder.forwarderArn],
    });

    new LogExplorer(this, "LogExplorer", {
      environment: "platform",
      datadogSite: "datadoghq.eu",
      clusters: [{ name: audit.clusterName, region: "eu-central-1", auditLogGroupName: audit.auditLogGroupName }],
      notificationTargets: ["@slack-platform-security"],
    });

    new EksCloudSiem(this, "cloud-siem", {
      ruleTags: ["env:platform"],
      notifications: { high: ["@pagerduty-platform"], critical: ["@pagerduty-platform"] },
      rules: { "pod-exec-burst": { threshold: 20, evaluationWindowSeconds: 900 } },
    });
  }
}

if (require.main === module) {
  const app = new App({ outdir: "cdktf.out.example" });
  new PlatformAuditStack(app, "platform");
  app.synth();
}
