/**
 * Scanner for API-key-shaped strings in synthesized output (`cdktf.out/`).
 *
 * Datadog API keys are 32 lowercase hexadecimal characters and application keys 40 (Datadog docs "API and
 * Application Keys"). A match must stand alone: a longer hex run (a SHA-256 in `.terraform.lock.hcl`) is not a key.
 * Known non-secrets are skipped: cdktf logical-id suffixes are 8 UPPERCASE hex characters (`_1A2B3C4D`) and do not
 * match; git commit ids after `ref=` (module sources) are allow-listed; extra allow patterns can be passed.
 *
 * Modules do no I/O: the directory scan walks through the file-system functions the caller passes (Node's `fs`).
 */

/** The file-system functions the directory scan needs (pass Node's `fs` module). */
export interface ScanFileSystem {
  readdirSync(path: string): string[];
  statSync(path: string): { isDirectory(): boolean; isFile(): boolean; size: number };
  readFileSync(path: string, encoding: "utf8"): string;
}

/** A suspected secret: file (relative to the scanned directory), 1-based line, kind, masked excerpt. */
export interface SecretFinding {
  readonly file: string;
  readonly line: number;
  readonly kind: "datadog-api-key" | "datadog-app-key";
  readonly excerpt: string;
}

export interface SecretScanOptions {
  /**
   * Regular expressions; a match whose surrounding line matches one of them is ignored.
   * @default []
   */
  readonly allow?: RegExp[];
  /**
   * Directory names not descended into.
   * @default [".terraform", "node_modules", ".git"]
   */
  readonly skipDirectories?: string[];
  /**
   * Files larger than this are skipped (provider binaries).
   * @default 10 MiB
   */
  readonly maxFileBytes?: number;
}

const SHAPES: { kind: SecretFinding["kind"]; pattern: RegExp }[] = [
  { kind: "datadog-app-key", pattern: /(?<![0-9A-Za-z])[0-9a-f]{40}(?![0-9A-Za-z])/g },
  { kind: "datadog-api-key", pattern: /(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z])/g },
];

const BUILT_IN_ALLOW: RegExp[] = [/ref=[0-9a-f]{40}/];

function mask(value: string): string {
  return `${value.slice(0, 4)}${"*".repeat(value.length - 8)}${value.slice(-4)}`;
}

/** Scans one text; `file` is only used in the findings. */
export function scanTextForSecrets(text: string, file: string, options: SecretScanOptions = {}): SecretFinding[] {
  const allow = [...BUILT_IN_ALLOW, ...(options.allow ?? [])];
  const findings: SecretFinding[] = [];
  text.split("\n").forEach((lineText, index) => {
    if (allow.some((a) => a.test(lineText))) return;
    for (const { kind, pattern } of SHAPES) {
      for (const match of lineText.matchAll(pattern)) {
        findings.push({ file, line: index + 1, kind, excerpt: mask(match[0]) });
      }
    }
  });
  return findings;
}

/**
 * Scans every file under `directory` (recursively, in sorted order) through `fileSystem`, e.g.
 * `scanDirectoryForSecrets("cdktf.out", fs)`. File names in findings are relative, with "/" separators.
 */
export function scanDirectoryForSecrets(directory: string, fileSystem: ScanFileSystem, options: SecretScanOptions = {}): SecretFinding[] {
  const skip = new Set(options.skipDirectories ?? [".terraform", "node_modules", ".git"]);
  const maxBytes = options.maxFileBytes ?? 10 * 1024 * 1024;
  const findings: SecretFinding[] = [];
  const walk = (relative: string): void => {
    const dir = relative === "" ? directory : `${directory}/${relative}`;
    const names = [...fileSystem.readdirSync(dir)].sort();
    for (const name of names) {
      const rel = relative === "" ? name : `${relative}/${name}`;
      const stat = fileSystem.statSync(`${directory}/${rel}`);
      if (stat.isDirectory()) {
        if (!skip.has(name)) walk(rel);
      } else if (stat.isFile() && stat.size <= maxBytes) {
        findings.push(...scanTextForSecrets(fileSystem.readFileSync(`${directory}/${rel}`, "utf8"), rel, options));
      }
    }
  };
  walk("");
  return findings;
}
