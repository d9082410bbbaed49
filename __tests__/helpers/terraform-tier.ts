/**
 * Runs the real `terraform` against synthesized stacks, offline: the AWS part of each stack is initialized from a
 * filesystem mirror of hashicorp/aws, validated and planned with `-refresh=false` against a crafted state.
 *
 * There is no Datadog provider binary on our machines, so Datadog provider blocks and `datadog_*` resources are
 * removed and references to them replaced by placeholders; Datadog resources are checked offline by the modules'
 * own validation instead.
 */
import { spawnSync } from "child_process";
import { inflateRawSync } from "zlib";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { JsonObject, JsonValue, asArray, asObject, asString, asStrings } from "../../lib/json";
import { TERRAFORM_FEATURES } from "../../lib/terraform-floor";
import { escapeTemplateSequences, templateParts } from "../../lib/terraform-template";

/** Environment variable that points at a provider mirror folder (the folder holding `registry.terraform.io`). */
export const MIRROR_ENV_VAR = "EKS_AUDIT_SIEM_TF_MIRROR";

const MIRROR_CANDIDATES = [
  "/opt/tf-plugins",
  path.join(os.homedir(), ".terraform.d/plugins"),
  "/usr/local/share/terraform/plugins",
  "/usr/share/terraform/plugins",
];

export const AWS_PROVIDER_VERSION = "5.100.0";

/** The banner a terraform tier prints when it is skipped: loud, naming the version the default stacks need. */
export function tierSkippedBanner(tier: string): string {
  return `\n*** ${tier} SKIPPED: \`terraform\` is not on the PATH. Install terraform >= ${TERRAFORM_FEATURES.writeOnlyArgument.since} (the floor the default stacks state) to run it. ***\n\n`;
}

/** Whether a `terraform` binary is on the PATH. */
export function terraformAvailable(): boolean {
  return spawnSync("terraform", ["version"], { stdio: "ignore" }).status === 0;
}

/** The mirror folder holding hashicorp/aws, from `EKS_AUDIT_SIEM_TF_MIRROR` or a known location; else undefined. */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env[MIRROR_ENV_VAR];
  const candidates = chosen !== undefined && chosen !== "" ? [chosen] : MIRROR_CANDIDATES;
  return candidates.find((dir) => existsSync(path.join(dir, "registry.terraform.io/hashicorp/aws", AWS_PROVIDER_VERSION)));
}

/**
 * Writes a Terraform CLI config that installs hashicorp/* from the mirror (when there is one) and caches providers
 * in `pluginCacheDir`, so each working folder links the ~600 MB provider instead of copying it.
 */
export function writeCliConfig(file: string, mirror: string | undefined, pluginCacheDir: string): void {
  mkdirSync(pluginCacheDir, { recursive: true });
  const cache = `plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}\n`;
  if (mirror === undefined) {
    writeFileSync(file, cache);
    return;
  }
  writeFileSync(
    file,
    `${cache}provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
`,
  );
}

// Not preceded by a name character or a dot: `aws_iam_role.datadog_integration` is an AWS reference.
const DATADOG_REF = /(?<![A-Za-z0-9_.-])(data\.)?datadog_[a-z0-9_]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_]+|\[[^\]]*\])*/g;

/** Replaces references to Datadog resources inside `${...}` expressions with a string placeholder. */
function replaceDatadogRefs(value: JsonValue): JsonValue {
  if (typeof value === "string") {
    if (!value.includes("datadog_")) return value;
    // Literal text (`$${`, `%%{`: lib/literal-text.ts) is kept as it is; only interpolations are rewritten.
    return templateParts(value)
      .map((p) =>
        "literal" in p
          ? escapeTemplateSequences(p.literal)
          : `${p.start}${p.start === "${" ? p.expression.replace(DATADOG_REF, '"datadog-placeholder"') : p.expression}${p.terminated ? "}" : ""}`,
      )
      .join("");
  }
  if (Array.isArray(value)) return value.map(replaceDatadogRefs);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDatadogRefs(v)]));
  }
  return value;
}

/**
 * The AWS-only copy of a synthesized stack: Datadog provider, resources, data sources, imports and outputs
 * removed; references to them replaced; `depends_on` entries on them dropped.
 */
export function awsOnly(stack: JsonObject): JsonObject {
  const out = structuredClone(stack);
  delete asObject(out.provider).datadog;
  delete asObject(asObject(out.terraform).required_providers).datadog;
  for (const section of ["resource", "data"]) {
    const types = asObject(out[section]);
    for (const type of Object.keys(types)) if (type.startsWith("datadog_")) delete types[type];
    if (out[section] !== undefined && Object.keys(types).length === 0) delete out[section];
  }
  if (Array.isArray(out.import)) {
    out.import = out.import.filter((i) => !asString(asObject(i).to)?.startsWith("datadog_"));
    if (out.import.length === 0) delete out.import;
  }
  const outputs = asObject(out.output);
  for (const [name, output] of Object.entries(outputs)) {
    if (JSON.stringify(asObject(output).value).includes("datadog_")) delete outputs[name];
  }
  for (const section of ["resource", "data"]) {
    for (const byName of Object.values(asObject(out[section]))) {
      for (const block of Object.values(asObject(byName)).map(asObject)) {
        if (Array.isArray(block.depends_on)) {
          block.depends_on = block.depends_on.filter((d) => !(typeof d === "string" && /^(data\.)?datadog_/.test(d)));
        }
      }
    }
  }
  return asObject(replaceDatadogRefs(out));
}

/** Override files that let the AWS provider plan without credentials and keep state local. */
export function offlineOverrides(stack: JsonObject): Record<string, JsonObject> {
  const providers = asArray(asObject(stack.provider).aws).map(asObject);
  const aws = providers.map((p) => ({
    ...(p.alias !== undefined ? { alias: p.alias } : {}),
    access_key: "offline-plan",
    secret_key: "offline-plan",
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
    // The account cannot be looked up offline; the real allowed_account_ids guard is kept in cdk.tf.json.
    allowed_account_ids: null,
  }));
  return {
    "offline_provider_override.tf.json": { provider: { aws } },
    "offline_backend_override.tf.json": { terraform: { backend: { local: { path: "terraform.tfstate" } } } },
  };
}

export interface TerraformResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs terraform in `cwd` with the given CLI config, no color, no checkpoint, no input; `env` adds variables. */
export function terraform(args: readonly string[], cwd: string, cliConfig: string, env: NodeJS.ProcessEnv = {}): TerraformResult {
  const result = spawnSync("terraform", [...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: {
      ...process.env,
      ...env,
      TF_CLI_CONFIG_FILE: cliConfig,
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      AWS_EC2_METADATA_DISABLED: "true",
    },
  });
  return { status: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

/** The provider address of a resource in state, e.g. `provider["registry.terraform.io/hashicorp/aws"].us-east-1`. */
function stateProvider(providerRef: string | undefined): string {
  const alias = providerRef?.split(".")[1];
  return `provider["registry.terraform.io/hashicorp/aws"]${alias !== undefined ? `.${alias}` : ""}`;
}

export interface AdoptedClusterState {
  /** Value of `bootstrap_self_managed_addons` in state (import leaves it unset or false). */
  readonly bootstrapSelfManagedAddons: boolean | null;
  /** Value of `access_config[0].bootstrap_cluster_creator_admin_permissions` in state. */
  readonly bootstrapClusterCreatorAdminPermissions: boolean | null;
  /** `enabled_cluster_log_types` in state: logging off by default. */
  readonly enabledClusterLogTypes?: readonly string[];
}

/**
 * A Terraform state (format version 4) holding what every `import` block of the stack targets, as an existing
 * account would have it: each adopted cluster with logging off, and each pre-existing log group with EKS's
 * "never expire" retention. With the objects already in state the import blocks are no-ops, so the plan runs
 * offline and shows exactly what the first apply would change.
 */
export function craftImportedState(stack: JsonObject, accountId: string, variant: AdoptedClusterState): JsonObject {
  const resources: JsonObject[] = [];
  const providers = asArray(asObject(stack.provider).aws).map(asObject);
  for (const imp of asArray(stack.import).map(asObject)) {
    const to = asString(imp.to);
    const [type, name] = String(to).split(".");
    const config = asObject(asObject(stack.resource)[type])[name];
    if (config === undefined) throw new Error(`import block targets ${to}, which the stack does not define`);
    const provider = asString(imp.provider);
    const region = asString(
      providers.find((p) => {
        const alias = asString(p.alias);
        return alias === undefined ? provider === "aws" : provider === `aws.${alias}`;
      })?.region,
    );
    const id = asString(imp.id);
    if (id === undefined) throw new Error(`import block for ${to} has no id`);
    let attributes: JsonObject;
    if (type === "aws_eks_cluster") attributes = existingCluster(id, region, accountId, variant);
    else if (type === "aws_cloudwatch_log_group") attributes = existingLogGroup(id, region, accountId);
    else throw new Error(`no state template for imported ${type}`);
    resources.push({
      mode: "managed",
      type,
      name,
      provider: stateProvider(provider),
      instances: [{ schema_version: type === "aws_eks_cluster" ? 1 : 0, attributes, sensitive_attributes: [] }],
    });
  }
  return {
    version: 4,
    terraform_version: "1.11.4",
    serial: 1,
    lineage: "00000000-0000-4000-8000-000000000000",
    outputs: {},
    resources,
    check_results: null,
  };
}

function existingCluster(name: string, region: string | undefined, accountId: string, v: AdoptedClusterState): JsonObject {
  return {
    access_config: [{ authentication_mode: "CONFIG_MAP", bootstrap_cluster_creator_admin_permissions: v.bootstrapClusterCreatorAdminPermissions }],
    arn: `arn:aws:eks:${region}:${accountId}:cluster/${name}`,
    bootstrap_self_managed_addons: v.bootstrapSelfManagedAddons,
    certificate_authority: [{ data: "LS0tLS1CRUdJTi1DRVJUSUZJQ0FURS0tLS0tCg==" }],
    cluster_id: null,
    compute_config: [],
    created_at: "2023-04-01T10:00:00Z",
    enabled_cluster_log_types: [...(v.enabledClusterLogTypes ?? [])],
    encryption_config: [
      { provider: [{ key_arn: `arn:aws:kms:${region}:${accountId}:key/11111111-2222-3333-4444-555555555555` }], resources: ["secrets"] },
    ],
    endpoint: `https://0123456789ABCDEF0123456789ABCDEF.gr7.${region}.eks.amazonaws.com`,
    force_update_version: null,
    id: name,
    identity: [{ oidc: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF` }] }],
    kubernetes_network_config: [
      { elastic_load_balancing: [{ enabled: false }], ip_family: "ipv4", service_ipv4_cidr: "172.20.0.0/16", service_ipv6_cidr: "" },
    ],
    name,
    outpost_config: [],
    platform_version: "eks.20",
    remote_network_config: [],
    role_arn: `arn:aws:iam::${accountId}:role/${name}-cluster-role`,
    status: "ACTIVE",
    storage_config: [],
    tags: { owner: "another-team", "kubernetes.io/cluster": name },
    tags_all: { owner: "another-team", "kubernetes.io/cluster": name },
    timeouts: null,
    upgrade_policy: [{ support_type: "EXTENDED" }],
    version: "1.31",
    vpc_config: [
      {
        cluster_security_group_id: "sg-0123456789abcdef0",
        endpoint_private_access: true,
        endpoint_public_access: true,
        public_access_cidrs: ["203.0.113.0/24"],
        security_group_ids: ["sg-0fedcba9876543210"],
        subnet_ids: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2", "subnet-0aaaaaaaaaaaaaaa3"],
        vpc_id: "vpc-0123456789abcdef0",
      },
    ],
    zonal_shift_config: [],
  };
}

function existingLogGroup(name: string, region: string | undefined, accountId: string): JsonObject {
  return {
    arn: `arn:aws:logs:${region}:${accountId}:log-group:${name}`,
    id: name,
    kms_key_id: "",
    log_group_class: "STANDARD",
    name,
    name_prefix: "",
    retention_in_days: 0,
    skip_destroy: false,
    tags: {},
    tags_all: {},
  };
}

/** Files of a prepared working folder: the AWS-only stack, overrides and (when it has imports) a crafted state. */
export function prepareWorkdir(dir: string, stack: JsonObject, accountId: string, variant?: AdoptedClusterState): void {
  mkdirSync(dir, { recursive: true });
  const aws = awsOnly(stack);
  writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(aws, null, 2));
  for (const [file, content] of Object.entries(offlineOverrides(aws))) writeFileSync(path.join(dir, file), JSON.stringify(content, null, 2));
  const variables = Object.entries(asObject(aws.variable)).filter(([, v]) => asObject(v).default === undefined);
  if (variables.length > 0) {
    // Values supplied at apply time (e.g. TF_VAR_datadog_api_key); placeholders let the plan run.
    const values = Object.fromEntries(variables.map(([name]) => [name, `offline-placeholder-${name}`]));
    writeFileSync(path.join(dir, "offline.auto.tfvars.json"), JSON.stringify(values, null, 2));
  }
  if (aws.import !== undefined) {
    const state = craftImportedState(aws, accountId, variant ?? { bootstrapSelfManagedAddons: null, bootstrapClusterCreatorAdminPermissions: null });
    writeFileSync(path.join(dir, "terraform.tfstate"), JSON.stringify(state, null, 2));
  }
}

/** A summary of `terraform show -json <plan>`: the actions per resource address. */
export interface PlanSummary {
  readonly changes: ReadonlyArray<{ address: string; actions: string[]; changedAttributes: string[]; replacePaths: unknown[] }>;
}

export function summarizePlan(planJson: JsonObject): PlanSummary {
  const changes = asArray(planJson.resource_changes)
    .map(asObject)
    .map((rc) => {
      const change = asObject(rc.change);
      const before = asObject(change.before);
      const after = asObject(change.after);
      const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
      const unknown = asObject(change.after_unknown);
      const changedAttributes = [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]) || unknown[k] === true).sort();
      return {
        address: asString(rc.address) ?? "",
        actions: asStrings(change.actions),
        changedAttributes,
        replacePaths: asArray(change.replace_paths),
      };
    });
  return { changes };
}

/** Lists stack folders of a synthesized output folder. */
export function stackNames(outdir: string): string[] {
  return readdirSync(path.join(outdir, "stacks")).sort();
}

/**
 * The files of a zip archive, inflated: a saved plan (`terraform plan -out`) is a zip whose `tfplan` entry is
 * compressed, so a value in it is only visible after inflating (format: PKWARE APPNOTE.TXT, central directory).
 */
export function zipEntries(zip: Buffer): Map<string, Buffer> {
  const entries = new Map<string, Buffer>();
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("not a zip archive: no end-of-central-directory record");
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < zip.readUInt16LE(eocd + 10); i++) {
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (method !== 0 && method !== 8) throw new Error(`zip entry ${name}: compression method ${method} is not supported`);
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * The AWS-only copy of a stack's HCL (`cdktf synth --hcl`, formatted by `terraform fmt` first so every top-level
 * block ends with a `}` in column 0): Datadog provider, resources, data sources, imports and outputs removed, the
 * Datadog provider requirement dropped, references to Datadog resources replaced by a placeholder.
 */
export function awsOnlyHcl(hcl: string): string {
  const lines = hcl.split("\n");
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!/^[a-z]+( "[^"]*")* \{$/.test(line)) {
      kept.push(line);
      continue;
    }
    let end = i;
    while (end < lines.length && lines[end] !== "}") end++;
    const block = lines.slice(i, end + 1);
    const text = block.join("\n");
    const datadog =
      /^(resource|data) "datadog_/.test(line) ||
      line === 'provider "datadog" {' ||
      (line === "import {" && /^\s*to\s*=\s*datadog_/m.test(text)) ||
      (line.startsWith("output ") && DATADOG_REF.test(text));
    DATADOG_REF.lastIndex = 0;
    if (!datadog) kept.push(...block);
    i = end;
  }
  let out = kept.join("\n");
  // The `datadog = { ... }` entry of required_providers.
  out = out.replace(/^ {4}datadog = \{\n(?: {6}.*\n)*? {4}\}\n/m, "");
  // depends_on entries on Datadog resources, then references inside expressions.
  out = out.replace(/^\s*"?(data\.)?datadog_[a-z0-9_]+\.[A-Za-z0-9_-]+"?,?\n/gm, "");
  return out.replace(DATADOG_REF, '"datadog-placeholder"');
}
