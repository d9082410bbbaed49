export * from "./datadog-aws-integration";
export * from "./datadog-accounts";
export * from "./iam-permissions";
export * from "./policy-split";
