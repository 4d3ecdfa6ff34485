/**
 * An environment file that cannot be read (a link to nothing, a loop of links, a folder) is
 * configuration: every command that loads environments names the file and the fix on one line and
 * exits 2, without a stack trace (src/environments/read-file.ts). Each command runs in process
 * (its exported main) on a temporary environments folder holding the one unreadable file. EACCES
 * takes the same path but cannot be made as root, which these tests may run as.
 */
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as bundle } from '../../scripts/bundle.js';
import { main as checkValues } from '../../scripts/check-values.js';
import { main as diff } from '../../scripts/diff.js';
import { main as drift } from '../../scripts/drift.js';
import { main as exportMain } from '../../scripts/export.js';
import { main as seal } from '../../scripts/seal.js';
import { main as synth } from '../../scripts/synth.js';
import type { ScriptMain } from '../../src/core/script-main.js';
import { readEnvironmentFile } from '../../src/environments/read-file.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

const NAME = 'backstage-wus2-v4';

/** A folder whose one environment file is made unreadable by `make`. */
function environmentsWith(make: (file: string) => void): string {
  const dir = tempDir('unreadable-env-');
  make(join(dir, `${NAME}.yaml`));
  return dir;
}

const UNREADABLE: Record<string, { make: (file: string) => void; says: RegExp }> = {
  'a link to nothing (ENOENT)': {
    make: (file) => symlinkSync(join(file, '..', 'gone.yaml'), file),
    says: /cannot be read \(ENOENT\): it is a symbolic link to nothing \(fix: /,
  },
  'a loop of links (ELOOP)': {
    make: (file) => symlinkSync(file, file),
    says: /cannot be read \(ELOOP\): it is a loop of symbolic links \(fix: /,
  },
  'a folder (EISDIR)': {
    make: (file) => mkdirSync(file),
    says: /cannot be read \(EISDIR\): it is a folder, not a file \(fix: /,
  },
};

/** Each command that loads environments, with the arguments that reach the load. */
function commands(dir: string): [string, ScriptMain, string[], string?][] {
  const scratch = tempDir('unreadable-scratch-');
  const values = join(scratch, 'values.yaml');
  writeFileSync(values, 'replicaCount: 1\n');
  const kubeconfig = join(scratch, 'kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
  const env = ['--env', NAME, '--environments', dir];
  return [
    ['synth', synth, ['--out', join(scratch, 'dist'), '--environments', dir]],
    ['check-values', checkValues, ['--values', values, ...env]],
    ['diff', diff, ['--base', 'HEAD', ...env]],
    ['drift', drift, env],
    ['seal', seal, [...env, '--secret', 'postgres', '--key', 'password'], 'a value'],
    ['export', exportMain, ['--repo', scratch, '--dist', scratch, ...env]],
    ['bundle --env', bundle, ['--out', join(scratch, 'runner.mjs'), ...env]],
  ];
}

describe('an environment file that cannot be read', () => {
  for (const [what, { make, says }] of Object.entries(UNREADABLE))
    it(`${what}: every command names it and the fix, exit 2, no trace`, async () => {
      const dir = environmentsWith(make);
      for (const [name, main, args, stdin] of commands(dir)) {
        const run = await runMain(main, args, { stdin, env: { ...process.env, KUBECONFIG: '/nonexistent' } });
        const text = `${run.stdout}${run.stderr}`;
        expect({ name, status: run.status }, text).toEqual({ name, status: 2 });
        expect(text, name).toMatch(says);
        expect(text, name).toContain(`${NAME}.yaml`);
        expect(text, name).not.toMatch(/unexpected error|\n\s+at /);
      }
    });
});

describe('a listed environment file missing when read (ENOENT): what is true is said', () => {
  it('a link to nothing is called one; a file removed after the listing is called removed, not a link', () => {
    const dir = tempDir('missing-env-');
    writeFileSync(join(dir, 'gone.yaml'), 'name: gone\n');
    symlinkSync(join(dir, 'nowhere.yaml'), join(dir, 'dangling.yaml'));
    // The folder is listed (as load.ts does), then the file is removed before it is read.
    expect(readdirSync(dir).sort()).toEqual(['dangling.yaml', 'gone.yaml']);
    rmSync(join(dir, 'gone.yaml'));
    expect(readEnvironmentFile(join(dir, 'gone.yaml'), 'gone.yaml')).toEqual({
      problem:
        'gone.yaml: cannot be read (ENOENT): it was removed or renamed while the environments were read, after the ' +
        'folder was listed (fix: run the command again once nothing changes the environments folder)',
    });
    expect(readEnvironmentFile(join(dir, 'dangling.yaml'), 'dangling.yaml')).toEqual({
      problem:
        'dangling.yaml: cannot be read (ENOENT): it is a symbolic link to nothing (fix: point the link at an ' +
        'environment file, or remove it)',
    });
  });
});
