/**
 * Lint for the Log Explorer queries of detection rules: the query must parse (balanced parentheses, quotes and
 * `[a TO b]` ranges - the offline engine's parser, `lib/query`, decides), and every `source:` it names must be a
 * source Datadog has for this data (`KNOWN_LOG_SOURCES`), with a "did you mean" for typos such as the guide's own
 * `source:kubernetes.aduit`.
 */
import { QuerySyntaxError, listReservedValues, parseQuery } from "../../lib/query";
import { KNOWN_LOG_SOURCES } from "./allowed-values";
import { didYouMean } from "../../lib/did-you-mean";
import { show, type Problem } from "../../lib/problem";

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
const LINTED = new Map<string, readonly Problem[]>();

/** What a query must be, for messages. */
export const LOG_QUERY_ALLOWED = "a Datadog log search query such as source:kubernetes.audit";

/** Problems of one query, located at the query (field `""`; the caller puts them under its field); empty when fine. */
export function lintQuery(query: string, knownSources: readonly string[] = KNOWN_LOG_SOURCES): Problem[] {
  if (knownSources !== KNOWN_LOG_SOURCES) return lintQueryUncached(query, knownSources);
  let objections = LINTED.get(query);
  if (objections === undefined) {
    objections = lintQueryUncached(query, knownSources);
    LINTED.set(query, objections);
  }
  return [...objections];
}

function lintQueryUncached(query: string, knownSources: readonly string[]): Problem[] {
  const at = { field: "", received: show(query) };
  if (typeof query !== "string" || query.trim() === "") return [{ ...at, allowed: LOG_QUERY_ALLOWED }];
  let sources: string[];
  try {
    sources = sourcesOf(query);
  } catch (error) {
    if (error instanceof QuerySyntaxError) {
      return [{ ...at, why: `it does not parse at position ${error.position} (0-based): ${error.reason}`, allowed: LOG_QUERY_ALLOWED }];
    }
    throw error;
  }
  return sources
    .filter((source) => !isKnownSource(source, knownSources))
    .map((source) => ({
      ...at,
      why: `source ${JSON.stringify(source)} is not a source Datadog has for EKS audit data${didYouMean(source, knownSources)}`,
      allowed: `sources ${knownSources.join(", ")}`,
    }));
}
