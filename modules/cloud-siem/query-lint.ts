/**
 * Lint for the Log Explorer queries of detection rules: the query must parse (balanced parentheses, quotes and
 * `[a TO b]` ranges - the offline engine's parser, `lib/query`, decides), and every `source:` it names must be a
 * source Datadog has for this data (`KNOWN_LOG_SOURCES`), with a "did you mean" for typos such as the guide's own
 * `source:kubernetes.aduit`.
 */
import { QuerySyntaxError, listReservedValues, parseQuery } from "../../lib/query";
import { KNOWN_LOG_SOURCES } from "./allowed-values";
import { didYouMean } from "../../lib/did-you-mean";

/** The values of every `source:` term of a query (negated ones too), in order of appearance. */
export function sourcesOf(query: string): string[] {
  return listReservedValues(parseQuery(query), "source");
}

function isKnownSource(value: string, knownSources: readonly string[]): boolean {
  if (!value.includes("*") && !value.includes("?")) return knownSources.includes(value);
  const pattern = new RegExp(
    `^${value
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return knownSources.some((source) => pattern.test(source));
}

/** Lint results for the default sources, by query: every environment's copy of a pack rule has the same queries. */
const LINTED = new Map<string, readonly string[]>();

/**
 * Problems of one query, each phrased to follow its field name (e.g. `query[0].query`); empty when the query is fine.
 */
export function lintQuery(query: string, knownSources: readonly string[] = KNOWN_LOG_SOURCES): string[] {
  if (knownSources !== KNOWN_LOG_SOURCES) return lintQueryUncached(query, knownSources);
  let problems = LINTED.get(query);
  if (problems === undefined) {
    problems = lintQueryUncached(query, knownSources);
    LINTED.set(query, problems);
  }
  return [...problems];
}

function lintQueryUncached(query: string, knownSources: readonly string[]): string[] {
  if (typeof query !== "string" || query.trim() === "")
    return [`is ${JSON.stringify(query)} (allowed: a Datadog log search query such as source:kubernetes.audit)`];
  let sources: string[];
  try {
    sources = sourcesOf(query);
  } catch (error) {
    if (error instanceof QuerySyntaxError) {
      return [`is not a valid log search query at position ${error.position} (0-based): ${error.reason} (query: ${JSON.stringify(query)})`];
    }
    throw error;
  }
  return sources
    .filter((source) => !isKnownSource(source, knownSources))
    .map(
      (source) =>
        `names source ${JSON.stringify(source)}, which Datadog does not have for EKS audit data${didYouMean(source, knownSources)} (allowed: ${knownSources.join(", ")})`,
    );
}
