const fs = require("fs");
const path = require("path");

// Three tiers, each a jest project (`npm test` runs all; `npm run test:unit`, `test:generate`, `test:terraform` one,
// through JEST_TIER, so file and -t arguments still follow: `npm run test:unit -- __tests__/query.test.ts`):
// - terraform: the files that run the real `terraform` through the tier's harness (they import
//   __tests__/helpers/terraform-tier.ts; found by that import, so a new terraform test joins the tier by using it);
// - generate: `npm run generate` as a process on copies of the project, and the committed address snapshots;
// - unit: everything else (offline, no terraform).
const TESTS = path.join(__dirname, "__tests__");
const testFiles = fs.readdirSync(TESTS).filter((f) => f.endsWith(".test.ts"));
const TERRAFORM = testFiles.filter((f) => /from "\.\/helpers\/terraform-tier"/.test(fs.readFileSync(path.join(TESTS, f), "utf8")));
const GENERATE = ["generate.test.ts", "address-snapshots.test.ts"];

/** The settings every tier shares. */
const project = (displayName, testMatch, testPathIgnorePatterns = []) => ({
  displayName,
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch,
  testPathIgnorePatterns,
  setupFilesAfterEnv: ["<rootDir>/setup.js"],
  // Type-checking is done once by `tsc --noEmit` in `npm test`; ts-jest only transpiles.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.jest.json" }] },
  clearMocks: true,
});
const only = (files) => files.map((f) => `<rootDir>/__tests__/${f}`);
const escape = (f) => `/__tests__/${f.replace(/\./g, "\\.")}$`;

const PROJECTS = [
  project("unit", ["**/*.test.ts"], [...TERRAFORM, ...GENERATE].map(escape)),
  project("generate", only(GENERATE)),
  project("terraform", only(TERRAFORM)),
];
const TIER = process.env.JEST_TIER ?? "";
if (TIER !== "" && !PROJECTS.some((p) => p.displayName === TIER)) {
  throw new Error(`JEST_TIER: received ${JSON.stringify(TIER)}; allowed: ${PROJECTS.map((p) => p.displayName).join(", ")}, or unset for all tiers`);
}

/** @type {import('jest').Config} */
module.exports = {
  projects: PROJECTS.filter((p) => TIER === "" || p.displayName === TIER),
  globalSetup: "<rootDir>/scripts/jest-global-setup.js",
  globalTeardown: "<rootDir>/scripts/jest-global-teardown.js",
  maxWorkers: 2,
  // Each test file adds its modules to the worker's heap (about 700 MB by the end of a full run); a worker above this
  // after a file is replaced, so none ends the run so large that it cannot exit in jest's grace period.
  workerIdleMemoryLimit: "512MB",
};
