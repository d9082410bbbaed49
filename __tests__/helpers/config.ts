/** A small valid config, as a plain object to mutate in tests. */
export function baseConfig(): any {
  return {
    environments: [
      {
        name: "staging",
        aws: { accountId: "111111111111", region: "us-east-1" },
        datadog: { site: "datadoghq.com" },
        clusters: [
          {
            name: "apps",
            mode: "new",
            roleArn: "arn:aws:iam::111111111111:role/eks",
            subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
          },
        ],
      },
      {
        name: "production",
        aws: { accountId: "222222222222", region: "eu-west-1" },
        datadog: { site: "datadoghq.eu" },
        clusters: [{ name: "payments", mode: "existing", logGroupExists: true }],
      },
    ],
  };
}
