/**
 * `export --commit` interrupted by a terminal's Ctrl-C once it has begun writing the checkout
 * (docs/delivery.md "Interrupted"): the SIGINT goes to the export's whole process group, as a
 * terminal sends it. A `git` first on PATH sends it at one step (ARCADE_TEST_INTERRUPT_AT names the
 * step's words) and then runs the real git; a git the interrupt reached would die before it ran
 * (the export once printed `git --literal-pathspecs add -A ... was stopped`, leaving the checkout on
 * its new branch with staged files). Each run must end 130 with one line naming what it left and a
 * fix that, pasted, lets the same export run again. The interrupted process is what is tested: spawned, in a
 * process group of its own (the test runner's is not the terminal's). The run after the fix is the
 * export's command in process (its main, src/core/script-main.ts): what it proves is the checkout
 * the fix leaves, and a spawned run costs a node start, the bundle's load and a synthesis more.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../scripts/export.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { KUBECTL } from '../support/kubectl.js';
import { runMain } from '../support/run-script.js';
import { type ScriptRun, spawnScript } from '../support/spawn-script.js';
import { tempDir } from '../support/temp.js';
import { stagingArgs } from './staging-dist.js';
import { makeRepo, run } from './support.js';
import { committedStack } from './committed-stack.js';

const ARGS = [...stagingArgs(), '--commit'];

/** A git that, at the step whose words ARCADE_TEST_INTERRUPT_AT names, sends SIGINT to its parent's process group once. */
function interruptingGit(): { bin: string; sent: string } {
  const bin = tempDir('git-ctrl-c-');
  const sent = join(bin, 'sent');
  writeFileSync(
    join(bin, 'git'),
    '#!/bin/sh\n' +
      'case " $* " in *" $ARCADE_TEST_INTERRUPT_AT "*) ' +
      `mkdir '${sent}' 2>/dev/null && kill -INT -$PPID ;; esac\n` +
      `PATH='${process.env.PATH ?? ''}' exec git "$@"\n`,
  );
  chmodSync(join(bin, 'git'), 0o755);
  return { bin, sent };
}

/** The export run as `npm run export` runs it, leader of a process group of its own. */
function exportRun(repo: string, env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  return spawnScript(join(REPO_ROOT, 'scripts/export.ts'), ['--repo', repo, ...ARGS], {
    cwd: REPO_ROOT,
    env,
    detached: true,
  });
}

describe.skipIf(!KUBECTL)('export --commit interrupted by Ctrl-C while it writes the checkout', () => {
  it.each([
    ['the new branch made (checkout -b)', 'checkout -q -b'],
    ['the files written (add)', 'add -A --'],
    ['the files staged (write-tree)', 'write-tree'],
    ['the commit made (commit-tree)', 'commit-tree'],
    ['the branch moved (update-ref)', 'update-ref -m'],
  ])(
    'at %s: it finishes, exit 130, one line naming the branch and the fix; pasted, the same export runs again',
    async (_, step) => {
      const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
      const { bin, sent } = interruptingGit();
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, ARCADE_TEST_INTERRUPT_AT: step };
      const r = await exportRun(repo, env);
      expect(existsSync(sent), 'the step was reached').toBe(true);
      expect(r.status, r.stderr).toBe(130);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      const branch = (await run(repo, ['symbolic-ref', '--short', 'HEAD'])).trim();
      expect(branch).toMatch(/^arcade-stack\/staging-/);
      const commit = (await run(repo, ['rev-parse', 'HEAD'])).trim();
      expect(lines[0]).toBe(
        `export: interrupted by SIGINT while the export wrote the checkout; it finished first, as it does once it has ` +
          `begun writing: ${repo} is on branch ${branch}, holding the export's commit ${commit.slice(0, 12)} (not ` +
          `pushed), as a run without the interrupt leaves it (fix, to undo it: git -C ${repo} checkout -q master && ` +
          `git -C ${repo} update-ref -d refs/heads/${branch} ${commit}; then the same export runs again)`,
      );
      expect(await run(repo, ['status', '--porcelain'])).toBe('');
      const fix = /\(fix, to undo it: (.*); then the same export runs again\)$/.exec(lines[0] ?? '')?.[1] ?? '';
      execFileSync('sh', ['-c', fix]);
      expect((await run(repo, ['branch', '--format=%(HEAD)%(refname:short)'])).trim()).toBe('*master');
      expect(await run(repo, ['status', '--porcelain'])).toBe('');
      // The same export again, its command in process (its main, as ./export-script.test.ts runs it): the
      // interrupted run above is the process under test; this one proves the checkout the fix left takes it again.
      const again = await runMain(main, ['--repo', repo, ...ARGS], { cwd: REPO_ROOT });
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toContain(`on branch ${branch} (not pushed)`);
    },
  );

  it('with --push, at the branch moved (update-ref): nothing pushed, the checkout put back as after a failed push', async () => {
    // A committed copy of the stack: --push refuses a stack with uncommitted changes.
    const stack = await committedStack();
    const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
    const bare = tempDir('interrupted-remote-');
    await run(bare, ['init', '-q', '--bare']);
    await run(repo, ['remote', 'add', 'origin', bare]);
    const { bin, sent } = interruptingGit();
    const r = await spawnScript(
      join(stack.root, 'scripts/export.ts'),
      ['--repo', repo, ...ARGS.filter((a) => a !== '--commit'), '--push'],
      {
        cwd: stack.root,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, ARCADE_TEST_INTERRUPT_AT: 'update-ref -m' },
        detached: true,
      },
    );
    expect(existsSync(sent), 'the step was reached').toBe(true);
    expect(r.status, r.stderr).toBe(130);
    expect(r.stderr).toBe(
      'export: interrupted by SIGINT while the export wrote the checkout: it finished its commit, not pushed; the ' +
        "checkout is back on master, without the export's local branch\n",
    );
    expect((await run(repo, ['branch', '--format=%(HEAD)%(refname:short)'])).trim()).toBe('*master');
    expect(await run(repo, ['status', '--porcelain'])).toBe('');
    expect(await run(bare, ['for-each-ref'])).toBe('');
  });
});
