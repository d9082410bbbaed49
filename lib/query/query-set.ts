/**
 * Evaluates many queries against the same log faster than one by one, with the same results.
 *
 * Most detection queries require one attribute to have one of a few literal values
 * (`@objectRef.resource:(pods OR deployments)`, `@objectRef.subresource:exec`). Those required values are indexed:
 * per log, each indexed attribute is read once, and a query whose required value is absent is known to be false
 * without evaluating it. Every other query is evaluated as usual.
 */
import type { NormalizedLog, QueryNode } from "./ast";
import { compileNode, CompiledPath, compilePath, LogPredicate, someAlong } from "./evaluate";
import { parseNumber } from "./parser";

/** A set of compiled queries evaluated together. */
export interface QuerySet {
  /** Number of queries. */
  readonly size: number;
  /** Sets `out[i]` to whether query `i` matches `log` (for every `i < size`); returns how many match. */
  evaluate(log: NormalizedLog, out: boolean[]): number;
}

interface Required {
  readonly key: string;
  readonly path: readonly string[];
  readonly values: readonly string[];
}

/** `@a.b:literal` (not numeric): the literal a matching log must hold at `a.b`. */
function requiredOfTerm(node: QueryNode): Required | undefined {
  if (node.kind !== "term" || node.field.kind !== "attribute" || node.value.kind !== "exact") return undefined;
  if (parseNumber(node.value.text) !== undefined) return undefined;
  return { key: node.field.path.join("\u0000"), path: node.field.path, values: [node.value.text] };
}

/** A term, or an OR of terms on one attribute, that every matching log satisfies. */
function requiredOf(node: QueryNode): Required | undefined {
  if (node.kind === "or") {
    const parts = node.children.map(requiredOfTerm);
    const first = parts[0];
    if (first === undefined || parts.some((p) => p === undefined || p.key !== first.key)) return undefined;
    return { key: first.key, path: first.path, values: parts.flatMap((p) => p?.values ?? []) };
  }
  return requiredOfTerm(node);
}

/** The required literal values of a query: from the query itself, or from one child of its top-level AND. */
export function requiredValues(node: QueryNode): Required | undefined {
  return allRequiredValues(node)[0];
}

/** Every requirement of a query: one per child of its top-level AND that is a term (or an OR of terms on one attribute). */
export function allRequiredValues(node: QueryNode): Required[] {
  if (node.kind === "and") {
    const all: Required[] = [];
    for (const child of node.children) {
      const r = requiredOf(child);
      if (r !== undefined) all.push(r);
    }
    return all;
  }
  const r = requiredOf(node);
  return r === undefined ? [] : [r];
}

interface Index {
  readonly path: CompiledPath;
  readonly byValue: Map<string, number[]>;
}

/**
 * How many distinct values an attribute takes in audit logs, roughly: the index uses, per query, the requirement on
 * the rarest attribute (`@objectRef.subresource:exec` prunes more than `@http.method:create`). Unknown attributes rank
 * between the resource and the verb.
 */
const SELECTIVITY: Readonly<Record<string, number>> = {
  "objectRef\u0000subresource": 0,
  "objectRef\u0000name": 1,
  "impersonatedUser\u0000username": 1,
  "objectRef\u0000resource": 2,
  "usr\u0000name": 3,
  "usr\u0000id": 3,
  "objectRef\u0000namespace": 5,
  "http\u0000method": 6,
};

/** The requirement of a query the index uses: the one on the most selective attribute (first in query order on ties). */
function primaryRequirement(node: QueryNode): Required | undefined {
  let best: Required | undefined;
  let bestRank = Infinity;
  for (const r of allRequiredValues(node)) {
    const rank = SELECTIVITY[r.key] ?? 4;
    if (rank < bestRank) {
      best = r;
      bestRank = rank;
    }
  }
  return best;
}

/** Compiles parsed queries into a `QuerySet`. */
export function compileQuerySet(nodes: readonly QueryNode[]): QuerySet {
  const size = nodes.length;
  const predicates: LogPredicate[] = nodes.map(compileNode);
  const indexed: boolean[] = new Array<boolean>(size).fill(false);
  const indexes = new Map<string, Index>();
  nodes.forEach((node, i) => {
    const required = primaryRequirement(node);
    if (required === undefined) return;
    let index = indexes.get(required.key);
    if (index === undefined) {
      index = { path: compilePath(required.path), byValue: new Map() };
      indexes.set(required.key, index);
    }
    for (const value of new Set(required.values)) {
      const list = index.byValue.get(value);
      if (list === undefined) index.byValue.set(value, [i]);
      else list.push(i);
    }
    indexed[i] = true;
  });
  const indexList = [...indexes.values()];
  const unindexed: number[] = [];
  for (let i = 0; i < size; i++) if (!indexed[i]) unindexed.push(i);
  // candidate[i] === generation: the log holds query i's required value.
  const candidate = new Float64Array(size);
  let generation = 0;
  let current: Index | undefined;
  const mark = (v: unknown): boolean => {
    const key = typeof v === "string" ? v : typeof v === "boolean" ? (v ? "true" : "false") : undefined;
    if (key !== undefined && current !== undefined) {
      const list = current.byValue.get(key);
      if (list !== undefined) for (let k = 0; k < list.length; k++) candidate[list[k]] = generation;
    }
    return false; // visit every value
  };
  return {
    size,
    evaluate(log, out) {
      generation++;
      for (let i = 0; i < size; i++) out[i] = false;
      for (let k = 0; k < indexList.length; k++) {
        current = indexList[k];
        someAlong(log.attributes, current.path, mark);
      }
      let any = 0;
      for (let k = 0; k < unindexed.length; k++) {
        const i = unindexed[k];
        if (predicates[i](log)) {
          out[i] = true;
          any++;
        }
      }
      for (let i = 0; i < size; i++) {
        if (indexed[i] && candidate[i] === generation && predicates[i](log)) {
          out[i] = true;
          any++;
        }
      }
      return any;
    },
  };
}
