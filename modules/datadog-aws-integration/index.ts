export * from "./datadog-aws-integration";
export * from "../../lib/datadog-accounts";
export * from "./iam-permissions";
export * from "./policy-split";
