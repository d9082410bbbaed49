/**
 * A review cut to fit one PR comment or MR note: whole lines only (never inside a character), any fenced block or
 * `<details>` left open by the cut closed again, and an explicit note that it was cut.
 *
 *   node scripts/run-ts.js tools/ci/comment-body.ts <limit-in-characters> < review.md > body.md
 *
 * GitHub limits a comment body to 65,536 characters (the REST API answers 422 "body is too long"); GitLab's note
 * limit is 1,000,000 characters (https://docs.gitlab.com/api/notes/).
 */
import { CommandLineError, parseCommandLine } from "../../lib/cli-args";
import { readFileSync } from "fs";

/** The note that ends a cut review; `{total}` is replaced by the full review's length. */
export const TRUNCATED_NOTE =
  "**Truncated:** this review is {total} characters, more than one comment holds; the full review is in the job's log and summary.";

/** `text` when it fits in `limit` characters (UTF-16 code units, as GitHub counts), else its cut form. */
export function fitComment(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const note = `\n${TRUNCATED_NOTE.replace("{total}", text.length.toLocaleString("en-US"))}\n`;
  const lines = text.split("\n");
  const kept: string[] = [];
  let size = 0;
  let fence: string | undefined;
  let details = 0;
  for (const line of lines) {
    // Room for the line, the closing fence and </details> that the cut may need, and the note.
    const closing = (fence !== undefined ? fence.length + 1 : 0) + details * 11 + 16;
    if (size + line.length + 1 + closing + note.length > limit) break;
    kept.push(line);
    size += line.length + 1;
    const ticks = /^\s*(`{3,})/.exec(line)?.[1];
    if (fence === undefined && ticks !== undefined) fence = ticks;
    else if (fence !== undefined && ticks !== undefined && ticks.length >= fence.length && line.trim() === ticks) fence = undefined;
    else if (fence === undefined && line === "<details>") details++;
    else if (fence === undefined && line === "</details>") details--;
  }
  // A surrogate pair is never split: only whole lines are kept.
  const closers = [...(fence !== undefined ? [fence] : []), ...Array.from({ length: details }, () => "</details>")];
  return `${[...kept, ...closers].join("\n")}\n${note}`;
}

/** Reads the review on standard input and prints the comment body; returns the exit code. */
function main(argv: readonly string[]): number {
  const allowed = "allowed: a whole number of characters, at least 1000";
  let raw: string | undefined;
  try {
    raw = parseCommandLine(argv, {}, allowed).positionals[0];
  } catch (e) {
    if (!(e instanceof CommandLineError)) throw e;
    process.stderr.write(`comment-body: ${e.message}\n`);
    return 2;
  }
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1000) {
    process.stderr.write(`comment-body: limit is ${JSON.stringify(raw ?? null)}; ${allowed}\n`);
    return 2;
  }
  process.stdout.write(fitComment(readFileSync(0, "utf8"), limit));
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
