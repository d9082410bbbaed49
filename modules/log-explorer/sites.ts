/**
 * Datadog sites and their web application hosts, for Log Explorer and dashboard links.
 *
 * Sources: docs.datadoghq.com/getting_started/site/ ("Site URL" / "Site Parameter" table) and the per-site endpoint
 * table of every API reference page, e.g. docs.datadoghq.com/api/latest/logs-indexes/ (its "Datadog site" column lists
 * app.datadoghq.com, us3.datadoghq.com, us5.datadoghq.com, app.datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com,
 * uk1.datadoghq.com, app.ddog-gov.com and us2.ddog-gov.com). Only US1, EU1 and US1-FED use an `app.` host; the other
 * sites serve the web application on the site name itself.
 */
export const DATADOG_APP_HOSTS: Readonly<Record<string, string>> = {
  "datadoghq.com": "app.datadoghq.com",
  "us3.datadoghq.com": "us3.datadoghq.com",
  "us5.datadoghq.com": "us5.datadoghq.com",
  "datadoghq.eu": "app.datadoghq.eu",
  "ap1.datadoghq.com": "ap1.datadoghq.com",
  "ap2.datadoghq.com": "ap2.datadoghq.com",
  "uk1.datadoghq.com": "uk1.datadoghq.com",
  "ddog-gov.com": "app.ddog-gov.com",
  "us2.ddog-gov.com": "us2.ddog-gov.com",
};

/** The Datadog site parameters this module knows, in the order of {@link DATADOG_APP_HOSTS}. */
export const KNOWN_DATADOG_SITES: readonly string[] = Object.keys(DATADOG_APP_HOSTS);

/**
 * The web application host of a Datadog site, e.g. `app.datadoghq.eu` for `datadoghq.eu`.
 * Throws for a site this module does not know.
 */
export function datadogAppHost(site: string): string {
  const host = DATADOG_APP_HOSTS[site];
  if (host === undefined) {
    throw new Error(`datadog site ${JSON.stringify(site)} is not known (allowed: ${KNOWN_DATADOG_SITES.join(", ")})`);
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
