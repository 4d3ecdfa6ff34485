/**
 * npm run typecheck (src/tooling/typecheck.mjs): `tsc -b` only when every file the last check read
 * is older than its build info, so a changed dependency or imported JSON (which `tsc -b` alone
 * never looks at) is checked again. A tiny project with the real tsc: a root file importing a
 * declaration file outside the roots, as our code imports node_modules' .d.ts files.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TS_BUILD_INFO, tscArgs, typecheck } from '../../src/tooling/typecheck.mjs';
import { CHILD_TIMEOUT_MS } from '../support/deadlines.js';
import { write } from '../support/files.js';
import { tempDir } from '../support/temp.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const PLAIN = ['--noEmit', '-p', 'tsconfig.json'];
const BUILD = ['-b', 'tsconfig.json'];

function project(buildInfo: Record<string, unknown> = { incremental: true, tsBuildInfoFile: TS_BUILD_INFO }): string {
  const dir = tempDir('typecheck-');
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const compilerOptions = {
    ...{ strict: true, noEmit: true, ...buildInfo },
    ...{ lib: ['es5'], types: [], skipLibCheck: true }, // the smallest program: no DOM, no @types
  };
  // Written a minute back (files.ts write), as files that have not changed since: one written in the
  // check's first millisecond counts as newer than the check (its time has a fraction of a
  // millisecond, the check's start none: on this VM 94 % of writes followed at once by `new Date()`),
  // and the next run uses -p, which made the first test fail once in a loaded run (2026-12-02).
  write(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
  write(join(dir, 'dep', 'lib.d.ts'), 'export declare const size: number;\n');
  write(join(dir, 'src', 'a.ts'), "import { size } from '../dep/lib.js';\n\nexport const twice: number = size * 2;\n");
  return dir;
}

describe('npm run typecheck', () => {
  it('checks again when a file outside the roots changed, which tsc -b alone would not see', () => {
    const dir = project();
    expect(tscArgs(dir), 'no build info yet').toEqual(PLAIN);
    const before = Date.now();
    expect(typecheck(dir, { stdio: 'pipe' })).toBe(0);
    // dated to when the check started, not when tsc wrote it
    expect(statSync(join(dir, TS_BUILD_INFO)).mtimeMs).toBeLessThanOrEqual(before + 1000);
    expect(tscArgs(dir), 'nothing changed: tsc -b says so without a check').toEqual(BUILD);

    // the "dependency" changes so that src/a.ts no longer compiles; its mtime is after the build info's
    writeFileSync(join(dir, 'dep', 'lib.d.ts'), 'export declare const size: string;\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'dep', 'lib.d.ts'), later, later);
    expect(tscArgs(dir)).toEqual(PLAIN);
    expect(typecheck(dir, { stdio: 'pipe' })).toBe(2);
  });

  it('names tsc and the fix when tsc is not installed', () => {
    const dir = tempDir('typecheck-no-modules-'); // no node_modules
    const module = join(REPO_ROOT, 'src', 'tooling', 'typecheck.mjs');
    const script = `import(${JSON.stringify(module)}).then((m) => { process.exitCode = m.typecheck(${JSON.stringify(dir)}); });`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: CHILD_TIMEOUT_MS,
    });
    const tsc = join(dir, 'node_modules', '.bin', 'tsc');
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 1,
      stderr: `typecheck: could not start ${tsc}: spawnSync ${tsc} ENOENT (fix: npm ci, which installs typescript)\n`,
    });
  });

  it('names the signal and the fix when tsc is killed (the out-of-memory killer, a person)', () => {
    // A project whose node_modules/.bin/tsc is a shell stand-in that kills itself with SIGKILL.
    const dir = tempDir('typecheck-killed-');
    const tsc = join(dir, 'node_modules', '.bin', 'tsc');
    write(tsc, '#!/bin/sh\nkill -KILL $$\n');
    chmodSync(tsc, 0o755);
    const module = join(REPO_ROOT, 'src', 'tooling', 'typecheck.mjs');
    const script = `import(${JSON.stringify(module)}).then((m) => { process.exitCode = m.typecheck(${JSON.stringify(dir)}); });`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: CHILD_TIMEOUT_MS,
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 1,
      stderr:
        `typecheck: ${tsc} was killed by SIGKILL (fix: run it again; if it is killed again, see whether the ` +
        'machine ran out of memory (dmesg, free -m) or what else stops it)\n',
    });
    expect(existsSync(join(dir, TS_BUILD_INFO)), 'nothing dated: the check did not pass').toBe(false);
  });

  it('a tsconfig that writes no build info passes as a plain check (nothing to date, no ENOENT)', () => {
    const dir = project({});
    expect(typecheck(dir, { stdio: 'pipe' })).toBe(0);
    expect(existsSync(join(dir, TS_BUILD_INFO))).toBe(false);
    expect(tscArgs(dir)).toEqual(PLAIN);
  });

  it('uses tsc -b only when every file the build info lists exists and is older than it', () => {
    const dir = tempDir('typecheck-info-');
    const info = join(dir, TS_BUILD_INFO);
    mkdirSync(join(dir, '.build'));
    writeFileSync(join(dir, 'a.ts'), '');
    writeFileSync(join(dir, 'b.d.ts'), '');
    const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);
    writeFileSync(info, JSON.stringify({ fileNames: ['../a.ts', '../b.d.ts'] }));
    at(join(dir, 'a.ts'), 1000);
    at(join(dir, 'b.d.ts'), 1000);
    at(info, 2000);
    expect(tscArgs(dir)).toEqual(BUILD);
    at(join(dir, 'b.d.ts'), 3000);
    expect(tscArgs(dir), 'a newer file').toEqual(PLAIN);
    at(join(dir, 'b.d.ts'), 1000);
    rmSync(join(dir, 'a.ts'));
    expect(tscArgs(dir), 'a file gone').toEqual(PLAIN);
    writeFileSync(info, '{ not json');
    expect(tscArgs(dir), 'an unreadable build info').toEqual(PLAIN);
  });
});
