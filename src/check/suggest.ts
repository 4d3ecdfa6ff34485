/** "Did you mean ...?" for a misspelled field: the closest allowed name by edit distance. */
import { likelyTypoOf } from '../core/edit-distance.js';

/** ` (did you mean "x"?)` or an empty string. */
export function didYouMean(name: string, allowed: readonly string[]): string {
  const hit = likelyTypoOf(name, allowed);
  return hit ? ` (did you mean "${hit}"?)` : '';
}
