// Runs once in jest's parent process, before the workers start: points the system temp folder (TMPDIR, which
// os.tmpdir() reads) at one folder of this run, which the workers and every process they start inherit, so whatever
// a test or cdktf's `Testing` (its `cdktf.outdir.*` folders) writes there is removed by jest-global-teardown.js.
const fs = require("fs");
const os = require("os");
const path = require("path");

module.exports = async () => {
  const runTemp = fs.mkdtempSync(path.join(os.tmpdir(), "eks-audit-siem-jest-"));
  process.env.EKS_AUDIT_SIEM_JEST_TMPDIR = runTemp;
  process.env.EKS_AUDIT_SIEM_JEST_TMPDIR_OWNER = String(process.pid);
  process.env.TMPDIR = runTemp;
};
