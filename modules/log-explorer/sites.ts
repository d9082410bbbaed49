import { DATADOG_APP_HOSTS, DATADOG_SITES } from "../../lib/datadog-sites";
import { show, throwProblems } from "../../lib/problem";
/**
 * Datadog sites and their web application hosts, for Log Explorer and dashboard links (the table lives in
 * `lib/datadog-sites.ts`, shared with the config validator).
 */
export { DATADOG_APP_HOSTS };

/** The Datadog site parameters this module knows, in the order of {@link DATADOG_APP_HOSTS}. */
export const KNOWN_DATADOG_SITES: readonly string[] = DATADOG_SITES;

/**
 * The web application host of a Datadog site, e.g. `app.datadoghq.eu` for `datadoghq.eu`.
 * Throws for a site this module does not know.
 */
export function datadogAppHost(site: string): string {
  const host = (DATADOG_APP_HOSTS as Readonly<Record<string, string>>)[site];
  if (host === undefined) {
    throwProblems("datadog app host", [{ field: "site", received: show(site), allowed: KNOWN_DATADOG_SITES.join(", ") }]);
  }
  return host;
}

/**
 * A Log Explorer link that opens with `query` for a Datadog site: `https://<app host>/logs?query=<URL-encoded query>`.
 * The query is encoded with `encodeURIComponent`, so spaces, quotes, colons and slashes are percent-encoded.
 */
export function logExplorerUrl(site: string, query: string): string {
  return `https://${datadogAppHost(site)}/logs?query=${encodeURIComponent(query)}`;
}
