/**
 * `npm run generate`: rewrites every generated artifact from the sources, so that adding a rule (or a config field, or
 * a resource) touches one file and one command:
 *
 * - the rule pack's index, `pack/rules/index.ts` (computed first by scripts/generate.js, and the pack
 *   loaded through it before it is written);
 * - the rule tables of docs/reference.md and docs/cloud-siem.md;
 * - the config's JSON Schema, `config/eks-audit-siem.schema.json`;
 * - documentation samples: the subscription filter presets (docs/ingestion.md), the index exclusion presets
 *   (docs/log-explorer.md) and the noise table of the benign busy cluster week (docs/cloud-siem.md), between `<!-- BEGIN GENERATED <NAME> (npm run generate) -->` / `<!-- END GENERATED <NAME> -->`;
 * - the Terraform address snapshots, `__tests__/addresses/<stack>.txt` (new addresses added; a removed one only with
 *   `--accept-removed-addresses`, see generate/address-snapshot.ts).
 *
 * Every artifact is computed first, then all are written: a rule file that does not compile or validate stops the
 * command with one paragraph and leaves every file as it was. `--check` writes nothing and lists what is stale
 * (exit 1). Tests fail on every stale artifact.
 */
import * as fs from "fs";
import * as path from "path";
import { EKS_RULE_PACK } from "../pack/rules";
import { AuditLogFilterPattern } from "../modules/datadog-forwarder/filter-patterns";
import { EXCLUSION_PRESETS, EXCLUSION_PRESET_NAMES } from "../modules/log-explorer/queries";
import { renderRuleTable, replaceRuleTable } from "./rule-table";
import { diffAddresses, readSnapshot, renderSnapshot, snapshotFile, snapshotStacks, stackAddresses, updatedSnapshot } from "./address-snapshot";
import { JSON_SCHEMA_PATH, renderJsonSchema } from "./config-schema";
import { busyWeekNoise, renderNoiseTable } from "../pack/noise";

/** A Markdown table cell: pipes escaped (also inside code spans, as GitHub requires). */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

const code = (text: string): string => (text === "" ? '`""`' : `\`${text}\``);

/** The subscription filter presets: name, pattern, what each drops and keeps (from AuditLogFilterPattern). */
export function renderFilterPatternTable(): string {
  const presets = AuditLogFilterPattern.NAMES.filter((n) => n !== "custom").map((n) => AuditLogFilterPattern.fromName(n));
  return [
    "| Config name | Pattern | Drops | Keeps |",
    "|---|---|---|---|",
    ...presets.map(
      (p) =>
        `| ${code(p.name)}${p === AuditLogFilterPattern.ALL_EVENTS ? " (default)" : ""} | ${cell(code(p.pattern))} (${p.pattern.length} characters) | ${cell(p.drops.join("; ") || "nothing")} | ${cell(p.keeps.join("; "))} |`,
    ),
    "| `custom` | your pattern (`datadog.forwarder.subscription.pattern`, with `filter: custom`) | whatever it does not match | — |",
  ].join("\n");
}

/** The index exclusion presets: name, query, what each drops and why (from EXCLUSION_PRESETS). */
export function renderExclusionPresetTable(): string {
  return [
    "| Preset | Query | What it drops and why |",
    "|---|---|---|",
    ...EXCLUSION_PRESET_NAMES.map((n) => `| ${code(n)} | ${cell(code(EXCLUSION_PRESETS[n].query))} | ${cell(EXCLUSION_PRESETS[n].description)} |`),
  ].join("\n");
}

/** The noise table: signals per rule per day on the benign busy cluster week (pack/noise.ts). */
export function renderNoiseBlock(): string {
  const { rows, events, days } = busyWeekNoise();
  return renderNoiseTable(rows, events, days);
}

/** Generated blocks of documentation other than the rule tables: document, block name, content. */
export const DOCUMENT_BLOCKS: readonly { readonly doc: string; readonly name: string; readonly render: () => string }[] = [
  { doc: "docs/ingestion.md", name: "FILTER PATTERN TABLE", render: renderFilterPatternTable },
  { doc: "docs/log-explorer.md", name: "EXCLUSION PRESET TABLE", render: renderExclusionPresetTable },
  { doc: "docs/cloud-siem.md", name: "NOISE TABLE", render: renderNoiseBlock },
];

/** Replaces the content between a block's markers; fails when the document lacks them. */
export function replaceBlock(doc: string, name: string, content: string): string {
  const begin = `<!-- BEGIN GENERATED ${name} (npm run generate) -->`;
  const end = `<!-- END GENERATED ${name} -->`;
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`the document has no "${begin}" ... "${end}" markers`);
  return `${doc.slice(0, i + begin.length)}\n${content}\n${doc.slice(j)}`;
}

/** Documents holding the generated rule table. */
export const RULE_TABLE_DOCUMENTS = ["docs/reference.md", "docs/cloud-siem.md"] as const;

export interface GenerateOptions {
  /** The project folder. */
  readonly projectDir: string;
  /**
   * Drop addresses that no longer exist from the snapshots (a reviewed removal or rename with a `moved` block).
   * @default false
   */
  readonly acceptRemovedAddresses?: boolean;
}

/** One generated file: its path relative to the project folder, and its content. */
export interface GeneratedFile {
  readonly relative: string;
  readonly content: string;
}

export interface GenerateResult {
  /** Files whose content differs from what is on disk (stale), relative to the project folder, with their new content. */
  readonly changed: GeneratedFile[];
  /** Addresses in a snapshot that no stack has any more (kept in the snapshot unless accepted). */
  readonly removedAddresses: string[];
}

/**
 * Computes every artifact after the pack index (see the file's doc) and returns those that differ from the files on
 * disk. Writes nothing: a rule file that does not load or validate throws before any file is touched.
 */
export function planArtifacts(options: GenerateOptions): GenerateResult {
  const root = options.projectDir;
  /** The new content of each generated file, in the order computed; a document may get several blocks. */
  const planned = new Map<string, string>();
  /** A file's text as planned so far (an earlier block of the same document), else as on disk. */
  const read = (relative: string): string => planned.get(relative) ?? fs.readFileSync(path.join(root, relative), "utf8");
  const add = (relative: string, content: string): void => {
    planned.set(relative, content);
  };

  const table = renderRuleTable(EKS_RULE_PACK);
  for (const doc of RULE_TABLE_DOCUMENTS) add(doc, replaceRuleTable(read(doc), table));

  for (const block of DOCUMENT_BLOCKS) add(block.doc, replaceBlock(read(block.doc), block.name, block.render()));

  add(JSON_SCHEMA_PATH, renderJsonSchema());

  const removedAddresses: string[] = [];
  for (const [name, stack] of Object.entries(snapshotStacks(root))) {
    const file = snapshotFile(root, name);
    const snapshot = readSnapshot(file);
    const current = stackAddresses(stack);
    if (snapshot !== undefined) removedAddresses.push(...diffAddresses(snapshot, current).removed.map((a) => `${name}: ${a}`));
    add(path.relative(root, file), renderSnapshot(updatedSnapshot(snapshot, current, options.acceptRemovedAddresses === true)));
  }
  const changed = [...planned]
    .filter(([relative, content]) => {
      const file = path.join(root, relative);
      return !(fs.existsSync(file) && fs.readFileSync(file, "utf8") === content);
    })
    .map(([relative, content]) => ({ relative, content }));
  return { changed, removedAddresses };
}

/** Writes computed files into the project folder. */
export function writeArtifacts(projectDir: string, files: readonly GeneratedFile[]): void {
  for (const { relative, content } of files) {
    const file = path.join(projectDir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}
