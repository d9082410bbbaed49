/** Levenshtein edit distance (insert, delete, substitute all cost 1). */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}

/**
 * The closest candidate to `value`, or undefined when none is close enough (distance at most a third of the
 * longer string, and at most 4). Ties go to the candidate listed first.
 */
export function closestMatch(value: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.min(4, Math.ceil(Math.max(value.length, best.length) / 3));
  return bestDistance <= limit ? best : undefined;
}

/**
 * `; did you mean "x"?` when a candidate completes `value` (a prefix of 3 or more characters) or is close to it
 * ({@link closestMatch}), else an empty string.
 */
export function didYouMean(value: string, candidates: readonly string[]): string {
  const completion = value.length >= 3 ? candidates.find((c) => c !== value && c.toLowerCase().startsWith(value.toLowerCase())) : undefined;
  const match = completion ?? closestMatch(value, candidates);
  return match !== undefined && match !== value ? `; did you mean ${JSON.stringify(match)}?` : "";
}
