/**
 * The checks around the synth output swap (lib/synth/output.ts, lib/synth/lock.ts), offline and without cdktf:
 * which output folders synth refuses to replace (not its own, links out of the project), paths, and the lock between
 * two synths into one folder. The swap under faults is in synth-output-faults.test.ts; real processes in
 * synth-cli.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { OutputFolderError, linkTree, nodeOutputFs } from "../lib/synth/output-fs";
import { LockClock, WAIT_ENV_VAR, acquireLock, waitMsFromEnv } from "../lib/synth/lock";
import { OUTPUT_MARKER, OutputFolder, outputFolder, replaceOutput } from "../lib/synth/output";

const work = mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-output-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let projects = 0;

/** A fresh project folder. */
function project(): string {
  const root = path.join(work, `p${projects++}`);
  mkdirSync(root);
  return root;
}

/** A synth stand-in: writes a manifest and one stack. */
function writeNew(staging: string): void {
  mkdirSync(path.join(staging, "stacks/prod"), { recursive: true });
  writeFileSync(path.join(staging, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: { prod: {} } }));
  writeFileSync(path.join(staging, "stacks/prod/cdk.tf.json"), "{}");
}

function replace(folder: OutputFolder): { error?: Error; notes: string[] } {
  const notes: string[] = [];
  try {
    replaceOutput(folder, writeNew, { waitMs: 0, note: (line) => notes.push(line) });
    return { notes };
  } catch (error) {
    return { error: error as Error, notes };
  }
}

describe("output folder: what synth replaces and what it refuses", () => {
  it("creates a missing folder (and the folders above it), with the marker", () => {
    const root = project();
    const r = replace(outputFolder("build/out", root));
    expect(r).toEqual({ notes: [] });
    expect(readdirSync(path.join(root, "build/out")).sort()).toEqual([OUTPUT_MARKER, "manifest.json", "stacks"]);
    expect(readdirSync(path.join(root, "build"))).toEqual(["out"]);
  });

  it("replaces an empty folder, its own output, and an output written before the marker (cdktf's manifest.json)", () => {
    const root = project();
    mkdirSync(path.join(root, "empty"));
    expect(replace(outputFolder("empty", root)).error).toBeUndefined();
    expect(replace(outputFolder("empty", root)).error).toBeUndefined();
    mkdirSync(path.join(root, "legacy/stacks/gone"), { recursive: true });
    writeFileSync(path.join(root, "legacy/manifest.json"), JSON.stringify({ version: "0.20.0", stacks: {} }));
    expect(replace(outputFolder("legacy", root)).error).toBeUndefined();
    expect(readdirSync(path.join(root, "legacy/stacks"))).toEqual(["prod"]);
  });

  it("leaves a <folder>.partial of an earlier version alone (it may hold lock files), saying what it is", () => {
    const root = project();
    mkdirSync(path.join(root, "out.partial/stacks/prod"), { recursive: true });
    writeFileSync(path.join(root, "out.partial/stacks/prod/.terraform.lock.hcl"), "lock");
    expect(replace(outputFolder("out", root))).toEqual({
      notes: [
        "out.partial: left by an interrupted synth of an earlier version and no longer used; if a stack lost its .terraform.lock.hcl or .terraform/ then, they are in out.partial/stacks/<environment>/: move them back, then delete out.partial",
      ],
    });
    expect(readFileSync(path.join(root, "out.partial/stacks/prod/.terraform.lock.hcl"), "utf8")).toBe("lock");
  });

  it("takes a path with a trailing slash as the folder itself, and names it without the slash", () => {
    const root = project();
    const folder = outputFolder("out/", root);
    expect(folder.shown).toBe("out");
    expect(folder.staging).toBe(path.join(root, ".out.synth-new"));
    expect(replace(folder).error).toBeUndefined();
    expect(readdirSync(root).sort()).toEqual(["out"]);
    expect(outputFolder("out//", root).path).toBe(path.join(root, "out"));
  });

  it("refuses a folder it did not write (CDKTF_OUTDIR=docs) and leaves it as it was", () => {
    const root = project();
    mkdirSync(path.join(root, "docs"));
    for (const name of ["a.md", "b.md", "c.md", "manifest.json"]) writeFileSync(path.join(root, "docs", name), "# notes");
    const r = replace(outputFolder("docs", root));
    expect(r.error).toBeInstanceOf(OutputFolderError);
    expect(r.error!.message).toBe(
      `invalid output folder docs: folder: received a folder synth did not write (it holds "a.md", "b.md", "c.md" and 1 more, and neither ${OUTPUT_MARKER} nor cdktf's manifest.json); allowed: a folder written by synth, an empty folder, or a path that does not exist yet (synth replaces the whole folder: choose another CDKTF_OUTDIR)`,
    );
    expect(readdirSync(path.join(root, "docs"))).toEqual(["a.md", "b.md", "c.md", "manifest.json"]);
    expect(readdirSync(root)).toEqual(["docs"]);
  });

  it("refuses a file where the folder should be", () => {
    const root = project();
    writeFileSync(path.join(root, "out"), "x");
    expect(replace(outputFolder("out", root)).error!.message).toBe(
      "invalid output folder out: folder: received a file; allowed: a folder written by synth, or a path that does not exist yet",
    );
  });

  it("refuses a device where the folder should be", () => {
    expect(replace(outputFolder("/dev/null", project())).error!.message).toBe(
      "invalid output folder /dev/null: folder: received a special file (a device, FIFO or socket); allowed: a folder written by synth, or a path that does not exist yet",
    );
  });

  it("refuses a path with a control character or too long, shown escaped and cut", () => {
    const root = project();
    expect(() => outputFolder("out\nput", root)).toThrow(
      'invalid output folder "out\\nput": folder: received a path with a control character; allowed: a path of at most 1024 characters without control characters (newlines, tabs, NUL)',
    );
    expect(() => outputFolder("a\u0000b", root)).toThrow('invalid output folder "a\\u0000b": folder: received a path with a control character');
    expect(() => outputFolder("x".repeat(5000), root)).toThrow(
      `invalid output folder "${"x".repeat(100)}"... (5000 characters): folder: received a path too long`,
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it("refuses a folder that is or contains the current folder", () => {
    const root = project();
    for (const given of [".", "..", "/", root]) {
      expect(() => outputFolder(given, root)).toThrow(OutputFolderError);
    }
    expect(() => outputFolder(".", root)).toThrow(
      `invalid output folder .: folder: received a folder that contains the current folder ${JSON.stringify(root)}`,
    );
  });
});

describe("output folder: links are refused, never followed", () => {
  const outside = () => {
    const dir = path.join(project(), "outside");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "keep.txt"), "not synth's");
    return dir;
  };

  it("an output folder that is a link", () => {
    const root = project();
    const target = outside();
    symlinkSync(target, path.join(root, "out"));
    expect(replace(outputFolder("out", root)).error!.message).toBe(
      `invalid output folder out: folder: received a symbolic link to ${JSON.stringify(target)} (synth never follows a link out of the project); allowed: a real folder`,
    );
    expect(readdirSync(target)).toEqual(["keep.txt"]);
  });

  it("a link on the way from the project to the output folder", () => {
    const root = project();
    const target = outside();
    symlinkSync(target, path.join(root, "build"));
    expect(replace(outputFolder("build/out", root)).error!.message).toBe(
      `invalid output folder build/out: build: received a symbolic link to ${JSON.stringify(target)} (synth never follows a link out of the project); allowed: a real folder`,
    );
    expect(readdirSync(target)).toEqual(["keep.txt"]);
  });

  it("a stacks folder or a stack folder that is a link", () => {
    const root = project();
    const target = outside();
    expect(replace(outputFolder("out", root)).error).toBeUndefined();
    rmSync(path.join(root, "out/stacks/prod"), { recursive: true });
    symlinkSync(target, path.join(root, "out/stacks/prod"));
    expect(replace(outputFolder("out", root)).error!.message).toBe(
      `invalid output folder out: stacks/prod: received a symbolic link to ${JSON.stringify(target)} (synth never follows a link out of the output folder); allowed: a real folder`,
    );
    rmSync(path.join(root, "out/stacks"), { recursive: true });
    symlinkSync(target, path.join(root, "out/stacks"));
    expect(replace(outputFolder("out", root)).error!.message).toMatch(/^invalid output folder out: stacks: received a symbolic link to /);
    expect(readdirSync(target)).toEqual(["keep.txt"]);
  });

  it("an output folder outside the project, given by an absolute path, is fine when it is no link", () => {
    const root = project();
    const elsewhere = path.join(project(), "out");
    expect(replace(outputFolder(elsewhere, root)).error).toBeUndefined();
    expect(existsSync(path.join(elsewhere, "stacks/prod/cdk.tf.json"))).toBe(true);
  });
});

describe("kept files are linked, not copied, and links inside them are recreated as links", () => {
  it("hard links files and recreates a link with its own target", () => {
    const root = project();
    mkdirSync(path.join(root, "from/providers"), { recursive: true });
    writeFileSync(path.join(root, "from/providers/bin"), "provider");
    symlinkSync("/nowhere/cache", path.join(root, "from/plugins"));
    linkTree(nodeOutputFs, path.join(root, "from"), path.join(root, "to"));
    expect(statSync(path.join(root, "to/providers/bin")).ino).toBe(statSync(path.join(root, "from/providers/bin")).ino);
    expect(statSync(path.join(root, "from/providers/bin")).nlink).toBe(2);
    expect(nodeOutputFs.readlink(path.join(root, "to/plugins"))).toBe("/nowhere/cache");
  });
});

/** A clock that advances only when the lock sleeps, with a fixed set of live pids. */
function fakeClock(live: number[], host = "here"): LockClock & { slept: number; afterSleep: () => void } {
  let now = Date.UTC(2026, 0, 1);
  const clock = {
    slept: 0,
    afterSleep: () => undefined as void,
    now: () => now,
    sleep(ms: number) {
      now += ms;
      clock.slept += ms;
      clock.afterSleep();
    },
    pid: 100,
    host,
    isAlive: (pid: number) => live.includes(pid),
  };
  return clock;
}

describe("the lock: one synth at a time per output folder", () => {
  function lockIn(root: string, holder: object | string, waitMs: number, clock: LockClock, ageMs = 0) {
    const file = path.join(root, ".out.synth-lock");
    writeFileSync(file, typeof holder === "string" ? holder : JSON.stringify(holder));
    if (ageMs > 0) utimesSync(file, new Date(clock.now() - ageMs), new Date(clock.now() - ageMs));
    const notes: string[] = [];
    const take = () =>
      acquireLock({ io: nodeOutputFs, file, shownFile: ".out.synth-lock", shownFolder: "out", waitMs, note: (l) => notes.push(l), clock });
    return { file, notes, take };
  }

  it("waits for a live holder up to the bound, then stops with one paragraph naming the folder, the holder and the lock", () => {
    const root = project();
    const clock = fakeClock([4242]);
    const { notes, take, file } = lockIn(root, { pid: 4242, host: "here", since: "2026-01-01T00:00:00.000Z" }, 2000, clock);
    expect(take).toThrow(
      new OutputFolderError(
        `output folder out is busy: another synth (pid 4242 on host here, since 2026-01-01T00:00:00.000Z) holds its lock .out.synth-lock and still did after 2 s; run again when it has finished (${WAIT_ENV_VAR} sets how many seconds to wait), or delete .out.synth-lock if no synth is running`,
      ),
    );
    expect(clock.slept).toBe(2000);
    expect(notes).toEqual(["output folder out: waiting for another synth (pid 4242 on host here, since 2026-01-01T00:00:00.000Z) to finish"]);
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(4242);
  });

  it("takes the lock as soon as the holder releases it", () => {
    const root = project();
    const clock = fakeClock([4242]);
    const { take, file } = lockIn(root, { pid: 4242, host: "here", since: "x" }, 60_000, clock);
    clock.afterSleep = () => {
      if (clock.slept >= 500) rmSync(file, { force: true });
    };
    const release = take();
    expect(clock.slept).toBe(500);
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(100);
    release();
    expect(existsSync(file)).toBe(false);
  });

  it("removes a stale lock (holder no longer running) at once, saying so", () => {
    const root = project();
    const clock = fakeClock([]);
    const { take, notes, file } = lockIn(root, { pid: 4242, host: "here", since: "x" }, 0, clock);
    take()();
    expect(notes).toEqual([".out.synth-lock: removed a stale lock of pid 4242 on host here, since x (no longer running)"]);
    expect(readdirSync(root)).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  it("does not judge a holder on another host by its pid", () => {
    const root = project();
    const { take } = lockIn(root, { pid: 4242, host: "elsewhere", since: "x" }, 0, fakeClock([]));
    expect(take).toThrow(/another synth \(pid 4242 on host elsewhere, since x\) holds its lock/);
  });

  it("takes a lock without a readable holder as stale only once it is old (a kill between creating and writing it)", () => {
    const fresh = lockIn(project(), "", 0, fakeClock([]));
    expect(fresh.take).toThrow(/another synth \(a process that left no readable pid\)/);
    const clock = fakeClock([]);
    const old = lockIn(project(), "", 0, clock, 60_000);
    expect(old.take).not.toThrow();
    expect(old.notes).toEqual([".out.synth-lock: removed a stale lock of a process that left no readable pid (older than 10 s)"]);
  });

  it("never deletes a fresh lock: one taken by another process between finding the lock stale and moving it aside is put back", () => {
    const root = project();
    const clock = fakeClock([7]);
    const file = path.join(root, ".out.synth-lock");
    writeFileSync(file, JSON.stringify({ pid: 5, host: "here", since: "x" }));
    const fresh = JSON.stringify({ pid: 7, host: "here", since: "y" });
    // Just before this process moves the stale lock aside, another one replaces it with its own (a race).
    const racing = {
      ...nodeOutputFs,
      rename(from: string, to: string) {
        if (from === file) writeFileSync(file, fresh);
        nodeOutputFs.rename(from, to);
      },
    };
    const take = () => acquireLock({ io: racing, file, shownFile: ".out.synth-lock", shownFolder: "out", waitMs: 0, note: () => undefined, clock });
    expect(take).toThrow(/another synth \(pid 7 on host here, since y\) holds its lock/);
    expect(readFileSync(file, "utf8")).toBe(fresh);
    expect(readdirSync(root)).toEqual([".out.synth-lock"]);
  });

  it("removes what a killed take-over left aside, and keeps what a live one did", () => {
    const root = project();
    const clock = fakeClock([7]);
    writeFileSync(path.join(root, ".out.synth-lock.stale-5"), "x");
    writeFileSync(path.join(root, ".out.synth-lock.stale-7"), "x");
    const { take } = lockIn(root, { pid: 5, host: "here", since: "x" }, 0, clock);
    const release = take();
    expect(readdirSync(root).sort()).toEqual([".out.synth-lock", ".out.synth-lock.stale-7"]);
    release();
  });

  it(`reads the wait bound from ${WAIT_ENV_VAR}, refusing anything but whole seconds`, () => {
    expect(waitMsFromEnv({})).toBe(60_000);
    expect(waitMsFromEnv({ [WAIT_ENV_VAR]: "0" })).toBe(0);
    expect(waitMsFromEnv({ [WAIT_ENV_VAR]: "5" })).toBe(5000);
    expect(() => waitMsFromEnv({ [WAIT_ENV_VAR]: "-1" })).toThrow(
      `invalid environment variable: ${WAIT_ENV_VAR}: received "-1"; allowed: a whole number of seconds to wait for another synth into the same folder (0 = do not wait; default 60)`,
    );
  });
});
