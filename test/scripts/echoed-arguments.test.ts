/**
 * Command-line values a refusal echoes are printed escaped (README "Text from outside is printed
 * escaped"): the script harness escapes every usage or command error's message line by line
 * (src/core/script.ts describeFailure), and the probe's --only/--revision cap and escape the value
 * (a newline in it fakes no line). And `--only X --skip X` is refused before anything is done:
 * not even `--demo`'s "Starting loopback stand-ins" line. Real processes, as `npm run` runs them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { spawnScript } from '../support/spawn-script.js';

const ESC = '\u001b';
const run = (script: string, args: readonly string[]) =>
  spawnScript(join(REPO_ROOT, 'scripts', `${script}.ts`), args, { cwd: REPO_ROOT });

describe.concurrent('values echoed by a refusal', () => {
  it.each([
    ['probe', ['--only', `x${ESC}[2J\ny`], 'probe: --only: unknown probe id(s) x\\u001b[2J\\u000ay (known: '],
    ['probe', ['--demo', '--revision', `x${ESC}]0;owned\u0007`], "got 'x\\u001b]0;owned\\u0007'; usage: "],
    ['export', ['--repo', `x${ESC}[2J`], 'export: --repo x\\u001b[2J: '],
  ])('%s %j: escaped, exit 2', async (script, args, shown) => {
    const r = await run(script, args);
    expect(r.stderr).toContain(shown);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.status).toBe(2);
  });

  it('--demo --only X --skip X: refused before the stand-ins start, nothing on stdout', async () => {
    const r = await run('probe', ['--demo', '--only', 'endpoints.health', '--skip', 'endpoints.health']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('probe: --only/--skip leave no probe to run; usage: npm run probe -- --help\n');
    expect(r.status).toBe(2);
  });
});
