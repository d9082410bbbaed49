/**
 * cdktf records a complete stack trace each time it creates a token (`captureStackTrace` in cdktf
 * `lib/tokens/private/stack-trace.ts`, called by every `Lazy`, intrinsic and complex attribute reference), with
 * `Error.stackTraceLimit` raised to the maximum. The trace is only ever read to decorate the error for a token that
 * cannot be resolved. A provider resource creates dozens of such references in its constructor, so for this app
 * the traces are about a third of synthesis time.
 *
 * The app entry (`main.ts`) turns them off unless `CDKTF_TOKEN_TRACES=1` asks for them while debugging; the
 * constructs leave a user's own app as it is.
 */
import { createRequire } from "module";

// The module object itself: cdktf calls the function through it (`(0, stack_trace_1.captureStackTrace)()`), so
// replacing its property replaces every use.
// (An `import` would give a copy of the exports, not the object cdktf calls through.)
const stackTrace = createRequire(__filename)("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: (below?: unknown) => string[] };

/** The environment variable that keeps cdktf's token creation traces (for debugging an unresolvable token). */
export const TOKEN_TRACES_ENV_VAR = "CDKTF_TOKEN_TRACES";

/**
 * Makes cdktf create tokens without a creation stack trace (errors about an unresolvable token then lack the
 * "Object creation stack" part). Returns whether traces were turned off.
 */
export function skipTokenCreationTraces(env: NodeJS.ProcessEnv): boolean {
  if (env[TOKEN_TRACES_ENV_VAR] === "1") return false;
  stackTrace.captureStackTrace = () => [];
  return true;
}
