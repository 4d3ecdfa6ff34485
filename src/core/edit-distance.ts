/**
 * Edit distance of two short strings (field names, option names, values paths), case-insensitive:
 * insertions, deletions, substitutions and swaps of two adjacent characters (the optimal string
 * alignment distance), each counting 1. A swap is the most common typo (`--hepl`), so it must
 * not cost two edits and lose to an unrelated name (`--repo`).
 */
import { at } from './at.js';

export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  // Three rows of the table: d(i-2, ·), d(i-1, ·) and d(i, ·), where d(i, j) is the distance
  // between the first i characters of x and the first j of y.
  let before = Array.from({ length: y.length + 1 }, () => 0);
  let above = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(at(above, j) + 1, at(row, j - 1) + 1, at(above, j - 1) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        best = Math.min(best, at(before, j - 2) + 1);
      row.push(best);
    }
    before = above;
    above = row;
  }
  return at(above, y.length);
}

/** The candidate closest to `name`, when within `limit` edits. */
export function closestWithin(name: string, candidates: readonly string[], limit: number): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestScore) {
      best = candidate;
      bestScore = d;
    }
  }
  return best !== undefined && bestScore <= limit ? best : undefined;
}

/** The candidate `name` is most likely a typo of: within 2 edits, or a third of its length when longer. */
export function likelyTypoOf(name: string, candidates: readonly string[]): string | undefined {
  return closestWithin(name, candidates, Math.max(2, Math.floor(name.length / 3)));
}
