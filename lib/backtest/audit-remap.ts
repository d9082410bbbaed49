/**
 * The `kubernetes.audit` attribute remapping of `lib/audit/normalize.ts`, as data, for engines that cannot call
 * the JS normalizer per event (the DuckDB backtest compiles it into SQL, `lib/backtest/sql.ts`).
 *
 * The JS normalizer stays the reference: `__tests__/backtest-remap.test.ts` checks, for every sample event of the
 * pack, that what this table describes is exactly what `normalizeAuditEvent` produces for the remapped roots, so the
 * two cannot drift apart silently.
 *
 * A remapped root replaces the event's own attribute of that name (as `attributes.http = {...}` does in the JS
 * normalizer) when its `when` holds; otherwise the event's own attribute (if any) is searched as it is.
 */
import { KUBERNETES_AUDIT_SOURCE } from "../audit";

/** Where a remapped value comes from in the raw audit event. */
export type RemapSource =
  /** The JSON value at this path of the raw event (object keys; a number is an array index). */
  | { readonly kind: "event"; readonly path: readonly (string | number)[] }
  /** `requestURI` up to the first `?`. */
  | { readonly kind: "uriPath" }
  /** The query string of `requestURI` as `{key: value}` (`application/x-www-form-urlencoded`; a repeated key gives an array). */
  | { readonly kind: "uriQuery" };

/** Condition under which a remapped key (or root) exists. */
export type RemapCondition =
  | { readonly kind: "always" }
  /** The raw value at `path` is a JSON string. */
  | { readonly kind: "isString"; readonly path: readonly (string | number)[] }
  /** The raw value at `path` is an object that has the key `key` (any value, null included). */
  | { readonly kind: "hasKey"; readonly path: readonly (string | number)[]; readonly key: string }
  /** `requestURI` is a string that contains `?`. */
  | { readonly kind: "uriHasQuery" };

/** A remapped object (its keys) or a value. */
export type RemapNode =
  { readonly kind: "object"; readonly fields: Readonly<Record<string, RemapField>> } | { readonly kind: "value"; readonly source: RemapSource };

export interface RemapField {
  readonly when: RemapCondition;
  readonly node: RemapNode;
}

const always: RemapCondition = { kind: "always" };
const value = (source: RemapSource): RemapNode => ({ kind: "value", source });
const event = (...path: (string | number)[]): RemapNode => value({ kind: "event", path });

/** The remapped roots: `http` always, `usr` and `network` when their source is a string (see `normalize.ts`). */
export const AUDIT_REMAP: Readonly<Record<string, RemapField>> = {
  http: {
    when: always,
    node: {
      kind: "object",
      fields: {
        method: { when: always, node: event("verb") },
        status_code: { when: { kind: "hasKey", path: ["responseStatus"], key: "code" }, node: event("responseStatus", "code") },
        url_details: {
          when: { kind: "isString", path: ["requestURI"] },
          node: {
            kind: "object",
            fields: {
              path: { when: always, node: value({ kind: "uriPath" }) },
              queryString: { when: { kind: "uriHasQuery" }, node: value({ kind: "uriQuery" }) },
            },
          },
        },
      },
    },
  },
  usr: {
    when: { kind: "isString", path: ["user", "username"] },
    node: {
      kind: "object",
      fields: { name: { when: always, node: event("user", "username") }, id: { when: always, node: event("user", "username") } },
    },
  },
  network: {
    when: { kind: "isString", path: ["sourceIPs", 0] },
    node: {
      kind: "object",
      fields: { client: { when: always, node: { kind: "object", fields: { ip: { when: always, node: event("sourceIPs", 0) } } } } },
    },
  },
};

/** The reserved attributes every normalized raw audit event has (`normalizeAuditEvent`). */
export const RAW_EVENT_RESERVED = { source: KUBERNETES_AUDIT_SOURCE, status: "info" } as const;
