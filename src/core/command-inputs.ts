/**
 * The one refusal of an output path that is one of the command's own inputs, for every option that
 * writes a file: the report files (`check --json`, `diff --markdown/--comment`, `bench --json`:
 * ./script.ts outputFile; probe's `--json/--junit/--markdown`: src/probes/report-files.ts) and
 * `bundle --out` (./script.ts plainOutputFile, with the files it writes beside it). Synth's `--out`
 * keeps its own stricter rules (src/tooling/output-dir.ts). Checked before any work: a report
 * written over `src/environments/<env>.yaml`, a `dist/` file or `src/main.ts` once replaced it and
 * exited 0 (the atomic write follows a link to the file it leads to, so a link there did the same).
 *
 * Refused, compared by real paths (links resolved as the kernel resolves them; in a missing folder
 * by the real path of its existing part):
 *
 * - the repository's own files: every name git tracks at its top (REPOSITORY_INPUTS: src/,
 *   scripts/, test/, docs/, dist/, package.json, package-lock.json, tsconfig.json, README.md...,
 *   the whole folder for a folder), `.git` and `node_modules`; test/core/command-inputs.test.ts
 *   checks the list against `git ls-files`;
 * - every folder the command reads given on its command line (`--dist`, `--environments`,
 *   `--crd-cache`), anything in it, and what each link at its top leads to (a linked environment
 *   file is read through its link);
 * - every file it reads (`--targets`);
 * - every entry of a folder whose files it may read (`entriesOf`: probe's environments, which for a
 *   bundled runner outside .build/ is the bundle's own folder), the folder itself not;
 * - with `.git` a file (a linked worktree, a submodule), the git folder it names and its commondir.
 *
 * The repository's names only at a repository's top (a package.json there: a checkout or an
 * unpacked tarball; no git is run).
 *
 * Kept: a file anywhere else, at the repository's top (`--json report.json`), under /tmp, in
 * `.build/` (bundle's default), a link to such a file, and the streams and devices
 * (./output-target.ts: `-`, /dev/stdout, /dev/null), which replace no file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { outputTarget } from './output-target.js';
import { isWithin, realPath } from './path-within.mjs';

/**
 * Every name git tracks at the repository's top, with `.git` and `node_modules`: the repository's
 * sources, its committed dist/ and its settings, never a report.
 */
export const REPOSITORY_INPUTS: readonly string[] = [
  '.ci',
  '.dependency-cruiser.mjs',
  '.dockerignore',
  '.git',
  '.github',
  '.gitignore',
  'Dockerfile',
  'README.md',
  'biome.jsonc',
  'cdk8s.yaml',
  'contracts',
  'dist',
  'docs',
  'imports',
  'knip.jsonc',
  'node_modules',
  'package-lock.json',
  'package.json',
  'scripts',
  'src',
  'test',
  'tsconfig.json',
  'vitest.config.ts',
];

/** What a command reads, for the refusal of an output path among them. */
export interface CommandInputs {
  /**
   * The repository's root: its REPOSITORY_INPUTS (and the git folder a `.git` file names) are
   * never an output; only when it holds a package.json (a checkout or an unpacked tarball), so a
   * root guessed from a bundle's place (`/` for /app/probe-runner.mjs) refuses no `/src`, `/dist`.
   */
  readonly repoRoot: string | undefined;
  /** Folders it reads, as given (relative to the cwd), with the option that named them; unset ones skipped. */
  readonly folders?: readonly { readonly option: string; readonly path: string | undefined }[];
  /**
   * Folders whose every entry it may read, the folder itself not (a new report there is kept): the
   * probe runner's environments folder, which outside a repository is the bundle's own folder.
   */
  readonly entriesOf?: readonly { readonly option: string; readonly path: string }[];
  /** Files it reads, as given, with the option that named them. */
  readonly files?: readonly { readonly option: string; readonly path: string | undefined }[];
}

/**
 * The repository a bundle or a command in `folder` belongs to: the nearest folder at or above it
 * holding a package.json (a checkout or an unpacked tarball), walking up to `/`; undefined where
 * none does (a bundle in the image's /app). A package.json that cannot be looked at (EACCES)
 * counts as one: the repository's names are refused rather than overwritten.
 */
export function repositoryAbove(folder: string): string | undefined {
  for (let at = resolve(folder); ; at = dirname(at)) {
    try {
      if (statSync(join(at, 'package.json'), { throwIfNoEntry: false }) !== undefined) return at;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') return at;
    }
    if (dirname(at) === at) return undefined;
  }
}

/** The real path of `path` (relative to `cwd`), or the path itself when it cannot be resolved. */
function real(path: string, cwd: string): string {
  const absolute = resolve(cwd, path);
  try {
    return realPath(absolute).path;
  } catch {
    return absolute;
  }
}

/**
 * When `<root>/.git` is a file (a linked worktree, a submodule): the git folder its `gitdir:` names
 * and that folder's `commondir` (the main checkout's .git, holding HEAD, refs and objects), read
 * as files (no git process: none runs outside a checkout either).
 */
function gitFoldersOf(root: string): string[] {
  const dotGit = join(root, '.git');
  let gitdir: string;
  try {
    if (!statSync(dotGit).isFile()) return [];
    const named = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'))?.[1];
    if (named === undefined) return [];
    gitdir = resolve(root, named);
  } catch {
    return []; // no .git, or one that cannot be read: git cannot use it either
  }
  try {
    // commondir is relative to the git folder as git finds it: after its links, not as written.
    return [gitdir, resolve(real(gitdir, root), readFileSync(join(gitdir, 'commondir'), 'utf8').trim())];
  } catch {
    return [gitdir]; // a submodule's git folder has no commondir: it is the whole of it
  }
}

/** Every entry of `folder` (given as `path`, read by `option`): each is an input, and anything under it. */
function entriesOf(folder: string, path: string, option: string, cwd: string) {
  let entries: string[] = [];
  try {
    entries = readdirSync(folder);
  } catch {
    entries = []; // a folder that cannot be read: the command names it when it reads it
  }
  return entries.map((entry) => ({
    path: real(join(folder, entry), cwd),
    named: `${join(path, entry)}, read by ${option}`,
    whole: true,
  }));
}

/** Each input as a real path and how a message names it; `whole`: anything below it is one too. */
function inputsOf(inputs: CommandInputs, cwd: string): { path: string; named: string; whole: boolean }[] {
  const root = inputs.repoRoot === undefined ? undefined : real(inputs.repoRoot, cwd);
  const repository = root !== undefined && existsSync(join(root, 'package.json'));
  const all = repository
    ? [
        // Each name as written and where it leads (a .git or node_modules that is a link: the output
        // path is compared after its links, so the name's own links must be followed too).
        ...REPOSITORY_INPUTS.flatMap((name) =>
          [...new Set([join(root, name), real(join(root, name), cwd)])].map((path) => ({
            path,
            named: `the repository's own ${name}`,
            whole: true,
          })),
        ),
        ...gitFoldersOf(root).map((folder) => ({
          path: real(folder, cwd),
          named: `the git folder ${folder} (named by ${join(root, '.git')})`,
          whole: true,
        })),
      ]
    : [];
  for (const { option, path } of inputs.folders ?? []) {
    if (path === undefined) continue;
    const folder = real(path, cwd);
    all.push({ path: folder, named: `the folder ${option} ${path} reads`, whole: true });
    all.push(...entriesOf(folder, path, option, cwd));
  }
  for (const { option, path } of inputs.entriesOf ?? []) all.push(...entriesOf(real(path, cwd), path, option, cwd));
  for (const { option, path } of inputs.files ?? [])
    if (path !== undefined) all.push({ path: real(path, cwd), named: `the file ${option} ${path}`, whole: false });
  return all;
}

/**
 * The refusal of the output `path` (relative to `cwd`), named `named` in the message (`--json
 * r.json`), when it leads to one of the command's inputs; undefined otherwise (a stream or a device
 * too). Given several paths (a file and those written beside it), the refusal of the first that
 * does, the inputs listed once. One line: the path, which input, nothing written, the fix.
 */
export function inputRefusal(
  named: string,
  path: string | readonly string[],
  inputs: CommandInputs,
  cwd = process.cwd(),
): string | undefined {
  let all: ReturnType<typeof inputsOf> | undefined;
  for (const each of typeof path === 'string' ? [path] : path) {
    const to = outputTarget(each, cwd);
    if (to.kind !== 'file') continue;
    const target = real(to.path, cwd);
    all ??= inputsOf(inputs, cwd);
    const hit = all.find((input) => (input.whole ? isWithin(input.path, target) : input.path === target));
    if (hit === undefined) continue;
    // Where it leads is said only when that is not the path as given (a link, `..` through a link).
    const leads = resolve(cwd, each) === target ? '' : ` (it leads to ${target})`;
    // /tmp is offered only to a path that is not already in a temporary folder (a repository under /tmp).
    const temporary = [...new Set(['/tmp', tmpdir()])].some((folder) => isWithin(real(folder, cwd), target));
    return (
      `${named}: is one of this command's inputs, ${hit.named}${leads}: writing there would replace it; nothing written ` +
      `(fix: give a path outside the repository's sources, dist/ and the folders the command reads, e.g. a new file at ` +
      `the repository's top${temporary ? '' : ' or under /tmp'})`
    );
  }
  return undefined;
}
