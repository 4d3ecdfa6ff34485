/**
 * Temporary folders for tests, made inside the run's own folder (./temp-root.ts, vitest's global
 * setup), which a detached process started by vitest's main process removes when the run ends,
 * also after a failure, a killed worker or an interrupt (not when vitest itself is SIGKILLed).
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/** A new folder inside the run's temporary folder, named `<prefix><random>`. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(inject('arcadeTempRoot'), prefix));
}
