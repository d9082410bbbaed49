/**
 * Syntax check of a Log Explorer query. TEMPORARY: a balance check (parentheses, quotes, `[a TO b]` ranges) until
 * the offline engine's parser (`lib/query`, `parseQuery`) lands; then this delegates to it.
 */
export function querySyntaxProblem(query: string): string | undefined {
  const stack: { ch: string; at: number }[] = [];
  for (let i = 0; i < query.length; i++) {
    const ch = query[i];
    if (ch === "\\") {
      i++;
      continue;
    }
    if (ch === '"') {
      const end = query.indexOf('"', i + 1);
      if (end < 0) return `unbalanced quote at position ${i}`;
      i = end;
      continue;
    }
    if (ch === "(" || ch === "[" || ch === "{") stack.push({ ch, at: i });
    if (ch === ")" || ch === "]" || ch === "}") {
      const open = stack.pop();
      const expected = open === undefined ? undefined : { "(": ")", "[": "]", "{": "}" }[open.ch];
      if (expected !== ch) return `unbalanced "${ch}" at position ${i}`;
    }
  }
  const open = stack.pop();
  return open === undefined ? undefined : `unbalanced "${open.ch}" at position ${open.at}`;
}
