/**
 * A config whose every string holds Terraform template syntax where validation lets it: the default example plus
 * every optional free-text field, each string then given `${trimspace(file("/etc/hostname"))}` and a `%{ }`
 * directive with a marker unique to the field. Which fields must be covered comes from the config's JSON Schema,
 * so a new free-text field fails the coverage test until it is added here.
 */
import { readFileSync } from "fs";
import { parse as parseYaml } from "yaml";
import { DEFAULT_CONFIG_PATH } from "../../config/load";
import { Problems } from "../../lib/problem";
import { configSchema } from "../../config/schema";

/** What a plan would evaluate if the text reached Terraform as a template: the plan runner's host name. */
export const HOST_FILE_TEMPLATE = '${trimspace(file("/etc/hostname"))}';

/** The injected text of field `i`: the host-file interpolation and a directive around a marker unique to the field. */
export function injection(i: number): string {
  return `${HOST_FILE_TEMPLATE}%{ if true }f${i}%{ endif }`;
}

/** The marker of field `i` as it must appear in the output: the directive escaped (`%%{`), so literal text. */
export function escapedMarker(i: number): string {
  return `%%{ if true }f${i}%%{ endif }`;
}

/** Optional free-text fields the default example leaves out (production is environments[1], staging [0]). */
function withEveryField(config: any): any {
  const [staging, production] = config.environments;
  // A laptop's local state (CI refuses it, synth does not), so that `backend.path` is covered too.
  staging.backend = { type: "local", path: "state/staging.tfstate" };
  production.backend.key = "state/production.tfstate";
  production.datadog.integration.role = { path: "/datadog/" };
  production.datadog.forwarder.templateBaseUrl = "https://datadog-cloudformation-template.s3.amazonaws.com/aws";
  production.datadog.forwarder.subscription = { filterName: "datadog-eks-audit", filter: "custom", pattern: '{ $.user.username = "alice" }' };
  production.policySuppressions = [
    { rule: "log-group-retention", address: "aws_cloudwatch_log_group.audit_log_group_payments", reason: "kept under the audit team's legal hold" },
  ];
  production.logExplorer.index = { create: true, name: "eks-audit", exclusionFilters: [{ name: "drop gets", query: "@http.method:get" }] };
  const siem = production.cloudSiem;
  siem.exclusionQuery = '-@usr.id:"ci"';
  siem.rules["pod-exec-new-user"].exclusionQuery = '-@usr.id:"ops"';
  siem.suppressions[0].description = "CI smoke tests";
  siem.suppressions.push({ name: "Drop CI reads", description: "reads", ruleQuery: "source:kubernetes", dataExclusionQuery: '@usr.id:"ci"' });
  // Built-in rules that overlap no pack rule, so that their names are free text (the example's two carry an overlap
  // choice that holds only for their exact names).
  siem.builtInRules.rules = [{ name: "Kubernetes Pod created with hostNetwork" }, { name: "Kubernetes secrets listed by an unusual user" }];
  siem.securityNotificationRules = [
    { name: "SIEM to on-call", targets: ["@pagerduty-platform-security"], severities: ["high"], query: "source:kubernetes" },
  ];
  return config;
}

/** A string of the config: where it is (as config errors name it) and how to change it. */
interface Leaf {
  readonly path: string;
  readonly value: string;
  set(v: string): void;
}

function leaves(value: unknown, at = ""): Leaf[] {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) =>
      typeof v === "string" ? [{ path: `${at}[${i}]`, value: v, set: (x: string) => (value[i] = x) }] : leaves(v, `${at}[${i}]`),
    );
  }
  if (typeof value !== "object" || value === null) return [];
  const obj = value as Record<string, unknown>;
  return Object.entries(obj).flatMap(([k, v]) => {
    const p = at === "" ? k : `${at}.${k}`;
    return typeof v === "string" ? [{ path: p, value: v, set: (x: string) => (obj[k] = x) }] : leaves(v, p);
  });
}

type Placement = (v: string, t: string) => string | undefined;

/** As a term of a Datadog log search query (quotes escaped inside the quoted value). */
const QUERY_TERM: Placement = (v, t) => `${v} @usr.id:"${t.replace(/"/g, '\\"')}"`;

/** Ways to put `t` into a value, tried in order until the value still validates (queries: as a query term first). */
function placements(fieldPath: string): Placement[] {
  const general: Placement[] = [
    (v, t) => `${v} ${t}`,
    (v, t) => `${t}${v}`,
    (v, t) => (v.includes('"') ? v.replace('"', `"${t}`) : undefined), // inside a quoted value (filter pattern)
    (v, t) => (v.startsWith("/") && v.endsWith("/") ? `${v}${t}/` : undefined), // a path
  ];
  return /[qQ]uery$/.test(fieldPath) ? [QUERY_TERM, ...general] : [...general, QUERY_TERM];
}

function issuePaths(config: unknown): string[] {
  const ctx = new Problems();
  configSchema.check(config, "", ctx);
  return ctx.list.map((p) => p.field);
}

export interface HostileConfig {
  /** The config (valid). */
  readonly config: any;
  /** Injected fields: config path → index of its injection. */
  readonly injected: ReadonlyMap<string, number>;
  /** Fields whose every placement was refused by validation: config path → the value with the injection appended. */
  readonly refused: ReadonlyMap<string, string>;
  /** Every string field of the config, by path. */
  readonly fields: readonly string[];
}

/** Builds the hostile config: each string gets the first placement that keeps the whole config valid, if any. */
export function hostileConfig(): HostileConfig {
  const config = withEveryField(parseYaml(readFileSync(DEFAULT_CONFIG_PATH, "utf8")));
  if (issuePaths(config).length > 0) throw new Error(`the hostile config's base is invalid: ${issuePaths(config).join(", ")}`);
  const all = leaves(config);
  const injected = new Map<string, number>();
  const refused = new Map<string, string>();
  all.forEach((leaf, i) => {
    for (const place of placements(leaf.path)) {
      const v = place(leaf.value, injection(i));
      if (v === undefined) continue;
      leaf.set(v);
      if (issuePaths(config).length === 0) {
        injected.set(leaf.path, i);
        return;
      }
    }
    leaf.set(leaf.value);
    refused.set(leaf.path, `${leaf.value} ${injection(i)}`);
  });
  return { config, injected, refused, fields: all.map((l) => l.path) };
}

/** A config path with its list indices and map keys under `rules` made generic, as the schema names it. */
export function schemaPathOf(configPath: string): string {
  return configPath
    .replace(/\[\d+\]/g, "[]")
    .replace(/\.rules\.[a-z0-9-]+\./, ".rules.*.")
    .replace(/\.apiKeySecretArns\.[a-z0-9-]+$/, ".apiKeySecretArns.*");
}

/**
 * The schema's string fields that can hold template syntax: free text (no enum, no pattern), or a pattern that
 * admits `${` (found by trying a few shapes), as `environments[].cloudSiem.exclusionQuery`.
 */
export function templateCapableFields(): string[] {
  const schema = JSON.parse(readFileSync("config/eks-audit-siem.schema.json", "utf8")) as Record<string, unknown>;
  const samples = ["${x}", "a${x}", "/${x}/", "https://a${x}b", "arn:aws:secretsmanager:us-east-1:111111111111:secret:${x}"];
  const out = new Set<string>();
  const walk = (n: any, p: string): void => {
    if (n === null || typeof n !== "object") return;
    for (const k of ["anyOf", "oneOf", "allOf"]) if (Array.isArray(n[k])) for (const x of n[k]) walk(x, p);
    if (n.type === "string" && n.enum === undefined) {
      const re = n.pattern === undefined ? undefined : new RegExp(n.pattern as string, "u");
      if (re === undefined || samples.some((s) => re.test(s))) out.add(p);
    }
    if (n.properties !== undefined) for (const [k, v] of Object.entries(n.properties as object)) walk(v, p === "" ? k : `${p}.${k}`);
    if (n.items !== undefined) walk(n.items, `${p}[]`);
    if (n.additionalProperties !== undefined && typeof n.additionalProperties === "object") walk(n.additionalProperties, `${p}.*`);
  };
  walk(schema, "");
  return [...out].sort();
}
