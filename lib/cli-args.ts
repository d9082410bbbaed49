/**
 * The one command-line parser of the CLIs: Node's `util.parseArgs` splits the arguments (`--name value`, `--name=value`,
 * `-h`, `--` ends the options: https://nodejs.org/docs/latest-v20.x/api/util.html#utilparseargsconfig), and every
 * mistake becomes one paragraph naming the option and what is allowed: an unknown option, an option without its value,
 * a value given to a flag, a single-valued option given twice. `util.parseArgs` itself is run non-strict (its
 * own errors name no allowed values); the checks are made here on its tokens.
 */
import { parseArgs } from "util";

export interface OptionSpec {
  /** `string` takes a value, `boolean` is a flag. */
  readonly type: "string" | "boolean";
  /**
   * The option may be given more than once (its values in order).
   * @default false
   */
  readonly multiple?: boolean;
  /**
   * One-letter alias, e.g. `h` for `--help`.
   * @default - none
   */
  readonly short?: string;
  /**
   * A separate value may start with `-` (e.g. a query `-@usr.name:x`); otherwise `--name -x` reads as a missing value.
   * @default false
   */
  readonly dashValue?: boolean;
}

/** A bad command line; the message is one paragraph without the command's name (the CLI prefixes it). */
export class CommandLineError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = "CommandLineError";
  }
}

/** A parsed command line: option values by name (without `--`), and the positional arguments in order. */
export class CommandLine {
  public constructor(
    private readonly values: ReadonlyMap<string, readonly string[]>,
    public readonly positionals: readonly string[],
  ) {}

  /** The value of a single-valued option, or undefined when it was not given. */
  public string(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  /** Every value of a repeatable option, in order. */
  public strings(name: string): readonly string[] {
    return this.values.get(name) ?? [];
  }

  /** Whether an option (a flag or one with a value) was given. */
  public has(name: string): boolean {
    return this.values.has(name);
  }

  /** The names of the options given. */
  public get given(): readonly string[] {
    return [...this.values.keys()];
  }
}

/**
 * Parses `argv` against `options`. `allowed` ends every refusal (e.g. `allowed: --json, --seed <n>`).
 * @throws CommandLineError
 */
export function parseCommandLine(argv: readonly string[], options: Readonly<Record<string, OptionSpec>>, allowed: string): CommandLine {
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.entries(options).map(([name, o]) => [
        name,
        { type: o.type, multiple: o.multiple ?? false, ...(o.short !== undefined ? { short: o.short } : {}) },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    const spec = Object.prototype.hasOwnProperty.call(options, token.name) ? options[token.name] : undefined;
    if (spec === undefined) throw new CommandLineError(`unknown option ${JSON.stringify(argv[token.index])}; ${allowed}`);
    if (spec.type === "boolean") {
      if (token.value !== undefined) {
        throw new CommandLineError(`option ${token.rawName} takes no value, got ${JSON.stringify(token.value)}; ${allowed}`);
      }
      values.set(token.name, []);
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && !spec.dashValue && value.length > 1 && value.startsWith("-"))) {
      throw new CommandLineError(`option ${token.rawName} needs a value, got ${value === undefined ? "nothing" : JSON.stringify(value)}; ${allowed}`);
    }
    const seen = values.get(token.name);
    if (seen !== undefined && spec.multiple !== true) {
      throw new CommandLineError(`option ${token.rawName} is given twice (${JSON.stringify(seen[0])}, ${JSON.stringify(value)}); allowed: once`);
    }
    values.set(token.name, [...(seen ?? []), value]);
  }
  return new CommandLine(values, positionals);
}
