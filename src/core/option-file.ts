/**
 * A file a command-line option names, read whole: the certificate of `seal --cert`, the values of
 * `check-values --values`, the gate report of `diff --gate`. Library code (seal, delivery) imports it
 * from here; scripts/ get it through the harness (./script.ts re-exports it).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './command-error.js';

/** The most an option's file is read up to: a certificate, a values file or a gate report is far smaller. */
export const OPTION_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** How a file an option names that could not be opened or read is described. */
function unreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  // A folder opens read-only and is told by readOptionFile's isDirectory() check.
  return code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`;
}

/**
 * Reads a file an option names (relative to `cwd`); one that cannot be read (missing, a folder, a
 * file this user may not read) is a usage error naming the option and `fix`, not a bug. Only a
 * regular file is read: a FIFO (opened without waiting for a writer), a socket or a device
 * (/dev/zero) is refused, and so is a file over OPTION_FILE_MAX_BYTES (counted as it is read).
 */
export function readOptionFile(
  option: string,
  path: string,
  cwd = process.cwd(),
  fix = 'give the path of an existing file',
): string {
  const refusal = (what: string) => new UsageError(`--${option} ${path}: ${what} (fix: ${fix})`);
  let fd: number;
  try {
    fd = openSync(resolve(cwd, path), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw refusal(unreadable(err));
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw refusal('a folder, not a file');
    if (!stat.isFile()) throw refusal('not a regular file');
    const chunks: Buffer[] = [];
    for (let total = 0; ; ) {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) return Buffer.concat(chunks).toString('utf8');
      total += read;
      if (total > OPTION_FILE_MAX_BYTES)
        throw refusal(`larger than ${OPTION_FILE_MAX_BYTES / 1024 / 1024} MiB, the most read`);
      chunks.push(chunk.subarray(0, read));
    }
  } catch (err) {
    throw err instanceof UsageError ? err : refusal(unreadable(err));
  } finally {
    closeSync(fd);
  }
}
