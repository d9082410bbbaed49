/**
 * Lets plain `node` scripts require the project's TypeScript sources: each `.ts` file is transpiled in memory
 * with the installed `typescript` compiler (no build step, no dist/), so a script always sees the current sources.
 * Type-checking stays with `tsc` (`npm test`, `npm run typecheck`).
 *
 * - A syntax error is thrown as one line, `<file>:<line>:<column>: <message>` (`TypeScriptSyntaxError`), not left to
 *   surface later as a confusing runtime error.
 * - `useSource(file, text)` makes `require` read `text` instead of the file: `npm run generate` loads the rule pack
 *   through the index it is about to write, and writes nothing when something fails.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

/** Sources that replace a file's content, by absolute path. */
const sources = new Map();

class TypeScriptSyntaxError extends Error {
  constructor(message) {
    super(message);
    this.name = "TypeScriptSyntaxError";
  }
}

require.extensions[".ts"] = (module, filename) => {
  const source = sources.has(filename) ? sources.get(filename) : fs.readFileSync(filename, "utf8");
  const { outputText, diagnostics } = ts.transpileModule(source, {
    fileName: filename,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const error = (diagnostics ?? []).find((d) => d.category === ts.DiagnosticCategory.Error);
  if (error !== undefined) {
    const where = error.file !== undefined && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : undefined;
    const at = where === undefined ? "" : `:${where.line + 1}:${where.character + 1}`;
    const file = path.relative(process.cwd(), filename) || filename;
    throw new TypeScriptSyntaxError(`${file}${at}: ${ts.flattenDiagnosticMessageText(error.messageText, " ")}`);
  }
  module._compile(outputText, filename);
};

/** Makes `require` of `file` (an absolute path) compile `text` instead of the file's content. */
function useSource(file, text) {
  sources.set(path.resolve(file), text);
}

module.exports = { useSource, TypeScriptSyntaxError };
