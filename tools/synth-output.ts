/**
 * All-or-nothing synth output that keeps each stack's Terraform working files.
 *
 * The app synthesizes into a sibling folder (`<outdir>.partial`) and swaps it in only when every stack succeeded.
 * What `terraform init` wrote into a stack's folder survives the swap: the provider lock file
 * (`.terraform.lock.hcl`, the one cdktf's CLI also reads and writes there) and `.terraform/` (installed providers,
 * backend settings), so a re-synth needs no re-init. Folders of stacks that no longer exist go away with the old
 * output.
 */
import { existsSync, readdirSync, renameSync, rmSync } from "fs";
import * as path from "path";

/** What `terraform init` leaves in a stack's folder that a re-synth keeps. */
export const KEPT_STACK_FILES = [".terraform", ".terraform.lock.hcl"] as const;

/** The folder the app synthesizes into before the swap. */
export function stagingFolder(outdir: string): string {
  return `${outdir}.partial`;
}

/** Removes a staging folder left by an earlier failed run (or this one). */
export function discardStaging(outdir: string): void {
  rmSync(stagingFolder(outdir), { recursive: true, force: true });
}

/**
 * Replaces `outdir` with the staging folder, carrying each surviving stack's {@link KEPT_STACK_FILES} over.
 * @returns the names of the stacks whose working files were kept
 */
export function swapInOutput(outdir: string): string[] {
  const staging = stagingFolder(outdir);
  const kept: string[] = [];
  const newStacks = path.join(staging, "stacks");
  const oldStacks = path.join(outdir, "stacks");
  if (existsSync(oldStacks) && existsSync(newStacks)) {
    for (const stack of readdirSync(newStacks).sort()) {
      let any = false;
      for (const name of KEPT_STACK_FILES) {
        const from = path.join(oldStacks, stack, name);
        if (!existsSync(from)) continue;
        renameSync(from, path.join(newStacks, stack, name));
        any = true;
      }
      if (any) kept.push(stack);
    }
  }
  rmSync(outdir, { recursive: true, force: true });
  renameSync(staging, outdir);
  return kept;
}
