/**
 * Fault injection into the synth output swap (lib/synth/output.ts): every file-system call it makes goes through
 * `OutputFs`; a dry run lists them, then for each step k the swap is run again with step k failing (an EIO error
 * the code sees and handles) or with the process "killed" before step k (that call and every later one throw, so no
 * clean-up runs: what is on disk is what a SIGKILL would leave). The steps are found by the dry run, so a step added
 * to the swap is covered without editing this test.
 *
 * After an error: the output folder is the complete previous output and the error is one paragraph (or, for a fault
 * after the new output is in place, the run succeeds and the output is the complete new one). After a kill: the
 * output folder is the complete previous or the complete new output, or it is missing and `.out.synth-old` is the
 * complete previous output; then the next normal run (whose first step is the recovery) gives the complete new output
 * and leaves nothing beside it. "Complete" includes every stack's `.terraform/` and `.terraform.lock.hcl`.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, lstatSync, symlinkSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { OutputFolderError, OutputFs, nodeOutputFs } from "../lib/synth/output-fs";
import { OUTPUT_MARKER, OutputFolder, outputFolder, replaceOutput } from "../lib/synth/output";

class Killed extends Error {}

type Fault = { readonly at: number; readonly mode: "error" | "kill" } | undefined;

/** `nodeOutputFs` with each call recorded as a step, and the fault (if any) injected at its step. */
function faultyFs(fault: Fault, root: string): { io: OutputFs; steps: string[]; killed: () => boolean } {
  const steps: string[] = [];
  let dead = false;
  const io = {} as Record<string, unknown>;
  for (const [name, real] of Object.entries(nodeOutputFs) as [string, (...args: unknown[]) => unknown][]) {
    io[name] = (...args: unknown[]) => {
      if (dead) throw new Killed("killed");
      const step = steps.length;
      steps.push(`${name} ${args.map((a) => (typeof a === "string" && path.isAbsolute(a) ? path.relative(root, a) : JSON.stringify(a))).join(" ")}`);
      if (fault?.at === step && fault.mode === "kill") {
        dead = true;
        throw new Killed("killed");
      }
      if (fault?.at === step) throw Object.assign(new Error(`EIO: injected fault, ${name}`), { code: "EIO" });
      return real(...args);
    };
  }
  return { io: io as unknown as OutputFs, steps, killed: () => dead };
}

/** The calls that only read: a kill before one of them leaves the disk as a kill before the next change does. */
const READS = new Set(["lstat", "readdir", "readFile", "readlink"]);

/** Everything under a path, links not followed: relative path -> `folder`, `file <content>` or `link <target>`. */
function snapshot(p: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const walk = (at: string, rel: string): void => {
    const stats = lstatSync(at, { throwIfNoEntry: false });
    if (stats === undefined) return;
    if (stats.isSymbolicLink()) out[rel] = `link ${readlinkSync(at)}`;
    else if (stats.isDirectory()) {
      out[rel] = "folder";
      for (const name of readdirSync(at).sort()) walk(path.join(at, name), rel === "" ? name : `${rel}/${name}`);
    } else out[rel] = `file ${readFileSync(at, "utf8")}`;
  };
  walk(p, "");
  return Object.keys(out).length === 0 ? undefined : out;
}

const LOCK = '# This file is maintained automatically by "terraform init".\nprovider "registry.terraform.io/hashicorp/aws" {}\n';

/** An output written before the marker existed (cdktf's manifest only), after `terraform init` in its stacks. */
function writePreviousOutput(out: string): void {
  mkdirSync(path.join(out, "stacks/keep/.terraform/providers/registry.terraform.io"), { recursive: true });
  mkdirSync(path.join(out, "stacks/retired"), { recursive: true });
  writeFileSync(path.join(out, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: { keep: {}, retired: {} } }));
  writeFileSync(path.join(out, "stacks/keep/cdk.tf.json"), '{"old":true}');
  writeFileSync(path.join(out, "stacks/keep/plan.bin"), "a plan of the old configuration");
  writeFileSync(path.join(out, "stacks/keep/.terraform.lock.hcl"), LOCK);
  writeFileSync(path.join(out, "stacks/keep/.terraform/terraform.tfstate"), '{"backend":"keep"}');
  writeFileSync(path.join(out, "stacks/keep/.terraform/providers/registry.terraform.io/terraform-provider-aws"), "a provider binary");
  symlinkSync("providers/registry.terraform.io", path.join(out, "stacks/keep/.terraform/plugins"));
  writeFileSync(path.join(out, "stacks/retired/cdk.tf.json"), '{"retired":true}');
  writeFileSync(path.join(out, "stacks/retired/.terraform.lock.hcl"), LOCK);
}

/** What cdktf's synth would write, through the (faulty) file system: part of the steps. */
function writeNewOutput(io: OutputFs): (staging: string) => void {
  return (staging) => {
    io.mkdir(staging);
    io.writeFile(path.join(staging, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: { keep: {}, added: {} } }));
    io.mkdir(path.join(staging, "stacks"));
    for (const stack of ["added", "keep"]) {
      io.mkdir(path.join(staging, "stacks", stack));
      io.writeFile(path.join(staging, "stacks", stack, "cdk.tf.json"), JSON.stringify({ stack, new: true }));
    }
  };
}

/**
 * The runs here are almost only file-metadata calls (about 100,000): on a memory file system (Linux's /dev/shm, where there
 * is one) they cost a third of the CPU time they cost on this VM's disk. Renames, hard links and symbolic links behave
 * the same on both.
 */
function workFolder(): string {
  try {
    return mkdtempSync(path.join("/dev/shm", "eks-audit-siem-faults-"));
  } catch {
    return mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-faults-"));
  }
}
const work = workFolder();
afterAll(() => rmSync(work, { recursive: true, force: true }));
let runs = 0;

interface Scenario {
  readonly name: string;
  readonly setUp: (out: string) => void;
  /** What a run without faults notes. */
  readonly notes: string[];
}

const SCENARIOS: Scenario[] = [
  { name: "a previous output with lock files (written before the marker existed)", setUp: writePreviousOutput, notes: [] },
  { name: "no previous output", setUp: () => undefined, notes: [] },
  {
    // This process's own pid in a lock can only be a lock left by a killed process (see lib/synth/lock.ts).
    name: "a previous output and the lock of a killed synth",
    setUp: (out) => {
      writePreviousOutput(out);
      writeFileSync(
        path.join(path.dirname(out), ".out.synth-lock"),
        JSON.stringify({ pid: process.pid, host: os.hostname(), since: "2026-01-01T00:00:00.000Z" }),
      );
    },
    notes: [
      `.out.synth-lock: removed a stale lock of pid ${process.pid} on host ${os.hostname()}, since 2026-01-01T00:00:00.000Z (no longer running)`,
    ],
  },
];

/** A fresh project folder with the scenario's previous output in `out/`. */
function project(scenario: Scenario): { root: string; folder: OutputFolder } {
  const root = path.join(work, `p${runs++}`);
  mkdirSync(root);
  scenario.setUp(path.join(root, "out"));
  return { root, folder: outputFolder("out", root) };
}

function run(folder: OutputFolder, io: OutputFs): { error?: unknown; notes: string[] } {
  const notes: string[] = [];
  try {
    replaceOutput(folder, writeNewOutput(io), { io, waitMs: 0, note: (line) => notes.push(line) });
    return { notes };
  } catch (error) {
    return { error, notes };
  }
}

describe.each(SCENARIOS)("output swap under faults: $name", (scenario) => {
  // The previous and the new output, complete, from a run without faults.
  const reference = project(scenario);
  const previous = snapshot(reference.folder.path);
  const dry = faultyFs(undefined, reference.root);
  const clean = run(reference.folder, dry.io);
  const next = snapshot(reference.folder.path);
  const steps = dry.steps;

  it(`runs cleanly: ${steps.length} steps, the new output complete with the kept files, nothing left beside it`, () => {
    expect(clean).toEqual({ notes: scenario.notes });
    expect(next![OUTPUT_MARKER]).toMatch(/^file /);
    expect(next!["stacks/added/cdk.tf.json"]).toBe('file {"stack":"added","new":true}');
    if (previous !== undefined) {
      for (const kept of [
        ".terraform.lock.hcl",
        ".terraform/terraform.tfstate",
        ".terraform/providers/registry.terraform.io/terraform-provider-aws",
        ".terraform/plugins",
      ]) {
        expect(next![`stacks/keep/${kept}`]).toBe(previous[`stacks/keep/${kept}`]);
      }
      expect(next!["stacks/keep/plan.bin"]).toBeUndefined();
      expect(next!["stacks/retired"]).toBeUndefined();
    }
    expect(readdirSync(reference.root)).toEqual(["out"]);
    // The dry run covers every phase: lock, recovery, synthesis, links, marker, swap, removal, release.
    const kinds = new Set(steps.map((s) => s.split(" ")[0]));
    for (const kind of ["createExclusive", "mkdir", "writeFile", "rename", "unlink"]) expect(kinds).toContain(kind);
    if (previous !== undefined) for (const kind of ["link", "symlink", "rmdir"]) expect(kinds).toContain(kind);
  });

  const cases = steps.map((step, at) => ({ at, step }));

  it.each(cases)("error at step $at ($step): the previous output whole and one paragraph, or the new output whole", ({ at }) => {
    const { root, folder } = project(scenario);
    const faulty = faultyFs({ at, mode: "error" }, root);
    const result = run(folder, faulty.io);
    if (result.error === undefined) {
      expect(snapshot(folder.path)).toEqual(next);
    } else {
      expect(result.error).toBeInstanceOf(OutputFolderError);
      const message = (result.error as Error).message;
      expect(message).not.toContain("\n");
      expect(message).toMatch(/^cannot replace output folder out: .*injected fault.*; the previous output is unchanged$/);
      expect(snapshot(folder.path)).toEqual(previous);
    }
    // The next run recovers whatever was left beside the folder.
    expect(run(folder, nodeOutputFs).error).toBeUndefined();
    expect(snapshot(folder.path)).toEqual(next);
    expect(readdirSync(root)).toEqual(["out"]);
  });

  /** The disk after a kill: the previous or the new output whole, or missing with the previous one whole beside it. */
  function expectRecoverable(folder: OutputFolder): void {
    const left = snapshot(folder.path);
    const state = left === undefined && previous !== undefined ? snapshot(folder.old) : left;
    expect([previous, next]).toContainEqual(state);
  }

  it.each(cases)("kill before step $at ($step): recoverable, and the next synth gives the new output whole", ({ at }) => {
    const { root, folder } = project(scenario);
    const faulty = faultyFs({ at, mode: "kill" }, root);
    // What the run returns or throws after the kill does not matter (a killed process says nothing): the disk does.
    run(folder, faulty.io);
    expect(faulty.killed()).toBe(true);
    expectRecoverable(folder);
    const again = run(folder, nodeOutputFs);
    expect(again.error).toBeUndefined();
    expect(snapshot(folder.path)).toEqual(next);
    expect(readdirSync(root)).toEqual(["out"]);
  });

  // A kill during the recovery itself: after a first kill, the next run is killed before each of its steps up to the
  // start of its synthesis (the lock take-over, the recovery, the checks), and a third run must still give the new
  // output whole. Only kills before a step that changes the disk are distinct (a kill before a read leaves what a kill
  // before the next change leaves); any call not known to only read counts as a change. First kills: every change
  // from the first rename of the previous output on, and the last change before it (the new output fully written
  // beside the untouched previous one: earlier first kills leave a part of that same folder to delete); every change
  // when there is no previous output.
  const allChanges = cases.filter(({ step }) => !READS.has(step.split(" ")[0]));
  const firstRename = allChanges.findIndex(({ step }) => step.startsWith("rename out "));
  const changes = allChanges.slice(Math.max(0, firstRename - 1));
  it.each(changes)("kill before step $at, then a kill before each change of the next run's recovery: still recoverable", ({ at }) => {
    const killedProject = () => {
      const p = project(scenario);
      run(p.folder, faultyFs({ at, mode: "kill" }, p.root).io);
      return p;
    };
    // The steps of the next run from this state, from a run without faults on one copy of it.
    const first = killedProject();
    const dryNext = faultyFs(undefined, first.root);
    run(first.folder, dryNext.io);
    const synthesisStarts = dryNext.steps.findIndex((step) => step.startsWith(`mkdir ${path.basename(first.folder.staging)}`));
    const kills = dryNext.steps.map((step, k) => ({ step, k })).filter(({ step, k }) => k <= synthesisStarts && !READS.has(step.split(" ")[0]));
    expect(kills.length).toBeGreaterThan(1);
    for (const { k } of kills) {
      const { root, folder } = killedProject();
      const second = faultyFs({ at: k, mode: "kill" }, root);
      run(folder, second.io);
      expect(second.killed()).toBe(true);
      expectRecoverable(folder);
      expect(run(folder, nodeOutputFs).error).toBeUndefined();
      expect(snapshot(folder.path)).toEqual(next);
      expect(readdirSync(root)).toEqual(["out"]);
    }
  });
});
