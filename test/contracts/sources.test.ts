/**
 * The vendored contracts are what contracts/SOURCES.md says they are: every file there has a row,
 * every row names a file that exists, and each file's sha256 is the one recorded (a vendored file
 * edited by hand, or bumped without its row, fails here). And no product path reaches outside the
 * repository for them: a user's clone has no sibling folder.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const CONTRACTS = join(REPO_ROOT, 'contracts');
/** A path into the sibling folder CI keeps beside the clone (src/core/ is ours and fine). */
const SIBLING =
  /\.\.\/shared\/(crds|upstream|hooks|FACTS|STYLE|TOOLCHAIN)|\/work\/shared\b|['"]\.\.['"],\s*['"]shared['"]/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(CONTRACTS, path)];
  });
}

/** `file -> sha256` from the table rows of SOURCES.md (first cell a `path`, a cell holding a 64-hex `sha256`). */
function recorded(): Map<string, string> {
  const rows = readFileSync(join(CONTRACTS, 'SOURCES.md'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('| `'));
  const out = new Map<string, string>();
  for (const row of rows) {
    const cells = row.split('|').map((c) => c.trim());
    const file = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    const sha = cells.map((c) => /^`([0-9a-f]{64})`$/.exec(c)?.[1]).find(Boolean);
    if (file && sha) out.set(file, sha);
  }
  return out;
}

describe('contracts/ (vendored upstream files)', () => {
  it('lists every file in SOURCES.md with the sha256 it has', () => {
    const rows = recorded();
    const files = filesUnder(CONTRACTS)
      .filter((f) => f !== 'SOURCES.md')
      .sort();
    expect([...rows.keys()].sort()).toEqual(files);
    for (const file of files) {
      const sha = createHash('sha256')
        .update(readFileSync(join(CONTRACTS, file)))
        .digest('hex');
      expect(`${file} ${sha}`).toBe(`${file} ${rows.get(file)}`);
    }
  });

  it('no product path or test reads a sibling folder (../shared is CI-only and a fresh clone has none)', () => {
    const tracked = spawnSync(
      'git',
      [
        'ls-files',
        '-z',
        '--',
        'src',
        'scripts',
        'test',
        '.ci',
        'cdk8s.yaml',
        'package.json',
        'vitest.config.ts',
        'tsconfig.json',
      ],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(tracked.status).toBe(0);
    const self = relative(REPO_ROOT, new URL(import.meta.url).pathname);
    const offenders = tracked.stdout
      .split('\0')
      .filter((f) => f !== '' && f !== self)
      .filter((f) => SIBLING.test(readFileSync(join(REPO_ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
