/**
 * The Node engine of `rules backtest`: the evaluator and summary model of `rules match --summary`
 * (`compileRules`, `QuerySet`, `newSummary` of `lib/rules/signals.ts`) over several files, archive lines
 * included. The reference the DuckDB engine is tested against, and the engine for small inputs.
 */
import { createReadStream } from "fs";
import { pipeline } from "stream";
import * as zlib from "zlib";
import type { NormalizedLog } from "../query";
import type { RuleSet } from "../rules/compile";
import { BLANK, forEachLine, readEvent } from "../rules/events";
import { SummaryRun } from "../rules/signals";
import { archiveLineToLog, isArchiveLine } from "./archive";
import { BacktestInputError, InputFile, isS3 } from "./inputs";
import { BacktestResult, perDay } from "./result";

const DAY_MS = 86_400_000;

/** One line as the backtest reads it: an archived Datadog log as it is, anything else as `rules match` reads it. */
export function readBacktestLine(line: string, lineNumber: number): NormalizedLog | string {
  if (line.includes('"attributes"')) {
    let value: unknown;
    try {
      value = JSON.parse(lineNumber === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
    } catch {
      value = undefined;
    }
    if (isArchiveLine(value)) return archiveLineToLog(value);
  }
  return readEvent(line, lineNumber);
}

type ZstdZlib = typeof zlib & { createZstdDecompress?: () => NodeJS.ReadWriteStream };

function open(file: InputFile): AsyncIterable<string | Buffer> {
  if (isS3(file.path)) {
    throw new BacktestInputError(
      `input ${JSON.stringify(file.path)}: the node engine reads local files only; allowed: --engine duckdb for s3:// inputs`,
    );
  }
  const source = createReadStream(file.path, { highWaterMark: 1 << 20 });
  if (file.compression === "none") {
    source.setEncoding("utf8");
    return source;
  }
  const z = zlib as ZstdZlib;
  if (file.compression === "zstd" && z.createZstdDecompress === undefined) {
    throw new BacktestInputError(
      `input ${JSON.stringify(file.path)}: zstd needs Node.js 22.15 or later for the node engine (this is ${process.version}); allowed: --engine duckdb`,
    );
  }
  const decompress =
    file.compression === "gzip" ? zlib.createGunzip({ chunkSize: 1 << 20 }) : (z.createZstdDecompress as () => NodeJS.ReadWriteStream)();
  (decompress as NodeJS.ReadWriteStream & { setEncoding(e: string): void }).setEncoding("utf8");
  return pipeline(source, decompress, () => {
    // Errors surface through the async iteration.
  });
}

/** Runs the compiled rules over the files, in order, with the `rules match --summary` model. */
export async function runNodeBacktest(ruleSet: RuleSet, files: readonly InputFile[]): Promise<BacktestResult> {
  let lines = 0;
  let events = 0;
  let errors = 0;
  const days = new Set<number>();
  const run = new SummaryRun(ruleSet);
  for (const file of files) {
    await forEachLine(
      open(file),
      (line, lineNumber) => {
        if (BLANK.test(line)) return;
        lines++;
        const log = readBacktestLine(line, lineNumber);
        if (typeof log === "string") {
          errors++;
          return;
        }
        events++;
        days.add(Math.floor(run.observe(log) / DAY_MS));
      },
      () => Promise.resolve(true),
      () => {
        // A line longer than any CloudWatch line (`lineTooLongReason`): skipped and counted, as rules match does.
        lines++;
        errors++;
      },
    );
  }
  return {
    totals: { engine: "node", files: files.length, lines, events, errors, days: days.size },
    rules: run.finish().map((s) => {
      const rule = s.compiled.rule;
      return {
        rule: rule.name,
        ...(rule.id === undefined ? {} : { id: rule.id }),
        severity: rule.severity,
        detectionMethod: rule.detectionMethod,
        eventsMatched: s.eventsMatched,
        distinct: s.distinctFields.length === 0 ? null : { fields: s.distinctFields, count: s.distinct.size, capped: s.distinctCapped },
        estimatedSignals: s.estimatedSignals,
        signalsPerDay: perDay(s.estimatedSignals, days.size),
        estimate: s.estimate,
      };
    }),
  };
}
