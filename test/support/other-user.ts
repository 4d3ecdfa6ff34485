/**
 * The user an EACCES test runs its node as. Root reads every file and searches every folder, so a
 * test that must meet EACCES runs its node as nobody (uid and gid 65534) when it runs as root, and as
 * itself otherwise. As nobody, that node must start (the node binary and the folders on its way,
 * such as a node installed under /root, mode 0700, are not nobody's) and must read what the test
 * hands it (a module of this checkout, the script it runs): where it cannot, the test would fail on
 * something else than the EACCES it is about (`Cannot find module`, a spawn's EACCES, an empty
 * stdout that is no JSON). `otherUser` runs that node once to see, and says why not in one line:
 * the tests `skipIf` on it and print the reason, as the Prometheus tests do (./prometheus.ts): the
 * machine, not the code, lacks the means.
 */
import { spawnSync } from 'node:child_process';
import { CHILD_TIMEOUT_MS } from './deadlines.js';

/** nobody's uid and gid (Debian's, and most distributions'). */
const NOBODY = 65534;

export type OtherUser = { readonly as: { uid?: number; gid?: number } } | { readonly missing: string };

/**
 * The spawn options that run a node as the other user (nobody when this is root, else none), or why
 * nobody cannot run this node or read one of `reads` (files it opens, folders it lists).
 */
export function otherUser(reads: readonly string[] = [], timeoutMs = CHILD_TIMEOUT_MS): OtherUser {
  if (process.getuid?.() !== 0) return { as: {} };
  const as = { uid: NOBODY, gid: NOBODY };
  const check =
    "const fs = require('node:fs');" +
    'for (const p of process.argv.slice(1)) { try { fs.accessSync(p, fs.constants.R_OK); } catch (e) { ' +
    "console.log(p + ': ' + e.code); process.exit(3); } }";
  const run = spawnSync(process.execPath, ['-e', check, ...reads], {
    ...as,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  const why = 'these EACCES tests run as root, so their node runs as nobody (uid 65534), who';
  // Only a refusal to start is the machine's lack (a node nobody may not run); a timeout or any other
  // spawn error is a fault to see, not a reason to skip (a loaded machine skipped them until session 16).
  const code = (run.error as NodeJS.ErrnoException | undefined)?.code;
  if (run.error && (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT'))
    return { missing: `${why} cannot start ${process.execPath}: ${run.error.message}` };
  if (run.error) throw new Error(`the EACCES tests' pre-check could not run node as nobody: ${run.error.message}`);
  if (run.status === 3) return { missing: `${why} may not read ${run.stdout.trim()}` };
  if (run.status !== 0)
    return {
      missing: `${why} cannot run ${process.execPath} (exit ${run.status ?? run.signal}: ${run.stderr.trim().split('\n')[0]})`,
    };
  return { as };
}
