/**
 * Types shared by the Datadog log-search parser (`parser.ts`) and evaluator (`evaluate.ts`).
 *
 * Positions are 0-based offsets (UTF-16 code units) into the query string.
 */

/**
 * One log as Datadog's Log Explorer sees it after the integration pipeline ran: reserved attributes at the top,
 * tags, and every other attribute (the `@`-searchable ones) under `attributes`.
 */
export interface NormalizedLog {
  /** Reserved attribute `source` (searched as `source:<value>`), e.g. `kubernetes.audit`. */
  readonly source?: string;
  /** Reserved attribute `service`. */
  readonly service?: string;
  /** Reserved attribute `host`. */
  readonly host?: string;
  /** Reserved attribute `status` (log level), e.g. `info`. */
  readonly status?: string;
  /** The log message: what free-text terms (`hello`, `"hello world"`) search. */
  readonly message?: string;
  /** Tags as `key:value` (or bare `value`) strings; searched as `key:value` without `@`. */
  readonly tags: readonly string[];
  /** Log date in epoch milliseconds (Datadog's `date` remapper output), when known. */
  readonly timestampMs?: number;
  /** Every attribute, searched as `@path.to.attr:value`. */
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** Reserved attributes that are searched without `@`. */
export type ReservedAttribute = "source" | "service" | "host" | "status";

/** Where a term looks. */
export type QueryField =
  /** `@a.b.c:` — an attribute path (segments split on unescaped dots). */
  | { readonly kind: "attribute"; readonly path: readonly string[]; readonly text: string }
  /** `source:`, `service:`, `host:`, `status:`. */
  | { readonly kind: "reserved"; readonly name: ReservedAttribute; readonly text: string }
  /** `env:prod` — a tag search (`key:value` without `@`), `key` is lowercased. */
  | { readonly kind: "tag"; readonly key: string; readonly text: string }
  /** `tags:value` — a search over the raw tag strings. */
  | { readonly kind: "tags"; readonly text: string }
  /** A free-text term or phrase, searched in the log message. */
  | { readonly kind: "message"; readonly text: "" };

/** What a term's value must satisfy. */
export type QueryValue =
  /** A literal, unquoted or quoted (`"a b"`): exact match of the whole value. `text` is unescaped. */
  | { readonly kind: "exact"; readonly text: string; readonly quoted: boolean }
  /** A value with unescaped `*` / `?` wildcards. `text` is the pattern as written after unescaping (`\*` kept). */
  | { readonly kind: "wildcard"; readonly text: string; readonly regexSource: string }
  /** `@attr:*` — the attribute exists (not null). */
  | { readonly kind: "exists" }
  /** `[a TO b]`, `{a TO b}`, mixed; `null` bound = `*` (open). */
  | {
      readonly kind: "range";
      readonly lower: string | null;
      readonly upper: string | null;
      readonly lowerInclusive: boolean;
      readonly upperInclusive: boolean;
    }
  /** `>5`, `>=5`, `<5`, `<=5`. */
  | { readonly kind: "compare"; readonly op: ">" | ">=" | "<" | "<="; readonly bound: number }
  /** `CIDR(@attr, 10.0.0.0/8, ...)`: the value is an IP address inside one of the blocks. */
  | { readonly kind: "cidr"; readonly blocks: readonly CidrBlock[] };

/** One CIDR block: address family, network bits (as a bigint over 32 or 128 bits), prefix length. */
export interface CidrBlock {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
  /** As written, e.g. `10.0.0.0/8`. */
  readonly text: string;
}

/** A parsed query. */
export type QueryNode =
  | { readonly kind: "and"; readonly children: readonly QueryNode[] }
  | { readonly kind: "or"; readonly children: readonly QueryNode[] }
  | { readonly kind: "not"; readonly child: QueryNode; readonly position: number }
  /** `*` on its own: matches every log. */
  | { readonly kind: "all"; readonly position: number }
  | {
      readonly kind: "term";
      readonly field: QueryField;
      readonly value: QueryValue;
      /** Offset of the term's first character (the field, or the value inside a value group). */
      readonly position: number;
      /** The value as written in the query (still escaped), for messages and linting. */
      readonly raw: string;
    };
