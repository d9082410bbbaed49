/**
 * Datadog sites (https://docs.datadoghq.com/getting_started/site/). The API host is `api.<site>`.
 */
export const DATADOG_SITES = [
  "datadoghq.com",
  "us3.datadoghq.com",
  "us5.datadoghq.com",
  "datadoghq.eu",
  "ap1.datadoghq.com",
  "ap2.datadoghq.com",
  "uk1.datadoghq.com",
  "ddog-gov.com",
  "us2.ddog-gov.com",
] as const;
export type DatadogSite = (typeof DATADOG_SITES)[number];

/** Sites of Datadog for Government; the only ones that serve the AWS GovCloud partition. */
export const GOVERNMENT_SITES: readonly DatadogSite[] = ["ddog-gov.com", "us2.ddog-gov.com"];

/** The API base URL the Datadog Terraform provider uses for a site. */
export function datadogApiUrl(site: DatadogSite): string {
  return `https://api.${site}/`;
}

/**
 * The web application host of each site (Log Explorer and dashboard links). Only US1, EU1 and US1-FED use an
 * `app.` host. Sources: docs.datadoghq.com/getting_started/site/ and the "Datadog site" column of the API reference.
 */
export const DATADOG_APP_HOSTS: Readonly<Record<DatadogSite, string>> = {
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
