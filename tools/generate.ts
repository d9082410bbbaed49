/**
 * `npm run generate`: rewrites every generated artifact from the sources, so that adding a rule (or a config field, or
 * a resource) touches one file and one command:
 *
 * - the rule pack's index, `modules/cloud-siem/rules/index.ts` (written first, by scripts/generate.js, before the
 *   pack is loaded);
 * - the rule tables of README.md and docs/cloud-siem.md;
 * - the config's JSON Schema, `config/eks-audit-siem.schema.json`;
 * - the Terraform address snapshots, `__tests__/addresses/<stack>.txt` (new addresses added; a removed one only with
 *   `--accept-removed-addresses`, see tools/address-snapshot.ts).
 *
 * `--check` writes nothing and lists what is stale (exit 1). Tests fail on every stale artifact.
 */
import * as fs from "fs";
import * as path from "path";
import { EKS_RULE_PACK } from "../modules/cloud-siem/rules";
import { renderRuleTable, replaceRuleTable } from "../modules/cloud-siem/rule-table";
import { diffAddresses, readSnapshot, renderSnapshot, snapshotFile, snapshotStacks, stackAddresses, updatedSnapshot } from "./address-snapshot";
import { JSON_SCHEMA_PATH, renderJsonSchema } from "./config-schema";

/** Documents holding the generated rule table. */
export const RULE_TABLE_DOCUMENTS = ["README.md", "docs/cloud-siem.md"] as const;

export interface GenerateOptions {
  /** The project folder. */
  readonly projectDir: string;
  /**
   * Write nothing; report what is stale.
   * @default false
   */
  readonly check?: boolean;
  /**
   * Drop addresses that no longer exist from the snapshots (a reviewed removal or rename with a `moved` block).
   * @default false
   */
  readonly acceptRemovedAddresses?: boolean;
}

export interface GenerateResult {
  /** Files written (or, with `check`, stale), relative to the project folder. */
  readonly changed: string[];
  /** Addresses in a snapshot that no stack has any more (kept in the snapshot unless accepted). */
  readonly removedAddresses: string[];
}

/** Regenerates every artifact after the pack index (see the file's doc). */
export function generateArtifacts(options: GenerateOptions): GenerateResult {
  const root = options.projectDir;
  const changed: string[] = [];
  const write = (relative: string, content: string): void => {
    const file = path.join(root, relative);
    if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === content) return;
    changed.push(relative);
    if (options.check !== true) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
  };

  const table = renderRuleTable(EKS_RULE_PACK);
  for (const doc of RULE_TABLE_DOCUMENTS) write(doc, replaceRuleTable(fs.readFileSync(path.join(root, doc), "utf8"), table));

  write(JSON_SCHEMA_PATH, renderJsonSchema());

  const removedAddresses: string[] = [];
  for (const [name, stack] of Object.entries(snapshotStacks(root))) {
    const file = snapshotFile(root, name);
    const snapshot = readSnapshot(file);
    const current = stackAddresses(stack);
    if (snapshot !== undefined) removedAddresses.push(...diffAddresses(snapshot, current).removed.map((a) => `${name}: ${a}`));
    write(path.relative(root, file), renderSnapshot(updatedSnapshot(snapshot, current, options.acceptRemovedAddresses === true)));
  }
  return { changed, removedAddresses };
}
