/**
 * Every file output given a symbolic link to nothing, or a loop of links: `check --json`,
 * `diff --markdown/--comment`, `bench --json`, probe's `--json/--junit/--markdown` and
 * `bundle --out`. Before, the atomic write's rename replaced such a link with a regular file (its
 * target's folder missing, or a loop), or wrote through it, creating the file it pointed to (its
 * target's folder there); `bundle --out d/x.mjs` through a dangling `d` failed in mkdir as an
 * unexpected error. Now each is refused in one line, exit 2, before anything is run or written
 * (src/core/unreachable-path.ts, the refusal of synth's --out and the CRD cache too): the option,
 * the path, the link and where it points, the fix; the links as they were, nothing made. And
 * writeOutput refuses it itself, for a link that went away after the check (a probe's --wait).
 */
import { lstatSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { main as bench } from '../../scripts/bench.js';
import { main as bundle } from '../../scripts/bundle.js';
import { main as check } from '../../scripts/check.js';
import { main as diff } from '../../scripts/diff.js';
import { main as probe } from '../../scripts/probe.js';
import { ConfigurationError } from '../../src/core/command-error.js';
import { writeOutput } from '../../src/core/output-target.js';
import type { ScriptMain } from '../../src/core/script-main.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

/** A folder holding the four kinds of link (absolute paths: probe takes paths against its own working folder). */
function links() {
  const place = tempDir('dangling-output-');
  const at = (name: string) => join(place, name);
  symlinkSync(at('gone/r.json'), at('far')); // its target's folder is missing too
  symlinkSync('near.json', at('near')); // its target's folder is there
  symlinkSync('b', at('a'));
  symlinkSync('a', at('b'));
  symlinkSync(at('gone'), at('d'));
  const state = () =>
    readdirSync(place).map((name) => [name, lstatSync(at(name)).isSymbolicLink() && readlinkSync(at(name))]);
  const before = state();
  return { at, unchanged: () => expect(state()).toEqual(before) };
}

const FILE_FIX = 'nothing written (fix: remove the link, or create the file it points to, or give another file)';

/** The one line for `--<option> <path>`, for each kind of link in links(). */
function refusals(at: (name: string) => string, option: string) {
  return [
    [
      at('far'),
      `${option} ${at('far')}: is a symbolic link to nothing (${at('far')} -> ${at('gone/r.json')}); ${FILE_FIX}`,
    ],
    [at('near'), `${option} ${at('near')}: is a symbolic link to nothing (${at('near')} -> near.json); ${FILE_FIX}`],
    [
      at('a'),
      `${option} ${at('a')}: is a loop of symbolic links (${at('a')} -> b); nothing written (fix: remove the link, ` +
        'or point the link at a file, or give another file)',
    ],
    [
      at('d/r.json'),
      `${option} ${at('d/r.json')}: passes through a symbolic link to nothing (${at('d')} -> ${at('gone')}); ` +
        'nothing written (fix: remove the link, or make the folder it points to, or give another file)',
    ],
  ] as const;
}

const COMMANDS: readonly { name: string; main: ScriptMain; option: string }[] = [
  { name: 'check', main: check, option: '--json' },
  { name: 'diff', main: diff, option: '--markdown' },
  { name: 'diff', main: diff, option: '--comment' },
  { name: 'bench', main: bench, option: '--json' },
  { name: 'bundle', main: bundle, option: '--out' },
];

it.each(COMMANDS)(
  '$name $option: a link to nothing or a loop is refused in one line, exit 2, the link untouched',
  async ({ name, main, option }) => {
    const { at, unchanged } = links();
    for (const [path, line] of refusals(at, option)) {
      const run = await runMain(main, [option, path]);
      expect(run, path).toEqual({ status: 2, stdout: '', stderr: `${name}: ${line}\n` });
    }
    unchanged();
  },
);

it('probe --json/--junit/--markdown: each refused before any probe runs, the links untouched', async () => {
  const { at, unchanged } = links();
  for (const option of ['--json', '--junit', '--markdown'])
    for (const [path, line] of refusals(at, option)) {
      const run = await runMain(probe, ['--demo', option, path]);
      expect(run, path).toEqual({
        status: 2,
        stdout: '',
        stderr: `probe: configuration error (no probe was run):\n${line}\n`,
      });
    }
  unchanged();
});

it('writeOutput refuses a link that leads nowhere by the time it writes, and leaves it a link', () => {
  const { at, unchanged } = links();
  const streams = { stdout: { write: () => true }, stderr: { write: () => true } };
  for (const [path, line] of refusals(at, 'the output')) {
    expect(() => writeOutput(path, 'report\n', streams)).toThrow(ConfigurationError);
    expect(() => writeOutput(path, 'report\n', streams)).toThrow(line);
  }
  unchanged();
});
