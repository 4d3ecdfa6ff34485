/**
 * Where ./build-cache.ts keeps its builds, by their memory key (build-cache.ts buildKey): in
 * memory for the process, asked first (at most MAX_BUILDS, the oldest dropped), and, opt-in, on
 * disk, so that another process, or a later run, building exactly the same inputs with exactly the
 * same kubectl is answered without running it: only when ARCADE_KUSTOMIZE_CACHE names a folder
 * (an empty value is unset). Opt-in because the folder holds rendered manifests (below) and a
 * place for them is the user's choice; the test suite sets it (test/support/setup.ts). Callers
 * always get copies. Only a build that succeeded is kept (a failed or interrupted one throws).
 *
 * A disk entry's key (diskEntry) is the sha256 of
 * - the memory key (the files the build can read, the build root and whether it exists, the
 *   transforms, the kubectl as named);
 * - the kubectl's identity, as ccache's default compiler check: the file the name resolves to (a
 *   name without `/` looked up on PATH as the spawn does it, the first executable regular file;
 *   a path as is, from the working folder), its realpath, size and mtime. A kubectl that cannot
 *   be resolved: no disk caching for that build (it then fails as it does without the folder);
 * - the code that turns a tree into objects: this file, ./build-cache.ts and ./kustomize.ts
 *   (which writes the root kustomization and reads kubectl's output), so a change to any of them
 *   is never answered from the builds of the code before it (a developer's warm test run). Where
 *   they cannot be read (a one-file bundle), nothing is kept on disk, and the process says so once.
 *   Not in the key: the yaml package that reads kubectl's output (docs/delivery.md: clear the
 *   folder after upgrading packages), nor a kubectl upgraded behind a shim (the shim is the file).
 * The identity is read again after the build: a kubectl replaced while it ran writes nothing.
 *
 * An entry is `<key>.json` (the key and the objects), written to a temporary file in the folder
 * and renamed (src/core/atomic-write.ts): a reader sees a whole entry or none. A missing,
 * unreadable or corrupt entry is a miss, and the build replaces it; a folder that cannot be
 * created or written costs the build nothing but one warning line per process. The folder holds
 * at most MAX_ENTRIES entries: after each write, the least recently used beyond it are removed (a
 * hit touches its entry), and so are temporary files an hour old (a writer killed before its
 * rename); only names this code writes (ENTRY_NAME, TEMPORARY_NAME) are ever removed, and one that
 * cannot be is skipped. Entries are rendered manifests of the GitOps tree (a generated Secret
 * included): each is written 0600, a folder this code creates is made 0700, and the folder is to
 * be a folder of its own, never the checkout (docs/delivery.md).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomically } from '../core/atomic-write.js';
import { isRecord } from '../core/is-record.js';
import { onPath } from '../core/on-path.js';
import type { BuiltObject } from './kustomize.js';

/** The environment variable naming the folder. */
export const CACHE_VARIABLE = 'ARCADE_KUSTOMIZE_CACHE';

/** The most entries the folder keeps (docs/delivery.md). */
export const MAX_ENTRIES = 256;

/** Builds by memory key, oldest first; each a copy no caller holds. */
const builds = new Map<string, BuiltObject[]>();
const MAX_BUILDS = 64;

function remember(digest: string, built: BuiltObject[]): void {
  if (builds.size >= MAX_BUILDS) builds.delete(builds.keys().next().value as string);
  builds.set(digest, built);
}

/**
 * The build kept by `digest` (run with `kubectl`), a copy: from memory, else from its disk entry
 * (then kept in memory too); and `keep`, which keeps a build of it that succeeded (in memory,
 * and in its disk entry when there is one).
 */
export function lookUp(
  digest: string,
  kubectl: string,
): { readonly kept?: BuiltObject[]; readonly keep: (built: readonly BuiltObject[]) => void } {
  const inMemory = builds.get(digest);
  if (inMemory) return { kept: structuredClone(inMemory), keep: () => {} };
  const entry = diskEntry(digest, kubectl);
  const stored = entry && readEntry(entry);
  if (stored) {
    remember(digest, stored);
    return { kept: structuredClone(stored), keep: () => {} };
  }
  return {
    keep: (built) => {
      remember(digest, structuredClone(built) as BuiltObject[]);
      if (entry) writeEntry(entry, built);
    },
  };
}

/** A temporary file this old is a writer's that was killed before its rename. */
const STALE_TEMPORARY_MS = 60 * 60 * 1000;

/** Where one build is kept on disk, and the kubectl identity it was keyed with. */
interface DiskEntry {
  readonly folder: string;
  readonly file: string;
  readonly key: string;
  readonly kubectl: string;
  readonly identity: string;
}

/**
 * The entry of the build whose memory key is `memoryKey`, run with `kubectl`; undefined when
 * ARCADE_KUSTOMIZE_CACHE is unset or empty, or when the kubectl or the code cannot be identified.
 */
function diskEntry(memoryKey: string, kubectl: string): DiskEntry | undefined {
  const setting = process.env[CACHE_VARIABLE];
  if (!setting) return undefined;
  const code = codeDigest();
  const identity = code === undefined ? undefined : kubectlIdentity(kubectl);
  if (identity === undefined || code === undefined) return undefined;
  const key = createHash('sha256')
    .update(['arcade-kustomize-cache 1', memoryKey, identity, code].join('\0'))
    .digest('hex');
  const folder = resolve(setting);
  return { folder, file: join(folder, `${key}.json`), key, kubectl, identity };
}

/** The objects kept in `entry`, or undefined (a miss) when it is missing, unreadable or not a whole entry. */
function readEntry(entry: DiskEntry): BuiltObject[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(entry.file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || parsed.key !== entry.key || !Array.isArray(parsed.objects)) return undefined;
  const objects: unknown[] = parsed.objects;
  const whole = objects.every(
    (o) => isRecord(o) && isRecord(o.object) && (o.origin === undefined || typeof o.origin === 'string'),
  );
  if (!whole) return undefined;
  try {
    const now = new Date();
    utimesSync(entry.file, now, now); // used: the last to be pruned
  } catch {
    // Removed since (another process pruned it): the objects read are whole all the same.
  }
  return objects as BuiltObject[];
}

const unwritable = new Set<string>();
let warned = false;

/**
 * Keeps `built` in `entry` (atomically), unless the kubectl changed while it ran; then prunes the
 * folder. A folder that cannot be created or written: one warning line per process, no error.
 */
function writeEntry(entry: DiskEntry, built: readonly BuiltObject[]): void {
  if (unwritable.has(entry.folder) || !survivesJson(built) || kubectlIdentity(entry.kubectl) !== entry.identity) return;
  try {
    mkdirSync(entry.folder, { recursive: true, mode: 0o700 });
    writeFileAtomically(entry.file, JSON.stringify({ key: entry.key, objects: built }), { mode: 0o600 });
  } catch (err) {
    unwritable.add(entry.folder);
    if (!warned)
      process.stderr.write(
        `arcade-stack: warning: cannot keep kustomize builds in ${entry.folder} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ` +
          `this process keeps them in memory only (fix: make ${entry.folder} a folder this user may write, or unset ${CACHE_VARIABLE})\n`,
      );
    warned = true;
    return;
  }
  pruneFolder(entry.folder);
}

/**
 * Whether JSON gives `value` back as it is (plain data, finite numbers, no -0), so that an entry
 * holds the same objects as the build; a build holding anything else is kept in memory only.
 */
function survivesJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(survivesJson);
  return (
    isRecord(value) && Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(survivesJson)
  );
}

/** An entry's name, and its temporary file's as writeFileAtomically names it (src/core/atomic-write.ts). */
const ENTRY_NAME = /^[0-9a-f]{64}\.json$/;
const TEMPORARY_NAME = /^\.[0-9a-f]{64}\.json\.[0-9]+\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes the least recently used entries of `folder` beyond `max` (oldest modification time
 * first: a hit touches its entry), and temporary files an hour old: only names this code writes,
 * never another file. Never throws: a name it cannot remove (a folder named like an entry, a
 * sticky folder's file of another user) is skipped.
 */
export function pruneFolder(folder: string, max = MAX_ENTRIES, now = Date.now()): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  const remove = (name: string) => {
    try {
      rmSync(join(folder, name), { force: true });
    } catch {
      // not ours to remove after all: left as it is
    }
  };
  const aged: { name: string; mtime: number }[] = [];
  for (const name of names) {
    const temporary = TEMPORARY_NAME.test(name);
    if (!temporary && !ENTRY_NAME.test(name)) continue;
    let mtime: number;
    try {
      const stat = statSync(join(folder, name));
      if (!stat.isFile()) continue; // named like ours, but a folder or the like: never ours, never counted
      mtime = stat.mtimeMs;
    } catch {
      continue; // removed since
    }
    if (!temporary) aged.push({ name, mtime });
    else if (now - mtime > STALE_TEMPORARY_MS) remove(name);
  }
  aged.sort((a, b) => a.mtime - b.mtime);
  for (const { name } of aged.slice(0, Math.max(0, aged.length - max))) remove(name);
}

/**
 * What names the kubectl `kubectl` runs as: the file it resolves to (on PATH when the name has no
 * `/`, as execFile finds it), its realpath, size and mtime; undefined when it resolves to nothing.
 */
function kubectlIdentity(kubectl: string): string | undefined {
  const file = kubectl.includes('/') ? resolve(kubectl) : onPath(kubectl);
  if (file === undefined) return undefined;
  try {
    const real = realpathSync.native(file);
    const stat = statSync(real, { bigint: true });
    if (!stat.isFile()) return undefined;
    return JSON.stringify([file, real, String(stat.size), String(stat.mtimeNs)]);
  } catch {
    return undefined;
  }
}

/** The files whose code shapes a build, relative to this one. */
const CODE_FILES = ['./build-store.ts', './build-cache.ts', './kustomize.ts'];
let code: string | null | undefined;

/**
 * sha256 of CODE_FILES, read once per process; undefined when one cannot be read, which the
 * process is told once (ARCADE_KUSTOMIZE_CACHE is set, and nothing will be kept).
 */
function codeDigest(): string | undefined {
  if (code === undefined) {
    try {
      const hash = createHash('sha256');
      for (const f of CODE_FILES) hash.update(readFileSync(fileURLToPath(new URL(f, import.meta.url))));
      code = hash.digest('hex');
    } catch (err) {
      code = null;
      // Where the code was looked for, told as well as it can be (a bundle may have no file URL).
      let beside = String(import.meta.url);
      try {
        beside = fileURLToPath(import.meta.url);
      } catch {
        // not a file URL: told as it is
      }
      process.stderr.write(
        `arcade-stack: warning: ${CACHE_VARIABLE} is set, but no kustomize build is kept on disk: the code that ` +
          `shapes a build (${CODE_FILES.join(', ')}) cannot be read beside ${beside} ` +
          `(${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; a one-file bundle or a compiled tree): ` +
          `builds still run, and are kept in memory only (fix: run from the source tree, or unset ${CACHE_VARIABLE})\n`,
      );
    }
  }
  return code ?? undefined;
}
