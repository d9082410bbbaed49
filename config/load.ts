/**
 * Reads, parses and validates the config file. The only place (with `main.ts`) that touches the file system.
 */
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { YAMLError, parseDocument } from "yaml";
import { Context, Issue } from "./dsl";
import { AppConfig, configSchema } from "./schema";
import { problemText, show } from "../lib/problem";

/** The default example, used when `EKS_AUDIT_SIEM_CONFIG` is not set. Relative to the project folder. */
export const DEFAULT_CONFIG_PATH = "config/eks-audit-siem.yaml";

/** The environment variable that selects another config file. */
export const CONFIG_ENV_VAR = "EKS_AUDIT_SIEM_CONFIG";

/** A problem with the config file. `message` is what the user sees: one paragraph per problem, no stack. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      problems.length === 1
        ? `invalid config ${file}: ${problems[0]}`
        : `invalid config ${file}: ${problems.length} problems:\n${problems.map((p) => `- ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/** A value of the document as a message shows it (lib/problem `show`), cut at 120 characters. */
function showShort(value: unknown): string {
  const text = show(value);
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
  const field = `field ${issue.path || "(top level)"}`;
  return where + problemText({ field, received: showShort(issue.received), why: issue.why, allowed: issue.allowed });
}

/** Validates an already-parsed document. Throws `ConfigError` listing every problem. */
export function validateConfig(input: unknown, file: string): AppConfig {
  const ctx = new Context();
  const config = configSchema.check(input, "", ctx);
  if (config === undefined || ctx.issues.length > 0) {
    throw new ConfigError(
      file,
      ctx.issues.map((i) => formatIssue(i, input)),
    );
  }
  return config;
}

/** Line and column (1-based) of a 0-based offset in a text. */
function lineColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

/**
 * Parses a `.json` file as strict JSON (no comments, no trailing commas), with the JSON error's line and column.
 * Duplicate keys, which `JSON.parse` silently resolves to the last one, are refused like in YAML.
 */
function parseJson(text: string, file: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const m = /^(.*?)(?: in JSON)? at position (\d+)/s.exec(message);
    const offset = m !== null ? Number(m[2]) : text.length;
    const what = (m !== null ? m[1] : message.replace(/ \(line \d+ column \d+\)$/, "")).replace(
      /^Unexpected end of JSON input$/,
      "unexpected end of the file",
    );
    const { line, col } = lineColumn(text, offset);
    throw new ConfigError(file, [`not valid JSON at line ${line}, column ${col}: ${what}`]);
  }
  // Valid JSON is valid YAML 1.2: the YAML parser finds the duplicate keys, with their position.
  const duplicates = parseDocument(text, { uniqueKeys: true, prettyErrors: true }).errors;
  if (duplicates.length > 0) throw syntaxError(file, "JSON", duplicates);
  return value;
}

function syntaxError(file: string, language: string, errors: readonly YAMLError[]): ConfigError {
  return new ConfigError(
    file,
    errors.map((e) => {
      const pos = e.linePos?.[0];
      const at = pos !== undefined ? `line ${pos.line}, column ${pos.col}: ` : "";
      const what = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      return `not valid ${language} at ${at}${what}`;
    }),
  );
}

/** Parses config text: strict JSON for a `.json` file, YAML 1.2 otherwise; duplicate keys are refused in both. */
export function parseConfigText(text: string, file: string): unknown {
  if (/\.json$/i.test(file)) return parseJson(text, file);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) throw syntaxError(file, "YAML", doc.errors);
  return doc.toJS();
}

/** Reads and validates a config file (`.yaml`, `.yml` or `.json`). */
export function loadConfigFile(file: string): AppConfig {
  if (!/\.(ya?ml|json)$/i.test(file)) {
    throw new ConfigError(file, [`file name: received ${JSON.stringify(path.basename(file))}; allowed: a .yaml, .yml or .json file`]);
  }
  if (!existsSync(file)) {
    throw new ConfigError(file, [
      `file: received a path that does not exist; allowed: an existing .yaml, .yml or .json file (set ${CONFIG_ENV_VAR} or use the default ${DEFAULT_CONFIG_PATH})`,
    ]);
  }
  return validateConfig(parseConfigText(readFileSync(file, "utf8"), file), file);
}

/** The config file selected by the environment: `EKS_AUDIT_SIEM_CONFIG`, else the default example. */
export function configPathFromEnv(env: NodeJS.ProcessEnv): string {
  const chosen = env[CONFIG_ENV_VAR];
  return chosen !== undefined && chosen !== "" ? chosen : DEFAULT_CONFIG_PATH;
}
