/**
 * Every entry point under scripts/ (read from the folder, so a new one cannot escape) is a script
 * like the others: it exports its command as `main` (arguments and io in, the exit code out;
 * src/core/script-main.ts) and runs it only as the process's entry (`runCommand`), so importing it
 * runs nothing. Tests call `main` in process; the one real spawn per script is every-script.test.ts.
 * Its --help names what SIGINT/SIGTERM (130, 143) leave: every script can be interrupted.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ScriptMain } from '../../src/core/script-main.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { runMain } from '../support/run-script.js';

const SCRIPTS = readdirSync(join(REPO_ROOT, 'scripts'))
  .filter((f) => f.endsWith('.ts'))
  .sort();

describe('scripts/', () => {
  it.each(SCRIPTS)('%s exports main, and importing it runs nothing', async (file) => {
    const before = process.exitCode;
    const script = (await import(pathToFileURL(join(REPO_ROOT, 'scripts', file)).href)) as { main?: unknown };
    expect(typeof script.main, `scripts/${file}: export const main = scriptMain(...)`).toBe('function');
    expect(process.exitCode, 'importing a script set the exit code: it ran').toBe(before);
  });

  it.each(SCRIPTS)('%s --help has a 130, 143 row: what an interrupt leaves', async (file) => {
    const script = (await import(pathToFileURL(join(REPO_ROOT, 'scripts', file)).href)) as { main: ScriptMain };
    const help = await runMain(script.main, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^ {2}130, 143 {2,}interrupted by SIGINT or SIGTERM\b.{3,}$/m);
    // Its own words, not the harness's default for a script that says nothing (interruptedLeaves).
    expect(help.stdout).not.toContain('stopped before it finished');
  });
});
