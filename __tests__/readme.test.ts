import { existsSync, readFileSync, readdirSync, statSync } from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

/** Markdown without its fenced code blocks, where `](...)` and `#` lines are code, not links and headings. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, "")
    .replace(/ /g, "-");
}

const anchorsOf = (file: string): Set<string> => new Set([...prose(readFileSync(file, "utf8")).matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1])));

/** The hand-written Markdown of the project: README, CHANGELOG and docs/ (not the generated API reference). */
const DOCUMENTS = [
  "README.md",
  "CHANGELOG.md",
  ...readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

describe("README", () => {
  // That docs/reference.md and docs/cloud-siem.md hold the current rule table is checked in one place, with every other
  // generated artifact: `npm run generate -- --check` (__tests__/generate.test.ts).
  it("gives the two set-up commands, and CI runs the same test command", () => {
    expect(readme).toContain("npm ci && npm run synth");
    expect(readme).toMatch(/^npm test\s/m);
    expect(readFileSync(path.join(ROOT, ".ci/run"), "utf8")).toMatch(/^npm test$/m);
  });

  it("links only to files that exist and, with an anchor, to a heading of that document", () => {
    const broken: string[] = [];
    for (const doc of DOCUMENTS) {
      const file = path.join(ROOT, doc);
      for (const [, target] of prose(readFileSync(file, "utf8")).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
        const [linkPath, hash] = target.split("#");
        const resolved = linkPath === "" ? file : path.resolve(path.dirname(file), linkPath);
        if (!existsSync(resolved)) broken.push(`${doc}: ${target} (no such file)`);
        else if (hash !== undefined && statSync(resolved).isFile() && resolved.endsWith(".md") && !anchorsOf(resolved).has(hash)) {
          broken.push(`${doc}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("the link check finds a broken link and a missing heading", () => {
    const headings = anchorsOf(path.join(ROOT, "docs/reference.md"));
    expect(headings.has("config-reference")).toBe(true);
    expect(headings.has("detection-testing-offline-libquery-libaudit-rules-match")).toBe(true);
    expect(headings.has("no-such-section")).toBe(false);
    expect(prose("text\n```sh\n[x](missing.md)\n```\n[y](here.md)\n")).not.toContain("missing.md");
  });
});
