/**
 * Every entry point under scripts/ (the list is read from the folder, so a new script cannot
 * escape) goes through the script harness, proven end to end on the real process: a mistyped
 * option is refused with exit 2, exactly the harness' one line naming the nearest option, and
 * nothing on stdout (nothing ran). That line comes only from the harness' parse of the script's
 * own table, which also answers --help before the script's work starts: the help text itself
 * (usage, options, exit codes 0/1/2) is proven in test/core/script.test.ts, and each script's
 * table must name what 0 and 1 mean (the type requires it). One spawn per script keeps this file
 * cheap (each is a fresh node running the script's bundle, src/tooling/launch.mjs). Each script is
 * also wired in package.json as `npm run <name>`, the name its messages use, through that launcher.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { spawnScript } from '../support/spawn-script.js';

const SCRIPTS = readdirSync(join(REPO_ROOT, 'scripts'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();

describe('scripts/', () => {
  it('holds the scripts package.json runs, each as npm run <file name>', () => {
    const scripts = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(SCRIPTS.length).toBeGreaterThanOrEqual(11);
    for (const name of SCRIPTS)
      expect(scripts[name], `package.json scripts.${name}`).toBe(`node src/tooling/launch.mjs ${name}`);
  });
});

describe.concurrent.each(SCRIPTS)('npm run %s', (name) => {
  it('refuses a mistyped option: exit 2, one line with the nearest option, nothing run', async () => {
    const r = await spawnScript(join(REPO_ROOT, 'scripts', `${name}.ts`), ['--hepl'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CI: 'true' },
    });
    expect(r.stderr).toBe(`${name}: unknown option --hepl (did you mean --help?); usage: npm run ${name} -- --help\n`);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  });
});
