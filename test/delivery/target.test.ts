/**
 * openTarget's "does the export's branch exist?" (src/delivery/target.ts): asked by the git that
 * prints the root, or taken from a caller's hand-over (publish asks it with its own rev-parse) only
 * when that answer is for the same branch. The answers handed over here are deliberately wrong, so
 * which source was used shows.
 */
import { describe, expect, it } from 'vitest';
import { checkoutStatus, openTarget } from '../../src/delivery/target.js';
import { makeRepo, run } from './support.js';

describe('openTarget: whether the branch exists', () => {
  it('asks git, or takes a handed-over answer only for the branch it was asked for', async () => {
    const repo = makeRepo({ 'apps/arcade/notes.md': 'hand-written\n' });
    run(repo, ['branch', 'taken']);
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
