/**
 * `npm run --silent rules -- new ...`: the code form of Log Explorer's "Export to detection rule" button. Takes a
 * Log Explorer query and a detection method and writes a new rule file into the pack (`pack/rules/`)
 * with stub positive/negative sample events derived from the query and TODOs, then regenerates the pack index
 * from the folder's files. Never overwrites a rule.
 *
 *   rules new --name "EKS: namespace deleted" --query "source:kubernetes.audit @objectRef.resource:namespaces @http.method:delete" \
 *     --method threshold --count 0 --window 300 --group-by @usr.name --tactic TA0040-impact --technique T1485-data-destruction [--severity high]
 *   rules new --name "..." --query "..." --method new_value --field @usr.name --tactic ... --technique ... [--forget-after 28] [--learning-duration 1]
 *
 * Refuses a query that does not parse or still holds a placeholder (`<query>`, `TODO`, `...`), and never guesses the
 * MITRE ATT&CK tactic or technique. Then: make the TODO samples real, `npm run generate`, `npm test`.
 *   rules new --reindex      (regenerate rules/index.ts after renaming or removing a rule file)
 */
import { CommandLine, CommandLineError, OptionSpec, parseCommandLine } from "../../lib/cli-args";
import { COUNT_REQUESTS, countsRequests } from "../../lib/rules/count-requests";
import * as fs from "fs";
import * as path from "path";
import { normalizeAuditEvent } from "../../lib/audit";
import { listQueryTerms, matchesQuery, parseQuery } from "../../lib/query";
import { SEVERITIES, RULE_WINDOWS_SECONDS } from "../../modules/cloud-siem/allowed-values";
import { DetectionRuleProps, ruleProblems } from "../../modules/cloud-siem/rule-model";
import { Problem, Problems, problemText, renderProblems, show } from "../../lib/problem";
import { slug } from "../../modules/cloud-siem/suppressions";
import { listRuleIds, writePackIndex } from "../../generate/pack-index-writer";
import { AuditEventSpec, AuditUser, KUBERNETES_ADMIN, auditEvent, eksIdentity } from "../../pack/samples";

export interface RunNewIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface RunNewOptions {
  /**
   * Folder of the rule pack.
   * @default - `pack/rules` of this project
   */
  readonly packDir?: string;
}

export const NEW_USAGE = [
  "usage: rules new --name <rule name> --query <Log Explorer query> --method new_value --field <@attribute> [--field ...]",
  "                 [--forget-after <days>] [--learning-duration <days>] [common options]",
  "       rules new --name <rule name> --query <Log Explorer query> --method threshold --count <n> [--window <seconds>]",
  "                 [--group-by <@attribute> ...] [common options]",
  "       rules new --reindex",
  "common options: --tactic TAxxxx-<name> --technique Txxxx-<name> (required: the MITRE ATT&CK mapping)",
  "                [--id <kebab-case id>] [--severity info|low|medium|high|critical] [--pack-dir <folder>]",
  "",
].join("\n");

const VALUE_FLAGS = [
  "name",
  "query",
  "method",
  "field",
  "count",
  "window",
  "group-by",
  "severity",
  "tactic",
  "technique",
  "id",
  "forget-after",
  "learning-duration",
  "pack-dir",
];
const REPEATABLE = ["field", "group-by"];
const BOOLEAN_FLAGS = ["reindex", "help"];

/**
 * Default pack folder: `pack/rules` of the project holding this file (source or `dist/`); undefined where there is
 * none, as in an installed package (its compiled pack is not a folder of rule files to write into).
 */
function defaultPackDir(): string | undefined {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, "pack", "rules");
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** `rules new`'s options: every value is taken as it is (a query may start with `-`, as `-@usr.name:x` does). */
const NEW_OPTIONS: Readonly<Record<string, OptionSpec>> = Object.fromEntries([
  ...VALUE_FLAGS.map((f): [string, OptionSpec] => [f, { type: "string", multiple: REPEATABLE.includes(f), dashValue: true }]),
  ...BOOLEAN_FLAGS.map((f): [string, OptionSpec] => [f, { type: "boolean" }]),
]);

function integer(raw: string | undefined, option: string): number | Problem {
  if (raw === undefined) return NaN;
  return /^\d+$/.test(raw) ? Number(raw) : { field: `--${option}`, received: show(raw), allowed: "a whole number" };
}

/** Line breaks and control characters (C0, DEL, C1, and the Unicode line and paragraph separators). */
const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029]/u;

/**
 * The rule name of each rule file (`export const rule = { name: "..." }`), by rule id: read from the file's syntax tree
 * (TypeScript's parser, loaded only here), so a sample event's `name: "x"` or a comment is never taken for it. A file
 * whose name is not a string literal is left out: `npm run generate` and the tests still refuse a duplicate.
 */
async function ruleNames(packDir: string, ids: readonly string[]): Promise<Map<string, string>> {
  const ts = await import("typescript");
  const names = new Map<string, string>();
  for (const id of ids) {
    const file = path.join(packDir, `${id}.ts`);
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        if (!ts.isIdentifier(declaration.name) || declaration.name.text !== "rule" || init === undefined || !ts.isObjectLiteralExpression(init))
          continue;
        for (const property of init.properties) {
          if (!ts.isPropertyAssignment(property) || property.name.getText(source) !== "name") continue;
          const value = property.initializer;
          if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) names.set(id, value.text);
        }
      }
    }
  }
  return names;
}

/** Writes `index.ts` for the files in `packDir`. */
function reindex(packDir: string): void {
  writePackIndex(packDir);
}

/** The sample event a query describes: the first positive exact value of the fields the sample builder knows. */
function specFromQuery(query: string): AuditEventSpec & { readonly username?: string } {
  const found: Record<string, string> = {};
  let code: number | undefined;
  for (const term of listQueryTerms(parseQuery(query))) {
    if (term.negated || term.fieldKind !== "attribute") continue;
    if (term.field === "@http.status_code") {
      const lower = /^\[(\d+)/.exec(term.value);
      if (code === undefined && term.valueKind === "exact" && /^\d+$/.test(term.value)) code = Number(term.value);
      if (code === undefined && term.valueKind === "range" && lower !== null) code = Number(lower[1]);
      continue;
    }
    if (term.valueKind === "exact" && found[term.field] === undefined) found[term.field] = term.value;
  }
  const resource = found["@objectRef.resource"] ?? "pods";
  return {
    verb: found["@http.method"] ?? "create",
    resource,
    ...(found["@objectRef.namespace"] !== undefined
      ? { namespace: found["@objectRef.namespace"] }
      : resource === "pods"
        ? { namespace: "default" }
        : {}),
    ...(found["@objectRef.name"] !== undefined ? { name: found["@objectRef.name"] } : { name: "example" }),
    ...(found["@objectRef.subresource"] !== undefined ? { subresource: found["@objectRef.subresource"] } : {}),
    ...(found["@objectRef.apiGroup"] !== undefined ? { apiGroup: found["@objectRef.apiGroup"] } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(found["@usr.name"] !== undefined ? { username: found["@usr.name"] } : {}),
  };
}

type SampleSpec = AuditEventSpec & { readonly username?: string };

/** One stub sample: its description, the spec's changes (as values and as source), kept only if it fits the query. */
interface StubSample {
  readonly description: string;
  readonly verb?: string;
  readonly code?: number;
  /** The user as an object (to evaluate) and as source (to write). */
  readonly user?: { readonly value: AuditUser; readonly source: string };
}

function stubUser(spec: SampleSpec): { value: AuditUser; source: string } {
  return spec.username !== undefined
    ? {
        value: { username: spec.username, groups: ["system:authenticated"] },
        source: `{ username: ${JSON.stringify(spec.username)}, groups: ["system:authenticated"] }`,
      }
    : { value: KUBERNETES_ADMIN, source: "KUBERNETES_ADMIN" };
}

function specSource(spec: SampleSpec, stub: StubSample): string {
  const fields: string[] = [];
  const changed: Record<string, unknown> = { verb: stub.verb, code: stub.code };
  for (const key of ["verb", "resource", "subresource", "namespace", "name", "apiGroup", "code"] as const) {
    const value = changed[key] ?? spec[key];
    if (value !== undefined) fields.push(`${key}: ${JSON.stringify(value)}`);
  }
  fields.push(`user: ${(stub.user ?? stubUser(spec)).source}`);
  return `{ ${fields.join(", ")} }`;
}

/** Whether a stub sample's event matches the query (as the pack's sample test evaluates it). */
function stubMatches(query: string, spec: SampleSpec, stub: StubSample): boolean {
  const { username: _username, ...eventSpec } = spec;
  const event = auditEvent({
    ...eventSpec,
    ...(stub.verb !== undefined ? { verb: stub.verb } : {}),
    ...(stub.code !== undefined ? { code: stub.code } : {}),
    user: (stub.user ?? stubUser(spec)).value,
  });
  return matchesQuery(parseQuery(query), normalizeAuditEvent(event));
}

/** The stub samples of a new rule: a positive built from the query's terms and the near-misses that do not match. */
function stubSamples(query: string, spec: SampleSpec): { positive: StubSample[]; negative: StubSample[] } {
  const readVerb = spec.verb === "get" ? "list" : "get";
  const candidates: StubSample[] = [
    { description: "TODO near-miss: the same request denied (403)", code: 403 },
    { description: "TODO near-miss: a read instead of the action", verb: readVerb, code: 200 },
    {
      description: "TODO near-miss: the same action by an excluded EKS identity",
      user: { value: eksIdentity("addon-manager"), source: 'eksIdentity("addon-manager")' },
    },
  ];
  return {
    positive: [{ description: "TODO: the behaviour this rule detects" }],
    // A near-miss that the query matches would be a failing negative: left out (the TODO asks for real ones).
    negative: candidates.filter((c) => !stubMatches(query, spec, c)),
  };
}

/** The TypeScript source of a new rule file. */
export function renderRuleFile(props: DetectionRuleProps, sampleSpec: SampleSpec): string {
  const q = (s: string) => JSON.stringify(s);
  const isNewValue = props.detectionMethod === "new_value";
  const query = props.queries[0];
  const samples = stubSamples(query.query, sampleSpec);
  const usesAdmin = [...samples.positive, ...samples.negative].some((s) => (s.user ?? stubUser(sampleSpec)).source === "KUBERNETES_ADMIN");
  const usesEks = samples.negative.some((s) => s.user !== undefined);
  const lines = [
    'import type { DetectionRuleProps } from "../../modules/cloud-siem/rule-model";',
    'import { IDENTIFY_USER, IF_UNEXPECTED, ruleMessage } from "../pack-helpers";',
    `import { ${[usesAdmin ? "KUBERNETES_ADMIN" : "", usesEks ? "eksIdentity" : "", "sample"].filter((n) => n !== "").join(", ")} } from "../samples";`,
    ...(countsRequests(query) ? ['import { COUNT_REQUESTS } from "../../lib/rules/count-requests";'] : []),
    "",
    "// Generated by `rules new` from a Log Explorer query. TODO: review every TODO below (make the samples real),",
    "// then run `npm run generate` and `npm test`.",
    "export const rule: DetectionRuleProps = {",
    `  id: ${q(props.id)},`,
    `  name: ${q(props.name)},`,
    `  detectionMethod: ${q(props.detectionMethod)},`,
    `  tactic: ${q(props.tactic)}, // TODO: review the MITRE ATT&CK tactic`,
    `  technique: ${q(props.technique)}, // TODO: review the MITRE ATT&CK technique`,
    "  // TODO: exclude EKS and system identities that would alert all day, e.g. NOT_PLATFORM from ../pack-helpers.",
    isNewValue
      ? `  queries: [{ query: ${q(query.query)}, metrics: ${JSON.stringify(query.metrics)} }],`
      : `  queries: [{ query: ${q(query.query)}, ${countsRequests(query) ? "...COUNT_REQUESTS, " : ""}groupByFields: ${JSON.stringify(query.groupByFields ?? [])} }],`,
    `  cases: [{ status: ${q(props.cases[0].status)}${isNewValue ? "" : `, condition: ${q(props.cases[0].condition ?? "")}`} }],`,
    ...(isNewValue
      ? [
          `  newValueOptions: { forgetAfterDays: ${props.newValueOptions!.forgetAfterDays}, learningDurationDays: ${props.newValueOptions!.learningDurationDays} },`,
        ]
      : [`  evaluationWindowSeconds: ${props.evaluationWindowSeconds},`]),
    `  keepAliveSeconds: ${props.keepAliveSeconds},`,
    `  maxSignalDurationSeconds: ${props.maxSignalDurationSeconds},`,
    "  message: ruleMessage(",
    `    ${q(`TODO: what this rule detects (${props.name}).`)},`,
    `    ${q(isNewValue ? `New Value on ${query.metrics!.join(", ")} over: ${query.query}` : `More than ${/> (\d+)$/.exec(props.cases[0].condition ?? "")?.[1]} matching ${countsRequests(query) ? "requests (distinct @auditID)" : "logs"} in ${props.evaluationWindowSeconds} seconds${(query.groupByFields ?? []).length > 0 ? `, per ${(query.groupByFields ?? []).join(", ")}` : ""}: ${query.query}`)},`,
    '    [IDENTIFY_USER, "TODO: rule-specific triage step.", IF_UNEXPECTED],',
    "  ),",
    "  samples: {",
    "    // TODO: make these realistic; the positive sample is built from the query's own terms.",
    "    positive: [",
    ...samples.positive.map((s) => `      sample(${q(s.description)}, ${specSource(sampleSpec, s)}),`),
    "    ],",
    "    negative: [",
    ...samples.negative.map((s) => `      sample(${q(s.description)}, ${specSource(sampleSpec, s)}),`),
    "    ],",
    "  },",
    "};",
    "",
  ];
  return lines.join("\n");
}

/** `rules new`: resolves to the exit code (0 written, 1 refused to overwrite, 2 usage or validation error). */
export function runNew(argv: readonly string[], io: RunNewIo, opts: RunNewOptions = {}): Promise<number> {
  return newRule(argv, io, opts);
}

async function newRule(argv: readonly string[], io: RunNewIo, opts: RunNewOptions): Promise<number> {
  const fail = (message: string, code = 2): number => {
    io.stderr.write(`rules new: ${message}\n`);
    return code;
  };
  /** Writes problems rendered as lib/problem.ts renders them (their place first), then `after`. */
  const failWith = (problems: string, after = "", code = 2): number => {
    io.stderr.write(`${problems}${after}\n`);
    return code;
  };
  let line: CommandLine;
  try {
    line = parseCommandLine(argv, NEW_OPTIONS, `allowed: ${[...VALUE_FLAGS, ...BOOLEAN_FLAGS].map((f) => `--${f}`).join(", ")}`);
  } catch (e) {
    if (e instanceof CommandLineError) return fail(`${e.message}\n${NEW_USAGE}`);
    throw e;
  }
  if (line.positionals.length > 0) return fail(`unexpected argument ${JSON.stringify(line.positionals[0])}; allowed: --option value\n${NEW_USAGE}`);
  const values: Record<string, readonly string[]> = Object.fromEntries(VALUE_FLAGS.filter((f) => line.has(f)).map((f) => [f, line.strings(f)]));
  const flags = new Set(BOOLEAN_FLAGS.filter((f) => line.has(f)));
  if (flags.has("help")) {
    io.stdout.write(NEW_USAGE);
    return 0;
  }
  const one = (key: string): string | undefined => values[key]?.[0];
  const packDir = one("pack-dir") ?? opts.packDir ?? defaultPackDir();
  if (packDir === undefined) {
    return fail(
      problemText({
        field: "--pack-dir",
        received: "nothing",
        why: "no project with a pack/rules folder holds this command, as when it runs from an installed package",
        allowed: "the folder of your rule files",
      }),
    );
  }
  if (!fs.existsSync(packDir) || !fs.statSync(packDir).isDirectory()) return fail(`pack folder ${JSON.stringify(packDir)} does not exist`);

  if (flags.has("reindex")) {
    if (Object.keys(values).some((k) => k !== "pack-dir")) return fail("--reindex takes no other option than --pack-dir");
    reindex(packDir);
    io.stdout.write(`updated index.ts (${listRuleIds(packDir).length} rules)\n`);
    return 0;
  }

  const problems = new Problems();
  const name = one("name");
  const query = one("query");
  const method = one("method");
  if (name === undefined) problems.add("--name", name, "the Datadog rule name (required)");
  else if (CONTROL_CHARACTERS.test(name)) problems.add("--name", name, "one line of text", "it holds a line break or a control character");
  if (query === undefined) problems.add("--query", query, "the Log Explorer query (required)");
  // A query that does not parse is refused by the rule model below, with its position.
  if (query !== undefined) {
    const placeholder = /<[^<>]*>|\bTODO\b|\.\.\./.exec(query);
    if (placeholder !== null)
      problems.add(
        "--query",
        query,
        "the real Log Explorer query, copied from Log Explorer",
        `it holds the placeholder ${JSON.stringify(placeholder[0])}`,
      );
  }
  if (method === undefined) problems.add("--method", method, "new_value or threshold (required)");
  else if (method !== "new_value" && method !== "threshold") problems.add("--method", method, "new_value, threshold");
  const severity = one("severity") ?? "medium";
  if (!(SEVERITIES as readonly string[]).includes(severity)) problems.add("--severity", severity, SEVERITIES.join(", "));
  const methodOnly: Record<string, string[]> = {
    new_value: ["field", "forget-after", "learning-duration"],
    threshold: ["count", "window", "group-by"],
  };
  if (method === "new_value" || method === "threshold") {
    const other = method === "new_value" ? "threshold" : "new_value";
    for (const key of methodOnly[other]) if (values[key] !== undefined) problems.add(`--${key}`, one(key), `absent unless --method is ${other}`);
  }
  const numbers: Record<string, number> = {};
  for (const key of ["count", "window", "forget-after", "learning-duration"]) {
    const n = integer(one(key), key);
    if (typeof n === "number") numbers[key] = n;
    else problems.addAll([n]);
  }
  if (method === "new_value" && (values.field ?? []).length === 0)
    problems.add("--field", undefined, "the attribute whose new values are detected, e.g. @usr.name (required with --method new_value)");
  if (method === "threshold" && one("count") === undefined)
    problems.add("--count", undefined, "signal when more than <count> logs match in the window (required with --method threshold)");
  for (const field of [...(values.field ?? []), ...(values["group-by"] ?? [])]) {
    if (!/^@?[A-Za-z_][\w.-]*$/.test(field)) problems.add("--field/--group-by", field, "an attribute, e.g. @usr.name, @objectRef.namespace");
  }
  // The MITRE ATT&CK mapping is the author's call: never guessed.
  if (one("tactic") === undefined) problems.add("--tactic", undefined, "the MITRE ATT&CK tactic, e.g. TA0002-execution (required)");
  if (one("technique") === undefined)
    problems.add("--technique", undefined, "the MITRE ATT&CK technique, e.g. T1609-container-administration-command (required)");
  if (problems.list.length > 0) return failWith(renderProblems("rules new", problems.list), `\n${NEW_USAGE}`);

  const id = one("id") ?? slug(name!);
  const window = Number.isNaN(numbers.window) ? 300 : numbers.window;
  const props: DetectionRuleProps = {
    id,
    name: name!,
    message: "TODO",
    detectionMethod: method as "new_value" | "threshold",
    tactic: one("tactic")!,
    technique: one("technique")!,
    ...(method === "new_value"
      ? {
          queries: [{ query: query!, metrics: values.field }],
          cases: [{ status: severity as DetectionRuleProps["cases"][number]["status"] }],
          newValueOptions: {
            forgetAfterDays: Number.isNaN(numbers["forget-after"]) ? 28 : numbers["forget-after"],
            learningDurationDays: Number.isNaN(numbers["learning-duration"]) ? 1 : numbers["learning-duration"],
          },
          keepAliveSeconds: 3600,
          maxSignalDurationSeconds: 86400,
        }
      : {
          // More than one: count requests, not the stages EKS logs for each (lib/rules/count-requests.ts).
          queries: [{ query: query!, ...(numbers.count >= 1 ? COUNT_REQUESTS : {}), groupByFields: values["group-by"] ?? [] }],
          cases: [{ status: severity as DetectionRuleProps["cases"][number]["status"], condition: `a > ${numbers.count}` }],
          evaluationWindowSeconds: window,
          keepAliveSeconds: RULE_WINDOWS_SECONDS.includes(window) ? Math.max(window, 3600) : 3600,
          maxSignalDurationSeconds: 86400,
        }),
  };
  const modelProblems = ruleProblems(props);
  if (modelProblems.length > 0) return failWith(renderProblems(`rules new: rule ${show(id)}`, modelProblems));

  const existing = listRuleIds(packDir);
  const file = path.join(packDir, `${id}.ts`);
  if (existing.includes(id) || fs.existsSync(file))
    return fail(`rule file ${id}.ts already exists in the pack; refusing to overwrite it (choose another --name or --id)`, 1);
  const names = await ruleNames(packDir, existing);
  const sameName = existing.find((other) => names.get(other) === name);
  if (sameName !== undefined)
    return failWith(
      renderProblems("rules new", [{ field: "--name", received: show(name), why: `already used by ${sameName}.ts`, allowed: "unique rule names" }]),
    );

  fs.writeFileSync(file, renderRuleFile(props, specFromQuery(query!)), { flag: "wx" });
  reindex(packDir);
  io.stdout.write(
    `created ${id}.ts\nupdated index.ts (${existing.length + 1} rules)\n` +
      `next: review the TODOs in ${id}.ts (samples, exclusions, message), then run \`npm run generate\`, then \`npm test\`\n`,
  );
  return 0;
}
