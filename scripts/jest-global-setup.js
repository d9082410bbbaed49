// Runs once in jest's parent process, before the workers start:
// 1. compiles the app once for the suites that run it as a process (main.js, the rules CLI);
// 2. points the system temp folder (TMPDIR, which os.tmpdir() reads) at one folder of this run, which the workers and
//    every process they start inherit, so whatever a test or cdktf's `Testing` (its `cdktf.outdir.*` folders) writes
//    there is removed by jest-global-teardown.js.
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

module.exports = async () => {
  const root = path.join(__dirname, "..");
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  const runTemp = fs.mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-jest-"));
  process.env.EKS_AUDIT_SIEM_JEST_TMPDIR = runTemp;
  process.env.EKS_AUDIT_SIEM_JEST_TMPDIR_OWNER = String(process.pid);
  process.env.TMPDIR = runTemp;
};
