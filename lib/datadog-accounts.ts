import { DATADOG_SITES } from "./datadog-sites";
import { PARTITIONS } from "./aws";
import { FieldNames, Problem, propsNames, show } from "./problem";

/**
 * The Datadog AWS account an integration role must trust, by Datadog site and AWS partition.
 *
 * Sources: Datadog docs "The AWS Integration with Terraform" (per-site tabs; the GovCloud tab for the gov sites),
 * `DataDog/cloudformation-template` `datacenters.yaml` (`account_id`, `account_id_govcloud`). Datadog documents no
 * account for the `aws-cn` partition, and none for commercial sites in AWS GovCloud.
 */
export const DATADOG_AWS_ACCOUNT_IDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "datadoghq.com": { aws: "464622532012" },
  "us3.datadoghq.com": { aws: "464622532012" },
  "us5.datadoghq.com": { aws: "464622532012" },
  "datadoghq.eu": { aws: "464622532012" },
  "ap1.datadoghq.com": { aws: "417141415827" },
  "ap2.datadoghq.com": { aws: "412381753143" },
  "uk1.datadoghq.com": { aws: "117348461845" },
  "ddog-gov.com": { aws: "392588925713", "aws-us-gov": "065115117704" },
  "us2.ddog-gov.com": { aws: "382742775718", "aws-us-gov": "486737091498" },
};

/** Every Datadog AWS account id above (used by the policy checks to recognise Datadog trust policies). */
export const ALL_DATADOG_AWS_ACCOUNT_IDS: readonly string[] = [
  ...new Set(Object.values(DATADOG_AWS_ACCOUNT_IDS).flatMap((byPartition) => Object.values(byPartition))),
].sort();

/**
 * Validates the site/partition pair (the props `datadogSite` and `awsPartition`, named by `names` in the caller's
 * terms: the config checks the same rule) and returns the account id to trust, or the problem.
 */
export function datadogTrustedAccountId(
  site: string,
  partition: string,
  names: FieldNames = propsNames,
): { accountId: string } | { problem: Problem } {
  if (!(DATADOG_SITES as readonly string[]).includes(site)) {
    return { problem: { field: names("datadogSite"), received: show(site), allowed: DATADOG_SITES.join(", ") } };
  }
  if (!(PARTITIONS as readonly string[]).includes(partition)) {
    return { problem: { field: names("awsPartition"), received: show(partition), allowed: PARTITIONS.join(", ") } };
  }
  const accountId = DATADOG_AWS_ACCOUNT_IDS[site]?.[partition];
  if (accountId === undefined) {
    const supported = Object.entries(DATADOG_AWS_ACCOUNT_IDS)
      .filter(([, byPartition]) => byPartition[partition] !== undefined)
      .map(([s]) => s);
    const allowed =
      supported.length > 0
        ? `a site that serves partition ${partition}: ${supported.join(", ")}`
        : `a partition Datadog documents an integration account for (aws or aws-us-gov)`;
    return {
      problem: {
        field: names(supported.length > 0 ? "datadogSite" : "awsPartition"),
        received: show(supported.length > 0 ? site : partition),
        why: `site ${show(site)} does not serve ${names("awsPartition")} ${show(partition)}`,
        allowed,
      },
    };
  }
  return { accountId };
}
