/**
 * Reads, parses and validates the config file. The only place (with `main.ts`) that touches the file system.
 */
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { Context, Issue } from "./dsl";
import { AppConfig, configSchema } from "./schema";

/** The default example, used when `EKS_AUDIT_SIEM_CONFIG` is not set. Relative to the project folder. */
export const DEFAULT_CONFIG_PATH = "config/eks-audit-siem.yaml";

/** The environment variable that selects another config file. */
export const CONFIG_ENV_VAR = "EKS_AUDIT_SIEM_CONFIG";

/** A problem with the config file. `message` is what the user sees: one paragraph per problem, no stack. */
export class ConfigError extends Error {
  constructor(readonly file: string, readonly problems: readonly string[]) {
    super(
      problems.length === 1
        ? `invalid config ${file}: ${problems[0]}`
        : `invalid config ${file}: ${problems.length} problems:\n${problems.map((p) => `- ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Formats one issue: environment, field path, value received, what is allowed. */
export function formatIssue(issue: Issue, input: unknown): string {
  const m = /^environments\[(\d+)\]/.exec(issue.path);
  let where = "";
  if (m !== null) {
    const envs = (input as { environments?: unknown }).environments;
    const name = Array.isArray(envs) ? (envs[Number(m[1])] as { name?: unknown } | undefined)?.name : undefined;
    where = typeof name === "string" ? `environment "${name}", ` : `environment #${Number(m[1]) + 1} (no valid name), `;
  }
  return `${where}field ${issue.path || "(top level)"}: received ${show(issue.received)}; allowed: ${issue.allowed}`;
}

/** Validates an already-parsed document. Throws `ConfigError` listing every problem. */
export function validateConfig(input: unknown, file: string): AppConfig {
  const ctx = new Context();
  const config = configSchema.check(input, "", ctx);
  if (config === undefined || ctx.issues.length > 0) {
    throw new ConfigError(file, ctx.issues.map((i) => formatIssue(i, input)));
  }
  return config;
}

/** Parses YAML or JSON text (JSON is parsed by the YAML 1.2 parser too, so duplicate keys are caught in both). */
export function parseConfigText(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const at = pos !== undefined ? `line ${pos.line}, column ${pos.col}: ` : "";
        const what = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        return `not valid ${/\.json$/i.test(file) ? "JSON" : "YAML"} at ${at}${what}`;
      }),
    );
  }
  return doc.toJS();
}

/** Reads and validates a config file (`.yaml`, `.yml` or `.json`). */
export function loadConfigFile(file: string): AppConfig {
  if (!/\.(ya?ml|json)$/i.test(file)) {
    throw new ConfigError(file, [`file name: received ${JSON.stringify(path.basename(file))}; allowed: a .yaml, .yml or .json file`]);
  }
  if (!existsSync(file)) {
    throw new ConfigError(file, [`file: received a path that does not exist; allowed: an existing .yaml, .yml or .json file (set ${CONFIG_ENV_VAR} or use the default ${DEFAULT_CONFIG_PATH})`]);
  }
  return validateConfig(parseConfigText(readFileSync(file, "utf8"), file), file);
}

/** The config file selected by the environment: `EKS_AUDIT_SIEM_CONFIG`, else the default example. */
export function configPathFromEnv(env: NodeJS.ProcessEnv): string {
  const chosen = env[CONFIG_ENV_VAR];
  return chosen !== undefined && chosen !== "" ? chosen : DEFAULT_CONFIG_PATH;
}
