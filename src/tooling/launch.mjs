// `npm run <name>` (package.json: `node src/tooling/launch.mjs <name>`): runs scripts/<name>.ts with
// plain node from its bundle (script-bundle.ts), in this process, as `node --import tsx
// scripts/<name>.ts` ran it before without tsx's loader: the same `process.argv` (the script's
// source as argv[1], then its arguments), streams, stdin, working folder, environment, signals and
// exit code; the script itself parses its options and answers --help.
//
// When the bundle is up to date (build-record.mjs, checked here with plain node: the one
// implementation of the rule), node imports its entry: nothing else is loaded. Otherwise it is
// built first (script-bundle.ts, loaded through tsx's API: the build, not the run, pays it), so
// the first run after a change costs the build (README "Every script runs from a bundle"). One
// process builds a script at a time (script-bundles.mjs buildOnce, a lock in its folder): another
// launcher of the same stale script waits for that build, then runs its bundle; the wait is bounded
// (ARCADE_BUNDLE_WAIT), after which it stops with exit 1, naming the lock and the fix.
//
// When .build/ cannot be written (a read-only checkout, a file where the folder should be), the
// script runs from source through tsx, as before, after one warning on stderr naming the folder
// and the fix. A build that fails otherwise (a syntax error esbuild reports above) is exit 1.
//
// Plain JavaScript so node starts it without tsx.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BuildLockTimeout,
  buildOnce,
  currentScriptBundle,
  InvalidBundleWait,
  lockWait,
  scriptBundleFolder,
  scriptBundleKey,
  useGeneration,
} from './script-bundles.mjs';
import { REPO_ROOT } from './root.mjs';

/** Errors of a folder that cannot be written: run from source instead. */
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EDQUOT']);

/**
 * The entry of the bundle of scripts/<name>.ts (`entry`), built first when stale; undefined when
 * it cannot be written (said on stderr): then run the source.
 * @param {string} name
 * @param {string} entry
 * @param {number} wait seconds to wait for another process's build (ARCADE_BUNDLE_WAIT)
 * @returns {Promise<string | undefined>}
 */
async function scriptBundle(name, entry, wait) {
  const folder = scriptBundleFolder(name);
  const key = scriptBundleKey(entry);
  const current = () => currentScriptBundle(folder, key);
  const build = async () => {
    const { tsImport } = await import('tsx/esm/api');
    /** @type {typeof import('./script-bundle.ts')} */
    const { bundleScript } = await tsImport('./script-bundle.ts', import.meta.url);
    return bundleScript(entry, folder);
  };
  try {
    return await buildOnce(folder, current, build, wait);
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code;
    if (code === undefined || !UNWRITABLE.has(code)) throw err;
    process.stderr.write(
      `${name}: warning: cannot write its bundle in ${folder} (${code}); running scripts/${name}.ts from source, ` +
        `which starts slower (fix: make ${join(REPO_ROOT, '.build')} a folder this user may write)\n`,
    );
    return undefined;
  }
}

/** ARCADE_BUNDLE_WAIT's seconds, or the InvalidBundleWait refusing it (exit 2, nothing run). */
function bundleWait() {
  try {
    return lockWait();
  } catch (err) {
    if (err instanceof InvalidBundleWait) return err;
    throw err;
  }
}

const [name = '', ...args] = process.argv.slice(2);
const wait = bundleWait();
const entry = join(REPO_ROOT, 'scripts', `${name}.ts`);
if (!/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(entry)) {
  process.stderr.write(`launch: no script scripts/${name}.ts (usage: node src/tooling/launch.mjs <name> [options])\n`);
  process.exitCode = 2;
} else if (wait instanceof InvalidBundleWait) {
  process.stderr.write(`${name}: ${wait.message}\n`);
  process.exitCode = 2;
} else {
  // What the script's entry check (runCommand) and anything reading the command line see.
  process.argv.splice(1, process.argv.length - 1, entry, ...args);
  let bundle;
  try {
    bundle = await scriptBundle(name, entry, wait);
  } catch (err) {
    if (err instanceof BuildLockTimeout) process.stderr.write(`${name}: ${err.message}\n`);
    // esbuild has printed its errors; anything else is a bug, with its stack.
    else if (err instanceof Error && 'errors' in err)
      process.stderr.write(`${name}: could not bundle scripts/${name}.ts (esbuild's errors above)\n`);
    else throw err;
    process.exitCode = 1;
  }
  if (bundle !== undefined) {
    useGeneration(dirname(bundle));
    await import(pathToFileURL(bundle).href);
  } else if (process.exitCode === undefined) {
    const { register } = await import('tsx/esm/api');
    register();
    await import(pathToFileURL(entry).href);
  }
}
