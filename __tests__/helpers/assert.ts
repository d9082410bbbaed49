/** Shared test helpers. */

/** The message `fn` throws; fails the test when it does not throw. */
export function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a throw");
}

/** The single value of a synthesized section (e.g. the only resource of a type); fails unless there is exactly one. */
export function only<T = any>(section: Record<string, T> | undefined): T {
  const values = Object.values(section ?? {});
  expect(values).toHaveLength(1);
  return values[0];
}

/** Node's own JSON.parse message for `text` (it differs between Node versions). */
export function jsonParseError(text: string): string {
  return thrownMessage(() => JSON.parse(text));
}
