/**
 * Text from a config (names, queries, filter patterns, ...) as inert Markdown: shown exactly as deployed, never able
 * to add a heading, a list item, HTML (`<details>`, comments), a link, an image or an @mention to the review.
 *
 * Rules from the CommonMark spec (https://spec.commonmark.org/0.31.2/) and GitHub Flavored Markdown
 * (https://github.github.com/gfm/): inside a code span and a fenced code block nothing is interpreted (no HTML,
 * links, autolinks, emphasis or mentions); a code span ends at the first backtick run of its own length (§6.1), a
 * fence at a line of at least as many backticks (§4.5); `\r` alone ends a line (§2.1); in a table a `|` splits the
 * cell even inside a code span unless escaped as `\|` (GFM §4.10, example 200).
 */

/**
 * Characters that must never reach the Markdown as themselves: C0 and C1 controls (line breaks included: shown as
 * escapes, a one-line value stays on one line), and the Unicode line/paragraph separators and bidirectional
 * formatting characters, which can make text read differently from what it is.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, "g");

/** Whether a text holds a character that {@link visible} escapes. */
export function hasInvisible(text: string): boolean {
  return INVISIBLE.test(text);
}

/**
 * The text with every invisible or line-breaking character as an escape (`\n`, `\t`, `\u202e`); a backslash is
 * doubled when anything is escaped, so the shown text reads back as exactly one value (JSON string escapes).
 */
export function visible(text: string): string {
  if (!hasInvisible(text)) return text;
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(/\\"/g, '"')
    .replace(INVISIBLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The length of the longest run of backticks in a text (0 when none). */
function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/**
 * A code span showing `text` exactly (backticks included): delimited by one backtick more than the longest run
 * inside, padded with a space when the text starts or ends with a backtick or a space (CommonMark §6.1 strips one).
 * Invisible characters are escaped ({@link visible}); an empty text is shown as `(empty)`.
 */
export function codeSpan(text: string): string {
  if (text === "") return "(empty)";
  const shown = visible(text);
  const ticks = "`".repeat(longestBacktickRun(shown) + 1);
  const pad = /^[` ]|[` ]$/.test(shown) ? " " : "";
  return `${ticks}${pad}${shown}${pad}${ticks}`;
}

/** Plain words Markdown cannot read as anything else: letters, digits, `.`, `_`, `-` and `/` (no `www.` autolink). */
const PLAIN = /^[A-Za-z0-9/][A-Za-z0-9._/-]*$/;

/** A name as plain text when it is {@link PLAIN}, else as a {@link codeSpan}: `staging-apps`, `` `EKS: exec` ``. */
export function inline(text: string): string {
  return PLAIN.test(text) && !/^www\./i.test(text) ? text : codeSpan(text);
}

/**
 * Lines as a fenced code block (`info` e.g. `diff`), fenced by more backticks than any line holds (at least three).
 * Each line is passed through {@link visible}, so no `\r` or other line break inside a line can end the block.
 */
export function fencedBlock(lines: readonly string[], info = ""): string[] {
  const shown = lines.map(visible);
  let longest = 0;
  for (const line of shown) longest = Math.max(longest, longestBacktickRun(line));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}${info}`, ...shown, fence];
}

/** Markdown for one cell of a GFM table: a `|` escaped so it cannot split the cell. */
export function tableCell(markdown: string): string {
  return markdown.replace(/\|/g, "\\|");
}
