/**
 * JSON as `JSON.parse` returns it (a synthesized `cdk.tf.json`, the output of `terraform show -json`, ...), and the
 * narrowing helpers the tools read it with: a missing or differently shaped value reads as empty, as `?? {}` did.
 */
import { isObject as isAnyObject } from "./is-object";

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

/** Parses JSON text; throws as `JSON.parse` does. */
export function parseJson(text: string): JsonValue {
  return JSON.parse(text) as JsonValue;
}

/** Whether a value is a JSON object (not null, not an array): lib/is-object.ts, typed for the tools' JSON. */
export const isObject = isAnyObject as (value: unknown) => value is JsonObject;

/** The value if it is a JSON object (the same object, so changes to it are kept), else a new empty object. */
export function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

/** The value if it is an array, else an empty array. */
export function asArray(value: unknown): JsonValue[] {
  return Array.isArray(value) ? (value as JsonValue[]) : [];
}

/** The value if it is a string, else undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The strings of an array (other elements left out); an empty array for anything else. */
export function asStrings(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === "string");
}
