/**
 * Reads, parses and validates the config file. The only place (with `main.ts`) that touches the file system.
 */
import { closeSync, fstatSync, openSync, readSync } from "fs";
import * as path from "path";
import { Alias, Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit, YAMLError, YAMLMap, YAMLSeq } from "yaml";
import { join } from "./dsl";
import { AppConfig, configSchema } from "./schema";
import { irregularFileKind, OPEN_INPUT_FLAGS } from "../lib/input-file";
import { JsonSyntaxError, parseJson } from "../lib/json";
import { Problem, ProblemError, Problems, show } from "../lib/problem";

/** The default example, used when `EKS_AUDIT_SIEM_CONFIG` is not set. Relative to the project folder. */
export const DEFAULT_CONFIG_PATH = "config/eks-audit-siem.yaml";

/** The environment variable that selects another config file. */
export const CONFIG_ENV_VAR = "EKS_AUDIT_SIEM_CONFIG";

/**
 * The problems of a config file (lib/problem.ts `ProblemError`: `invalid config <file>: <problem>`, one line each when
 * there are several). `message` is what the user sees: one paragraph per problem, no stack.
 */
export class ConfigError extends ProblemError {
  constructor(
    readonly file: string,
    problems: readonly Problem[],
  ) {
    super(`invalid config ${file}`, problems);
    this.name = "ConfigError";
  }
}

/** Values of the document are shown cut at this many characters: a problem is one line of a message. */
const MAX_SHOWN = 120;

/** A value of the document as a message shows it (lib/problem `show`), cut at {@link MAX_SHOWN} characters. */
function showShort(value: unknown): string {
  return show(value, MAX_SHOWN);
}

/** The problem with the environment named, for a field path under `environments[<i>]` whose name is a string. */
function withEnvironment(problem: Problem, nameOf: (index: number) => unknown): Problem {
  const m = /^environments\[(\d+)\]/.exec(problem.field);
  const name = m === null ? undefined : nameOf(Number(m[1]));
  return typeof name === "string" ? { ...problem, environment: name } : problem;
}

/** Reads the name of environment `i` from a parsed document (of any shape). */
const environmentNameIn =
  (input: unknown) =>
  (i: number): unknown => {
    const envs = (input as { environments?: unknown } | null)?.environments;
    return Array.isArray(envs) ? (envs[i] as { name?: unknown } | undefined)?.name : undefined;
  };

/** Validates an already-parsed document. Throws `ConfigError` listing every problem. */
export function validateConfig(input: unknown, file: string): AppConfig {
  const problems = new Problems(MAX_SHOWN);
  const config = configSchema.check(input, "", problems);
  if (config === undefined || problems.list.length > 0) {
    throw new ConfigError(
      file,
      problems.list.map((p) => withEnvironment(p, environmentNameIn(input))),
    );
  }
  return config;
}

/**
 * Whether `e` is the parser running out of stack on a document nested thousands of levels deep (`[[[[...`): a
 * `RangeError` ("Maximum call stack size exceeded"), named by `name` because errors of Node's own parsers may come
 * from another realm (e.g. in jest).
 */
function isStackOverflow(e: unknown): boolean {
  return (e as Error | undefined)?.name === "RangeError";
}

/** The refusal of a document nested too deeply for the parser. */
function tooDeep(file: string): ConfigError {
  return new ConfigError(file, [
    {
      field: "document",
      received: "a document nested too deeply to parse",
      allowed: "a config nested as config/eks-audit-siem.schema.json describes (a few levels)",
    },
  ]);
}

/** Parses a `.json` file as strict JSON (no comments, no trailing commas), with the JSON error's line and column. */
function parseStrictJson(text: string, file: string): unknown {
  try {
    return parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new ConfigError(file, [notValid("JSON", `line ${e.line}, column ${e.column}`, e.reason)]);
    if (isStackOverflow(e)) throw tooDeep(file);
    throw e;
  }
}

/** What a config file may be written in, by language. */
const LANGUAGE_ALLOWED = {
  JSON: "strict JSON (RFC 8259: no comments, no trailing commas)",
  YAML: "YAML 1.2 (https://yaml.org/spec/1.2.2/)",
};

/** `document: received text that is not valid <language>[ at <line, column>] (<what>); allowed: <language>`. */
function notValid(language: keyof typeof LANGUAGE_ALLOWED, at: string | undefined, what: string): Problem {
  return {
    field: "document",
    received: `text that is not valid ${language}${at === undefined ? "" : ` at ${at}`}`,
    why: what,
    allowed: LANGUAGE_ALLOWED[language],
  };
}

function syntaxError(file: string, language: keyof typeof LANGUAGE_ALLOWED, errors: readonly YAMLError[]): ConfigError {
  return new ConfigError(
    file,
    errors.map((e) => {
      const pos = e.linePos?.[0];
      const at = pos !== undefined ? `line ${pos.line}, column ${pos.col}` : undefined;
      const what = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      return notValid(language, at, what);
    }),
  );
}

/**
 * Parses config text: strict JSON for a `.json` file, YAML 1.2 otherwise. In both, duplicate keys, unknown tags, numbers
 * JSON cannot carry exactly and aliases past yaml's limit are refused (see {@link documentProblems}).
 */
export function parseConfigText(text: string, file: string): unknown {
  try {
    return parseConfigDocument(text, file);
  } catch (e) {
    if (isStackOverflow(e)) throw tooDeep(file);
    throw e;
  }
}

function parseConfigDocument(text: string, file: string): unknown {
  const json = /\.json$/i.test(file);
  const value = json ? parseStrictJson(text, file) : undefined;
  // Valid JSON is valid YAML 1.2: for a JSON file too, the YAML parser finds duplicate keys and the numbers, with
  // their position.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter });
  // yaml reports its own stack overflow as a document error.
  if (doc.errors.some((e) => e.message.includes("Maximum call stack size exceeded"))) throw tooDeep(file);
  if (doc.errors.length > 0) throw syntaxError(file, json ? "JSON" : "YAML", doc.errors);
  const input = json ? value : yamlValue(doc, file, lineCounter);
  const problems = documentProblems(doc, lineCounter, environmentNameIn(input));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return input;
}

/** Reads and validates a config file (`.yaml`, `.yml` or `.json`; see {@link readConfigText} for what is read). */
export function loadConfigFile(file: string): AppConfig {
  if (!/\.(ya?ml|json)$/i.test(file)) {
    throw new ConfigError(file, [{ field: "file name", received: show(path.basename(file)), allowed: "a .yaml, .yml or .json file" }]);
  }
  return validateConfig(parseConfigText(readConfigText(file), file), file);
}

// ---------------------------------------------------------------------------------------------- reading, bounded

/**
 * The largest config file read, in bytes (1 MiB). A config is a few kilobytes (the default example, two
 * environments, is about 4 KB; the benchmark's 100 environments x 3 clusters, `scripts/bench-config.js`, are 185 KB);
 * a larger file is a wrong file (a log, an export) and is refused before it is read, so it cannot exhaust memory.
 */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

const ALLOWED_FILE = "a regular .yaml, .yml or .json file";

/** The problem with a path `open` refused. */
function openProblem(error: NodeJS.ErrnoException): Problem {
  const file = (received: string, allowed: string): Problem => ({ field: "file", received, allowed });
  switch (error.code) {
    case "ENOENT":
      return file(
        "a path that does not exist",
        `an existing .yaml, .yml or .json file (set ${CONFIG_ENV_VAR} or use the default ${DEFAULT_CONFIG_PATH})`,
      );
    case "EACCES":
    case "EPERM":
      return file(`a path this user may not read (${error.code})`, "a readable .yaml, .yml or .json file");
    case "ENXIO": // open(2): a socket, or a device that is not there
      return file("a socket or a missing device (ENXIO)", ALLOWED_FILE);
    default:
      return file(`a path that cannot be opened (${error.code ?? error.message})`, ALLOWED_FILE);
  }
}

/**
 * Reads a config file as UTF-8 text, bounded: anything but a regular file (a directory, a FIFO, a device such as
 * `/dev/zero`) and a file over `maxBytes` are refused before a byte is read. The file is opened with `O_NONBLOCK`,
 * so a FIFO with no writer cannot hang the open, and checked with `fstat` on that descriptor (what is read is what was
 * checked); at most `maxBytes` are read even if the file grows meanwhile. A byte order mark is dropped.
 * @throws ConfigError
 */
export function readConfigText(file: string, maxBytes: number = MAX_CONFIG_FILE_BYTES): string {
  let fd: number;
  try {
    fd = openSync(file, OPEN_INPUT_FLAGS);
  } catch (e) {
    throw new ConfigError(file, [openProblem(e as NodeJS.ErrnoException)]);
  }
  try {
    const stat = fstatSync(fd);
    const kind = irregularFileKind(stat);
    if (kind !== undefined) throw new ConfigError(file, [{ field: "file", received: kind, allowed: ALLOWED_FILE }]);
    const tooLarge = (size: string): ConfigError =>
      new ConfigError(file, [
        {
          field: "file",
          received: `${size} bytes`,
          why: "larger than a config can be",
          allowed: `at most ${maxBytes} bytes (MAX_CONFIG_FILE_BYTES; a config is a few kilobytes)`,
        },
      ]);
    if (stat.size > maxBytes) throw tooLarge(String(stat.size));
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, stat.size + 1));
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > maxBytes) throw tooLarge(`more than ${maxBytes}`);
    return decodeUtf8(buffer.subarray(0, length), file);
  } finally {
    closeSync(fd);
  }
}

/** The text of UTF-8 bytes; a line that is not UTF-8 is refused with its number (never turned into U+FFFD). */
function decodeUtf8(bytes: Buffer, file: string): string {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    let line = 1;
    for (let start = 0; ; line++) {
      const end = bytes.indexOf(0x0a, start);
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(start, end < 0 ? bytes.length : end));
      } catch {
        break;
      }
      if (end < 0) break;
      start = end + 1;
    }
    throw new ConfigError(file, [{ field: "file", received: `bytes that are not UTF-8 at line ${line}`, allowed: "a UTF-8 text file" }]);
  }
}

// ---------------------------------------------------------------------------------------------- values JSON can carry

/** The tags of YAML 1.2's core schema (https://yaml.org/spec/1.2.2/#103-core-schema), the only ones a config may use. */
const CORE_SCHEMA_TAGS = ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`);

/** yaml's default `maxAliasCount` (https://eemeli.org/yaml/#options): more alias expansion is refused as an attack. */
const YAML_MAX_ALIAS_COUNT = 100;

const NUMBERS_ALLOWED = `a finite number; an integer from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER} (2^53 - 1, the largest a JSON number carries exactly)`;

/** Calls `fn` for every node of the document with its field path (aliases are visited, not followed). */
function walkNodes(doc: Document, fn: (node: Alias | Scalar | YAMLMap | YAMLSeq, fieldPath: string) => void): void {
  const walk = (node: unknown, fieldPath: string): void => {
    if (isAlias(node)) return fn(node, fieldPath);
    if (isScalar(node)) return fn(node, fieldPath);
    if (isMap(node)) {
      fn(node, fieldPath);
      for (const pair of node.items) walk(pair.value, join(fieldPath, isScalar(pair.key) ? String(pair.key.value) : "?"));
    } else if (isSeq(node)) {
      fn(node, fieldPath);
      node.items.forEach((item, i) => walk(item, join(fieldPath, i)));
    }
  };
  walk(doc.contents, "");
}

/** `<environment>, <path>: received <text> at line <l>, column <c> (<why>); allowed: <what>` */
function locatedProblem(
  fieldPath: string,
  received: string,
  offset: number | undefined,
  lineCounter: LineCounter,
  nameOf: (i: number) => unknown,
  why: string,
  allowed: string,
): Problem {
  const pos = offset === undefined ? undefined : lineCounter.linePos(offset);
  const at = pos === undefined ? "" : ` at line ${pos.line}, column ${pos.col}`;
  return withEnvironment({ field: fieldPath, received: received + at, why, allowed }, nameOf);
}

/**
 * What JSON (and so Terraform and the APIs) could not carry as written: a tag outside the core schema (`!foo`,
 * `!!timestamp`, `!!binary`: yaml would turn them into a string, a date, bytes), `.nan`, `.inf` and `1e400`
 * (`JSON.stringify` writes null), and integers beyond 2^53 - 1 (silently rounded: 9007199254740993 reads as
 * 9007199254740992). One problem each, named as written, with its field and position.
 */
function documentProblems(doc: Document, lineCounter: LineCounter, nameOf: (i: number) => unknown): Problem[] {
  const problems: Problem[] = [];
  walkNodes(doc, (node, fieldPath) => {
    if (isAlias(node)) return;
    const offset = node.range?.[0];
    if (node.tag !== undefined && !CORE_SCHEMA_TAGS.includes(node.tag)) {
      const tag = node.tag.replace(/^tag:yaml\.org,2002:/, "!!");
      problems.push(
        locatedProblem(fieldPath, `the tag ${showShort(tag)}`, offset, lineCounter, nameOf, "a tag outside YAML's core schema", "untagged values"),
      );
      return;
    }
    if (!isScalar(node) || typeof node.value !== "number") return;
    // A number as written (digits, signs, dots, letters of .nan/.inf/e/0x: nothing to escape), cut like values.
    const source = node.source ?? String(node.value);
    const written = source.length > 40 ? `${source.slice(0, 37)}...` : source;
    if (!Number.isFinite(node.value)) {
      const why = Number.isNaN(node.value) ? "not a number" : "an infinite number: beyond the largest a JSON number can be, about 1.8e308";
      problems.push(locatedProblem(fieldPath, written, offset, lineCounter, nameOf, why, NUMBERS_ALLOWED));
    } else if (Number.isInteger(node.value) && !Number.isSafeInteger(node.value)) {
      const why = `an integer beyond 2^53 - 1, which reads as ${BigInt(node.value)}`;
      problems.push(locatedProblem(fieldPath, written, offset, lineCounter, nameOf, why, NUMBERS_ALLOWED));
    }
  });
  return problems;
}

/**
 * The document's value. yaml refuses aliases that expand past {@link YAML_MAX_ALIAS_COUNT} nodes (a "billion laughs"
 * document) with a bare ReferenceError; this names the file, the alias and its field instead: the first alias whose
 * anchored value holds aliases itself (the expansion that multiplies), else the first alias.
 */
function yamlValue(doc: Document, file: string, lineCounter: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount: YAML_MAX_ALIAS_COUNT });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    const aliases: { node: Alias; fieldPath: string }[] = [];
    walkNodes(doc, (node, fieldPath) => {
      if (isAlias(node)) aliases.push({ node, fieldPath });
    });
    const holdsAliases = (a: { node: Alias }): boolean => {
      let found = false;
      visit(a.node.resolve(doc) ?? doc.createNode(null), {
        Alias: () => {
          found = true;
          return visit.BREAK;
        },
      });
      return found;
    };
    const culprit = aliases.find(holdsAliases) ?? aliases[0];
    const nameOf = (i: number): unknown => doc.getIn(["environments", i, "name"]);
    const why = `aliases expand past yaml's maxAliasCount of ${YAML_MAX_ALIAS_COUNT} nodes, a guard against "billion laughs" documents`;
    const allowed = "anchors and aliases that expand to fewer nodes, or the values written out";
    throw new ConfigError(file, [
      culprit === undefined
        ? { field: "document", received: "aliases", why, allowed }
        : locatedProblem(culprit.fieldPath, `the alias *${culprit.node.source}`, culprit.node.range?.[0], lineCounter, nameOf, why, allowed),
    ]);
  }
}

/** The config file selected by the environment: `EKS_AUDIT_SIEM_CONFIG`, else the default example. */
export function configPathFromEnv(env: NodeJS.ProcessEnv): string {
  const chosen = env[CONFIG_ENV_VAR];
  return chosen !== undefined && chosen !== "" ? chosen : DEFAULT_CONFIG_PATH;
}
