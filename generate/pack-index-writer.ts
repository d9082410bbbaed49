/**
 * Writes the rule pack's index (`pack/rules/index.ts`) from the rule files in the folder. Used by
 * `rules new` and `npm run generate`; imports nothing of the pack itself, so it can run before the pack loads.
 */
import * as fs from "fs";
import * as path from "path";
import { renderPackIndex } from "../pack/pack-index";

/** The rule ids of a pack folder: its `.ts` files other than the index, sorted. */
export function listRuleIds(packDir: string): string[] {
  return fs
    .readdirSync(packDir)
    .filter((f) => f.endsWith(".ts") && f !== "index.ts" && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** The pack index a folder needs: its path, its content, and whether the file on disk differs. Writes nothing. */
export function packIndexUpdate(packDir: string): { readonly path: string; readonly content: string; readonly changed: boolean } {
  const indexPath = path.join(packDir, "index.ts");
  const content = renderPackIndex(listRuleIds(packDir));
  const current = fs.existsSync(indexPath) ? fs.readFileSync(indexPath, "utf8") : "";
  return { path: indexPath, content, changed: current !== content };
}

/** Rewrites `index.ts` of a pack folder when it differs; returns whether it changed. */
export function writePackIndex(packDir: string, check = false): boolean {
  const update = packIndexUpdate(packDir);
  if (update.changed && !check) fs.writeFileSync(update.path, update.content);
  return update.changed;
}
