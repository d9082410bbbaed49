/**
 * The one shape of a validation problem, for every construct and the config:
 * `<field>: received <value>; allowed: <what>`, with the reason after the value when the value and what is allowed
 * do not say it on their own: `case[0].condition: received "b > 0" (query "b" does not exist); allowed: a`.
 * Constructs collect every problem of their props in a pure `<construct>Problems(props)` and throw them once.
 */

/** What is wrong with a value, without naming the field or the value: optionally why, and what is allowed. */
export interface Objection {
  /** Why the value is refused, when the value and `allowed` alone do not say it. */
  readonly why?: string;
  /** What is allowed, in words. */
  readonly allowed: string;
}

/** One problem: the field at fault, the value received and what is allowed. */
export interface Problem extends Objection {
  /** The field path in the construct's or the API's terms, e.g. `case[0].condition`. */
  readonly field: string;
  /** The value received as shown in the message (see {@link show}), or a description of it (`11 cases`). */
  readonly received: string;
}

/**
 * Characters JSON leaves as they are but a terminal or an editor acts on: DEL and the C1 controls (`\u009b` starts a
 * terminal escape sequence like ESC [), the line and paragraph separators, and the bidirectional overrides and
 * isolates that reorder the text around them (CVE-2021-42574, "Trojan Source").
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A value as a message shows it: JSON (`"text"`, `5`, `["a"]`), `nothing` when there is none (as the config says).
 * Control characters are escaped (JSON escapes C0 ones, this also those of {@link UNSAFE_IN_JSON}), so a message is
 * always one line of plain text.
 */
export function show(value: unknown): string {
  // JSON.stringify gives undefined only for functions and symbols: they are shown by their type.
  if (value === undefined) return "nothing";
  // JSON has no NaN or infinity (JSON.stringify writes null): name them.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const json = JSON.stringify(value) ?? typeof value;
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `<field>: received <value>[ (<why>)]; allowed: <what>` */
export function problemText(problem: Problem): string {
  const why = problem.why === undefined ? "" : ` (${problem.why})`;
  return `${problem.field}: received ${problem.received}${why}; allowed: ${problem.allowed}`;
}

/** Collects problems: `add(field, received, allowed, why?)` with `received` shown by {@link show}. */
export class Problems {
  readonly list: Problem[] = [];

  /** Adds a problem for a data value (shown as JSON). */
  add(field: string, value: unknown, allowed: string, why?: string): void {
    this.addDescribed(field, show(value), allowed, why);
  }

  /** Adds a problem whose received value is described in words (e.g. `11 cases`) rather than shown as JSON. */
  addDescribed(field: string, received: string, allowed: string, why?: string): void {
    this.list.push({ field, received, allowed, ...(why === undefined ? {} : { why }) });
  }

  /** Adds problems found by another check; with `prefix`, each field is put under it (`rules.<id>.case[0]`). */
  addAll(problems: readonly Problem[], prefix?: string): void {
    for (const problem of problems) this.list.push(prefix === undefined ? problem : { ...problem, field: `${prefix}.${problem.field}` });
  }

  /** Adds an objection to the value of a field (from a shared check such as a query lint). */
  object(field: string, value: unknown, objection: Objection): void {
    this.add(field, value, objection.allowed, objection.why);
  }
}

/** Throws one error, `<where>: <problem>; <problem>...`, when there are problems. */
export function throwProblems(where: string, problems: readonly Problem[]): void {
  if (problems.length > 0) throw new Error(`${where}: ${problems.map(problemText).join("; ")}`);
}
