/**
 * Lint for the Log Explorer queries of detection rules: the query must parse (balanced parentheses, quotes and
 * `[a TO b]` ranges - checked by the offline engine's parser, `lib/query`), and every `source:` it names must be a
 * source Datadog has for this data (`KNOWN_LOG_SOURCES`), with a "did you mean" for typos such as the guide's own
 * `source:kubernetes.aduit`.
 */
import { KNOWN_LOG_SOURCES } from "./allowed-values";
import { didYouMean } from "./did-you-mean";
import { querySyntaxProblem } from "./query-syntax";

/** The values of every `source:` term of a query (not `@source`), quotes removed, in order of appearance. */
export function sourcesOf(query: string): string[] {
  const values: string[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i];
    if (ch === "\\") {
      i += 2;
      continue;
    }
    if (ch === '"') {
      const end = query.indexOf('"', i + 1);
      i = end < 0 ? query.length : end + 1;
      continue;
    }
    const atBoundary = i === 0 || /[\s(\-+!]/.test(query[i - 1]);
    if (atBoundary && query.startsWith("source:", i)) {
      i += "source:".length;
      if (query[i] === "(") {
        const end = query.indexOf(")", i);
        const group = query.slice(i + 1, end < 0 ? query.length : end);
        for (const term of group.split(/\s+/)) {
          if (term !== "" && term !== "OR" && term !== "AND" && term !== "NOT") values.push(unquote(term));
        }
        i = end < 0 ? query.length : end + 1;
      } else {
        const match = /^("(?:[^"\\]|\\.)*"|(?:[^\s()\\]|\\.)+)/.exec(query.slice(i));
        const raw = match?.[0] ?? "";
        values.push(unquote(raw));
        i += Math.max(raw.length, 1);
      }
      continue;
    }
    i++;
  }
  return values;
}

function unquote(term: string): string {
  const stripped = term.startsWith("-") ? term.slice(1) : term;
  const unq = stripped.length >= 2 && stripped.startsWith('"') && stripped.endsWith('"') ? stripped.slice(1, -1) : stripped;
  return unq.replace(/\\(.)/g, "$1");
}

function isKnownSource(value: string, knownSources: readonly string[]): boolean {
  if (!value.includes("*") && !value.includes("?")) return knownSources.includes(value);
  const pattern = new RegExp(`^${value.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return knownSources.some((source) => pattern.test(source));
}

/**
 * Problems of one query, each phrased to follow `<field> ` (e.g. `query[0].query`), empty when the query is fine.
 */
export function lintQuery(query: string, knownSources: readonly string[] = KNOWN_LOG_SOURCES): string[] {
  const problems: string[] = [];
  if (query.trim() === "") return ["is empty (allowed: a Datadog log search query such as source:kubernetes.audit)"];
  const syntax = querySyntaxProblem(query);
  if (syntax !== undefined) {
    problems.push(`${JSON.stringify(query)} does not parse: ${syntax}`);
    return problems;
  }
  for (const source of sourcesOf(query)) {
    if (!isKnownSource(source, knownSources)) {
      problems.push(
        `names source ${JSON.stringify(source)}, which Datadog does not have for EKS audit data${didYouMean(source, knownSources)} (allowed: ${knownSources.join(", ")})`,
      );
    }
  }
  return problems;
}
