/**
 * The EACCES tests' pre-check (./other-user.ts): as root, the reason names what nobody cannot read;
 * as any other user, the test runs as itself, unchecked.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { otherUser } from './other-user.js';
import { tempDir } from './temp.js';

const root = process.getuid?.() === 0;

describe('otherUser', () => {
  it.skipIf(!root)(
    "as root: a file in the run's temporary folder (mode 0700) is named as what nobody may not read",
    () => {
      const file = join(tempDir('other-user-'), 'module.mjs');
      writeFileSync(file, 'export {};\n');
      expect(otherUser([file])).toEqual({
        missing: `these EACCES tests run as root, so their node runs as nobody (uid 65534), who may not read ${file}: EACCES`,
      });
    },
  );

  it.skipIf(!root)('as root: a spawn that times out fails the pre-check, not a reason to skip', () => {
    expect(() => otherUser([], 1)).toThrow(/could not run node as nobody: spawnSync .* ETIMEDOUT/);
  });

  it.skipIf(root)('as another user: no other user, nothing run', () => {
    expect(otherUser(['/nonexistent'])).toEqual({ as: {} });
  });
});
