/**
 * The backtest's first step on Amazon Athena instead of one machine: a table of whole lines over a Datadog log
 * archive bucket, partitioned by the archive's own layout with partition projection (no crawler, no `MSCK REPAIR`),
 * and a query that keeps the lines the raw-text prefilter (`prefilter.ts`) cannot rule out, with the same SQL text
 * DuckDB runs (`strpos`, `regexp_like`: Trino functions). The lines it returns are the candidates the local
 * backtest evaluates exactly (`rules backtest <file of those lines>`).
 *
 * Sources: the archive layout `<prefix>/dt=<YYYYMMDD>/hour=<HH>/archive_*.json.{gz,zst}`, Datadog docs "Log Archives"
 * (https://docs.datadoghq.com/logs/log_configuration/archives/#format-of-the-archives); partition projection with
 * the `date` and `integer` types and `storage.location.template`, AWS docs "Partition projection with Amazon Athena"
 * (https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html) and "Supported types for partition
 * projection" (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html).
 *
 * Not run against Athena here (no AWS access): the text is what the tests check.
 */
import type { QueryNode } from "../query";
import { BacktestInputError, type DayRange } from "./inputs";
import { prefilterSql } from "./prefilter";
import { sqlString } from "./sql";

/** The table's default name. */
export const ATHENA_TABLE = "dd_archive_lines";

/** `s3://bucket/prefix/` (a prefix ending in `/`), else a BacktestInputError naming the option. */
export function archiveLocation(option: string, url: string): string {
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/(?:[^*?[\]'\\]*\/)?$/.test(url)) {
    throw new BacktestInputError(
      `${option}: received ${JSON.stringify(url)}; allowed: the archive's S3 location as s3://<bucket>/<prefix>/ (ending in /, no wildcards or quotes)`,
    );
  }
  return url;
}

/**
 * `CREATE EXTERNAL TABLE` of whole lines (one column `line`: the field delimiter U+0001 never appears raw in JSON)
 * partitioned by `dt` (projected days from `firstDay`, `YYYYMMDD`, to now) and `hour` (00..23).
 */
export function athenaTableDdl(location: string, firstDay: string, table = ATHENA_TABLE): string {
  return `CREATE EXTERNAL TABLE IF NOT EXISTS ${table} (line string)
PARTITIONED BY (dt string, hour string)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\u0001'
LOCATION ${sqlString(location)}
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyyMMdd',
  'projection.dt.range' = '${firstDay},NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = ${sqlString(`${location}dt=\${dt}/hour=\${hour}/`)}
);`;
}

/** The candidate lines of `range`, in the archive's order of files (`"$path"`), with the prefilter of `nodes`. */
export function athenaCandidatesQuery(nodes: readonly QueryNode[], range: DayRange, table = ATHENA_TABLE): string {
  return `SELECT line
FROM ${table}
WHERE dt BETWEEN ${sqlString(range.from)} AND ${sqlString(range.to)}
  AND ${prefilterSql(nodes, "line")}
ORDER BY "$path"`;
}
