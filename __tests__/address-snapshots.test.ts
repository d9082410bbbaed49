/**
 * Terraform addresses are state identities: a resource whose address disappears or changes is destroyed (and
 * recreated). Each stack's addresses are committed in __tests__/addresses/<stack>.txt; `npm run generate` adds new
 * ones, and removes one only with --accept-removed-addresses.
 */
import * as path from "path";
import {
  diffAddresses,
  readSnapshot,
  renderSnapshot,
  snapshotFile,
  snapshotStacks,
  stackAddresses,
  updatedSnapshot,
} from "../generate/address-snapshot";

const ROOT = path.join(__dirname, "..");
const stacks = snapshotStacks(ROOT);

describe("Terraform address snapshots (__tests__/addresses)", () => {
  test("cover the default example's environments and the code-composition example", () => {
    expect(Object.keys(stacks)).toEqual(["staging", "production", "example-platform"]);
  });

  test.each(Object.keys(stacks))("%s: no snapshotted address disappeared or changed, and every address is snapshotted", (name) => {
    const snapshot = readSnapshot(snapshotFile(ROOT, name));
    if (snapshot === undefined) throw new Error(`no address snapshot for stack ${name}: run npm run generate`);
    const { removed, added } = diffAddresses(snapshot, stackAddresses(stacks[name]));
    // Gone from the stack: Terraform would destroy these resources.
    expect({ removedAddressesWouldBeDestroyed: removed }).toEqual({ removedAddressesWouldBeDestroyed: [] });
    // New resources: record them with `npm run generate` (the snapshot diff shows them in review).
    expect({ newAddressesNotInSnapshotRunGenerate: added }).toEqual({ newAddressesNotInSnapshotRunGenerate: [] });
  });
});

describe("address snapshot mechanism", () => {
  const stack = { resource: { aws_iam_role: { Role: {} }, datadog_monitor: { b: {}, a: {} } } };

  test("lists every managed resource as <type>.<name>, sorted", () => {
    expect(stackAddresses(stack)).toEqual(["aws_iam_role.Role", "datadog_monitor.a", "datadog_monitor.b"]);
    expect(stackAddresses({})).toEqual([]);
  });

  test("a renamed resource shows as one removed and one added address", () => {
    expect(diffAddresses(["datadog_monitor.a", "aws_iam_role.Role"], ["aws_iam_role.Role", "datadog_monitor.a2"])).toEqual({
      removed: ["datadog_monitor.a"],
      added: ["datadog_monitor.a2"],
    });
  });

  test("generate adds new addresses and keeps removed ones unless the removal is accepted", () => {
    expect(updatedSnapshot(["x.a", "x.b"], ["x.b", "x.c"], false)).toEqual(["x.a", "x.b", "x.c"]);
    expect(updatedSnapshot(["x.a", "x.b"], ["x.b", "x.c"], true)).toEqual(["x.b", "x.c"]);
    expect(updatedSnapshot(undefined, ["x.b", "x.a"], false)).toEqual(["x.a", "x.b"]);
  });

  test("a snapshot file round-trips (comment lines ignored)", () => {
    const text = renderSnapshot(["x.b", "x.a"]);
    expect(text.split("\n").slice(1)).toEqual(["x.a", "x.b", ""]);
  });
});
