/**
 * "Did you mean …?" for names a person typed: the known name closest to `typed` by edit distance, when it is
 * close enough to be a plausible typo (at most a third of the longer name, and at most 3 edits). Comparison
 * ignores case, so `--Config` suggests `--config`.
 */
export function closestMatch(typed: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lowered = typed.toLowerCase();
  for (const candidate of known) {
    const distance = editDistance(lowered, candidate.toLowerCase());
    const limit = Math.min(3, Math.floor(Math.max(typed.length, candidate.length) / 3));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `Did you mean "x"?` with a leading space, or an empty string when nothing is close. */
export function didYouMean(typed: string, known: Iterable<string>): string {
  const match = closestMatch(typed, known);
  return match === undefined ? '' : ` Did you mean "${match}"?`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previousPrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, previousPrevious[j - 2]! + 1);
      }
      current.push(value);
    }
    previousPrevious = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** `message`, followed by `. Did you mean "x"?` when a known name is close to the typed one. */
export function withSuggestion(message: string, typed: string, known: Iterable<string>): string {
  const hint = didYouMean(typed, known);
  return hint === '' ? message : `${message}.${hint}`;
}
