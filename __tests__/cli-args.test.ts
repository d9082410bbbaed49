/**
 * The one command-line parser of the CLIs (lib/cli-args.ts, on Node's util.parseArgs): every mistake is one paragraph
 * naming the option and what is allowed.
 */
import { CommandLineError, OptionSpec, parseCommandLine } from "../lib/cli-args";

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  summary: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  env: { type: "string" },
  rule: { type: "string", multiple: true },
  query: { type: "string", dashValue: true },
};
const ALLOWED = "allowed: --summary, --help, --env <name>, --rule <id>, --query <query>";
const parse = (argv: readonly string[]) => parseCommandLine(argv, OPTIONS, ALLOWED);

function refusal(argv: readonly string[]): string {
  try {
    parse(argv);
  } catch (e) {
    if (e instanceof CommandLineError) return e.message;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(argv)}`);
}

describe("parseCommandLine", () => {
  test("flags, values (--name value and --name=value), repeats in order, positionals, -h and --", () => {
    const line = parse(["--summary", "--env", "prod", "--rule=a", "-", "--rule", "b", "-h", "file", "--", "--not-an-option"]);
    expect(line.has("summary")).toBe(true);
    expect(line.has("help")).toBe(true);
    expect(line.string("env")).toBe("prod");
    expect(line.strings("rule")).toEqual(["a", "b"]);
    expect(line.positionals).toEqual(["-", "file", "--not-an-option"]);
    expect(line.given).toEqual(["summary", "env", "rule", "help"]);
    expect(parse([]).has("summary")).toBe(false);
    expect(parse([]).string("env")).toBeUndefined();
  });

  test("a value may start with - only where the option allows it, or written --name=value", () => {
    expect(parse(["--query", "-@usr.name:x"]).string("query")).toBe("-@usr.name:x");
    expect(parse(["--env=-x"]).string("env")).toBe("-x");
    expect(parse(["--env", "-"]).string("env")).toBe("-");
  });

  test.each<[string, string[], string]>([
    ["an unknown option, as typed", ["--sumary", "x"], `unknown option "--sumary"; ${ALLOWED}`],
    ["an unknown option with a value", ["--bogus=1"], `unknown option "--bogus=1"; ${ALLOWED}`],
    ["an unknown short option", ["-x"], `unknown option "-x"; ${ALLOWED}`],
    ["a missing value at the end", ["--env"], `option --env needs a value, got nothing; ${ALLOWED}`],
    ["an option where the value should be", ["--env", "--summary"], `option --env needs a value, got "--summary"; ${ALLOWED}`],
    ["a value for a flag", ["--summary=yes"], `option --summary takes no value, got "yes"; ${ALLOWED}`],
    ["a single-valued option twice", ["--env", "a", "--env=b"], 'option --env is given twice ("a", "b"); allowed: once'],
    ["an inherited property name is no option", ["--constructor"], `unknown option "--constructor"; ${ALLOWED}`],
  ])("refuses %s", (_what, argv, message) => {
    expect(refusal(argv)).toBe(message);
  });
});
