/**
 * Seeded hostile inputs for the mutation suite (`__tests__/hostile-input.test.ts`): a small PRNG, palettes of
 * values an attacker or an unlucky user types (wrong types, lengths, encodings, Terraform template syntax, control
 * characters), and mutators of a parsed document and of its text. Same seed, same cases.
 */
import { mulberry32 } from "../../lib/random";

/** A seeded generator (lib/random.ts) with the picks the suite needs. */
export class Rng {
  public readonly next: () => number;

  public constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** An integer in [0, n). */
  public int(n: number): number {
    return Math.floor(this.next() * n);
  }

  public pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** Terraform template syntax: must reach Terraform as literal text, never be evaluated. */
export const TEMPLATES = [
  '${file("/etc/hostname")}',
  '${trimspace(file("/etc/hostname"))}',
  "${var.datadog_api_key}",
  "%{ if true }hostile%{ endif }",
  '%{for x in ["hostile"]}${x}%{endfor}',
  "$${escaped-hostile}",
  "${aws_eks_cluster.hostile.arn}",
  "${",
  "%{",
] as const;

/**
 * The live templates of hostile text in a synthesized stack's JSON text: a `${` or `%{` that is not escaped (`$${`,
 * `%%{`) and either carries one of the markers of {@link TEMPLATES}, is a template directive (constructs write none),
 * or is left open at the end of a string. (That every other template is a reference of the same stack is the
 * synth's own invariant.)
 */
export function liveTemplates(json: string): string[] {
  const out: string[] = [];
  // HCL reads `$${` as a literal `${` and `%%{` as a literal `%{`, whatever precedes them (checked with terraform
  // 1.11: `"$$${var.x}"` plans as the text `$${var.x}`), so an opener is live unless its own sign is doubled.
  const opener = /(?<!\$)\$\{|(?<!%)%\{/g;
  for (let m = opener.exec(json); m !== null; m = opener.exec(json)) {
    const end = json.indexOf("}", m.index);
    const body = json.slice(m.index, end < 0 ? json.length : end + 1);
    if (m[0] === "%{" || /hostile|hostname/.test(body) || json[m.index + 2] === '"') out.push(json.slice(m.index, m.index + 60));
  }
  return out;
}

/** Control characters and look-alikes that could break a message or a Markdown review. */
export const CONTROL = ["a\nb", "line\r\nbreak", "nul\u0000byte", "\u001b[31mred\u001b[0m", "sep\u2028arator", "tab\there", "\u202Eevil"] as const;

/** Unusual but valid (or invalid) Unicode. */
export const ENCODINGS = ["\u200B", "é", "e\u0301", "😀", "\ud800", "\uFEFFbom", "ﬀ", "\u0130"] as const;

/** Values of the wrong type or at the edges of a type. */
export const WRONG_TYPES: readonly unknown[] = [
  0,
  -1,
  1.5,
  2 ** 53 + 2,
  1e308,
  true,
  false,
  null,
  "",
  " ",
  [],
  {},
  [[]],
  { nested: { deeper: [1, "two"] } },
  "true",
  "123",
];

/** Long strings and arrays. */
export function longValue(rng: Rng): unknown {
  switch (rng.int(4)) {
    case 0:
      return "x".repeat(10_000);
    case 1:
      return "a".repeat(257);
    case 2:
      return Array.from({ length: 500 }, (_, i) => `item-${i}`);
    default:
      return "${".repeat(2_000);
  }
}

/** One hostile value of any family. */
export function hostileValue(rng: Rng): unknown {
  switch (rng.int(5)) {
    case 0:
      return rng.pick(TEMPLATES);
    case 1:
      return rng.pick(CONTROL);
    case 2:
      return rng.pick(ENCODINGS);
    case 3:
      return longValue(rng);
    default:
      return rng.pick(WRONG_TYPES);
  }
}

/** Every path (array of keys/indexes) to a node of a JSON document, the root excluded. */
export function paths(doc: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(doc)) {
    doc.forEach((v, i) => {
      out.push([...prefix, i]);
      out.push(...paths(v, [...prefix, i]));
    });
  } else if (typeof doc === "object" && doc !== null) {
    for (const [k, v] of Object.entries(doc)) {
      out.push([...prefix, k]);
      out.push(...paths(v, [...prefix, k]));
    }
  }
  return out;
}

function parentOf(doc: unknown, path: readonly (string | number)[]): Record<string | number, unknown> {
  let node = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  return node;
}

/** What one document mutation did, for the failure message. */
export interface Mutation {
  readonly doc: unknown;
  readonly what: string;
}

/** A deep copy of `doc` with one node replaced, embedded into, or deleted. */
export function mutateDocument(rng: Rng, doc: unknown): Mutation {
  const copy = structuredClone(doc);
  const all = paths(copy);
  const path = rng.pick(all);
  const parent = parentOf(copy, path);
  const key = path[path.length - 1];
  const at = path.join(".");
  const op = rng.int(4);
  if (op === 0) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
    return { doc: copy, what: `delete ${at}` };
  }
  if (op === 1 && typeof parent[key] === "string") {
    // Keep the value's shape (an ARN, an ID) and hide the payload inside it.
    const fragment = String(rng.pick([...TEMPLATES, ...CONTROL, ...ENCODINGS]));
    const value = parent[key];
    const cut = rng.int(value.length + 1);
    parent[key] = value.slice(0, cut) + fragment + value.slice(cut);
    return { doc: copy, what: `embed ${JSON.stringify(fragment)} in ${at}` };
  }
  const value = hostileValue(rng);
  parent[key] = value;
  const shown = JSON.stringify(value) ?? String(value);
  return { doc: copy, what: `set ${at} = ${shown.length > 60 ? shown.slice(0, 57) + "..." : shown}` };
}

/** Mutations of a YAML config's text that no document can express (tags, aliases, number forms, bytes). */
export const YAML_TEXT_MUTATIONS: readonly { readonly what: string; readonly apply: (text: string) => string | Buffer }[] = [
  { what: "unknown tag", apply: (t) => t.replace(/accountId: "(\d+)"/, "accountId: !Ref Account") },
  { what: "js function tag", apply: (t) => t.replace(/site: (\S+)/, "site: !!js/function 'function () {}'") },
  { what: ".nan", apply: (t) => t.replace(/logRetentionInDays: \d+/, "logRetentionInDays: .nan") },
  { what: ".inf", apply: (t) => t.replace(/logRetentionInDays: \d+/, "logRetentionInDays: .inf") },
  { what: "1e400", apply: (t) => t.replace(/logRetentionInDays: \d+/, "logRetentionInDays: 1e400") },
  { what: "2^53 + 1", apply: (t) => t.replace(/logRetentionInDays: \d+/, "logRetentionInDays: 9007199254740993") },
  { what: "duplicate key", apply: (t) => t.replace(/(\n(\s+)name: ([^\n]+))/, "$1$1") },
  {
    what: "alias bomb",
    apply: (t) =>
      `a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n${t}`,
  },
  { what: "tab indentation", apply: (t) => t.replace(/\n {4}aws:/, "\n\taws:") },
  { what: "byte order mark", apply: (t) => "\uFEFF" + t },
  { what: "NUL byte", apply: (t) => t.replace("environments:", "environments:\u0000") },
  { what: "invalid UTF-8", apply: (t) => Buffer.concat([Buffer.from(t.slice(0, 40)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(t.slice(40))]) },
  { what: "UTF-16LE", apply: (t) => Buffer.from("\uFEFF" + t, "utf16le") },
  { what: "empty file", apply: () => "" },
  { what: "only a comment", apply: () => "# nothing here\n" },
  { what: "a scalar document", apply: () => "just a string\n" },
  { what: "two documents", apply: (t) => `${t}\n---\n${t}` },
  { what: "merge key", apply: (t) => t.replace(/\n(\s+)aws:/, "\n$1<<: {extra: 1}\n$1aws:") },
];

/** A text cut at a random offset (a half-written or truncated file). */
export function truncate(rng: Rng, text: string): string {
  return text.slice(0, rng.int(text.length));
}

/** One error paragraph: no blank line, no stack frame, no internal error name. */
export function errorShapeProblems(stderr: string): string[] {
  const problems: string[] = [];
  if (stderr.trim() === "") problems.push("nothing on stderr");
  if (/^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m.test(stderr)) problems.push("a stack frame");
  if (/\b(TypeError|ReferenceError|RangeError|Maximum call stack|Cannot read propert|is not a function|undefined is not)\b/.test(stderr)) {
    problems.push("an internal error");
  }
  return problems;
}
