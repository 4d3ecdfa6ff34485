/**
 * A script's command as a function (src/core/script-main.ts): the exit code is returned, never
 * set on the process; output, environment, working folder, stdin and the interrupt signal are the
 * caller's; two calls at once share nothing. (A real process running a script's main through
 * runCommand: test/scripts/every-script.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { CommandError, Interrupted, UsageError } from '../../src/core/command-error.js';
import { scriptMain } from '../../src/core/script-main.js';
import { defineScript } from '../../src/core/script.js';
import { runMain } from '../support/run-script.js';

const script = defineScript({
  name: 'demo',
  description: 'Echoes what it was given.',
  options: {
    file: { type: 'string', value: '<path>', description: 'a path' },
    fail: { type: 'choice', choices: ['usage', 'finding', 'bug', 'interrupt'], description: 'how to fail' },
  },
  environment: { DEMO_TOKEN: 'a variable it reads' },
  exitCodes: { 0: 'done', 1: 'a finding' },
  examples: ['npm run demo -- --file x'],
});

const main = scriptMain(script, async (options, { io, path, print, warn, signal }) => {
  if (options.fail === 'usage') throw new UsageError('--file is wrong');
  if (options.fail === 'finding') throw new CommandError('found something (fix: x)');
  if (options.fail === 'bug') throw new TypeError('x is undefined');
  if (options.fail === 'interrupt') {
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    throw new Interrupted('SIGINT', 'interrupted');
  }
  let stdin = '';
  for await (const chunk of io.stdin) stdin += chunk.toString();
  print(`file ${options.file === undefined ? '-' : path(options.file)}`);
  print(`token ${io.env.DEMO_TOKEN ?? '-'}`);
  print(`stdin ${stdin}`);
  warn('careful');
  return options.file === undefined ? 1 : undefined;
});

describe('scriptMain', () => {
  it("runs with the caller's working folder, environment and stdin, and returns the exit code", async () => {
    const exitCode = process.exitCode;
    const r = await runMain(main, ['--file', 'a/b'], { cwd: '/srv', env: { DEMO_TOKEN: 't1' }, stdin: 'in' });
    expect(r).toEqual({
      status: 0,
      stdout: 'file /srv/a/b\ntoken t1\nstdin in\n',
      stderr: 'demo: warning: careful\n',
    });
    expect((await runMain(main, [], { env: {} })).status).toBe(1);
    expect(process.exitCode).toBe(exitCode);
  });

  it('keeps concurrent calls apart', async () => {
    const [a, b] = await Promise.all([
      runMain(main, ['--file', 'x'], { cwd: '/a', env: { DEMO_TOKEN: 'A' } }),
      runMain(main, ['--file', 'x'], { cwd: '/b', env: { DEMO_TOKEN: 'B' } }),
    ]);
    expect(a.stdout).toBe('file /a/x\ntoken A\nstdin \n');
    expect(b.stdout).toBe('file /b/x\ntoken B\nstdin \n');
  });

  it('answers --help on stdout and refuses bad usage on stderr, as the process would (exit 0, 2)', async () => {
    const help = await runMain(main, ['--file', 'x', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run demo -- \[options\]\n/);
    expect(help.stderr).toBe('');
    expect(await runMain(main, ['--flie', 'x'])).toEqual({
      status: 2,
      stdout: '',
      stderr: 'demo: unknown option --flie (did you mean --file?); usage: npm run demo -- --help\n',
    });
  });

  it('turns what the body throws into the exit code and the message of its kind', async () => {
    expect(await runMain(main, ['--fail', 'usage'])).toEqual({
      status: 2,
      stdout: '',
      stderr: 'demo: --file is wrong; usage: npm run demo -- --help\n',
    });
    expect(await runMain(main, ['--fail', 'finding'])).toEqual({
      status: 1,
      stdout: '',
      stderr: 'demo: found something (fix: x)\n',
    });
    const bug = await runMain(main, ['--fail', 'bug']);
    expect(bug.status).toBe(1);
    expect(bug.stderr).toMatch(/^demo: unexpected error \(a bug: please report it with this trace\):\nTypeError: x is/);
  });

  it("is interrupted through the caller's signal (exit 130)", async () => {
    const controller = new AbortController();
    const run = runMain(main, ['--fail', 'interrupt'], { signal: controller.signal });
    controller.abort('SIGINT');
    expect(await run).toEqual({ status: 130, stdout: '', stderr: 'demo: interrupted\n' });
  });
});
