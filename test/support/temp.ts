/**
 * Temporary folders for tests, removed when the test worker ends (also after a failure), so a
 * run leaves nothing behind in the system temp folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

function removeAll(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

let hooked = false;

/** A new folder under the system temp folder, named `<prefix><random>`. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    process.once('exit', removeAll);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        removeAll();
        process.exit(128 + (signal === 'SIGTERM' ? 15 : 2));
      });
    }
  }
  return dir;
}
