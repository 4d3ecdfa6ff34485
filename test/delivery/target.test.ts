/**
 * openTarget's "does the export's branch exist?" (src/delivery/target.ts): asked by the git that
 * prints the root, or taken from a caller's hand-over (publish asks it with its own rev-parse) only
 * when that answer is for the same branch. The answers handed over here are deliberately wrong, so
 * which source was used shows.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitError } from '../../src/core/git.js';
import { checkoutStatus } from '../../src/delivery/checkout-status.js';
import { checkoutRoot, openTarget } from '../../src/delivery/target.js';
import { tempDir } from '../support/temp.js';
import { makeRepo, run } from './support.js';

describe('openTarget: whether the branch exists', () => {
  it('asks git, or takes a handed-over answer only for the branch it was asked for', async () => {
    const repo = await makeRepo({ 'apps/arcade/notes.md': 'hand-written\n' });
    await run(repo, ['branch', 'taken']);
    const status = await checkoutStatus(repo);
    const open = (branch: string | undefined, handed?: { name: string; exists: boolean }) =>
      openTarget(repo, 'apps/arcade', repo, { top: repo, status, ...(handed ? { branch: handed } : {}) }, branch);
    expect((await openTarget(repo, 'apps/arcade', repo, undefined, 'taken')).branchExists).toBe(true);
    expect((await openTarget(repo, 'apps/arcade', repo, undefined, 'free')).branchExists).toBe(false);
    // Handed over for this branch: used as given (no git asked).
    expect((await open('taken', { name: 'taken', exists: false })).branchExists).toBe(false);
    // Handed over for another branch, or not at all: not an answer for this one (the export asks git itself).
    expect((await open('taken', { name: 'other', exists: false })).branchExists).toBeUndefined();
    expect((await open('taken')).branchExists).toBeUndefined();
    expect((await open(undefined, { name: 'taken', exists: true })).branchExists).toBeUndefined();
  });
});

describe('checkoutRoot: only git exiting 1 with the root alone printed means "no such branch"', () => {
  it('answers from real git: the root, the branch there or not, no checkout', async () => {
    const repo = await makeRepo({ 'apps/arcade/notes.md': 'hand-written\n' });
    await run(repo, ['branch', 'taken']);
    expect(await checkoutRoot(repo, 'taken')).toEqual({ root: repo, branchExists: true });
    expect(await checkoutRoot(repo, 'free')).toEqual({ root: repo, branchExists: false });
    expect(await checkoutRoot(repo)).toEqual({ root: repo });
    const outside = tempDir('no-checkout-');
    expect(await checkoutRoot(outside, 'free')).toEqual({});
    expect(await checkoutRoot(outside)).toEqual({});
    // A --repo that is a file, or nothing: no checkout either (publish asks before anything else does).
    const file = join(outside, 'file');
    writeFileSync(file, 'not a folder\n');
    for (const path of [file, join(outside, 'missing')]) {
      expect(await checkoutRoot(path, 'free')).toEqual({});
      expect(await checkoutRoot(path)).toEqual({});
    }
  });

  it('a git stopped after it printed the root is an error saying so, not an absent branch', async () => {
    const repo = await makeRepo({ 'apps/arcade/notes.md': 'hand-written\n' });
    // The real git answers (the root, exit 1: no such branch), then the stand-in is stopped by a
    // signal, as a git killed at its timeout is: the answer is not trusted.
    const realPath = process.env.PATH ?? '';
    const bin = tempDir('git-stopped-');
    writeFileSync(join(bin, 'git'), `#!/bin/sh\nPATH='${realPath}' git "$@"\nkill -TERM $$\n`);
    chmodSync(join(bin, 'git'), 0o755);
    process.env.PATH = `${bin}${delimiter}${realPath}`;
    const ended = await checkoutRoot(repo, 'free')
      .then(
        () => undefined,
        (e: unknown) => e,
      )
      .finally(() => {
        process.env.PATH = realPath;
      });
    expect(ended).toBeInstanceOf(GitError);
    expect((ended as GitError).message).toBe(
      `git rev-parse --show-toplevel --verify --quiet refs/heads/free in ${repo} was stopped by SIGTERM`,
    );
  });
});
