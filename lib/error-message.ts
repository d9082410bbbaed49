/**
 * The parts of an error the CLIs and the synth print, duck-typed: errors made by Node.js itself fail `instanceof
 * Error` inside a jest sandbox (another realm). Dependency-free, so any entry point can import it cheaply.
 */

/** The `code` of a Node.js system error (`ENOENT`, ...), or `""`. */
export function errorCode(error: unknown): string {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : "";
}

/** The message of an error, or the value as a string. */
export function errorMessage(error: unknown): string {
  return typeof error === "object" && error !== null && "message" in error && typeof error.message === "string" ? error.message : String(error);
}
