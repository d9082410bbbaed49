/**
 * The synthesized-output half of `review`: what changes between two versions of one environment's stack, by
 * resource, as old → new values, with what Terraform would destroy or replace first.
 */
import { JsonObject, asArray, asObject, asString, parseJson } from "../../lib/json";
import { codeSpan, fencedBlock } from "./markdown";
import { flatten } from "./flatten";
import { SettingChange, diffStackSettings } from "./stack";
import { FORCES_REPLACEMENT, LINKS, Link, forcesReplacement, humanName, linkOf, referenceText, regionOf, show } from "./resources";

export type ChangeKind = "added" | "removed" | "changed" | "replaced";

export interface ResourceChange {
  readonly address: string;
  readonly link: Link;
  readonly subject: string;
  readonly kind: ChangeKind;
  /** Markdown lines (may hold fenced blocks), one changed setting each. */
  readonly details: readonly string[];
}

export interface Danger {
  /** e.g. `EKS cluster staging-apps would be destroyed` */
  readonly text: string;
  readonly address: string;
  readonly detail?: string;
}

export interface LinkCounts {
  added: number;
  changed: number;
  destroyed: number;
  replaced: number;
}

export interface EnvironmentDiff {
  readonly environment: string;
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly danger: readonly Danger[];
  /** Facts about the danger as a whole (a provider removed with the resources it manages). */
  readonly dangerNotes: readonly string[];
  readonly changes: readonly ResourceChange[];
  /** Markdown lines, one per changed setting outside `resource` (backend, providers, imports, outputs, ...). */
  readonly settings: readonly string[];
  /** Summary lines per link that are not about one resource (IAM actions across every policy). */
  readonly notes: ReadonlyMap<Link, readonly string[]>;
  readonly counts: Readonly<Record<Link, LinkCounts>>;
}

interface Resource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly body: JsonObject;
  readonly region?: string;
}

function resourcesOf(stack: JsonObject | undefined): Map<string, Resource> {
  const out = new Map<string, Resource>();
  if (stack === undefined) return out;
  for (const [type, byName] of Object.entries(asObject(stack.resource))) {
    for (const [name, value] of Object.entries(asObject(byName))) {
      const body = asObject(value);
      out.set(`${type}.${name}`, { address: `${type}.${name}`, type, name, body, region: regionOf(stack, body) });
    }
  }
  return out;
}

const isLong = (v: unknown) => typeof v === "string" && (v.includes("\n") || v.length > 70);
/** A leaf as the text of a line diff: a string as it is, anything else (a number, a boolean, an empty list) as JSON. */
const leafText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** Lines only in `before` (`- `) then lines only in `after` (`+ `); a `\r` stays in its line (shown escaped). */
function lineDiff(before: string, after: string): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  const inB = new Set(b);
  const inA = new Set(a);
  return [...a.filter((l) => !inB.has(l)).map((l) => `- ${l}`), ...b.filter((l) => !inA.has(l)).map((l) => `+ ${l}`)];
}

/** One changed setting as Markdown: `path`: old → new, or a line diff in a fenced block for long texts. */
export function settingChange(path: string, before: unknown, after: unknown): string {
  const name = codeSpan(path);
  if (before === undefined) return `${name}: set to ${show(after)}`;
  if (after === undefined) return `${name}: ${show(before)} removed`;
  if (isLong(before) || isLong(after)) {
    const lines = lineDiff(referenceText(leafText(before)), referenceText(leafText(after)));
    return [`${name}:`, ...fencedBlock(lines, "diff").map((l) => `  ${l}`)].join("\n");
  }
  return `${name}: ${show(before)} → ${show(after)}`;
}

/** A changed stack setting as Markdown: a whole import, output, provider, ... added or removed, or one value. */
function settingLine(c: SettingChange): string {
  const whole = c.after ?? c.before;
  if (!c.whole || whole === null || typeof whole !== "object") return settingChange(c.path, c.before, c.after);
  const id = c.path.startsWith("import[") ? asObject(whole).id : undefined;
  const what = c.after !== undefined ? "added" : "removed";
  return `${codeSpan(c.path)}: ${what}${id !== undefined ? ` (${c.after !== undefined ? "adopts" : "it adopted"} the existing ${show(id)})` : ""}`;
}

/** Widgets of a dashboard JSON document (every object with a `definition`). */
function widgetCount(doc: unknown): number {
  if (Array.isArray(doc)) return doc.reduce((n: number, d) => n + widgetCount(d), 0);
  if (doc === null || typeof doc !== "object") return 0;
  return ("definition" in doc ? 1 : 0) + Object.values(asObject(doc)).reduce((n: number, d) => n + widgetCount(d), 0);
}

function parsed(text: unknown): unknown {
  try {
    return typeof text === "string" ? parseJson(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Setting-level changes of a resource present on both sides; the `policy` of IAM policies is summarized elsewhere. */
function settingChanges(r: Resource, before: JsonObject, after: JsonObject): { lines: string[]; forced: string[] } {
  const a = flatten(before);
  const b = flatten(after);
  const lines: string[] = [];
  const forced: string[] = [];
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const path of paths) {
    const x = a.get(path);
    const y = b.get(path);
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    if (r.type === "aws_iam_policy" && path === "policy") {
      lines.push("`policy`: document changed (IAM actions added and removed are listed above)");
      continue;
    }
    if (r.type === "datadog_dashboard_json" && path === "dashboard") {
      lines.push(`\`dashboard\`: definition changed (widgets: ${widgetCount(parsed(x))} → ${widgetCount(parsed(y))})`);
      continue;
    }
    const line = settingChange(path, x, y);
    lines.push(line);
    const force = forcesReplacement(r.type, path);
    if (force !== undefined) forced.push(line.split("\n")[0].replace(/:$/, ""));
  }
  if (r.type === "aws_cloudformation_stack" && before.template_url !== after.template_url) {
    const version = (url: unknown) => /\/forwarder\/([^/]+)\.yaml$/.exec(String(url))?.[1];
    const from = version(before.template_url);
    const to = version(after.template_url);
    if (from !== undefined && to !== undefined) {
      lines.unshift(`Forwarder version: ${codeSpan(from)} → ${codeSpan(to)}`);
    }
  }
  if (r.type === "datadog_security_monitoring_rule") {
    const statuses = (body: JsonObject) =>
      asArray(body.case)
        .map((c) => asString(asObject(c).status))
        .join(", ");
    if (statuses(before) !== statuses(after)) lines.unshift(`severity: ${codeSpan(statuses(before))} → ${codeSpan(statuses(after))}`);
  }
  return { lines, forced };
}

/** What a reviewer checks first on a new detection rule: on or off, severities, queries. */
function addedFacts(r: Resource): string[] {
  if (r.type !== "datadog_security_monitoring_rule") return [];
  const b = r.body;
  const cases = asArray(b.case).map(asObject);
  const queries = asArray(b.query).map(asObject);
  return [
    `\`enabled\`: ${show(b.enabled ?? true)}`,
    `severity: ${cases.map((c) => `${show(c.status)}${c.condition !== undefined ? ` when ${show(c.condition)}` : ""}`).join("; ")}`,
    ...queries.map((q) => `query${queries.length > 1 ? ` ${codeSpan(asString(q.name) ?? "")}` : ""}: ${show(q.query)}`),
  ];
}

/** `aws`, `aws.<alias>`, ... for every provider block of a stack. */
function providerAliases(stack: JsonObject): Set<string> {
  const out = new Set<string>();
  for (const [type, blocks] of Object.entries(asObject(stack.provider))) {
    for (const p of Array.isArray(blocks) ? blocks : [blocks]) {
      const alias = asString(asObject(p).alias);
      out.add(alias !== undefined ? `${type}.${alias}` : type);
    }
  }
  return out;
}

/** Every IAM action granted by the stack's `aws_iam_policy` documents. */
function iamActions(resources: Map<string, Resource>): Set<string> {
  const actions = new Set<string>();
  for (const r of resources.values()) {
    if (r.type !== "aws_iam_policy") continue;
    for (const st of asArray(asObject(parsed(r.body.policy)).Statement).map(asObject)) {
      if (st.Effect !== "Allow") continue;
      for (const a of Array.isArray(st.Action) ? st.Action : [st.Action]) if (typeof a === "string") actions.add(a);
    }
  }
  return actions;
}

function listed(items: readonly string[], max = 12): string {
  const shown = items.slice(0, max).map(codeSpan).join(", ");
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

const emptyCounts = (): Record<Link, LinkCounts> =>
  Object.fromEntries(LINKS.map((l) => [l, { added: 0, changed: 0, destroyed: 0, replaced: 0 }])) as Record<Link, LinkCounts>;

/** Compares one environment's stack before and after; either side may be missing (environment added or removed). */
export function diffEnvironment(environment: string, before: JsonObject | undefined, after: JsonObject | undefined): EnvironmentDiff {
  const old = resourcesOf(before);
  const now = resourcesOf(after);
  const danger: Danger[] = [];
  const changes: ResourceChange[] = [];
  const counts = emptyCounts();
  const orphanedProviders = new Set<string>();
  const addresses = [...new Set([...old.keys(), ...now.keys()])].sort();
  for (const address of addresses) {
    const a = old.get(address);
    const b = now.get(address);
    const r = (b ?? a)!;
    const link = linkOf(r.type);
    const subject = humanName(r.type, r.name, r.body, r.region);
    if (a === undefined) {
      counts[link].added++;
      changes.push({ address, link, subject, kind: "added", details: addedFacts(r) });
    } else if (b === undefined) {
      counts[link].destroyed++;
      const details: string[] = [];
      // https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle#prevent_destroy
      if (asObject(a.body.lifecycle).prevent_destroy === true)
        details.push(
          "its prevent_destroy goes with the removed block and does not stop this; to stop managing it without destroying it, use a `removed` block with `destroy = false`",
        );
      const provider = asString(a.body.provider);
      if (provider !== undefined && after !== undefined && !providerAliases(after).has(provider)) orphanedProviders.add(provider);
      danger.push({ text: `${subject} would be destroyed`, address, detail: details.length > 0 ? details.join("; ") : undefined });
      changes.push({ address, link, subject, kind: "removed", details: [] });
    } else {
      const { lines, forced } = settingChanges(r, a.body, b.body);
      if (lines.length === 0) continue;
      if (forced.length > 0) {
        counts[link].replaced++;
        const was = humanName(a.type, a.name, a.body, a.region);
        danger.push({ text: `${was} would be replaced (destroyed, then created)`, address, detail: `forced by ${forced.join("; ")}` });
        changes.push({ address, link, subject, kind: "replaced", details: lines });
      } else {
        counts[link].changed++;
        changes.push({ address, link, subject, kind: "changed", details: lines });
      }
    }
  }
  // Danger in chain order (a cluster before its log group's subscription), then by address.
  const rank = (address: string) => (address.startsWith("aws_eks_cluster.") ? -1 : LINKS.indexOf(linkOf(address.split(".")[0])));
  danger.sort((x, y) => rank(x.address) - rank(y.address) || (x.address < y.address ? -1 : 1));
  // The rest of the stack (only when both sides exist: a whole environment added or removed is named as such);
  // its danger (a moved state, another account or region) comes first, as it changes what every line below means.
  const stack = before !== undefined && after !== undefined ? diffStackSettings(before, after) : { danger: [], changes: [] };
  danger.unshift(...stack.danger);
  const settings = stack.changes.map(settingLine);
  const notes = new Map<Link, string[]>();
  const actionsBefore = iamActions(old);
  const actionsAfter = iamActions(now);
  const added = [...actionsAfter].filter((x) => !actionsBefore.has(x)).sort();
  const removed = [...actionsBefore].filter((x) => !actionsAfter.has(x)).sort();
  if (added.length > 0 || removed.length > 0) {
    const lines: string[] = [];
    if (added.length > 0) lines.push(`IAM actions granted to the integration role: ${added.length} added: ${listed(added)}`);
    if (removed.length > 0) lines.push(`IAM actions granted to the integration role: ${removed.length} removed: ${listed(removed)}`);
    notes.set("Ingestion", lines);
  }
  const status =
    before === undefined
      ? "added"
      : after === undefined
        ? "removed"
        : changes.length === 0 && notes.size === 0 && settings.length === 0 && danger.length === 0
          ? "unchanged"
          : "changed";
  const dangerNotes = [...orphanedProviders]
    .sort()
    .map(
      (p) =>
        `The provider ${codeSpan(p)} is removed together with resources it manages: terraform cannot plan their destroy ("Provider configuration not present"). Keep the provider until the destroy is applied.`,
    );
  return { environment, status, danger, dangerNotes, changes, settings, notes, counts };
}

export { FORCES_REPLACEMENT };
