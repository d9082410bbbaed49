/**
 * `bt_walk(json, segments, i)`: the leaves the JS reference walker (`someAt` of `lib/query/evaluate.ts`) reaches from
 * a JSON value along `segments[i..]`, as a JSON array text; registered as a DuckDB scalar function. The SQL of
 * `sql.ts` reads plain paths with JSON pointers and calls this only where that is not the JS walk (an array on the
 * way, a dotted key that could be followed), so arrays at any depth and dotted keys behave exactly as in the JS
 * engine because they are evaluated by it.
 */
import { BOOLEAN, DuckDBConnection, DuckDBScalarFunction, INTEGER, VARCHAR } from "@duckdb/node-api";
import type { CidrBlock } from "../query/ast";
import { compilePath, someAt, type CompiledPath } from "../query/evaluate";
import { inCidrBlocks, parseCidr } from "../query/ip";

const paths = new Map<string, CompiledPath>();

/** The leaves of `segments[i..]` (JSON array of segment strings) under the JSON value `json`. */
export function walkLeaves(json: string, segments: string, i: number): string {
  let path = paths.get(segments);
  if (path === undefined) {
    path = compilePath(JSON.parse(segments) as string[]);
    paths.set(segments, path);
  }
  const out: unknown[] = [];
  someAt(JSON.parse(json), path, i, (v) => {
    out.push(v);
    return false; // visit every leaf
  });
  return JSON.stringify(out);
}

const cidrs = new Map<string, CidrBlock[]>();

/** Whether `address` is in one of the blocks (JSON array of block texts), by `inCidrBlocks` of `lib/query/ip.ts`. */
export function inCidrs(address: string, blocks: string): boolean {
  let parsed = cidrs.get(blocks);
  if (parsed === undefined) {
    parsed = (JSON.parse(blocks) as string[]).map((b) => {
      const block = parseCidr(b);
      if (block === undefined) throw new Error(`internal: ${JSON.stringify(b)} is not a CIDR block`);
      return block;
    });
    cidrs.set(blocks, parsed);
  }
  return inCidrBlocks(address, parsed);
}

/** Registers `bt_walk` and `bt_cidr(address, blocks)` (CIDR searches, by the reference's own address test). */
export function registerWalk(conn: DuckDBConnection): void {
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: "bt_cidr",
      returnType: BOOLEAN,
      parameterTypes: [VARCHAR, VARCHAR],
      mainFunction: (_info, input, output) => {
        const address = input.getColumnVector(0);
        const blocks = input.getColumnVector(1);
        for (let r = 0; r < input.rowCount; r++) {
          const a = address.getItem(r) as string | null;
          output.setItem(r, a === null ? null : inCidrs(a, blocks.getItem(r) as string));
        }
        output.flush();
      },
    }),
  );
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: "bt_walk",
      returnType: VARCHAR,
      parameterTypes: [VARCHAR, VARCHAR, INTEGER],
      mainFunction: (_info, input, output) => {
        const json = input.getColumnVector(0);
        const segments = input.getColumnVector(1);
        const start = input.getColumnVector(2);
        for (let r = 0; r < input.rowCount; r++) {
          const j = json.getItem(r) as string | null;
          output.setItem(r, j === null ? null : walkLeaves(j, segments.getItem(r) as string, start.getItem(r) as number));
        }
        output.flush();
      },
    }),
  );
}
