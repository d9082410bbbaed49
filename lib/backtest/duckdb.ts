/**
 * Runs a backtest plan (`plan.ts`) in an in-process DuckDB (`@duckdb/node-api`, native binary from npm).
 *
 * DuckDB's buffer-managed memory is bounded by `memory_limit` (default {@link DEFAULT_MEMORY_LIMIT}); what does not fit
 * (the per-line tables of a large input, in a database file of the temporary folder; window sorts) goes to disk. The process uses more (the
 * readers' buffers, JSON parsing per thread, the Node heap): see `docs/backtest.md`. Extensions are never downloaded at
 * run time (`autoinstall_known_extensions=false`): `s3://` inputs need `httpfs` and `aws` installed beforehand.
 */
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { CompiledRule } from "../rules/compile";
import { MAX_DISTINCT_VALUES_PER_RULE } from "../rules/signals";
import { BacktestInputError, DayRange, InputFile, isS3, resolveInputs } from "./inputs";
import { BacktestPlan, planBacktest } from "./plan";
import { compileQuerySet } from "../query";
import { readBacktestLine } from "./node-engine";
import { perDay, BacktestResult, RuleBacktest } from "./result";
import { sqlString } from "./sql";

export const DEFAULT_MEMORY_LIMIT = "1GB";
/** Longest line read (bytes); longer lines are an error of the input. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface DuckdbOptions {
  /** DuckDB `memory_limit`. @default DEFAULT_MEMORY_LIMIT */
  readonly memoryLimit?: string;
  /** DuckDB `threads`. @default - DuckDB's default (the number of cores) */
  readonly threads?: number;
}

/** An open DuckDB connection with the backtest settings. */
export class BacktestDb {
  private constructor(
    private readonly instance: DuckDBInstance,
    public readonly conn: DuckDBConnection,
    private readonly tempDir: string,
  ) {}

  public static async open(options: DuckdbOptions = {}): Promise<BacktestDb> {
    const tempDir = mkdtempSync(join(tmpdir(), "backtest-duckdb-"));
    const settings: Record<string, string> = {
      memory_limit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      temp_directory: tempDir,
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      // Keeps the scan's row order (`compileScan` of scan.ts): no rewriting of long IN lists into a join.
      disabled_optimizers: "in_clause",
    };
    if (options.threads !== undefined) settings.threads = String(options.threads);
    let instance: DuckDBInstance;
    try {
      // A database file in the temporary folder, not `:memory:`: its tables (a row per input line) are written out
      // and compressed past `memory_limit`; in memory, inserting 10M lines under 256 MB failed ("failed to pin block").
      instance = await DuckDBInstance.create(join(tempDir, "backtest.duckdb"), settings);
    } catch (e) {
      rmSync(tempDir, { recursive: true, force: true });
      throw new BacktestInputError(
        `DuckDB refused the settings (memory_limit ${JSON.stringify(settings.memory_limit)}): ${(e as Error).message}; allowed: a size such as 512MB or 4GB`,
      );
    }
    const conn = await instance.connect();
    return new BacktestDb(instance, conn, tempDir);
  }

  public async run(sql: string): Promise<void> {
    await this.conn.run(sql);
  }

  public async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.conn.runAndReadAll(sql);
    return reader.getRowObjectsJS();
  }

  /** `glob()` of DuckDB, sorted. */
  public async glob(pattern: string): Promise<string[]> {
    const rows = await this.rows(`SELECT file FROM glob(${sqlString(pattern)}) ORDER BY file`);
    return rows.map((r) => String(r.file));
  }

  /**
   * Loads httpfs and aws and creates an S3 secret from the AWS credential chain (environment, shared config and
   * credentials files, SSO, instance/container roles), DuckDB docs "S3 API Support" / "AWS extension".
   *
   * @throws BacktestInputError when the extensions are not installed.
   */
  public async enableS3(): Promise<void> {
    for (const ext of ["httpfs", "aws"]) {
      try {
        await this.run(`LOAD ${ext}`);
      } catch (e) {
        throw new BacktestInputError(
          `s3:// inputs need DuckDB's ${ext} extension, which is not installed here (LOAD ${ext}: ${firstLine((e as Error).message)}); ` +
            'allowed: install httpfs and aws once where extensions.duckdb.org is reachable (duckdb -c "INSTALL httpfs; INSTALL aws;" with DuckDB 1.5.x, same user), or copy the archive files locally and pass local paths',
        );
      }
    }
    await this.run(s3SecretSql());
  }

  /**
   * The files of a backtest's inputs (paths, folders, globs, `s3://` URLs; only the `dt=` partitions of `range`),
   * S3 turned on first when an input needs it.
   *
   * @throws BacktestInputError when nothing matches.
   */
  public async inputFiles(inputs: readonly string[], range: DayRange | undefined): Promise<InputFile[]> {
    if (inputs.some((i) => i.startsWith("s3://"))) await this.enableS3();
    const files = await resolveInputs(inputs, range, (pattern) => this.glob(pattern));
    if (files.length === 0) {
      throw new BacktestInputError(
        `no file matched ${inputs.map((i) => JSON.stringify(i)).join(", ")}${range === undefined ? "" : ` in dt=${range.from}..${range.to}`}`,
      );
    }
    return files;
  }

  public close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
    rmSync(this.tempDir, { recursive: true, force: true });
    return Promise.resolve();
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}

/** The secret that makes DuckDB's S3 reads use the standard AWS credential chain. */
export function s3SecretSql(): string {
  return "CREATE OR REPLACE SECRET backtest_s3 (TYPE s3, PROVIDER credential_chain)";
}

/** `read_csv` of whole lines (no quoting, a delimiter JSON never contains raw): one VARCHAR column `line`. */
export function linesSql(files: readonly InputFile[]): string {
  if (files.length === 0) return "SELECT NULL::VARCHAR AS line WHERE false";
  return `SELECT line FROM read_csv([${files.map((f) => sqlString(f.path)).join(", ")}], columns = {'line': 'VARCHAR'}, header = false,
  delim = E'\\x01', quote = '', escape = '', auto_detect = false, strict_mode = false, compression = 'auto', max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${MAX_LINE_BYTES * 2})`;
}

const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : Number(v ?? 0));

/**
 * The reference evaluator on the lines the scan kept (`bt_all.line`), in order: every query (`QuerySet`, as
 * `rules match` evaluates them) and the keys of each rule, appended to `bt_q` for a line that matches some query, and
 * for every line the scan left to it (`other`) with its kind and time. Streams, so memory does not grow with the
 * number of candidates.
 */
async function evaluateCandidates(db: BacktestDb, plan: BacktestPlan): Promise<number> {
  const set = compileQuerySet(plan.nodes);
  const results = new Array<boolean>(set.size).fill(false);
  await db.run(plan.resultTableSql);
  const appender = await db.conn.createAppender("bt_q");
  const columns = plan.resultColumns;
  let candidates = 0;
  try {
    const stream = await db.conn.stream("SELECT rowid AS rid, kind, line FROM bt_all WHERE line IS NOT NULL ORDER BY rowid");
    for await (const rows of stream.yieldRowsJs()) {
      for (const [rid, kind, line] of rows) {
        candidates++;
        // The scan dropped a leading byte-order mark already; 0 is "not the first line".
        const log = readBacktestLine(line as string, 0);
        const other = kind === "other";
        const matched = typeof log !== "string" && set.evaluate(log, results) > 0;
        if (!matched && !other && typeof log !== "string") continue;
        appender.appendBigInt(BigInt(rid as bigint));
        // The reference classifies and times what the scan left to it; an error is an error whatever the scan said.
        if (typeof log === "string") appender.appendVarchar("error");
        else if (other) appender.appendVarchar("event");
        else appender.appendNull();
        if (other && typeof log !== "string" && log.timestampMs !== undefined) appender.appendDouble(log.timestampMs);
        else appender.appendNull();
        for (const c of columns) {
          const v = matched ? c.value(log, results) : c.type === "BOOLEAN" ? false : null;
          if (v === null) appender.appendNull();
          else if (typeof v === "boolean") appender.appendBoolean(v);
          else if (typeof v === "number") appender.appendDouble(v);
          else appender.appendVarchar(v);
        }
        appender.endRow();
      }
    }
  } finally {
    appender.closeSync();
  }
  return candidates;
}

/** Runs `rules` over `files` in DuckDB; `timing`, when given, receives the elapsed milliseconds after each phase. */
export async function runDuckdbBacktest(
  rules: readonly CompiledRule[],
  files: readonly InputFile[],
  db: BacktestDb,
  timing?: (phase: string, ms: number) => void,
): Promise<BacktestResult> {
  const plan: BacktestPlan = planBacktest(rules);
  if (files.some((f) => isS3(f.path))) await db.enableS3();
  const t0 = Date.now();
  await scan(db, plan, files);
  timing?.("scan", Date.now() - t0);
  const candidates = await evaluateCandidates(db, plan);
  timing?.(`${candidates} candidates`, Date.now() - t0);
  await events(db, plan);
  timing?.("events table", Date.now() - t0);
  const [stats] = await db.rows(plan.statsSql);
  const [counts] = await db.rows(plan.countsSql);
  timing?.("counts", Date.now() - t0);
  const days = num(stats.days);
  const out: RuleBacktest[] = [];
  for (let r = 0; r < plan.rules.length; r++) {
    const p = plan.rules[r];
    const rule = p.compiled.rule;
    let signals: number | null = null;
    if (p.signalsSql !== undefined) {
      const [row] = await db.rows(p.signalsSql);
      signals = num(row.signals);
    }
    const distinctCount = p.distinctFields.length > 0 ? num(counts[`distinct_${r}`]) : 0;
    out.push({
      rule: rule.name,
      ...(rule.id === undefined ? {} : { id: rule.id }),
      severity: rule.severity,
      detectionMethod: rule.detectionMethod,
      eventsMatched: num(counts[`matched_${r}`]),
      distinct:
        p.distinctFields.length === 0
          ? null
          : {
              fields: p.distinctFields,
              count: Math.min(distinctCount, MAX_DISTINCT_VALUES_PER_RULE),
              capped: distinctCount >= MAX_DISTINCT_VALUES_PER_RULE,
            },
      estimatedSignals: signals,
      signalsPerDay: perDay(signals, days),
      estimate: p.estimate,
    });
  }
  timing?.("total", Date.now() - t0);
  return {
    totals: { engine: "duckdb", files: files.length, lines: num(stats.lines), events: num(stats.events), errors: num(stats.errors), days },
    rules: out,
  };
}

/** The macros and the scan into `bt_all`. */
async function scan(db: BacktestDb, plan: BacktestPlan, files: readonly InputFile[]): Promise<void> {
  for (const m of plan.macros) await db.run(m);
  // One statement per file, in the order given: the table's rowid is then the input order (`compileScan` of scan.ts).
  await db.run(`CREATE OR REPLACE TABLE bt_all AS ${plan.scanSql(linesSql([]))}`);
  for (const file of files) await db.run(`INSERT INTO bt_all ${plan.scanSql(linesSql([file]))}`);
}

/** Whether the reference classified some line (`bt_q.kind`): the scan left it `other`, or found it an error. */
async function hasOthers(db: BacktestDb): Promise<boolean> {
  const [row] = await db.rows("SELECT count(*) AS n FROM bt_q WHERE kind IS NOT NULL");
  return num(row.n) > 0;
}

/** `bt_k` (every line's kind and time), `bt_ev` (the events, times filled) and `bt_e` (the evaluated events). */
async function events(db: BacktestDb, plan: BacktestPlan): Promise<void> {
  await db.run(plan.linesSql(await hasOthers(db)));
  const [timeless] = await db.rows("SELECT n FROM bt_timeless");
  await db.run(plan.eventsSql(num(timeless.n) > 0));
  await db.run(plan.evaluatedSql);
}

/** Per-event match results of every query (for the differential test): `[kind, q_<r>_<k>...]` in line order. */
export async function duckdbMatchRows(
  rules: readonly CompiledRule[],
  files: readonly InputFile[],
  db: BacktestDb,
): Promise<{ kind: string; queries: boolean[] }[]> {
  const plan = planBacktest(rules);
  await scan(db, plan, files);
  await evaluateCandidates(db, plan);
  await db.run(plan.linesSql(await hasOthers(db)));
  const cols = plan.rules.flatMap((p) => p.queryColumns);
  const rows = await db.rows(plan.matchRowsSql);
  return rows.map((row) => ({ kind: String(row.kind), queries: cols.map((c) => row[c] === true) }));
}
