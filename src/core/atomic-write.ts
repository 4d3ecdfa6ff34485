/**
 * Replacing a file so that a reader sees the old content or the new, never half of it: the text goes
 * to a temporary file in the same folder (same file system, so the rename is atomic), which is then
 * renamed over the file. A failed write removes the temporary file and leaves the old one intact.
 * Used by `npm run seal` (the environment file), the probe reports, the runner bundle and the
 * kustomize builds kept on disk.
 *
 * A file with more than one hard link: the rename replaces the one name written; every other name
 * keeps the old bytes (the rename makes a new file). Decided per command (tests pin each):
 * - reports (`check --json`, probe's reports, `diff --markdown/--comment`, `bench --json`:
 *   ./output-target.ts), `bundle --out` and `synth --out` (whose folder is swapped,
 *   ../tooling/swap-dir.ts): the name given gets the new output, as `git`, `rsync` and compilers
 *   do. A second name of an output is most likely a snapshot (`cp -al`, `rsync --link-dest`, a
 *   release folder keeping the last good bundle) that must keep what it held; writing through
 *   would change it and lose the never-half-written write.
 * - `npm run seal`: refused before anything is fetched (../seal/environment-file.ts
 *   refuseHardLinks, docs/secrets.md): the other name of an environment file would keep the values
 *   unsealed after seal said it sealed them.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces (or creates) `file` with `contents` atomically. An existing file keeps its permission
 * bits; a new one gets the process's default (0666 less the umask). With `options.mode`, the file
 * gets that mode (less the umask) whether it existed or not, and so does its temporary file from
 * the start (src/delivery/build-store.ts: entries that may hold a Secret, 0600). `file` must not be
 * a link: resolve it first when the link is to stay (./output-target.ts `outputTarget`). The
 * temporary file is `.<name>.<pid>.<8 hex>.tmp` beside it (build-store.ts prunes by that shape),
 * created with `wx` (never through a file or link already there). `options.beforeRename` runs once
 * it is written, right before the rename; what it throws ends the write (the temporary file is
 * removed by its path: if the folder was swapped for a link since, that removal misses it and it
 * stays in the folder moved aside): the CRD cache checks there that the folder is still the one it
 * verified (../check/crd-cache-paths.ts).
 */
export function writeFileAtomically(
  file: string,
  contents: string | Uint8Array,
  options: { mode?: number; beforeRename?: () => void } = {},
): void {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const mode = options.mode ?? statSync(file, { throwIfNoEntry: false })?.mode;
    writeFileSync(temporary, contents, { flag: 'wx', ...(mode !== undefined ? { mode: mode & 0o777 } : {}) });
    options.beforeRename?.();
    renameSync(temporary, file);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}
