// What npm test's static checks read, as one fingerprint per check, and the record of the checks
// that passed (src/tooling/static-checks.mjs skips a check whose fingerprint is the one recorded).
// docs/benchmarks.md "The static checks, skipped when their inputs passed (session 7, static)"
// says what each tool reads and how that was established (strace of each tool's run).
//
// The inputs of every check, content-hashed (never modification times):
// - every file of the working tree git shows (`git ls-files -co --exclude-standard`: tracked and
//   untracked-not-ignored), path and content, a symbolic link's target text and content;
// - every ignored file except under the root's node_modules/, .build/ and .cache/ (IGNORED_UNREAD):
//   Biome, tsc and dependency-cruiser do not consult .gitignore, so an ignored src/coverage/x.ts is
//   theirs to read; the hash marks which files were ignored, as knip reads only the others;
// - the installed packages, as node_modules/.package-lock.json (npm's record of every installed
//   version), node's version and binary, the variables that change what the tools do
//   (TOOL_VARIABLES), and the check's name, command line and folder.
// Anything that cannot be pinned down this way makes every check run, with the reason printed:
// not the root of a git work tree (a tarball), a nested repository or submodule, a link to a
// folder, no .package-lock.json, another `node` first on PATH than the one running this, a
// node_modules folder outside the repository where module resolution would look (an ancestor's,
// ~/.node_modules, ~/.node_libraries, NODE_PATH).
//
// Plain JavaScript so node starts it without tsx.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';

/** Ignored entries at the root that no check reads as its input (docs/benchmarks.md, session 7, static). */
export const IGNORED_UNREAD = ['node_modules', '.build', '.cache'];

/** Environment variables that change what a tool checks or how node loads it. */
const TOOL_VARIABLES = /^(NODE_OPTIONS|NODE_ENV|(BIOME|KNIP|DEPCRUISE|TSC|TS)_.*)$/;

/** A fingerprint the inputs cannot have: a reason to run every check. */
class Uncertain extends Error {}

/** git in `root`, never pointed elsewhere by GIT_DIR, GIT_WORK_TREE or the like. */
function git(root, args) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_')));
  const r = spawnSync('git', args, {
    cwd: root,
    env,
    encoding: 'buffer',
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0)
    throw new Uncertain(`git ${args[0]} failed: ${(r.stderr ?? '').toString().trim() || r.error?.message}`);
  return r.stdout;
}

const nulList = (buffer) => buffer.toString('utf8').split('\0').filter(Boolean);

/** Feeds one file's kind and content to `hash`, as a tool opening `path` would read it. */
function hashFile(hash, root, path) {
  const full = join(root, path);
  let stat;
  try {
    stat = lstatSync(full);
  } catch (err) {
    if (err?.code !== 'ENOENT') throw new Uncertain(`cannot read ${path}: ${err.message}`);
    hash.update('missing\0');
    return;
  }
  if (stat.isSymbolicLink()) {
    hash.update(`link\0${readlinkSync(full)}\0`);
    let target;
    try {
      target = statSync(full);
    } catch {
      hash.update('dangling\0');
      return;
    }
    if (!target.isFile()) throw new Uncertain(`${path} is a link to a folder (a tool may read what is behind it)`);
  } else if (!stat.isFile()) {
    throw new Uncertain(`${path} is not a file (a nested repository or a submodule?)`);
  }
  const content = readFileSync(full);
  hash.update(`file\0${content.length}\0`);
  hash.update(content);
}

/** Every file under an ignored entry (a file, or a folder walked whole), relative to `root`, sorted. */
function ignoredFiles(root, entry) {
  const full = join(root, entry);
  if (!lstatSync(full, { throwIfNoEntry: false })?.isDirectory()) return [entry.replace(/\/$/, '')];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** The first executable `node` on PATH, as the tools' `#!/usr/bin/env node` finds it. */
function nodeOnPath(env) {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, 'node'), constants.X_OK);
      return realpathSync.native(join(dir, 'node'));
    } catch {}
  }
  return undefined;
}

/** Module folders outside the repository that node's resolution (and the tools') would look in. */
function outsideModuleFolders(root, env) {
  const folders = [];
  for (let dir = dirname(root); ; dir = dirname(dir)) {
    folders.push(join(dir, 'node_modules'));
    if (dirname(dir) === dir) break;
  }
  folders.push(join(env.HOME ?? homedir(), '.node_modules'), join(env.HOME ?? homedir(), '.node_libraries'));
  return folders.filter((f) => {
    try {
      lstatSync(f);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The fingerprint of what every check in `root` reads, or why there is none.
 * @returns {{ hash: string } | { uncertain: string }}
 */
export function treeInputs(root, env = process.env) {
  try {
    // git finds the repository from `root` up: with .git in `root`, `root` is the work tree's top
    if (!lstatSync(join(root, '.git'), { throwIfNoEntry: false }))
      throw new Uncertain(`${root} is not the root of a git work tree (no .git there)`);
    const hash = createHash('sha256');
    const visible = [...new Set(nulList(git(root, ['ls-files', '-z', '-c', '-o', '--exclude-standard'])))].sort();
    for (const path of visible) {
      if (path.endsWith('/')) throw new Uncertain(`${path} is a nested git repository`);
      hash.update(`visible\0${path}\0`);
      hashFile(hash, root, path);
    }
    const ignored = nulList(git(root, ['ls-files', '-z', '-o', '-i', '--exclude-standard', '--directory']))
      .filter((entry) => !IGNORED_UNREAD.includes(entry.replace(/\/$/, '')))
      .sort();
    for (const path of ignored.flatMap((entry) => ignoredFiles(root, entry))) {
      hash.update(`ignored\0${path}\0`);
      hashFile(hash, root, path);
    }
    let lock;
    try {
      lock = readFileSync(join(root, 'node_modules', '.package-lock.json'));
    } catch {
      throw new Uncertain('no node_modules/.package-lock.json (which package versions are installed is unknown)');
    }
    hash.update(`packages\0${lock.length}\0`).update(lock);
    const onPath = nodeOnPath(env);
    if (onPath !== realpathSync.native(process.execPath))
      throw new Uncertain(
        `the node on PATH (${onPath ?? 'none'}) is not the one running the checks (${process.execPath})`,
      );
    if (env.NODE_PATH) throw new Uncertain('NODE_PATH is set (modules outside the repository)');
    const outside = outsideModuleFolders(root, env);
    if (outside.length > 0) throw new Uncertain(`module folders outside the repository: ${outside.join(', ')}`);
    const variables = Object.keys(env)
      .filter((name) => TOOL_VARIABLES.test(name))
      .sort()
      .map((name) => [name, env[name]]);
    hash.update(JSON.stringify({ node: process.version, execPath: onPath, arch: process.arch, variables }));
    return { hash: hash.digest('hex') };
  } catch (err) {
    if (err instanceof Uncertain) return { uncertain: err.message };
    throw err;
  }
}

/** One check's fingerprint: the tree's, with the check's name, command line and folder. */
export function checkInputs(tree, check, cwd) {
  return createHash('sha256')
    .update(JSON.stringify([tree, check.name, check.command, cwd]))
    .digest('hex');
}

/**
 * The record of the checks that passed: `{ version: 1, checks: { <name>: { inputs, passedAt } } }`.
 * A missing, unreadable or other-version record is an empty one (every check runs).
 */
export function readRecord(file) {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8'));
    if (record?.version === 1 && record.checks && typeof record.checks === 'object') return record;
  } catch {}
  return { version: 1, checks: {} };
}

/** Adds each passed check's inputs to the record in `file` (read again now: another run may have written it). */
export function recordPassed(file, passed) {
  const record = readRecord(file);
  const passedAt = new Date().toISOString();
  for (const { name, inputs } of passed) record.checks[name] = { inputs, passedAt };
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(temporary, file);
}
