/**
 * Writes the JSON Schema of the config file (`config/eks-audit-siem.schema.json`) for editor completion.
 * Generated from `config/schema.ts`, the same definition the validator uses; a test fails when it is stale.
 * Usage: `npm run schema`.
 */
import { writeFileSync } from "fs";
import { configSchema } from "../config/schema";

export const JSON_SCHEMA_PATH = "config/eks-audit-siem.schema.json";

export function buildJsonSchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/eks-audit-siem/eks-audit-siem/config/eks-audit-siem.schema.json",
    title: "eks-audit-siem config",
    description: "One file for all environments: EKS audit logging, the Datadog integration and forwarder, Log Explorer and Cloud SIEM rules.",
    ...configSchema.toJsonSchema(),
  };
}

export function renderJsonSchema(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(JSON_SCHEMA_PATH, renderJsonSchema());
  process.stderr.write(`wrote ${JSON_SCHEMA_PATH}\n`);
}
