/** onPath (src/core/on-path.ts): the file a program name runs as, found as execFile finds it. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onPath } from '../../src/core/on-path.js';
import { tempDir } from '../support/temp.js';

describe('onPath', () => {
  it('finds the first executable regular file, passing over a plain file and a folder of that name', () => {
    const [plain, folder, first, second] = ['plain', 'folder', 'first', 'second'].map((n) => tempDir(`on-path-${n}-`));
    writeFileSync(join(plain!, 'tool'), 'not executable\n');
    mkdirSync(join(folder!, 'tool'));
    for (const dir of [first!, second!]) {
      writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
      chmodSync(join(dir, 'tool'), 0o755);
    }
    expect(onPath('tool', [plain, folder, first, second].join(delimiter))).toBe(join(first!, 'tool'));
    expect(onPath('tool', [plain, folder].join(delimiter))).toBeUndefined();
  });

  it('reads an empty entry as the working folder, as execFile does', () => {
    const dir = tempDir('on-path-cwd-');
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    chmodSync(join(dir, 'tool'), 0o755);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(onPath('tool', `${delimiter}/nonexistent`)).toBe(join(dir, 'tool'));
    } finally {
      process.chdir(cwd);
    }
  });
});
