/**
 * Snapshots of Terraform addresses, one file per stack (`__tests__/addresses/<stack>.txt`, one address a line,
 * sorted). A resource's address is its identity in the state: when an address disappears or changes, Terraform
 * destroys the resource and creates a new one. `npm run generate` adds new addresses to the snapshot (the diff shows
 * them in review) and never removes one unless told (`--accept-removed-addresses`); a test fails when a stack no
 * longer has an address of its snapshot, or has one the snapshot lacks.
 *
 * Generic: works on any synthesized stack (`Testing.synth` / `cdk.tf.json`); which stacks are snapshotted is
 * {@link snapshotStacks}: every environment of the default example config, and the code-composition example.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack, Testing } from "cdktf";
import { DEFAULT_CONFIG_PATH, loadConfigFile } from "../config/load";
import { PlatformAuditStack } from "../examples/compose-in-code";
import { EnvironmentStack } from "../stacks/environment-stack";

/** Folder of the committed snapshots, relative to the project folder. */
export const ADDRESS_SNAPSHOT_DIR = "__tests__/addresses";

/** A synthesized stack: the parts of `cdk.tf.json` that hold addresses. */
export interface SynthesizedStack {
  readonly resource?: Record<string, Record<string, unknown>>;
}

/** Every managed resource's address (`<type>.<name>`), sorted. Data sources hold no state to lose: not listed. */
export function stackAddresses(stack: SynthesizedStack): string[] {
  return Object.entries(stack.resource ?? {})
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .sort();
}

/** The stacks whose addresses are snapshotted, by snapshot name, synthesized without writing any file. */
export function snapshotStacks(projectDir: string): Record<string, SynthesizedStack> {
  // The App creates its (never used) outdir: a temp folder, removed at once.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-addresses-"));
  try {
    const app = new App({ outdir, skipValidation: true });
    const stacks: TerraformStack[] = loadConfigFile(path.join(projectDir, DEFAULT_CONFIG_PATH)).environments.map(
      (env) => new EnvironmentStack(app, env.name, { environment: env }),
    );
    stacks.push(new PlatformAuditStack(app, "example-platform"));
    return Object.fromEntries(stacks.map((s) => [s.node.id, JSON.parse(Testing.synth(s)) as SynthesizedStack]));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The snapshot file of a stack. */
export function snapshotFile(projectDir: string, stackName: string): string {
  return path.join(projectDir, ADDRESS_SNAPSHOT_DIR, `${stackName}.txt`);
}

/** Reads a snapshot (undefined when the stack has none yet). */
export function readSnapshot(file: string): string[] | undefined {
  if (!fs.existsSync(file)) return undefined;
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"));
}

export function renderSnapshot(addresses: readonly string[]): string {
  return [
    "# Terraform addresses of this stack (npm run generate adds new ones; a removed or renamed one destroys a resource).",
    ...[...addresses].sort(),
    "",
  ].join("\n");
}

/** What changed between a snapshot and the stack's current addresses. */
export interface AddressDiff {
  /** In the snapshot, gone from the stack: the resource would be destroyed (and recreated if renamed). */
  readonly removed: string[];
  /** In the stack, not yet in the snapshot: run `npm run generate`. */
  readonly added: string[];
}

export function diffAddresses(snapshot: readonly string[], current: readonly string[]): AddressDiff {
  const now = new Set(current);
  const before = new Set(snapshot);
  return { removed: snapshot.filter((a) => !now.has(a)), added: current.filter((a) => !before.has(a)) };
}

/**
 * The snapshot to write: the old one plus new addresses; removed addresses stay unless `acceptRemoved` (so a removal
 * is always a deliberate, reviewed change).
 */
export function updatedSnapshot(snapshot: readonly string[] | undefined, current: readonly string[], acceptRemoved: boolean): string[] {
  if (snapshot === undefined || acceptRemoved) return [...current].sort();
  return [...new Set([...snapshot, ...current])].sort();
}
