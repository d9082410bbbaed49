/**
 * Lets plain `node` scripts require the project's TypeScript sources: each `.ts` file is transpiled in memory
 * with the installed `typescript` compiler (no build step, no dist/), so a script always sees the current sources.
 * Type-checking stays with `tsc` (`npm test`, `npm run typecheck`).
 */
"use strict";
const fs = require("fs");
const ts = require("typescript");

require.extensions[".ts"] = (module, filename) => {
  const source = fs.readFileSync(filename, "utf8");
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
