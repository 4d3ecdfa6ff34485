/**
 * How a script's process ends when what is around it goes away, proven on real processes (the
 * process is what is tested: its streams, its signals), through the one harness every script runs
 * in (src/core/script-main.ts runCommand):
 *
 * - A closed stdout (`npm run check-values -- ... | head -1`, the reader gone: EPIPE) ends the
 *   writing only: no stack trace, and the command's own exit code (src/core/script.ts
 *   quietOnClosedOutput). The reading end is closed before the script writes anything, so every
 *   write it makes meets a closed pipe.
 * - SIGTERM/SIGINT of a command that is not interruptible (drift, waiting on a Kubernetes API
 *   stand-in that holds every request) says one line, `drift: interrupted by <signal>: nothing
 *   written ...`, and the signal still ends the process (the shell's 143/130)
 *   (src/core/script.ts sayInterrupted). What that line says holds: diff interrupted while it posts
 *   its comment (a forge stand-in that holds the request) has written --markdown and --comment
 *   whole, and says so; check-values --render interrupted while helm runs (the helm stand-in,
 *   holding the call) leaves no temporary folder (src/core/temporary-folder.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it, vi } from 'vitest';
import { releaseOverrides } from '../../src/chart-values/check.js';
import { parsePath, setAt } from '../../src/core/values-path.js';
import { startKubeApi } from '../../src/loopback/kube-api.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironment } from '../synth/helpers.js';
import { startHelmStandin } from '../chart-values/helm-standin.js';
import { canaryKey } from '../support/canary.js';
import { SETTLE } from '../support/deadlines.js';
import { startForge } from '../support/forge.js';
import { scriptCommand } from '../support/spawn-script.js';
import { tempDir } from '../support/temp.js';

interface Ended {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run <name> -- <args>` as a real process; `closeStdout`: its stdout's reading end closed at once. */
function start(name: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; closeStdout?: boolean }) {
  const child = spawn(process.execPath, scriptCommand(join(REPO_ROOT, 'scripts', `${name}.ts`), args), {
    cwd: REPO_ROOT,
    env: options.env ?? process.env,
  });
  let stdout = '';
  let stderr = '';
  if (options.closeStdout) child.stdout.destroy();
  else child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<Ended>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, ended };
}

/** Chart defaults in which every override path of the fixture environment `staging` exists: check-values exits 0. */
function completeValues(): string {
  const tree: Record<string, unknown> = {};
  for (const { path } of releaseOverrides(fixtureEnvironment('staging')).overrides)
    setAt(tree, parsePath(path), `chart-default:${path}`);
  const file = join(tempDir('closed-stdout-'), 'values.yaml');
  writeFileSync(file, stringify(tree));
  return file;
}

describe('a script whose stdout is closed (EPIPE)', () => {
  it('ends quietly with its own exit code: no stack trace, nothing on stderr', async () => {
    const args = ['--environments', FIXTURE_ENVIRONMENTS, '--env', 'staging', '--values', completeValues()];
    const open = await start('check-values', args, {}).ended;
    expect(open.stdout.split('\n').length).toBeGreaterThan(3); // several writes, every one of them meets the closed pipe below
    expect(open.status).toBe(0);
    const closed = await start('check-values', args, { closeStdout: true }).ended;
    expect(closed.stderr).toBe('');
    expect(closed.status).toBe(0);
  });
});

/** The test's environment without any way to a cluster but `kubeconfig`. */
function onlyCluster(kubeconfig: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: tempDir('home-'), KUBECONFIG: kubeconfig };
  for (const k of ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']) delete env[k];
  return env;
}

describe.concurrent.each([
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)('drift sent %s while it waits on the cluster', (signal, shellCode) => {
  it(`says one line naming the signal and what is left, and ends by the signal (the shell's ${shellCode})`, async () => {
    const api = await startKubeApi();
    api.faults.hold = true;
    try {
      const run = start('drift', ['--env', 'backstage-wus2-v4', '--timeout', '600'], {
        env: onlyCluster(api.kubeconfig),
      });
      await vi.waitFor(() => expect(api.held()).toBeGreaterThan(0), SETTLE); // provably waiting on the cluster
      run.child.kill(signal);
      const r = await run.ended;
      expect(r.stderr.split('\n').filter((line) => line.includes('interrupted'))).toEqual([
        `drift: interrupted by ${signal}: nothing written (drift only reads the cluster)`,
      ]);
      expect(r.stderr).not.toContain('    at ');
      expect(r.signal).toBe(signal);
      expect(r.stdout).toBe('');
    } finally {
      await api.close();
    }
  });
});

/** The lines of `stderr` that say the command was interrupted. */
const interruptedLines = (stderr: string) => stderr.split('\n').filter((line) => line.includes('interrupted by'));

describe('diff sent SIGTERM while it posts the comment', () => {
  it('says what can be true: the files are written whole, the comment may or may not have been posted', async () => {
    const token = canaryKey();
    let posting = false;
    const forge = await startForge({
      type: 'github',
      repository: 'acme/stack',
      token,
      fault: () => {
        posting = true;
        return 'hang';
      },
    });
    const dir = tempDir('diff-interrupted-');
    const [markdown, comment] = [join(dir, 'pr.md'), join(dir, 'comment.md')];
    try {
      const env = {
        ...process.env,
        STACK_FORGE: 'github',
        STACK_API_URL: forge.apiUrl,
        STACK_REPOSITORY: 'acme/stack',
        STACK_TOKEN: token,
      };
      const args = ['--base', 'HEAD', '--markdown', markdown, '--comment', comment, '--post-comment', '7'];
      const run = start('diff', args, { env });
      await vi.waitFor(() => expect(posting).toBe(true), SETTLE); // both files written, the forge asked
      run.child.kill('SIGTERM');
      const r = await run.ended;
      expect(interruptedLines(r.stderr)).toEqual([
        'diff: interrupted by SIGTERM: --markdown and --comment are each written whole or not at all; with ' +
          '--post-comment the comment may or may not have been posted: run it again, it updates in place',
      ]);
      expect(r.signal).toBe('SIGTERM');
      expect(readFileSync(markdown, 'utf8')).toMatch(/\S/);
      expect(readFileSync(comment, 'utf8')).toMatch(/\S/);
    } finally {
      await forge.close();
    }
  });
});

describe('check-values --render sent SIGINT while helm runs', () => {
  it("removes --render's temporary folder, as it says", async () => {
    const helm = await startHelmStandin();
    const tmp = tempDir('check-values-tmp-'); // its os.tmpdir()
    const ours = () => readdirSync(tmp).filter((name) => name.startsWith('check-values-'));
    try {
      const env = {
        ...process.env,
        TMPDIR: tmp,
        PATH: `${helm.binIn(tempDir('helm-bin-'))}${delimiter}${process.env.PATH}`,
        HELM_STANDIN_FAIL: 'hang',
      };
      const args = [
        '--environments',
        FIXTURE_ENVIRONMENTS,
        '--env',
        'staging',
        '--values',
        completeValues(),
        '--render',
      ];
      const run = start('check-values', args, { env });
      // The values helm reads are written, and helm is called (the stand-in holds it).
      await vi.waitFor(
        () => expect(ours().map((name) => existsSync(join(tmp, name, 'all.yaml')))).toEqual([true]),
        SETTLE,
      );
      run.child.kill('SIGINT');
      const r = await run.ended;
      expect(interruptedLines(r.stderr)).toEqual([
        'check-values: interrupted by SIGINT: nothing written (check-values only reads; the temporary folder of --render is removed)',
      ]);
      expect(r.signal).toBe('SIGINT');
      expect(ours()).toEqual([]);
    } finally {
      await helm.close();
    }
  });
});
