/**
 * Read-only helpers over a parsed query, for linting rules (e.g. flag `source:kubernetes.aduit`).
 */
import { QueryNode, ReservedAttribute } from "./ast";

/** One term of a query, as a linter sees it. */
export interface QueryTermInfo {
  /**
   * The field as written: `@usr.id`, `source`, `env` (tag key), `tags`, or `""` for free text.
   */
  readonly field: string;
  /** `attribute`, `reserved`, `tag`, `tags` or `message` (free text). */
  readonly fieldKind: "attribute" | "reserved" | "tag" | "tags" | "message";
  /** `exact`, `wildcard`, `exists`, `range`, `compare` or `cidr`. */
  readonly valueKind: "exact" | "wildcard" | "exists" | "range" | "compare" | "cidr";
  /** The value with escapes resolved for `exact`; the value as written otherwise. */
  readonly value: string;
  /** 0-based offset of the term in the query. */
  readonly position: number;
  /** True under an odd number of `NOT` / `-`. */
  readonly negated: boolean;
}

/** Every term of `node`, in query order. */
export function listQueryTerms(node: QueryNode): QueryTermInfo[] {
  const out: QueryTermInfo[] = [];
  const walk = (n: QueryNode, negated: boolean): void => {
    switch (n.kind) {
      case "and":
      case "or":
        for (const c of n.children) walk(c, negated);
        return;
      case "not":
        walk(n.child, !negated);
        return;
      case "all":
        return;
      case "term": {
        const f = n.field;
        out.push({
          field: f.kind === "message" ? "" : f.text,
          fieldKind: f.kind,
          valueKind: n.value.kind,
          value: n.value.kind === "exact" ? n.value.text : n.raw,
          position: n.position,
          negated,
        });
        return;
      }
    }
  };
  walk(node, false);
  return out;
}

/**
 * The values a query gives a reserved attribute, e.g. `listReservedValues(parseQuery(q), "source")` gives
 * `["kubernetes.audit"]` for the guide's query (positive and negated terms alike; see `listQueryTerms`).
 */
export function listReservedValues(node: QueryNode, name: ReservedAttribute): string[] {
  return listQueryTerms(node)
    .filter((t) => t.fieldKind === "reserved" && t.field === name)
    .map((t) => t.value);
}

/** The distinct `@attribute` paths a query searches, without `@`, in first-use order. */
export function listAttributePaths(node: QueryNode): string[] {
  const seen = new Set<string>();
  for (const t of listQueryTerms(node)) {
    if (t.fieldKind === "attribute") seen.add(t.field.slice(1));
  }
  return [...seen];
}
