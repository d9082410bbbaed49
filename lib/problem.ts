/**
 * The one problem model, for the config, every construct, the rule definitions and the CLIs. A check returns
 * `Problem[]` (empty when the input is valid); each problem is located by a field path, in the terms of what was
 * checked: a config path (`environments[0].cloudSiem.rules.pod-exec.threshold`, with the environment named) or a
 * construct's props path (`case[0].condition`), thrown with the construct's path as the place. One rendering:
 *
 *     [environment "<name>", ]<field>: received <value>[ (<why>)]; allowed: <what>
 *
 * and one error, {@link ProblemError} (`<where>: <problem>`, or `<where>: <n> problems:` and one line each).
 * A shared check of one value (a query lint, a filter pattern) locates its problems at the value itself (field
 * `""`); its caller puts them under the field it read the value from ({@link under}, {@link Problems.addAll}).
 * Constructs collect every problem of their props in a pure `<construct>Problems(props)` and throw them once; a rule
 * that the config states too lives in the module, and the config delegates to it with its own field names
 * ({@link FieldNames}).
 */

/** One problem: the field at fault, the value received and what is allowed. */
export interface Problem {
  /** The field path in the terms of what was checked, e.g. `case[0].condition`; `""` for the checked value itself. */
  readonly field: string;
  /** The value received as shown in the message (see {@link show}), or a description of it (`11 cases`). */
  readonly received: string;
  /** Why the value is refused, when the value and `allowed` alone do not say it. */
  readonly why?: string;
  /** What is allowed, in words. */
  readonly allowed: string;
  /** The environment the field belongs to (config problems name it). */
  readonly environment?: string;
}

/**
 * How a caller names the props fields a shared check reads: a construct's own check uses the props names (the
 * default, `(f) => f`); the config passes its own names (`createIntegration` -> `create`), so a cross-field rule is
 * stated once, in the module, and speaks the caller's terms in its field and in its `allowed` text.
 */
export type FieldNames = (propsField: string) => string;

/** The props names as they are: the default {@link FieldNames}. */
export const propsNames: FieldNames = (field) => field;

/**
 * Characters JSON leaves as they are but a terminal or an editor acts on: DEL and the C1 controls (`\u009b` starts a
 * terminal escape sequence like ESC [), the line and paragraph separators, and the bidirectional overrides and
 * isolates that reorder the text around them (CVE-2021-42574, "Trojan Source").
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A value as a message shows it: JSON (`"text"`, `5`, `["a"]`), `nothing` when there is none (as the config says).
 * Control characters are escaped (JSON escapes C0 ones, this also those of {@link UNSAFE_IN_JSON}), so a message is
 * always one line of plain text. With `maxLength`, a longer text is cut to that length, ending in `...`.
 */
export function show(value: unknown, maxLength?: number): string {
  const text = showWhole(value);
  return maxLength !== undefined && text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}

function showWhole(value: unknown): string {
  // JSON.stringify gives undefined only for functions and symbols: they are shown by their type.
  if (value === undefined) return "nothing";
  // JSON has no NaN or infinity (JSON.stringify writes null): name them.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const json = JSON.stringify(value) ?? typeof value;
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `[environment "<name>", ]<field>: received <value>[ (<why>)]; allowed: <what>` (the field is left out when `""`). */
export function problemText(problem: Problem): string {
  const environment = problem.environment === undefined ? "" : `environment ${show(problem.environment, 120)}, `;
  const field = problem.field === "" ? "" : `${problem.field}: `;
  const why = problem.why === undefined ? "" : ` (${problem.why})`;
  return `${environment}${field}received ${problem.received}${why}; allowed: ${problem.allowed}`;
}

/** `prefix` and `field` joined as a path: `a` + `b` = `a.b`, `a` + `[0]` = `a[0]`, `a` + `` = `a`. */
export function fieldPath(prefix: string, field: string): string {
  if (prefix === "") return field;
  if (field === "") return prefix;
  return field.startsWith("[") ? `${prefix}${field}` : `${prefix}.${field}`;
}

/** The problems of a shared check, put under the field the checked value was read from. */
export function under(prefix: string, problems: readonly Problem[]): Problem[] {
  return problems.map((problem) => ({ ...problem, field: fieldPath(prefix, problem.field) }));
}

/** Collects problems: `add(field, value, allowed, why?)` with the value shown by {@link show}. */
export class Problems {
  readonly list: Problem[] = [];

  /** @param maxShown cut shown values to this many characters (the config does: a value is a line of a message) */
  constructor(private readonly maxShown?: number) {}

  /** Adds a problem for a data value (shown as JSON). */
  add(field: string, value: unknown, allowed: string, why?: string): void {
    this.addDescribed(field, show(value, this.maxShown), allowed, why);
  }

  /** Adds a problem whose received value is described in words (e.g. `11 cases`) rather than shown as JSON. */
  addDescribed(field: string, received: string, allowed: string, why?: string): void {
    this.list.push({ field, received, allowed, ...(why === undefined ? {} : { why }) });
  }

  /** Adds problems found by another check; with `prefix`, each field is put under it (see {@link under}). */
  addAll(problems: readonly Problem[], prefix?: string): void {
    const max = this.maxShown;
    for (const problem of prefix === undefined ? problems : under(prefix, problems)) {
      const cut = max !== undefined && problem.received.length > max ? `${problem.received.slice(0, max - 3)}...` : undefined;
      this.list.push(cut === undefined ? problem : { ...problem, received: cut });
    }
  }
}

/**
 * The one error for bad input: every problem found, after the place (a construct path, `invalid config <file>`,
 * `rule "<id>"`). Callers that print errors print `message`, never a stack.
 */
export class ProblemError extends Error {
  constructor(
    readonly where: string,
    readonly problems: readonly Problem[],
  ) {
    super(renderProblems(where, problems));
    this.name = "ProblemError";
  }
}

/** `<where>: <problem>` for one problem; `<where>: <n> problems:` then `- <problem>` on a line each for several. */
export function renderProblems(where: string, problems: readonly Problem[]): string {
  const texts = problems.map(problemText);
  return texts.length === 1 ? `${where}: ${texts[0]}` : `${where}: ${texts.length} problems:\n${texts.map((t) => `- ${t}`).join("\n")}`;
}

/** Throws one {@link ProblemError} with every problem when there are problems. */
export function throwProblems(where: string, problems: readonly Problem[]): void {
  if (problems.length > 0) throw new ProblemError(where, problems);
}
