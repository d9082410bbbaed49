/**
 * The parts of a stack's JSON other than `resource`, for `review`: the backend (where the state is), providers (which
 * account, region and Datadog site a plan points at), `terraform` settings, imports, data sources, variables,
 * outputs, and any part a future synth adds. Nothing that changes goes unnamed.
 * Terraform JSON syntax: https://developer.hashicorp.com/terraform/language/syntax/json (a `//` property is a comment).
 */
import { JsonObject, asObject, asString, isObject } from "../../lib/json";
import { flatten } from "./flatten";
import { codeSpan } from "./markdown";
import { show } from "./resources";

/** Top-level parts Terraform ignores (cdktf's metadata is a JSON comment); every other part is compared. */
export const IGNORED_PARTS: readonly string[] = ["//"];
/** Compared resource by resource by tools/review/diff.ts. */
export const RESOURCE_PART = "resource";

export interface SettingDanger {
  readonly text: string;
  /** Where in the stack, e.g. `terraform.backend`, `provider.aws[us-east-1].region`. */
  readonly address: string;
  readonly detail?: string;
}

/** A changed setting: a whole entry added or removed (`before` or `after` undefined), or one leaf of it. */
export interface SettingChange {
  /** Starts with the part's name: `provider.aws[default].region`, `import[aws_eks_cluster.x]`, `output.url`. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
  /** Whether the path names a whole entry (an import, an output, a provider) rather than one value. */
  readonly whole: boolean;
}

export interface StackSettingsDiff {
  readonly danger: readonly SettingDanger[];
  /** Sorted by path. */
  readonly changes: readonly SettingChange[];
}

/** A backend block as text: `s3 (bucket "b", key "k", region "r")`; none is Terraform's default, local state. */
function backendText(backend: JsonObject | undefined): string {
  if (backend === undefined || Object.keys(backend).length === 0) return "none (local state in the stack folder)";
  return Object.entries(backend)
    .map(([type, settings]) => {
      const s = asObject(settings);
      const shown = ["bucket", "key", "region", "path", "workspace_key_prefix"].flatMap((k) => {
        const v = asString(s[k]);
        return v !== undefined ? [`${k} ${codeSpan(v)}`] : [];
      });
      return `${codeSpan(type)}${shown.length > 0 ? ` (${shown.join(", ")})` : ""}`;
    })
    .join(", ");
}

/**
 * The entries of one part, by a name that stays the same when blocks are reordered: providers by type and alias
 * (`provider.aws[us-east-1]`), imports by target (`import[aws_eks_cluster.x]`), data sources by type and name,
 * `terraform` settings by key (the backend apart: compared as a whole), other objects by key, lists by index.
 */
function entriesOf(part: string, value: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (part === "provider") {
    for (const [key, block] of Object.entries(providersByAlias(value))) out.set(`provider.${key}`, block);
  } else if (part === "import" && Array.isArray(value)) {
    value.forEach((block, i) => out.set(`import[${asString(asObject(block).to) ?? i}]`, block));
  } else if (part === "data" && isObject(value)) {
    for (const [type, byName] of Object.entries(value))
      for (const [name, block] of Object.entries(asObject(byName))) out.set(`data.${type}.${name}`, block);
  } else if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) if (!(part === "terraform" && key === "backend")) out.set(`${part}.${key}`, v);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => out.set(`${part}[${i}]`, v));
  } else {
    out.set(part, value);
  }
  return out;
}

/** Provider blocks keyed by `<type>[<alias>]` (`aws[default]`, `aws[us-east-1]`). */
function providersByAlias(value: unknown): JsonObject {
  const out: JsonObject = {};
  for (const [type, blocks] of Object.entries(asObject(value))) {
    for (const block of Array.isArray(blocks) ? blocks : [blocks]) {
      out[`${type}[${asString(asObject(block).alias) ?? "default"}]`] = block;
    }
  }
  return out;
}

/** Provider settings that point the plan at other infrastructure (account guard, region, Datadog site). */
const TARGET_SETTINGS: Readonly<Record<string, string>> = {
  region: "the region it reads and writes",
  allowed_account_ids: "the accounts it may touch",
  forbidden_account_ids: "the accounts it may not touch",
  api_url: "the Datadog site it talks to",
};

/**
 * Compares every top-level part of two versions of one stack except `resource` and {@link IGNORED_PARTS}. A moved
 * backend, and a provider pointed at another account, region or Datadog site, are danger: the plan then reads other
 * state or other infrastructure, and would create everything anew there.
 */
export function diffStackSettings(before: JsonObject, after: JsonObject): StackSettingsDiff {
  const danger: SettingDanger[] = [];
  const oldBackend = isObject(asObject(before.terraform).backend) ? asObject(asObject(before.terraform).backend) : undefined;
  const newBackend = isObject(asObject(after.terraform).backend) ? asObject(asObject(after.terraform).backend) : undefined;
  if (JSON.stringify(oldBackend) !== JSON.stringify(newBackend)) {
    danger.push({
      text: `The state moves: ${backendText(oldBackend)} → ${backendText(newBackend)}`,
      address: "terraform.backend",
      // https://developer.hashicorp.com/terraform/cli/commands/init#backend-initialization
      detail:
        "terraform reads the state at the new place: unless the state is copied there first (`terraform init -migrate-state`), it plans every resource as new and would create each one again next to the old",
    });
  }
  const parts = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((p) => p !== RESOURCE_PART && !IGNORED_PARTS.includes(p));
  const changes: SettingChange[] = [];
  for (const part of parts) {
    const a = entriesOf(part, before[part]);
    const b = entriesOf(part, after[part]);
    for (const entry of new Set([...a.keys(), ...b.keys()])) {
      const x = a.get(entry);
      const y = b.get(entry);
      if (JSON.stringify(x) === JSON.stringify(y)) continue;
      if (!a.has(entry) || !b.has(entry)) {
        changes.push({ path: entry, before: x, after: y, whole: true });
        continue;
      }
      const la = flatten(x, entry);
      const lb = flatten(y, entry);
      for (const path of new Set([...la.keys(), ...lb.keys()])) {
        if (JSON.stringify(la.get(path)) !== JSON.stringify(lb.get(path)))
          changes.push({ path, before: la.get(path), after: lb.get(path), whole: false });
      }
    }
  }
  changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const oldProviders = providersByAlias(before.provider);
  const newProviders = providersByAlias(after.provider);
  for (const [key, block] of Object.entries(newProviders)) {
    if (!(key in oldProviders)) continue;
    for (const [setting, meaning] of Object.entries(TARGET_SETTINGS)) {
      const x = asObject(oldProviders[key])[setting];
      const y = asObject(block)[setting];
      if (JSON.stringify(x) === JSON.stringify(y)) continue;
      danger.push({
        text: `The provider ${codeSpan(key)} changes ${meaning}: ${show(x)} → ${show(y)}`,
        address: `provider.${key}.${setting}`,
        detail: "the plan looks for the resources in state there, and plans to create whatever it does not find",
      });
    }
  }
  return { danger, changes };
}
