/**
 * The export's target: a clean GitOps checkout and one folder inside it.
 *
 * `--path` is resolved to a real path first (symbolic links followed), and only then checked: it
 * must stay under the checkout's root, must not be the root itself, and must not be or lie under
 * `.git` or any other dot-folder (`.github`, `.flux`...). A path like `.git/refs` would otherwise
 * have manifests written into git's own storage, corrupting the checkout. A `--path` that fails
 * any of these checks, or does not exist, is a usage error (exit 2, as a wrong `--repo` is), not a
 * refusal: nothing was looked at yet.
 */
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  type Stats,
  statSync,
} from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ConfigurationError } from '../core/command-error.js';
import { GitError, gitTry } from '../core/git.js';
import { isWithin } from '../core/path-within.mjs';
import { shellWord } from '../core/shell-word.js';
import { OWNERSHIP_FILE, parseOwnership, type OwnershipRecord } from './ownership.js';
import { ExportRefused } from './refused.js';
import { checkoutStatus, ignoredIn, parseStatus } from './checkout-status.js';

/** The default folder of the release in k8s-backstage-v2. */
export const DEFAULT_PATH = 'apps/arcade';

export interface Target {
  /** Real path of the checkout's root. */
  readonly top: string;
  /** Real path of the folder. */
  readonly folder: string;
  /** The folder relative to the root, with `/` separators (e.g. `apps/arcade`). */
  readonly folderInRepo: string;
  /**
   * Every file in the folder, path relative to the folder → text: the ownership record and the
   * files git ignores excluded (those are `ignored`).
   */
  readonly files: ReadonlyMap<string, string>;
  /** The folder's files git ignores (never committed: see export-folder.ts ignoredRefusals), relative to it, sorted. */
  readonly ignored: readonly string[];
  readonly record?: OwnershipRecord;
  /** The checked-out branch ('HEAD' when detached). */
  readonly head?: string;
  /** The commit HEAD names (`git status`'s branch.oid): the export commit's parent; absent before the first commit. */
  readonly headCommit?: string;
  /**
   * Whether `refs/heads/<branch>` exists, for the branch openTarget was given: asked by the git
   * that printed the root, or the `asked` answer for that same branch; absent when no branch was
   * given, or the root was `asked` without an answer for it.
   */
  readonly branchExists?: boolean;
}

/** Files under `dir`, relative to `root`, `/`-separated, sorted; `.git` is never entered. */
export function listFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.git') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(root, full));
    else if (entry.isFile()) out.push(relative(root, full).split(sep).join('/'));
  }
  return out.sort();
}

/** What a path that is neither a file, a folder nor a link is, in words. */
function special(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO (a named pipe)';
  if (stat.isSocket()) return 'a socket';
  return stat.isBlockDevice() ? 'a block device' : 'a character device';
}

/**
 * The refusals for what stands on the way to the plan's paths (relative to `folderInRepo`, the
 * real folder: no link lies between the root and it), each naming the path and the fix, checked
 * before anything is built or written (by the export, before its preview builds):
 * - a folder between the folder and a written or removed path that is a symbolic link: the export
 *   would write, or remove, through it, possibly outside the checkout (one refusal per link);
 * - a regular file where a written path needs a folder (`base` for `base/extra.yaml`), or a folder
 *   at a written path: neither the preview's copy nor the folder can take the write (it failed on
 *   a raw mkdir, or a file written over a folder). A file the plan removes is no obstacle: it goes first.
 * A link at a path itself is no refusal: the export replaces it with the file (or removes the
 * link), as git records it (docs/delivery.md). The ownership record (OWNERSHIP_FILE), which every
 * export writes, is checked as a written path.
 */
export function blockedOnTheWay(
  top: string,
  folderInRepo: string,
  writes: Iterable<string>,
  removes: readonly string[],
): string[] {
  const blocked = new Map<string, string>();
  const removed = new Set(removes);
  const fix = 'commit that, and export again)';
  const check = (path: string, written: boolean) => {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const inFolder = parts.slice(0, i).join('/');
      const on = `${folderInRepo}/${inFolder}`;
      const stat = lstatSync(join(top, on), { throwIfNoEntry: false });
      if (stat === undefined) break; // the export creates the folders from here on
      const last = i === parts.length;
      if (last) {
        if (written && stat.isDirectory() && !blocked.has(on))
          blocked.set(
            on,
            `${on} is a folder where the export writes a file (fix: move what the folder holds elsewhere (git mv), ${fix}`,
          );
        // A FIFO would hold the export until something read it (a socket or a device fails the write midway).
        else if (written && !stat.isFile() && !stat.isDirectory() && !stat.isSymbolicLink() && !blocked.has(on))
          blocked.set(
            on,
            `${on} is ${special(stat)}, not a file, where the export writes a file: writing it would ` +
              `${stat.isFIFO() ? 'wait until something reads it' : 'fail midway'} ` +
              `(fix: remove it (rm ${shellWord(join(top, on))}): git holds no such thing; then export again)`,
          );
        break;
      }
      if (stat.isSymbolicLink()) {
        if (!blocked.has(on))
          blocked.set(
            on,
            `${on} is a symbolic link (to ${readlinkSync(join(top, on))}, on the way to ${folderInRepo}/${path}): ` +
              'the export would write through it, possibly outside the checkout (fix: replace the link with a ' +
              `folder holding its files, ${fix}`,
          );
        break;
      }
      if (!stat.isDirectory()) {
        if (written && !removed.has(inFolder) && !blocked.has(on))
          blocked.set(
            on,
            `${on} is a file where the export needs a folder, on the way to ${folderInRepo}/${path} (fix: ` +
              `rename or remove the file (git mv, git rm), ${fix}`,
          );
        break;
      }
    }
  };
  for (const path of [...writes, OWNERSHIP_FILE]) check(path, true);
  for (const path of removes) check(path, false);
  return [...blocked.values()];
}

/**
 * Where `--path` really points, checked: under the checkout, not its root, outside `.git` and
 * every dot-folder. Returns the real folder and its path relative to the root.
 */
export function resolveFolder(top: string, repo: string, path: string): { folder: string; folderInRepo: string } {
  const requested = resolve(repo, path);
  if (!existsSync(requested) || !statSync(requested).isDirectory()) {
    throw new ConfigurationError(
      `--path ${path}: ${requested} does not exist or is not a folder (fix: check the spelling; for a new folder, create it in its own commit first)`,
    );
  }
  const folder = realpathSync.native(requested);
  const inRepo = relative(top, folder);
  if (inRepo === '') {
    throw new ConfigurationError(
      `--path ${path}: resolves to the checkout's root ${top}: the export writes a folder of its ` +
        `own (fix: give the release's folder, e.g. --path ${DEFAULT_PATH})`,
    );
  }
  if (!isWithin(top, folder)) {
    throw new ConfigurationError(
      `--path ${path}: resolves to ${folder}, outside the checkout ${top} (fix: give a folder ` +
        `inside the checkout, relative to it, e.g. --path ${DEFAULT_PATH})`,
    );
  }
  const parts = inRepo.split(sep);
  const dot = parts.find((p) => p.startsWith('.'));
  if (dot !== undefined) {
    throw new ConfigurationError(
      `--path ${path}: resolves to ${parts.join('/')}, ` +
        (dot === '.git'
          ? "inside git's own storage (.git): manifests written there would corrupt the checkout"
          : `inside the dot-folder ${dot}: manifests written there would not be applied by Flux as an app`) +
        ` (fix: give the release's folder, e.g. --path ${DEFAULT_PATH})`,
    );
  }
  return { folder, folderInRepo: parts.join('/') };
}

/**
 * What {@link openTarget} asks git about the checkout before it reads the folder, handed over by
 * a caller that asked already (publish checks the branch before the export runs): the same
 * questions are not asked twice in one run.
 */
export interface CheckoutState {
  /** The checkout's root as `git rev-parse --show-toplevel` printed it. */
  readonly top: string;
  /** Its checkoutStatus (./checkout-status.ts). */
  readonly status: string;
  /**
   * Whether `refs/heads/<name>` exists, when the caller asked it with the root
   * ({@link checkoutRoot}); used only for that very branch. @default asked by the export (one more
   * git) when it commits
   */
  readonly branch?: { readonly name: string; readonly exists: boolean };
}

/**
 * The root of the checkout at `repo` (undefined outside one, and when `repo` is not a folder), and
 * with `branch` whether `refs/heads/<branch>` exists, asked by one git: `rev-parse --show-toplevel
 * --verify --quiet refs/heads/<branch>` prints the root, then the branch's commit, or nothing more
 * and exits 1 when there is no such branch; outside a checkout (or in a bare repository) it prints
 * nothing and exits 128. A git that did not exit by itself (killed at its timeout or by a signal, or one that
 * could not start) is a GitError saying how it ended and the fix, never an answer: neither "no
 * checkout" nor "no such branch".
 */
export async function checkoutRoot(
  repo: string,
  branch?: string,
): Promise<{ readonly root?: string; readonly branchExists?: boolean }> {
  // A path that is no folder is no checkout; git could not even start there (a file: execFile throws ENOTDIR).
  if (!statSync(repo, { throwIfNoEntry: false })?.isDirectory()) return {};
  const verify = branch === undefined ? [] : ['--verify', '--quiet', `refs/heads/${branch}`];
  const run = await gitTry(repo, ['rev-parse', '--show-toplevel', ...verify]);
  if (run.exitCode === undefined) throw new GitError(run.failure);
  const printed = run.stdout.trim();
  if (branch === undefined) return run.ok && printed !== '' ? { root: printed } : {};
  // With --verify, the branch's commit is the last line when it exists: the root is what comes before it.
  const root = run.ok ? printed.slice(0, Math.max(printed.lastIndexOf('\n'), 0)).trim() : printed;
  if (root === '') return {};
  if (run.ok) return { root, branchExists: true };
  // No such branch: exit 1 with the root alone printed. Any other end is no answer.
  if (run.exitCode === 1 && !printed.includes('\n')) return { root, branchExists: false };
  throw new GitError(run.failure);
}

/**
 * Opens the checkout (`repoOption`, relative to `cwd`) and the folder: every check runs before
 * anything is read or written. `asked`: the root and status a caller read already (and whether
 * the branch exists, when it asked that too). `branch` (an export that commits): whether
 * `refs/heads/<branch>` exists is asked by the same git as the root ({@link checkoutRoot}),
 * unless the root was `asked`.
 */
export async function openTarget(
  repoOption: string,
  pathOption: string = DEFAULT_PATH,
  cwd: string = process.cwd(),
  asked?: CheckoutState,
  branch?: string,
): Promise<Target> {
  const repo = resolve(cwd, repoOption);
  if (!existsSync(repo))
    throw new ConfigurationError(
      `--repo ${repoOption}: does not exist (fix: give the path of your k8s-backstage-v2 checkout)`,
    );
  const { root, branchExists } = asked
    ? {
        root: asked.top,
        branchExists: branch !== undefined && asked.branch?.name === branch ? asked.branch.exists : undefined,
      }
    : await checkoutRoot(repo, branch);
  if (root === undefined || root === '')
    throw new ConfigurationError(
      `--repo ${repoOption}: not a git checkout (fix: clone k8s-backstage-v2 and point --repo at it)`,
    );
  const top = realpathSync.native(root);
  const { folder, folderInRepo } = resolveFolder(top, repo, pathOption);
  // One git for the branch, the changes and the ignored files (what `rev-parse --abbrev-ref HEAD` and a v1 status took two for).
  const status = parseStatus(asked?.status ?? (await checkoutStatus(top)));
  const dirty = status.paths;
  if (dirty.length > 0) {
    throw new ExportRefused([
      `--repo ${repoOption}: the checkout has uncommitted changes (${dirty.length} path(s), e.g. ` +
        `${dirty[0]}) (fix: commit or stash them in that checkout first)`,
    ]);
  }
  const listed = listFiles(folder);
  const ignored = ignoredIn(listed, folderInRepo, status.ignored);
  const files = new Map<string, string>();
  for (const f of listed) if (!ignored.includes(f)) files.set(f, readFileSync(join(folder, f), 'utf8'));
  const recordText = files.get(OWNERSHIP_FILE);
  files.delete(OWNERSHIP_FILE);
  const record = recordText === undefined ? undefined : parseOwnership(recordText, `${folderInRepo}/${OWNERSHIP_FILE}`);
  return {
    top,
    folder,
    folderInRepo,
    files,
    ignored,
    ...(status.head !== undefined ? { head: status.head } : {}),
    ...(status.commit !== undefined ? { headCommit: status.commit } : {}),
    ...(branchExists !== undefined ? { branchExists } : {}),
    record,
  };
}
