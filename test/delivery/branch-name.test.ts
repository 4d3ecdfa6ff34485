/**
 * branch-name.ts against git itself: every name of the table, and a few hundred made from the
 * characters git's rules are about, is put to the real `git check-ref-format --branch <name>`.
 * branchNameProblem takes exactly what git takes, or refuses more where EXTRA says why.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { branchNameProblem } from '../../src/delivery/branch-name.js';
import { tempDir } from '../support/temp.js';

/** Names git takes and branch-name.ts refuses, each with its reason (as branchNameProblem says it). */
const EXTRA: ReadonlyMap<string, string> = new Map([
  // git (2.39) creates a branch '@', but reads '@' as HEAD wherever a revision is named.
  ['@', "is '@', which git reads as HEAD wherever a revision is named (git checkout @, git push origin @)"],
  // git writes the ref as a file: `<part>.lock` (git's lock while it writes) must fit in 255 bytes.
  ['b'.repeat(251), 'has a part longer than 250 bytes'],
  [`a/${'é'.repeat(126)}`, 'has a part longer than 250 bytes'],
]);

/** Valid names, and each kind git refuses (git-check-ref-format(1) and `--branch`). */
const TABLE = [
  // taken
  'main',
  'arcade-stack/staging-0123456789ab',
  'a.b',
  'a.lock.b',
  'a/-b',
  'a@b',
  '@a',
  'a/@',
  'a{b}',
  'HEAD/a',
  'a/HEAD',
  'refs/heads/x',
  'héllo',
  'a\u0085b',
  'b'.repeat(250),
  // refused: empty, a leading '-', '..' anywhere, '@{'
  '',
  '-',
  '-a',
  'a..b',
  '..',
  'a..',
  'a/../b',
  'a@{b',
  '@{-1}',
  'a@{u}',
  // a trailing '.lock' (of any part), '/' or '.'
  'a.lock',
  'a/b.lock',
  'a.lock/b',
  'a/',
  'a/b/',
  'a.',
  'a/.',
  '.',
  // control characters, space, DEL (NUL cannot be an argument: below, without git)
  'a b',
  'a\tb',
  'a\nb',
  'a\u0001b',
  'a\u001fb',
  'a\u007fb',
  // each of ~ ^ : ? * [ \
  ...[...'~^:?*[\\'].map((c) => `a${c}b`),
  // '//', a leading '/', a part starting with '.', HEAD
  'a//b',
  '/a',
  '.a',
  'a/.b',
  '.lock',
  'a/./b',
  'HEAD',
  ...EXTRA.keys(),
];

/** Names of up to 8 pieces made from what git's rules are about, by a fixed seed (the same every run). */
function madeNames(count: number): string[] {
  const pieces = ['a', 'b', '.', '/', '@', '{', '}', '-', '.lock', 'HEAD', ' ', '\u0001', 'é', '*', '~'];
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + next(8) }, () => pieces[next(pieces.length)]).join(''),
  );
}

let repo: string;
beforeAll(() => {
  // A new repository (and no GIT_* variable naming another): `--branch` reads `@{-1}` as the branch
  // checked out before, and there is none.
  repo = tempDir('branch-name-');
  expect(spawnSync('git', ['init', '-q', repo]).status).toBe(0);
});

/**
 * Whether git takes each name as a branch name (exit 0), by one shell running one git for each.
 * A refusal is any other exit: 128 with "not a valid branch name", or, for a name holding `@{u}`,
 * "no such branch" (git reads it as an upstream to resolve; branch-name.ts refuses every `@{`).
 */
function gitTakes(names: readonly string[]): boolean[] {
  const loop = 'for n do git check-ref-format --branch "$n" >/dev/null 2>&1; echo $?; done';
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
  const r = spawnSync('sh', ['-c', loop, 'sh', ...names], { cwd: repo, env, encoding: 'utf8' });
  const codes = r.stdout.split('\n').slice(0, -1);
  expect(codes).toHaveLength(names.length);
  return codes.map((c) => c === '0');
}

/** Each name with git's verdict and branch-name.ts's problem (undefined: taken). */
function verdicts(names: readonly string[]): { name: string; git: boolean; ours: string | undefined }[] {
  const git = gitTakes(names);
  return names.map((name, i) => ({ name, git: git[i] === true, ours: branchNameProblem(name) }));
}

/** The verdicts where branch-name.ts and git differ, other than EXTRA's (expected: none). */
const disagreements = (all: ReturnType<typeof verdicts>) =>
  all.filter(({ name, git, ours }) => !EXTRA.has(name) && git !== (ours === undefined));

describe('branchNameProblem against git check-ref-format --branch', () => {
  it('takes exactly what git takes over a table of valid names and every kind git refuses', () => {
    const all = verdicts(TABLE);
    expect(disagreements(all)).toEqual([]);
    // The table holds both kinds: the 15 valid names first, then only names git refuses (and EXTRA's).
    expect(all.slice(0, 15).filter((v) => !v.git)).toEqual([]);
    expect(all.slice(15).filter((v) => v.git && !EXTRA.has(v.name))).toEqual([]);
  });

  it('refuses more than git only where EXTRA says why, and each EXTRA name git really takes', () => {
    expect(gitTakes([...EXTRA.keys()])).toEqual([...EXTRA.keys()].map(() => true));
    for (const [name, reason] of EXTRA) expect(branchNameProblem(name)).toBe(reason);
  });

  it('takes exactly what git takes over 120 names made from the characters its rules are about', () => {
    const names = madeNames(120);
    expect(disagreements(verdicts(names))).toEqual([]);
    // Both verdicts occur often enough to mean something.
    const taken = names.filter((n) => branchNameProblem(n) === undefined).length;
    expect(taken).toBeGreaterThan(15);
    expect(names.length - taken).toBeGreaterThan(15);
  });

  it('refuses a NUL (no argument can carry one to git: it ends a C string)', () => {
    expect(branchNameProblem('a\u0000b')).toBe('holds "\\u0000" (no spaces, control characters or ~ ^ : ? * [ \\)');
  });
});
