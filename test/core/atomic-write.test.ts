/** writeFileAtomically: the file holds the old content or the new, never half, and nothing is left behind. */
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomically } from '../../src/core/atomic-write.js';
import { tempDir } from '../support/temp.js';

describe('writeFileAtomically', () => {
  it('replaces the file, keeps its permission bits, and leaves no temporary file behind', () => {
    const dir = tempDir('arcade-atomic-');
    const file = join(dir, 'env.yaml');
    writeFileSync(file, 'old\n', { mode: 0o640 });
    writeFileAtomically(file, 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['env.yaml']);
  });

  it('creates a file that does not exist yet, from bytes too', () => {
    const dir = tempDir('arcade-atomic-');
    writeFileAtomically(join(dir, 'new.bin'), new Uint8Array([1, 2, 3]));
    expect([...readFileSync(join(dir, 'new.bin'))]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['new.bin']);
  });

  it('with a mode, writes the file with it, new or replacing one that had another (src/delivery/build-store.ts: 0600)', () => {
    const dir = tempDir('arcade-atomic-');
    writeFileAtomically(join(dir, 'new.json'), '{}', { mode: 0o600 });
    writeFileSync(join(dir, 'old.json'), '{}');
    chmodSync(join(dir, 'old.json'), 0o644); // whatever the umask: the mode it had is not the one asked for
    writeFileAtomically(join(dir, 'old.json'), '[]', { mode: 0o600 });
    expect(statSync(join(dir, 'new.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'old.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'old.json'), 'utf8')).toBe('[]');
    expect(readdirSync(dir).sort()).toEqual(['new.json', 'old.json']);
  });

  it('a rename that fails throws, removes its temporary file and leaves what was there', () => {
    const dir = tempDir('arcade-atomic-');
    mkdirSync(join(dir, 'taken', 'inside'), { recursive: true });
    expect(() => writeFileAtomically(join(dir, 'taken'), 'x')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(join(dir, 'taken'))).toEqual(['inside']);
  });

  it('runs beforeRename once the temporary file is written; what it throws ends the write, nothing left behind', () => {
    const dir = tempDir('arcade-atomic-');
    const file = join(dir, 'entry.json');
    writeFileSync(file, 'old\n');
    const seen: string[][] = [];
    const refuse = () => {
      seen.push(readdirSync(dir).sort());
      throw new Error('the folder moved');
    };
    expect(() => writeFileAtomically(file, 'new\n', { beforeRename: refuse })).toThrow('the folder moved');
    // Called once, with the new text in its temporary file beside the old one.
    expect(seen).toEqual([[expect.stringMatching(/^\.entry\.json\.\d+\.[0-9a-f]{8}\.tmp$/), 'entry.json']]);
    expect(readFileSync(file, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['entry.json']);
  });
});
