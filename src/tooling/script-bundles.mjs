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
// (a `.running-<pid>` mark, removed when it exits), whose chunks may be imported long after it
// started (probe's `--otlp` chunk at the end of a `--wait 600` run).
//
// One build per script at a time, across processes (buildOnce): a builder holds the lock
// `build.lock` in the script's folder (its pid, its start time and a token, made whole before it is
// linked into place), and a second launcher of the same stale script waits for it to go, then runs
// the bundle the first one built. A lock whose process is gone (a builder killed; a pid now another
// process's, which started at another time) is taken over: moved aside by a rename (only one
// process can) and removed when it is still the one seen. The wait is bounded (ARCADE_BUNDLE_WAIT
// seconds, default 120), after which the run stops naming the lock and the fix.
import { linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildRecordFile, currentBundle, settingsKey } from './build-record.mjs';
import { alive, running, startTime } from './processes.mjs';
import { REPO_ROOT } from './root.mjs';

const RUNNING = '.running-';

/** The folder of the bundles of scripts/<name>.ts. @param {string} name */
export function scriptBundleFolder(name) {
  return join(REPO_ROOT, '.build', 'scripts', name);
}

/** The record naming the current bundle in `folder`. @param {string} folder */
export function scriptRecordFile(folder) {
  return buildRecordFile(join(folder, 'bundle'));
}

/**
 * The key of a script bundle's settings (build-record.mjs): its entry, the esbuild version, the
 * builders' sources (script-bundle.ts, bundle.ts), tsconfig.json and package.json (settingsKey
 * adds the recorder's: build-record.mjs, build-record-paths.mjs, path-within.mjs).
 * @param {string} entry
 */
export function scriptBundleKey(entry) {
  const ours = createRequire(join(REPO_ROOT, 'package.json'));
  return settingsKey({ entry, kind: 'script' }, [
    ours.resolve('esbuild/package.json'),
    join(REPO_ROOT, 'src', 'tooling', 'script-bundle.ts'),
    join(REPO_ROOT, 'src', 'tooling', 'bundle.ts'),
    join(REPO_ROOT, 'tsconfig.json'),
    join(REPO_ROOT, 'package.json'),
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

/**
 * Whether a living process uses the generation `dir` (its builder, or a run's mark); the marks
 * of processes that are gone are removed.
 * @param {string} dir
 */
function inUse(dir) {
  const builder = Number.parseInt(dir.slice(dir.lastIndexOf('/') + 1), 10);
  let used = running(builder);
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(RUNNING)) continue;
    if (alive(Number(name.slice(RUNNING.length)))) used = true;
    else rmSync(join(dir, name), { force: true });
  }
  return used;
}

/**
 * Removes the generation `dir` unless a living process uses it; whether it did. One that another
 * process prunes at the same time (gone before it is read, ENOENT) or that a run marks while it is
 * removed (ENOTEMPTY) is left to that process.
 * @param {string} dir
 */
export function pruneGeneration(dir) {
  try {
    if (inUse(dir)) return false;
    rmSync(dir, { recursive: true, force: true });
    return true;
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    if (code === 'ENOENT' || code === 'ENOTEMPTY') return false;
    throw err;
  }
}

/** A lock's token file (`build.lock.<pid>-<random>`, tryLock) or one moved aside (removeLock), by its process's id. */
const LOCK_LEFTOVER = /^build\.lock\.(\d+)-[0-9a-f]+$/;

/**
 * Removes every generation in `folder` but the one the record names that no living process uses
 * (see above), and the lock files left by a launcher killed between writing its token and linking
 * it into place (`build.lock.<pid>-<random>`, its process gone). Returns the generations removed.
 * @param {string} folder
 * @returns {string[]}
 */
export function pruneGenerations(folder) {
  const entries = readdirSync(folder, { withFileTypes: true });
  for (const entry of entries) {
    const leftover = LOCK_LEFTOVER.exec(entry.name);
    if (leftover && !entry.isDirectory() && !alive(Number(leftover[1])))
      rmSync(join(folder, entry.name), { force: true });
  }
  let current;
  try {
    current = dirname(JSON.parse(readFileSync(scriptRecordFile(folder), 'utf8')).entry);
  } catch {
    return []; // no record to go by: remove no generation
  }
  const removed = [];
  for (const entry of entries) {
    const dir = join(folder, entry.name);
    if (entry.isDirectory() && dir !== current && pruneGeneration(dir)) removed.push(dir);
  }
  return removed;
}

/** The lock a script's builder holds in `folder`. @param {string} folder */
export function buildLockFile(folder) {
  return join(folder, 'build.lock');
}

/** Raised when another process's build did not end within the wait (ARCADE_BUNDLE_WAIT). */
export class BuildLockTimeout extends Error {
  /** @param {string} lock @param {number} pid @param {number} seconds */
  constructor(lock, pid, seconds) {
    super(
      `gave up after ${seconds} s waiting for process ${pid} to build the bundle (it holds the lock ${lock}) ` +
        `(fix: if process ${pid} is not building it, remove ${lock} and run again; ARCADE_BUNDLE_WAIT=<seconds> waits longer)`,
    );
    this.name = 'BuildLockTimeout';
  }
}

/** @param {string} lock */
function readLock(lock) {
  try {
    return readFileSync(lock, 'utf8');
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Takes the lock when nobody holds it: the token is written whole, then linked into place
 * (atomic, refused when the lock exists). Returns the text it holds, or undefined.
 * @param {string} lock
 */
function tryLock(lock) {
  const text = `${process.pid} ${startTime(process.pid) ?? '-'} ${randomBytes(8).toString('hex')}\n`;
  const mine = `${lock}.${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(mine, text);
  try {
    linkSync(mine, lock);
    return text;
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'EEXIST') return undefined;
    throw err;
  } finally {
    rmSync(mine, { force: true });
  }
}

/**
 * Removes the lock when it still holds `text` (a dead builder's, or this process's own): it is
 * moved aside first (a rename: one process wins), and put back when it turns out to be another.
 * @param {string} lock
 * @param {string} text
 */
function removeLock(lock, text) {
  const aside = `${lock}.${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lock, aside);
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return; // gone already
    throw err;
  }
  try {
    if (readFileSync(aside, 'utf8') !== text) linkSync(aside, lock); // a new holder's: back in place
  } catch (err) {
    // EEXIST: a third process has locked meanwhile; the one moved aside holds the lock no more.
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * Whether the process that wrote the lock text `held` (`<pid> <start time> <token>`; `<pid>
 * <token>` before locks held a start time) still runs.
 * @param {string} held
 */
function holderAlive(held) {
  const [pid = '', start, token] = held.trim().split(' ');
  return running(Number.parseInt(pid, 10), token === undefined || start === '-' ? undefined : start);
}

/**
 * The bundle in `folder`: `current()` when it is up to date, otherwise what `build()` returns,
 * run by one process at a time (the lock above); a process that finds another building waits for
 * that build to end, then uses its bundle (or builds, when it failed).
 * @param {string} folder
 * @param {() => string | undefined} current
 * @param {() => Promise<string>} build
 * @param {number} [waitSeconds]
 * @returns {Promise<string>}
 */
export async function buildOnce(folder, current, build, waitSeconds = lockWait()) {
  mkdirSync(folder, { recursive: true });
  const lock = buildLockFile(folder);
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const bundle = current();
    if (bundle !== undefined) return bundle;
    const mine = tryLock(lock);
    if (mine !== undefined) {
      try {
        return current() ?? (await build());
      } finally {
        removeLock(lock, mine);
      }
    }
    // Another holds it: wait for it to go (or its holder to die), then look again.
    const held = readLock(lock);
    while (held !== undefined) {
      const pid = Number.parseInt(held, 10);
      if (!holderAlive(held)) {
        removeLock(lock, held); // left by a process that is gone
        break;
      }
      if (Date.now() >= deadline) throw new BuildLockTimeout(lock, pid, waitSeconds);
      await sleep(100);
      if (readLock(lock) !== held) break; // released, or taken over
    }
  }
}

/** Raised for an ARCADE_BUNDLE_WAIT that is not a number of seconds (0 or more). */
export class InvalidBundleWait extends Error {
  /** @param {string} text */
  constructor(text) {
    super(
      `ARCADE_BUNDLE_WAIT must be a number of seconds, 0 or more, not ${JSON.stringify(text)} ` +
        '(fix: unset it for the default of 120 s, or set e.g. ARCADE_BUNDLE_WAIT=300)',
    );
    this.name = 'InvalidBundleWait';
  }
}

/**
 * ARCADE_BUNDLE_WAIT: how many seconds a launcher waits for another's build (default 120, when
 * unset or empty); anything but a number of seconds, 0 or more, is refused (InvalidBundleWait).
 * @param {string | undefined} [text]
 * @returns {number}
 */
export function lockWait(text = process.env.ARCADE_BUNDLE_WAIT) {
  if (text === undefined || text === '') return 120;
  const seconds = Number(text);
  if (text.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds;
  throw new InvalidBundleWait(text);
}
