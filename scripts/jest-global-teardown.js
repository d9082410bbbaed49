// Removes the run's temp folder made by jest-global-setup.js (cdktf `Testing` outdirs, test projects, CLI outputs).
const fs = require("fs");

module.exports = async () => {
  const runTemp = process.env.EKS_AUDIT_SIEM_JEST_TMPDIR;
  if (runTemp !== undefined) fs.rmSync(runTemp, { recursive: true, force: true });
};
