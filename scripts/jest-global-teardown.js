// Removes the run's temp folder made by jest-global-setup.js (cdktf `Testing` outdirs, test projects, CLI outputs).
const fs = require("fs");

module.exports = async () => {
  // Only the jest process that made the folder removes it (a nested jest run inherits the variables).
  const runTemp = process.env.EKS_AUDIT_SIEM_JEST_TMPDIR;
  if (runTemp && process.env.EKS_AUDIT_SIEM_JEST_TMPDIR_OWNER === String(process.pid)) fs.rmSync(runTemp, { recursive: true, force: true });
};
