/** "Did you mean ...?" for a misspelled field: the closest allowed name by edit distance. */
import { closestWithin } from '../shared/edit-distance.js';

/** The allowed name closest to `name`, when it is close enough to be a likely typo. */
export function closest(name: string, allowed: readonly string[]): string | undefined {
  return closestWithin(name, allowed, Math.max(2, Math.floor(name.length / 3)));
}

/** ` (did you mean "x"?)` or an empty string. */
export function didYouMean(name: string, allowed: readonly string[]): string {
  const hit = closest(name, allowed);
  return hit ? ` (did you mean "${hit}"?)` : '';
}
