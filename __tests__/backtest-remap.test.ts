/**
 * The declarative remapping the DuckDB backtest compiles (`lib/backtest/audit-remap.ts`) describes exactly what the
 * JS normalizer (`lib/audit/normalize.ts`, the reference) does, for every sample event of the pack and edge cases:
 * which attributes it replaces, when, with which keys and values. A change to either without the other fails here.
 */
import { normalizeAuditEvent } from "../lib/audit";
import { AUDIT_REMAP, RAW_EVENT_RESERVED, RemapCondition, RemapNode } from "../lib/backtest/audit-remap";
import { defineRule } from "../modules/cloud-siem/rule-model";
import { EKS_RULE_PACK } from "../pack/rules";

type Json = Record<string, unknown>;

function at(event: Json, path: readonly (string | number)[]): unknown {
  let v: unknown = event;
  for (const k of path) {
    if (typeof k === "number" ? !Array.isArray(v) : typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function holds(c: RemapCondition, e: Json): boolean {
  switch (c.kind) {
    case "always":
      return true;
    case "isString":
      return typeof at(e, c.path) === "string";
    case "hasKey": {
      const o = at(e, c.path);
      return typeof o === "object" && o !== null && !Array.isArray(o) && (o as Json)[c.key] !== undefined;
    }
    case "uriHasQuery":
      return typeof e.requestURI === "string" && e.requestURI.includes("?");
  }
}

/** What the table says the remapped value is (query strings: only that there is an object). */
function described(node: RemapNode, e: Json): unknown {
  if (node.kind === "object") {
    const out: Json = {};
    for (const [k, f] of Object.entries(node.fields)) if (holds(f.when, e)) out[k] = described(f.node, e);
    return out;
  }
  const s = node.source;
  if (s.kind === "event") return at(e, s.path);
  if (s.kind === "uriPath") return String(e.requestURI).split("?")[0];
  return expect.any(Object);
}

const samples = EKS_RULE_PACK.map(defineRule).flatMap((r) => [...r.samples.positive, ...r.samples.negative].map((s) => s.event));
const base = samples[0];
const edges: Json[] = [
  { ...base, user: { groups: [] }, usr: { name: "own" } },
  { ...base, user: { username: 5 } },
  { ...base, sourceIPs: [], network: { client: { ip: "own" } } },
  { ...base, sourceIPs: "10.0.0.1" },
  { ...base, responseStatus: { code: null } },
  { ...base, responseStatus: { status: "Success" } },
  { ...base, responseStatus: "oops" },
  { ...base, requestURI: "/x?a=1&a=2&b" },
  { ...base, requestURI: undefined, http: { method: "own" } },
];

test.each([...samples, ...edges].map((e, i) => [i, e] as const))("sample %i: the table describes normalizeAuditEvent", (_i, event) => {
  const log = normalizeAuditEvent(event);
  const attributes = log.attributes as Json;
  expect({ source: log.source, status: log.status }).toEqual(RAW_EVENT_RESERVED);
  for (const [root, field] of Object.entries(AUDIT_REMAP)) {
    if (holds(field.when, event)) expect([root, attributes[root]]).toEqual([root, described(field.node, event)]);
    else expect([root, attributes[root]]).toEqual([root, event[root]]);
  }
  // Nothing else is remapped: every other attribute is the event's own (`aws` comes only from a wrapper).
  for (const key of Object.keys(attributes)) if (!(key in AUDIT_REMAP)) expect([key, attributes[key]]).toEqual([key, event[key]]);
});
