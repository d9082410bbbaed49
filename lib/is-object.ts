/** Whether a value is an object with string keys, not null and not an array: a parsed JSON object, a Terraform fragment. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
