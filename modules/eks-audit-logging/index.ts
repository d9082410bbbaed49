export * from "./eks-audit-logging";
