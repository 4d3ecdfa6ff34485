/**
 * Replaces a folder with a freshly written one in two renames, so a reader never sees a half-written
 * folder and a failure before the swap leaves the old folder exactly as it was. Every file in the
 * folder is a new one: a second hard link to an old file, outside the folder, keeps the old bytes
 * (../core/atomic-write.ts says why; test/synth/synth-out.test.ts).
 */
import { existsSync, renameSync, rmSync } from 'node:fs';

/** Moves `fresh` into place at `target`; the previous `target` is removed only after the swap. */
export function swapDirectory(fresh: string, target: string): void {
  const old = `${fresh}.previous`;
  rmSync(old, { recursive: true, force: true });
  const hadTarget = existsSync(target);
  if (hadTarget) renameSync(target, old);
  try {
    renameSync(fresh, target);
  } catch (err) {
    if (hadTarget) renameSync(old, target); // put the last good output back
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
}
