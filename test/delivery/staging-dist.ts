/** The fixture's staging environment synthesized into a dist/ of its own, for tests that spawn the export. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { synthEnvironment } from '../../src/synth.js';
import { tempDir } from '../support/temp.js';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironment } from '../synth/helpers.js';

let made: string | undefined;

/** That dist/, synthesized once per worker (no test writes into it). */
export function stagingDist(): string {
  if (made !== undefined) return made;
  const dir = tempDir('dist-');
  for (const f of synthEnvironment(fixtureEnvironment('staging')).files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  made = dir;
  return dir;
}

/** The export's arguments for that environment, after `--repo <dir>`. */
export function stagingArgs(): string[] {
  return ['--env', 'staging', '--environments', FIXTURE_ENVIRONMENTS, '--dist', stagingDist(), '--allow-unresolved'];
}
