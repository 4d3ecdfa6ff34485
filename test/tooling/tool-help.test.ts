/**
 * `npm run typecheck` and `npm run layers` (plain-node tools, not the script harness) answer
 * `--help` with a help of their own naming what they run, and refuse any other argument (exit 2,
 * one line, nothing run): README's "Every script answers --help". Each runs as package.json says,
 * spawned for real.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const { scripts } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** Runs package.json's `name` script (`node <file>`) with `args`, as `npm run <name> -- <args>` does. */
function run(name: string, args: string[]) {
  const [node, ...command] = (scripts[name] ?? '').split(' ');
  expect(node).toBe('node');
  const result = spawnSync(process.execPath, [...command, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the plain-node tools answer --help', () => {
  for (const [name, runs] of [
    ['typecheck', /tsc -b tsconfig\.json[\s\S]*tsc --noEmit -p tsconfig\.json/],
    ['layers', /depcruise src scripts --config \.dependency-cruiser\.mjs --output-type err-long/],
  ] as const)
    it(`npm run ${name} -- --help: its own help, naming what it runs; another option: exit 2, nothing run`, () => {
      for (const help of ['--help', '-h']) {
        const answered = run(name, [help]);
        expect(answered.status, answered.stderr).toBe(0);
        expect(answered.stdout).toMatch(new RegExp(`^npm run ${name}: `));
        expect(answered.stdout).toMatch(runs);
        expect(answered.stdout).toMatch(/Exit codes:\n {2}0 [\s\S]* {2}2 {2}bad usage/);
      }
      const refused = run(name, ['--nope']);
      expect(refused).toEqual({
        status: 2,
        stdout: '',
        stderr: `${name}: unknown option --nope: it takes no option but --help (fix: npm run ${name}, or npm run ${name} -- --help)\n`,
      });
    });
});
