/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  globalSetup: "<rootDir>/scripts/jest-global-setup.js",
  globalTeardown: "<rootDir>/scripts/jest-global-teardown.js",
  setupFilesAfterEnv: ["<rootDir>/setup.js"],
  // Type-checking is done once by `tsc --noEmit` in `npm test`; ts-jest only transpiles.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.jest.json" }] },
  maxWorkers: 2,
  // Each test file adds its modules to the worker's heap (about 700 MB by the end of a full run); a worker above this
  // after a file is replaced, so none ends the run so large that it cannot exit in jest's grace period.
  workerIdleMemoryLimit: "512MB",
  clearMocks: true,
};
