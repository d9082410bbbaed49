/**
 * Datadog log archive lines: Datadog's *processed* logs, as its Log Archives write them to S3.
 *
 * Layout (Datadog docs, "Log Archives", section "Format of the archives",
 * https://docs.datadoghq.com/logs/log_configuration/archives/#format-of-the-archives; source
 * `DataDog/documentation` `content/en/logs/log_configuration/archives.md`):
 *
 *   <bucket>/<prefix>/dt=<YYYYMMDD>/hour=<HH>/archive_<HHmmss.SSSS>.<UUID>.json.zst   (zstd, the default)
 *   <bucket>/<prefix>/dt=<YYYYMMDD>/hour=<HH>/archive_<HHmmss.SSSS>.<UUID>.json.gz    (gzip; `compression_method`
 *                                                                                     GZIP or ZSTD in the API)
 *
 * Each line is one log: `{"_id", "date", "host", "source", "service", "status", "message", "attributes": {...},
 * "tags": [...]}` (tags only when the archive opts in). The attributes are already remapped by Datadog's pipelines,
 * so they are searched as they are; raw audit events go through `normalizeAuditEvent` instead.
 */
import type { NormalizedLog } from "../query";
import { isObject } from "../is-object";

type Json = Record<string, unknown>;

/**
 * Whether a parsed line is an archived Datadog log rather than an audit event or a CloudWatch line: it has no
 * `kind`/`apiVersion` (an audit event's), an `attributes` object, and Datadog's `_id` or `date`.
 */
export function isArchiveLine(value: unknown): value is Json {
  return (
    isObject(value) &&
    value.kind === undefined &&
    value.apiVersion === undefined &&
    isObject(value.attributes) &&
    (typeof value._id === "string" || value.date !== undefined)
  );
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Epoch milliseconds of an archive line's `date` (RFC 3339 string, or epoch ms), else undefined. */
function dateMs(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string") {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** The log an archive line holds, as the query engine sees it (no normalization: Datadog already did it). */
export function archiveLineToLog(line: Json): NormalizedLog {
  const tags = Array.isArray(line.tags) ? line.tags.filter((t): t is string => typeof t === "string") : [];
  return {
    source: str(line.source),
    service: str(line.service),
    host: str(line.host),
    status: str(line.status),
    message: str(line.message),
    tags,
    timestampMs: dateMs(line.date),
    attributes: line.attributes as Json,
  };
}

/** The archive line Datadog would write for a normalized log (for tests: both input paths must agree). */
export function logToArchiveLine(log: NormalizedLog, id: string): Json {
  const line: Json = { _id: id };
  if (log.timestampMs !== undefined) line.date = new Date(log.timestampMs).toISOString();
  for (const k of ["host", "source", "service", "status", "message"] as const) if (log[k] !== undefined) line[k] = log[k];
  line.attributes = log.attributes;
  if (log.tags.length > 0) line.tags = [...log.tags];
  return line;
}
