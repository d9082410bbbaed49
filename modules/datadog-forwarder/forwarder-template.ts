/**
 * The Datadog Forwarder CloudFormation template, pinned to a release.
 *
 * Sources: `DataDog/datadog-serverless-functions` `aws/logs_monitoring/README.md` ("replace `latest` with a specific
 * version"), `template.yaml` (Mappings `Constants.DdForwarder.Version`), release PRs "Update version from 5.4.13 to
 * 5.4.14" (#1212, merged 2026-09-17, layer 113) and "... 5.4.10 to 5.4.11" (#1193). Read `aws/logs_monitoring/CHANGELOG.md`
 * before changing the pin (v5.0.0 is breaking).
 */
import { Problem, show } from "../../lib/problem";

/** The newest 5.x Forwarder release found (see the module docs for how to move the pin). */
export const DATADOG_FORWARDER_DEFAULT_VERSION = "5.4.14";

/** Where Datadog publishes the versioned templates. */
export const DATADOG_FORWARDER_TEMPLATE_BASE_URL = "https://datadog-cloudformation-template.s3.amazonaws.com/aws/forwarder";

/** A template base URL: https, no trailing slash (`<base>/<version>.yaml` is the template). */
export const TEMPLATE_BASE_URL = /^https:\/\/[^\s]+[^/\s]$/;
export const TEMPLATE_BASE_URL_ALLOWED = "an https URL without a trailing slash, under which <version>.yaml is the template";

/** Oldest major version whose template works with `DdApiKeySecretArn` alone (`DdApiKey` optional since 4.x). */
export const DATADOG_FORWARDER_MIN_MAJOR_VERSION = 4;

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

/** The problem of `version` (field `forwarderVersion`) when it is not a pinnable release, else undefined. */
export function forwarderVersionProblem(version: string): Problem | undefined {
  const problem = (why?: string): Problem => ({
    field: "forwarderVersion",
    received: show(version),
    ...(why === undefined ? {} : { why }),
    allowed: `a released version x.y.z, ${DATADOG_FORWARDER_MIN_MAJOR_VERSION}.0.0 or later (default ${DATADOG_FORWARDER_DEFAULT_VERSION})`,
  });
  if (version.trim().toLowerCase() === "latest") return problem("it would upgrade the Forwarder silently on any stack update");
  const match = SEMVER.exec(version);
  if (match === null) return problem();
  if (Number(match[1]) < DATADOG_FORWARDER_MIN_MAJOR_VERSION) return problem("its template requires the DdApiKey parameter");
  return undefined;
}

/** The template URL for a (validated) version. */
export function forwarderTemplateUrl(version: string, baseUrl: string = DATADOG_FORWARDER_TEMPLATE_BASE_URL): string {
  return `${baseUrl}/${version}.yaml`;
}

/** Default `FunctionName` and CloudFormation stack name: stable, never the template's `DatadogForwarder`. */
export const DATADOG_FORWARDER_DEFAULT_NAME = "datadog-forwarder";

/** `FunctionName`: a Lambda function name (1-64 of `[A-Za-z0-9_-]`) other than the template default `DatadogForwarder`. */
export const FORWARDER_FUNCTION_NAME = /^(?!DatadogForwarder$)[A-Za-z0-9_-]{1,64}$/;
export const FORWARDER_FUNCTION_NAME_ALLOWED = 'a Lambda function name (1-64 letters, digits, hyphens or underscores) other than "DatadogForwarder"';

/** CloudFormation stack names (`CreateStack` `StackName`): a letter, then up to 127 letters, digits or hyphens. */
export const CLOUDFORMATION_STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
export const CLOUDFORMATION_STACK_NAME_ALLOWED = "a CloudFormation stack name (a letter, then up to 127 letters, digits or hyphens)";

/** `MemorySize` range of the template (MiB). */
export const FORWARDER_MEMORY_SIZE_MIB = { minimum: 128, maximum: 3008 } as const;
/** `Timeout` range (seconds): Lambda's maximum is 900. */
export const FORWARDER_TIMEOUT_SECONDS = { minimum: 1, maximum: 900 } as const;
