/**
 * The files a backtest reads: local paths, directories and globs, and `s3://` URLs (DuckDB's httpfs), narrowed to
 * the Datadog archive partitions `dt=<YYYYMMDD>/hour=<HH>/` of a date range (`lib/backtest/archive.ts` cites the
 * layout), so a one-day backtest lists and reads one day.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from "fs";
import { join } from "path";

/** Bad backtest input (arguments, files): reported as one paragraph, exit 2. */
export class BacktestInputError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = "BacktestInputError";
  }
}

export type Compression = "none" | "gzip" | "zstd";

export interface InputFile {
  readonly path: string;
  readonly compression: Compression;
}

/** An inclusive range of UTC days, as `YYYYMMDD`. */
export interface DayRange {
  readonly from: string;
  readonly to: string;
}

const DAY_ARG = /^(\d{4})-?(\d{2})-?(\d{2})$/;

/** `2026-11-01` or `20261101` as `20261101`; throws BacktestInputError naming the option otherwise. */
export function parseDay(option: string, value: string): string {
  const m = DAY_ARG.exec(value);
  const day = m === null ? undefined : `${m[1]}${m[2]}${m[3]}`;
  if (
    m === null ||
    day === undefined ||
    Number.isNaN(Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`)) ||
    new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`).getUTCDate() !== Number(m[3])
  ) {
    throw new BacktestInputError(`${option}: received ${JSON.stringify(value)}; allowed: a UTC day as YYYY-MM-DD (e.g. 2026-11-01)`);
  }
  return day;
}

/** The days of a range, `YYYYMMDD`, in order. */
export function daysOf(range: DayRange): string[] {
  const toDate = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)));
  const out: string[] = [];
  for (let t = toDate(range.from); t <= toDate(range.to); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10).replace(/-/g, ""));
  return out;
}

/** `dt=YYYYMMDD` of an archive path, or undefined. */
export function partitionDay(path: string): string | undefined {
  return /(?:^|\/)dt=(\d{8})\//.exec(path)?.[1];
}

const GLOB_CHARS = /[*?[]/;

export function isS3(path: string): boolean {
  return path.startsWith("s3://");
}

/** Compression by file name, as DuckDB's `compression='auto'` decides it. */
export function compressionOfName(path: string): Compression {
  if (/\.gz$/i.test(path)) return "gzip";
  if (/\.zst$/i.test(path) || /\.zstd$/i.test(path)) return "zstd";
  return "none";
}

function compressionOfBytes(path: string): Compression {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
    if (n === 4 && head.readUInt32LE(0) === 0xfd2fb528) return "zstd";
    return "none";
  } finally {
    closeSync(fd);
  }
}

function listDir(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listDir(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Lists the files of a glob (DuckDB's `glob()`; local or, with httpfs loaded, `s3://`). */
export type GlobLister = (pattern: string) => Promise<string[]>;

/**
 * The files to read, in argument order (each glob or directory sorted by path). With `range`, directories and S3
 * prefixes (ending in `/`) are listed one day at a time (`<prefix>dt=<day>/hour=*\/*`), and every file must sit in a
 * `dt=` partition inside the range (others are skipped when they came from a glob, refused when named).
 */
export async function resolveInputs(args: readonly string[], range: DayRange | undefined, glob: GlobLister): Promise<InputFile[]> {
  const files: InputFile[] = [];
  const inRange = (p: string) => {
    const day = partitionDay(p);
    return day !== undefined && range !== undefined && day >= range.from && day <= range.to;
  };
  for (const arg of args) {
    let listed: string[];
    let named = false;
    if (isS3(arg)) {
      if (arg.endsWith("/"))
        listed = range === undefined ? await glob(`${arg}**`) : (await Promise.all(daysOf(range).map((d) => glob(`${arg}dt=${d}/hour=*/*`)))).flat();
      else if (GLOB_CHARS.test(arg)) listed = await glob(arg);
      else {
        listed = [arg];
        named = true;
      }
    } else if (GLOB_CHARS.test(arg)) {
      listed = await glob(arg);
    } else {
      let isDir: boolean;
      let isFile: boolean;
      try {
        const st = statSync(arg);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch {
        throw new BacktestInputError(
          `input ${JSON.stringify(arg)}: no such file or directory; allowed: files, directories, globs (quoted) and s3:// URLs`,
        );
      }
      if (!isDir && !isFile) {
        throw new BacktestInputError(
          `input ${JSON.stringify(arg)}: not a regular file (a device, FIFO or socket); allowed: files, directories, globs (quoted) and s3:// URLs`,
        );
      }
      if (isDir) {
        const prefix = arg.endsWith("/") ? arg : arg + "/";
        listed =
          range === undefined
            ? listDir(arg)
            : daysOf(range).flatMap((d) => {
                try {
                  return listDir(`${prefix}dt=${d}`);
                } catch {
                  return [];
                }
              });
      } else {
        listed = [arg];
        named = true;
      }
    }
    for (const path of listed.sort()) {
      if (range !== undefined && !inRange(path)) {
        if (named) {
          throw new BacktestInputError(
            `input ${JSON.stringify(path)}: --from/--to select Datadog archive partitions (dt=YYYYMMDD/hour=HH/), and this file is not in one inside the range; allowed: archive paths, or no --from/--to`,
          );
        }
        continue;
      }
      files.push({ path, compression: isS3(path) ? compressionOfName(path) : localCompression(path) });
    }
  }
  return files;
}

/** A local file's compression by its first bytes; its name must say the same (DuckDB decides by the name). */
function localCompression(path: string): Compression {
  const bytes = compressionOfBytes(path);
  const name = compressionOfName(path);
  if (bytes !== name) {
    throw new BacktestInputError(
      `input ${JSON.stringify(path)}: its content is ${bytes === "none" ? "not compressed" : bytes} but its name says ${name === "none" ? "uncompressed" : name}; allowed: .gz for gzip, .zst for zstd, no such suffix for plain text (rename the file)`,
    );
  }
  return bytes;
}
