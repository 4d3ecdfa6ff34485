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
 * - every file it reads (`--targets`).
 *
 * Kept: a file anywhere else, at the repository's top (`--json report.json`), under /tmp, in
 * `.build/` (bundle's default), a link to such a file, and the streams and devices
 * (./output-target.ts: `-`, /dev/stdout, /dev/null), which replace no file.
 */
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
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
  /** The repository's root: its REPOSITORY_INPUTS are never an output. */
  readonly repoRoot: string;
  /** Folders it reads, as given (relative to the cwd), with the option that named them; unset ones skipped. */
  readonly folders?: readonly { readonly option: string; readonly path: string | undefined }[];
  /** Files it reads, as given, with the option that named them. */
  readonly files?: readonly { readonly option: string; readonly path: string | undefined }[];
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

/** Each input as a real path and how a message names it; `whole`: anything below it is one too. */
function inputsOf(inputs: CommandInputs, cwd: string): { path: string; named: string; whole: boolean }[] {
  const root = real(inputs.repoRoot, cwd);
  const all = REPOSITORY_INPUTS.map((name) => ({
    path: join(root, name),
    named: `the repository's own ${name}`,
    whole: true,
  }));
  for (const { option, path } of inputs.folders ?? []) {
    if (path === undefined) continue;
    const folder = real(path, cwd);
    all.push({ path: folder, named: `the folder ${option} ${path} reads`, whole: true });
    let entries: string[] = [];
    try {
      entries = readdirSync(folder);
    } catch {
      entries = []; // a folder that cannot be read: the command names it when it reads it
    }
    for (const entry of entries)
      all.push({ path: real(join(folder, entry), cwd), named: `${join(path, entry)}, read by ${option}`, whole: true });
  }
  for (const { option, path } of inputs.files ?? [])
    if (path !== undefined) all.push({ path: real(path, cwd), named: `the file ${option} ${path}`, whole: false });
  return all;
}

/**
 * The refusal of the output `path` (relative to `cwd`), named `named` in the message (`--json
 * r.json`), when it leads to one of the command's inputs; undefined otherwise (a stream or a device
 * too). One line: the path, which input, nothing written, the fix.
 */
export function inputRefusal(
  named: string,
  path: string,
  inputs: CommandInputs,
  cwd = process.cwd(),
): string | undefined {
  const to = outputTarget(path, cwd);
  if (to.kind !== 'file') return undefined;
  const target = real(to.path, cwd);
  const hit = inputsOf(inputs, cwd).find((input) =>
    input.whole ? isWithin(input.path, target) : input.path === target,
  );
  if (hit === undefined) return undefined;
  const shown = relative(cwd, target) || target;
  const leads = shown === path ? '' : ` (it leads to ${target})`;
  return (
    `${named}: is one of this command's inputs, ${hit.named}${leads}: writing there would replace it; nothing written ` +
    `(fix: give a path outside the repository's sources, dist/ and the folders the command reads, e.g. a new file at ` +
    `the repository's top or under /tmp)`
  );
}
