/**
 * Datadog tags, shared by the config file (every tag list) and the Forwarder's `DdTags`.
 * Datadog tag syntax (docs.datadoghq.com/getting_started/tagging/#define-tags): tags start with a letter, contain
 * alphanumerics, underscores, minuses, colons, periods and slashes, are at most 200 characters and are lowercased
 * by Datadog. `DdTags` is a comma-separated list (no trailing comma), so a tag can hold no comma.
 * This check is stricter than Datadog on case (it rejects upper case instead of lowercasing silently).
 */
import { Problem, show } from "./problem";

export const DATADOG_TAG = /^(?=.{1,200}$)[a-z][a-z0-9_\-:./]*(?<!:)$/;

/** What {@link DATADOG_TAG} allows, in words. */
export const DATADOG_TAG_ALLOWED =
  'a lowercase Datadog tag key:value (letters, digits, _ - : . /; starting with a letter, not ending with ":", at most 200 characters)';

/** The problem of an invalid tag, located at the tag (field `""`), else undefined. */
export function datadogTagProblem(tag: string): Problem | undefined {
  if (tag.length === 0) return { field: "", received: show(tag), allowed: "key:value, starting with a letter" };
  if (tag.length > 200) return { field: "", received: `a tag of ${tag.length} characters`, allowed: "at most 200 characters" };
  if (!DATADOG_TAG.test(tag)) {
    return { field: "", received: show(tag), allowed: 'lowercase letters, digits, _ - : . /, starting with a letter and not ending with ":"' };
  }
  return undefined;
}

/** Normalises a free value (environment or cluster name) into a tag value Datadog will accept unchanged. */
export function datadogTagValue(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9_\-:./]/g, "_");
}
