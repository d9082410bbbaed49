import { readFileSync } from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("README", () => {
  // That README.md and docs/cloud-siem.md hold the current rule table is checked in one place, with every other
  // generated artifact: `npm run generate -- --check` (__tests__/generate.test.ts).
  it("gives the two set-up commands, and CI runs the same test command", () => {
    expect(readme).toContain("npm ci && npm run synth");
    expect(readme).toMatch(/^npm test\s/m);
    expect(readFileSync(path.join(ROOT, ".ci/run"), "utf8")).toMatch(/^npm test$/m);
  });
});
