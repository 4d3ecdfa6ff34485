/**
 * A temporary folder a command removes when it is done with it, and that is removed too when
 * SIGINT/SIGTERM ends a command that is not interruptible (./script.ts sayInterrupted): that
 * interrupt ends the process by the signal, so no `finally` of the command runs, and `--render`'s
 * helm values (src/chart-values/render.ts) were left in `<tmp>/check-values-*` while the command
 * said "nothing written".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folders made by temporaryFolder and not yet removed, in this process. */
const made = new Set<string>();

export interface TemporaryFolder {
  readonly path: string;
  /** Removes it with what it holds (once more: nothing happens). */
  remove(): void;
}

/** A new folder `<os.tmpdir()>/<prefix><random>`, removed by `remove()` or by an interrupt (removeTemporaryFolders). */
export function temporaryFolder(prefix: string): TemporaryFolder {
  const path = mkdtempSync(join(tmpdir(), prefix));
  made.add(path);
  return {
    path,
    remove() {
      made.delete(path);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Removes every folder temporaryFolder made that is still there: the interrupt's cleanup, before the signal ends the process. */
export function removeTemporaryFolders(): void {
  for (const path of made) {
    made.delete(path);
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // What cannot be removed now is left, as before; the interrupt still ends the process.
    }
  }
}
