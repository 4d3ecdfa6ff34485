/**
 * Reading one environment file: src/environments/load.ts reads every file through it, so each
 * command that loads environments (synth, check, check-values, diff, drift, probe, seal, export,
 * bundle --env) words an unreadable file the same way.
 */
import { lstatSync, readFileSync } from 'node:fs';

/** Why an environment file could not be read, in words, and the fix, by the error code. */
const UNREADABLE: Readonly<Record<string, string>> = {
  ENOENT: 'is a symbolic link to nothing (fix: point the link at an environment file, or remove it)',
  ELOOP: 'is a loop of symbolic links (fix: point the link at an environment file, or remove it)',
  EISDIR: 'is a folder, not a file (fix: move the folder out of the environments folder, or rename it)',
  EACCES: 'may not be read by this user (fix: grant read permission on it, or on the folders on its way)',
};

/**
 * The text of an environment file, or its problem when it cannot be read: a file of the
 * environments folder is configuration (exit 2, one line naming it and the fix), for every command
 * that loads environments; any other failure is a bug and keeps its trace.
 */
export function readEnvironmentFile(file: string, shown: string): string | { problem: string } {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const why = code === 'ENOENT' ? missing(file) : UNREADABLE[code];
    if (why === undefined) throw err;
    return { problem: `${shown}: cannot be read (${code}): it ${why}` };
  }
}

/**
 * Why a listed file was not there when read (ENOENT): a symbolic link whose target is missing, or,
 * when the name itself is gone, a file removed or renamed between the folder's listing and its read
 * (until session 16 that too was called a link to nothing).
 */
function missing(file: string): string {
  try {
    if (lstatSync(file).isSymbolicLink()) return UNREADABLE.ENOENT as string;
  } catch {
    // gone: below
  }
  return (
    'was removed or renamed while the environments were read, after the folder was listed ' +
    '(fix: run the command again once nothing changes the environments folder)'
  );
}
