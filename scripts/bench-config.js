#!/usr/bin/env node
/**
 * A config of N environments x 3 clusters with the full rule pack, for the synth benchmark (`npm run bench`).
 * Environments alternate between the two shapes of the default example: a staging-like one (new clusters, local
 * state, created API-key secret) and a production-like one (adopted clusters in two regions, S3 state, an existing
 * secret, suppressions and built-in rule review).
 *
 * Usage: node scripts/bench-config.js <environments> <out.json>
 */
"use strict";
const { writeFileSync } = require("fs");

function environment(i) {
  const name = `env-${String(i).padStart(3, "0")}`;
  const accountId = String(100000000000 + i);
  const staging = i % 2 === 0;
  const base = {
    name,
    aws: { accountId, region: staging ? "us-east-1" : "eu-west-1" },
    datadog: { site: staging ? "datadoghq.com" : "datadoghq.eu" },
    notificationTargets: [`@slack-security-${name}`],
    tags: { team: "platform-security", environment: name },
    cloudSiem: { ruleTags: [`env:${name}`], rules: { "pod-exec-burst": { threshold: 10, evaluationWindowSeconds: 900 } } },
  };
  if (staging) {
    return {
      ...base,
      backend: { type: "local" },
      clusters: [1, 2, 3].map((c) => ({
        name: `${name}-apps-${c}`,
        mode: "new",
        additionalLogTypes: ["api"],
        logRetentionInDays: 30,
        roleArn: `arn:aws:iam::${accountId}:role/eks-cluster`,
        subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
      })),
    };
  }
  return {
    ...base,
    datadog: {
      ...base.datadog,
      integration: { regions: ["eu-west-1", "us-east-1"] },
      forwarder: { apiKeySecretArns: { "eu-west-1": `arn:aws:secretsmanager:eu-west-1:${accountId}:secret:datadog/api-key-AbCdEf` } },
    },
    cloudSiem: {
      ...base.cloudSiem,
      suppressions: [
        { name: "CI deployer port-forwards", ruleIds: ["pod-port-forward"], suppressionQuery: '@usr.id:"system:serviceaccount:ci:deployer"' },
      ],
      builtInRules: { rules: [{ name: "A new Kubernetes admission controller was created", overlap: "keep-pack" }] },
    },
    backend: { type: "s3", bucket: `state-${accountId}`, region: "eu-west-1", useLockfile: true },
    clusters: [
      { name: `${name}-payments`, mode: "existing", logRetentionInDays: 365, logGroupExists: true },
      { name: `${name}-checkout`, mode: "existing", region: "us-east-1", logRetentionInDays: 365 },
      { name: `${name}-batch`, mode: "existing", logRetentionInDays: 365 },
    ],
  };
}

function benchConfig(count) {
  return { environments: Array.from({ length: count }, (_, i) => environment(i)) };
}

module.exports = { benchConfig };

if (require.main === module) {
  const [count, out] = process.argv.slice(2);
  if (!/^[1-9]\d*$/.test(count ?? "") || out === undefined) {
    process.stderr.write("usage: node scripts/bench-config.js <environments> <out.json>\n");
    process.exit(2);
  }
  writeFileSync(out, JSON.stringify(benchConfig(Number(count)), null, 2));
}
