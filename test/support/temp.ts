/**
 * Temporary folders for tests, made inside the run's own folder (./temp-root.ts, vitest's global
 * setup), which vitest's main process removes when the run ends, also after a failure or a
 * worker that was killed: a run leaves nothing behind in the system temp folder.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/** A new folder inside the run's temporary folder, named `<prefix><random>`. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(inject('arcadeTempRoot'), prefix));
}
