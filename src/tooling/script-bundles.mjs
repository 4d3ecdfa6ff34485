// Where the bundles of the scripts live and which one is current: what `npm run <name>`'s plain-node
// launcher (launch.mjs) reads before it runs scripts/<name>.ts from its bundle, and what the builder
// (script-bundle.ts) writes. Plain JavaScript (types in script-bundles.d.mts) so node runs it
// without tsx; the up-to-date rule itself is build-record.mjs's, the one shared by every bundle.
//
// Each script has a folder `.build/scripts/<name>/`: one subfolder per build (a generation, named
// `<pid of the builder>-<random>`, holding the entry `<name>.mjs` and its chunks) and the record
// `bundle.built-from.json`, which names the current generation's entry. A build writes into a
// generation of its own, then replaces the record by a rename: a run reads the old record or the
// new, and whichever generation it names is whole. Two processes building at once each write their
// own generation; the last record written wins.
//
// Old generations are removed after each build (pruneGenerations), except one that a living
// process still uses: its builder (the pid in its name) while it builds, or a run started from it
// (a `.running-<pid>` file, written before the run imports the entry and removed when it exits),
// whose chunks may be imported long after it started (probe's `--otlp` chunk at the end of a
// `--wait 600` run).
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentBundle, settingsKey } from './build-record.mjs';

/** The repository the scripts are in. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const RUNNING = '.running-';

/**
 * The folder of the bundles of scripts/<name>.ts.
 * @param {string} name
 */
export function scriptBundleFolder(name) {
  return join(ROOT, '.build', 'scripts', name);
}

/**
 * The record naming the current bundle in `folder`.
 * @param {string} folder
 */
export function scriptRecordFile(folder) {
  return join(folder, 'bundle.built-from.json');
}

/**
 * The key of a script bundle's settings (build-record.mjs): its entry, the esbuild version, the
 * builders' sources (script-bundle.ts, bundle.ts), tsconfig.json and package.json.
 * @param {string} entry
 */
export function scriptBundleKey(entry) {
  const ours = createRequire(join(ROOT, 'package.json'));
  return settingsKey({ entry, kind: 'script' }, [
    ours.resolve('esbuild/package.json'),
    join(ROOT, 'src', 'tooling', 'script-bundle.ts'),
    join(ROOT, 'src', 'tooling', 'bundle.ts'),
    join(ROOT, 'tsconfig.json'),
    join(ROOT, 'package.json'),
  ]);
}

/**
 * The entry of the current bundle in `folder`, when it was built with `key` from files that are
 * all unchanged; undefined when it must be built.
 * @param {string} folder
 * @param {string} key
 */
export function currentScriptBundle(folder, key) {
  return currentBundle(scriptRecordFile(folder), key);
}

/**
 * Marks the generation `dir` as used by this process until it exits, so no build prunes it. A
 * folder that cannot be written is left unmarked (nothing can prune it either).
 * @param {string} dir
 */
export function useGeneration(dir) {
  const mark = join(dir, `${RUNNING}${process.pid}`);
  try {
    writeFileSync(mark, '');
  } catch {
    return;
  }
  process.on('exit', () => rmSync(mark, { force: true }));
}

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM'; // another user's: alive
  }
}

/**
 * Whether a living process uses the generation `dir` (its builder, or a run's mark); the marks
 * of processes that are gone are removed.
 * @param {string} dir
 */
function inUse(dir) {
  const builder = Number.parseInt(dir.slice(dir.lastIndexOf('/') + 1), 10);
  let used = Number.isSafeInteger(builder) && builder > 0 && alive(builder);
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(RUNNING)) continue;
    if (alive(Number(name.slice(RUNNING.length)))) used = true;
    else rmSync(join(dir, name), { force: true });
  }
  return used;
}

/**
 * Removes every generation in `folder` but the one the record names that no living process uses
 * (see above). Returns the generations removed.
 * @param {string} folder
 * @returns {string[]}
 */
export function pruneGenerations(folder) {
  let current;
  try {
    current = dirname(JSON.parse(readFileSync(scriptRecordFile(folder), 'utf8')).entry);
  } catch {
    return []; // no record to go by: remove nothing
  }
  const removed = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const dir = join(folder, entry.name);
    if (!entry.isDirectory() || dir === current || inUse(dir)) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
