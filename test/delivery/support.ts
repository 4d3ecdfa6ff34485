/**
 * Test support for export: throwaway GitOps repositories (git init in a folder inside the test
 * run's own temporary folder, ../support/temp.ts; a configured user), a hand-written HelmRelease
 * like the one in k8s-backstage-v2, and a snapshot of a checkout to prove a refusal left it untouched.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { ExportRefused, exportEnvironment, type ExportOptions, type ExportSource } from '../../src/delivery/export.js';
import { compareIdentity } from '../../src/delivery/export-checks.js';
import { releasesOf } from '../../src/delivery/export-folder.js';
import { formatOwnership, OWNERSHIP_FILE } from '../../src/delivery/ownership.js';
import { indexObjects, sha256 } from '../../src/core/manifests.js';
import type { Environment } from '../../src/environments/schema.js';
import { folderFiles, synthEnvironment } from '../../src/synth.js';
import { fixtureEnvironment } from '../synth/helpers.js';
import { NO_AUTO_MAINTENANCE } from '../support/git-repos.js';
import { runBounded } from '../support/run-bounded.js';
import { tempDir } from '../support/temp.js';

/** `git <args>` in `cwd`, its stdout (../support/run-bounded.ts: through the worker's helper, bounded). */
export function run(cwd: string, args: string[]): Promise<string> {
  return runBounded(cwd, 'git', args, `git ${args.join(' ')}`);
}

/**
 * `script` run by `sh` in `cwd` with `args` as its `$1`, `$2`...: the git commands of one helper
 * step (init, add, commit) as one program start, which then starts only the small shell's gits.
 * Bounded as `run` is.
 */
async function runScript(cwd: string, script: string, args: readonly string[]): Promise<void> {
  await runBounded(cwd, 'sh', ['-c', `set -e\n${script}`, 'sh', ...args], `sh -c '${script}'`);
}

/** `git add -A` and a commit of everything with `$1` as its message (also when nothing changed). */
const ADD_AND_COMMIT = 'git add -A\ngit commit -q --allow-empty -m "$1"';

/**
 * Puts a `git` that logs each run before the real one on PATH (until `stop`); `runs` reads the
 * runs so far, each its arguments (in the log, each argument ends with a unit separator, each run
 * with a record separator: a commit message spans lines). Only a git found on PATH is counted
 * (git's own helpers run from its exec path).
 */
export function countGit(): { runs: () => string[][]; stop: () => void } {
  const realPath = process.env.PATH ?? '';
  const dir = tempDir('git-counter-');
  const log = join(dir, 'runs.log');
  writeFileSync(log, '');
  const wrapper = join(dir, 'git');
  // The real git is found on the PATH the test started with (the wrapper's folder is not on it).
  writeFileSync(
    wrapper,
    `#!/bin/sh\n{ printf '%s\\037' "$@"; printf '\\036'; } >> '${log}'\nPATH='${realPath}' exec git "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  process.env.PATH = `${dir}${delimiter}${realPath}`;
  return {
    runs: () =>
      readFileSync(log, 'utf8')
        .split('\x1e')
        .filter(Boolean)
        .map((run) => run.split('\x1f').slice(0, -1)),
    stop: () => {
      process.env.PATH = realPath;
    },
  };
}

/** The git subcommand of each logged run (`-c` options skipped). */
export const subcommands = (runs: string[][]) =>
  runs.map((args) => args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '-c'));

/**
 * What `git config user.name/user.email/commit.gpgsign` would add to .git/config, without three
 * processes, and no automatic maintenance (test/support/git-repos.ts): copies and clones keep it.
 */
const IDENTITY = `[user]\n\tname = Test Author\n\temail = test@example.com\n[commit]\n\tgpgsign = false\n${NO_AUTO_MAINTENANCE}`;

/** Repositories built with git, by content: later repositories of the same content are copies. */
const templates = new Map<string, string>();

/**
 * A fresh repository on branch master with `files` committed in one commit. The first one of a
 * given content is made by git (init, add, commit: one shell, runScript); the next ones are copies of that folder, a
 * whole repository with its own .git (the delivery tests make dozens of the same few fixtures,
 * and each git process costs more than copying the folder).
 */
export async function makeRepo(
  files: Record<string, string>,
  message = 'apps/arcade: hand-written Arcade release',
): Promise<string> {
  const key = JSON.stringify([message, files]);
  let template = templates.get(key);
  if (template === undefined) {
    template = tempDir('gitops-template-');
    writeFiles(template, files);
    // `--template=`: no sample hooks (never active) nor the other template files, so each copy
    // of the template copies 15 files fewer.
    await runScript(template, `git init -q -b master --template=\nprintf '%s' "$2" >> .git/config\n${ADD_AND_COMMIT}`, [
      message,
      IDENTITY,
    ]);
    templates.set(key, template);
  }
  return copyRepo(template);
}

/** A copy of the repository `template` (its work tree and its own .git) in a new temporary folder. */
export function copyRepo(template: string): string {
  const dir = tempDir('gitops-');
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** Writes `files` (path → content) into `dir`, making their folders. */
function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Writes `files` into the checkout `dir` and commits everything (`git add -A`, then a commit, also an empty one). */
export async function commitFiles(dir: string, files: Record<string, string>, message: string): Promise<void> {
  writeFiles(dir, files);
  await runScript(dir, ADD_AND_COMMIT, [message]);
}

function listAll(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (name === '.git') return [];
    return statSync(full).isDirectory() ? listAll(root, full) : [relative(root, full)];
  });
}

/**
 * Every ref (refs/** and HEAD) and what it points to, read from git's ref files: .git/HEAD,
 * .git/packed-refs and the loose refs under .git/refs (a loose ref wins over a packed one).
 */
function refsOf(gitDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const packed = join(gitDir, 'packed-refs');
  if (existsSync(packed)) {
    for (const line of readFileSync(packed, 'utf8').split('\n')) {
      if (line === '' || line.startsWith('#') || line.startsWith('^')) continue; // header, peeled tag
      const [id, name] = line.split(' ');
      if (id !== undefined && name !== undefined) out[name] = id;
    }
  }
  const walk = (sub: string): void => {
    for (const entry of readdirSync(join(gitDir, sub), { withFileTypes: true })) {
      const path = `${sub}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else out[path] = readFileSync(join(gitDir, path), 'utf8').trim();
    }
  };
  walk('refs');
  out.HEAD = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
  return out;
}

/**
 * What `ref` (`refs/heads/master`) points to in the repository whose git folder is `gitDir` (a
 * bare repository's own folder), read from git's ref files as snapshot reads them: no git
 * process. Undefined when there is no such ref.
 */
export function refAt(gitDir: string, ref: string): string | undefined {
  return refsOf(gitDir)[ref];
}

/**
 * `git status` outputs by everything git reads to answer (statusInputs): the same question asked
 * again of an unchanged repository, or of a byte-for-byte copy of one (makeRepo, copyRepo), is
 * answered without another git process.
 */
const statuses = new Map<string, string>();

/**
 * The configuration git reads beyond the repository: every `GIT_*` variable of the environment
 * (`GIT_CONFIG_COUNT`/`KEY`/`VALUE` set configuration, `GIT_DIR` and the like move the
 * repository), HOME and XDG_CONFIG_HOME (where the next files are), and the files of the global
 * and system levels with the global ignore and attributes files (git-config(1), gitignore(5),
 * gitattributes(5)): their paths and bytes, a missing file as missing.
 */
function gitConfiguration(): string {
  const env = process.env;
  const variables = Object.entries(env)
    .filter(([name]) => name.startsWith('GIT_') || name === 'HOME' || name === 'XDG_CONFIG_HOME')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const home = env.HOME ?? homedir();
  const xdg = env.XDG_CONFIG_HOME || join(home, '.config');
  const files = [
    env.GIT_CONFIG_GLOBAL ?? join(home, '.gitconfig'),
    join(xdg, 'git', 'config'),
    join(xdg, 'git', 'ignore'),
    join(xdg, 'git', 'attributes'),
    env.GIT_CONFIG_SYSTEM ?? '/etc/gitconfig',
    '/etc/gitattributes',
  ];
  const hash = createHash('sha256').update(JSON.stringify(variables));
  for (const file of files) {
    hash.update(`\0${file}\0`);
    if (existsSync(file)) hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

/**
 * A digest of what `git status` reads: the git configuration outside the repository
 * (gitConfiguration), HEAD and every ref, the index file's bytes (stat data included),
 * .git/config, .git/info/* and .git/shallow, and every work-tree entry (its path, type,
 * permission bits, a link's target, a file's bytes), .git folders aside. Equal digests give the
 * same status; anything that could change it changes the digest (it may change more: an index
 * refreshed with new stat data, an ignored file, are misses, never wrong answers). Not covered:
 * a file that configuration names elsewhere (`core.excludesFile`, `include.path`) changing its
 * bytes while the configuration stays the same; no test writes one.
 */
function statusInputs(dir: string, refs: Record<string, string>): string {
  const hash = createHash('sha256');
  hash.update(gitConfiguration());
  hash.update(JSON.stringify(refs));
  const gitDir = join(dir, '.git');
  const info = join(gitDir, 'info');
  const extra = existsSync(info) ? readdirSync(info).map((name) => join('info', name)) : [];
  for (const name of ['index', 'config', 'shallow', ...extra.sort()]) {
    const file = join(gitDir, name);
    hash.update(`\0${name}\0`);
    if (existsSync(file)) hash.update(readFileSync(file));
  }
  const walk = (sub: string): void => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (entry.name === '.git') continue;
      const path = join(sub, entry.name);
      const full = join(dir, path);
      if (entry.isSymbolicLink()) hash.update(`\0l\0${path}\0${readlinkSync(full)}`);
      else if (entry.isDirectory()) {
        hash.update(`\0d\0${path}`);
        walk(path);
      } else {
        const content = readFileSync(full);
        hash.update(`\0f\0${path}\0${lstatSync(full).mode}\0${content.length}\0`).update(content);
      }
    }
  };
  walk('');
  return hash.digest('hex');
}

/**
 * `git status --porcelain=v2 --branch --untracked-files=all` of `dir` (whose refs are `refs`),
 * from statuses when its inputs were seen before. The answer is also kept under the inputs as
 * git leaves them (status may rewrite the index with fresh stat data: the next question about
 * the untouched repository is then answered too).
 */
async function statusOf(dir: string, refs: Record<string, string>): Promise<string> {
  const before = statusInputs(dir, refs);
  const known = statuses.get(before);
  if (known !== undefined) return known;
  const status = await run(dir, ['status', '--porcelain=v2', '--branch', '--untracked-files=all']);
  statuses.set(before, status);
  statuses.set(statusInputs(dir, refsOf(join(dir, '.git'))), status);
  return status;
}

/**
 * HEAD with the branch checked out and the status (index and work tree against HEAD, untracked
 * files included) from one `git status --porcelain=v2 --branch` (or its answer to the same
 * inputs: statusOf); every ref (branches, tags, remotes, HEAD) with what it points to; and every
 * work-tree file's bytes. Equal snapshots mean
 * "untouched". The refs are read from git's ref files (the test repositories use git's default
 * "files" ref storage; a second git process per snapshot is what this saves): a repository whose
 * checked-out branch is not among them fails here rather than comparing nothing.
 */
export async function snapshot(dir: string): Promise<{
  head: string;
  refs: Record<string, string>;
  status: string;
  files: Record<string, string>;
}> {
  const files: Record<string, string> = {};
  for (const f of listAll(dir).sort()) files[f] = readFileSync(join(dir, f), 'utf8');
  const refs = refsOf(join(dir, '.git'));
  const lines = (await statusOf(dir, refs)).split('\n');
  const branch = lines.find((l) => l.startsWith('# branch.head '))?.slice('# branch.head '.length);
  if (branch !== '(detached)' && refs[`refs/heads/${branch}`] === undefined)
    throw new Error(
      `snapshot: ${dir}: branch ${branch} is not in .git/refs or .git/packed-refs (not git's files ref storage?)`,
    );
  return {
    head: lines.filter((l) => l.startsWith('# ')).join('\n'),
    refs,
    status: lines.filter((l) => l !== '' && !l.startsWith('# ')).join('\n'),
    files,
  };
}

/** The export's refusal, asserted: an ExportRefused, and the checkout (every file, ignored ones too) as it was (snapshot). */
export async function refusal(source: ExportSource, options: ExportOptions): Promise<ExportRefused> {
  const before = await snapshot(options.repo);
  const error = await exportEnvironment(source, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExportRefused);
  expect(await snapshot(options.repo)).toEqual(before);
  return error as ExportRefused;
}

/** The hand-written release as found in k8s-backstage-v2 (shape assumed, identity configurable). */
export function handWrittenRelease(spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): string {
  const source = {
    apiVersion: 'source.toolkit.fluxcd.io/v1beta2',
    kind: 'HelmRepository',
    metadata: { name: 'arcade-charts', namespace: 'arcade-staging' },
    spec: { type: 'oci', interval: '1h', url: 'oci://public.ecr.aws/s5i6x9d1/charts' },
  };
  const release = {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'arcade', namespace: 'arcade-staging', ...metadata },
    spec: {
      interval: '10m',
      releaseName: 'arcade',
      chart: {
        spec: { chart: 'arcade', version: '1.8.8', sourceRef: { kind: 'HelmRepository', name: 'arcade-charts' } },
      },
      values: { features: { chatEnabled: false } },
      ...spec,
    },
  };
  return `${stringify(source)}---\n${stringify(release)}`;
}

/**
 * The state an earlier export leaves in `folder` (its files and its ownership record), committed:
 * for tests that must not depend on kubectl to get there.
 */
export async function plantExport(repo: string, source: ExportSource, folder = 'apps/arcade'): Promise<void> {
  const files: Record<string, string> = Object.fromEntries(source.files.map((f) => [`${folder}/${f.path}`, f.content]));
  files[`${folder}/${OWNERSHIP_FILE}`] = formatOwnership({
    generatedBy: 'arcade-stack',
    environment: source.env,
    sourceCommit: source.sourceCommit,
    sourceDirty: false,
    files: Object.fromEntries(source.files.map((f) => [f.path, sha256(f.content)])),
  });
  await commitFiles(repo, files, 'arcade-stack: export');
}

/** A random 40-hex source commit id. */
export function fakeCommit(): string {
  return randomBytes(20).toString('hex');
}

/**
 * The staging fixture with every value resolved (the fixture leaves two unresolved on purpose),
 * optionally switched to bundled datastores (the live state).
 */
export function stagingEnvironment(
  mode: 'bundled' | 'managed',
  options: { keepUnresolved?: boolean } = {},
): Environment {
  const key = JSON.stringify([mode, options.keepUnresolved ?? false]);
  const known = environments.get(key) ?? stagingVariant(mode, options);
  environments.set(key, known);
  return structuredClone(known);
}

/** stagingEnvironment's results by variant: the fixture file is read and validated once per variant, not once per export. */
const environments = new Map<string, Environment>();

function stagingVariant(mode: 'bundled' | 'managed', options: { keepUnresolved?: boolean }): Environment {
  const fixture = fixtureEnvironment('staging');
  const env: Environment = options.keepUnresolved
    ? fixture
    : { ...fixture, oidc: { ...fixture.oidc, clientId: 'staging-client-id' } };
  const secrets = env.secrets;
  if (secrets?.provider !== 'external-secrets') throw new Error('the staging fixture uses external-secrets');
  // Bundled: the chart's own datastores; the release still reads the LLM key (SECRETS_BY_MODE).
  if (mode === 'bundled')
    return { ...env, datastores: { mode: 'bundled' }, secrets: { ...secrets, values: { llm: secrets.values.llm } } };
  if (options.keepUnresolved || !secrets.values.redis) return env;
  return {
    ...env,
    secrets: {
      ...secrets,
      values: {
        ...secrets.values,
        redis: { ...secrets.values.redis, tls: { remoteKey: 'arcade/staging/redis', property: 'tls' } },
      },
    },
  };
}

/** Synth output by environment: synthesis is deterministic, and the tests export the same few environments dozens of times. */
const synthesized = new Map<string, ReturnType<typeof synthEnvironment>>();

/** An export source synthesized in memory from an environment. */
export function sourceOf(env: Environment, sourceCommit = fakeCommit()): ExportSource {
  const key = JSON.stringify(env);
  const out = synthesized.get(key) ?? synthEnvironment(env);
  synthesized.set(key, out);
  return {
    env: env.name,
    files: folderFiles(out),
    unresolved: [...out.unresolved],
    datastores: env.datastores.mode,
    sourceCommit,
    sourceDirty: false,
  };
}

/**
 * The release-identity decision exportEnvironment takes for a folder kustomize builds unchanged
 * (plain files, no built view): compareIdentity on the releases and objects of `before` (the
 * folder's files, paths relative to apps/arcade) and `after` (the exported files).
 */
export function identityDecision(
  before: readonly { path: string; content: string }[],
  after: readonly { path: string; content: string }[],
  envFile: string,
  allowReinstall: boolean,
): ReturnType<typeof compareIdentity> {
  const was = indexObjects(before);
  const will = indexObjects(after);
  return compareIdentity({
    beforeReleases: releasesOf(was),
    afterReleases: releasesOf(will),
    allBefore: [...was.values()].map((l) => l.object),
    allAfter: [...will.values()].map((l) => l.object),
    folder: 'apps/arcade',
    envFile,
    allowReinstall,
  });
}
