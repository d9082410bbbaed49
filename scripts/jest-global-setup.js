// Compiles the app once before the suites that run it as a process (main.js, the rules CLI).
const { execFileSync } = require("child_process");
const path = require("path");

module.exports = async () => {
  const root = path.join(__dirname, "..");
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
};
