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
