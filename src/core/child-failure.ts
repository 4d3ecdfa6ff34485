/**
 * Why a child process failed, told one way for every program the stack runs and reports (git,
 * `kubectl kustomize` in the export and the gate, `helm template`, `cdk8s import`, a benchmarked
 * node run, the probe bench's probe command): the command, how it ended (its exit code, the signal that stopped it, its timeout
 * with the limit, too much output, or why it could not start), then the last lines it wrote to
 * stderr, with what has a credential's shape hidden (./token-shapes.ts), made printable
 * (./printable.ts) and capped, and the fix where the failure has one of its own (a timeout, a
 * missing program). Every text of the child's a message quotes goes through this one mask.
 *
 * It reads node's own report of the end, from either API: spawnSync's result (`status`, `signal`,
 * `error.code` ETIMEDOUT for its timeout, ENOBUFS for its output limit) or execFile's error (`code`
 * the exit code or an error code such as ENOENT; `killed` with `signal` when node stopped it at
 * its timeout; ERR_CHILD_PROCESS_STDIO_MAXBUFFER for its output limit; ABORT_ERR when its
 * AbortSignal stopped it).
 */
import { existsSync } from 'node:fs';
import { maskedLine, maskedTail } from './known-tokens.js';
import { printableCut } from './printable.js';
import { hideTokenShapes } from './token-shapes.js';

/** The command that ran, and what to tell about it. */
export interface ChildCommand {
  /** The command as the message names it, with where it ran when that matters (`git push origin main in /repo`). */
  readonly command: string;
  /** The program as it was started (`git`, or a path): named when it is not found. */
  readonly program: string;
  /** Its working folder, when one was given: a folder that is gone is not a missing program. */
  readonly cwd?: string;
  /** Its timeout, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * What to do about a timeout: what the program may be waiting on, and how to see it. Every
   * caller says it: null only where the caller's own report carries the fix (the gate's Flux build,
   * src/check/flux-build.ts, and its repository scan, src/check/secrets.ts: their finding's fix,
   * chosen with timedOut), so it is said once.
   */
  readonly timeoutFix: string | null;
  /**
   * What to do when the program is not found; null where the caller's own report carries the fix
   * (the gate's repository scan, src/check/secrets.ts: its finding's fix). @default `install <program> and put it on the PATH`
   */
  readonly missingFix?: string | null;
  /** Its output limit, in bytes (named when it was exceeded). */
  readonly maxBuffer: number;
}

/** How it ended, as node reports it: spawnSync's result, or execFile's error with the stderr it collected. */
export interface ChildEnd {
  readonly error?: (Error & { code?: unknown; killed?: boolean; signal?: NodeJS.Signals | null }) | null;
  readonly status?: number | null;
  readonly signal?: NodeJS.Signals | null;
  readonly stderr?: string;
}

/**
 * `end` with its stdout standing in for an empty stderr: for a program that tells some failures on
 * stdout only (cdk8s-cli; a benchmarked node run). Not for git, helm or kubectl: their stdout is
 * what they make (file contents, rendered and built objects, Secrets among them), never why they
 * failed, so describeChildFailure itself quotes stderr only.
 */
export function stdoutWhenNoStderr(end: ChildEnd & { readonly stdout: string }): ChildEnd {
  return { ...end, stderr: end.stderr || end.stdout };
}

/** How much of stderr a message quotes: its last lines, and of them at most the last characters. */
const QUOTED_LINES = 4;
const QUOTED_CHARACTERS = 1000;
/** What stands before the quoted lines when their start was cut. */
const CUT = '...';

/**
 * Of each quoted line, at most its last this many characters are masked (and then cut to
 * QUOTED_CHARACTERS): generous (the masks are linear), so that a masked credential's length cannot
 * bring a cut key's bare value into the characters shown (session 17's review: 4 KB let a 4 KB JWT do so).
 */
const MASKED_CHARACTERS = 64 * 1024;

/**
 * The last lines of `stderr` on one line (` / ` between them), with what has a credential's shape
 * hidden (./token-shapes.ts: a well-known API key shows its last 4 characters; git may quote a
 * remote's URL, helm and kubectl a manifest's or a server's words, a token among them), made
 * printable (./printable.ts: ANSI escapes, CR or bidi overrides among them), at most
 * QUOTED_CHARACTERS of their end as printed (`...` before them when cut, never inside an escape).
 * Each line is masked whole, or by its last MASKED_CHARACTERS without the token cut at their start
 * (maskedTail), before anything is cut: what is shown holds only whole tokens, masked.
 */
export function lastLines(stderr: string): string {
  const all = stderr
    .split('\n')
    // A tab inside a line (helm's `x.yaml:3:\t<.Values.x>`) reads as a space; a CR inside one
    // (which would overwrite the line on a terminal) stays shown as its escape.
    .map((line) => line.replace(/\t+/g, ' ').trim())
    .filter((line) => line !== '');
  // The last `fatal:`/`error:` line cut off stays in front: git's index.lock message names the
  // file in its first line, and its last four say only "remove the file manually".
  const cut = all.slice(0, -QUOTED_LINES).findLast((line) => /^(fatal|error):/.test(line));
  const lines = [...(cut === undefined ? [] : [cut, CUT]), ...all.slice(-QUOTED_LINES)]
    .map((line) => (line === CUT ? line : hideTokenShapes(maskedTail(line, MASKED_CHARACTERS)).trim()))
    .join(' / ');
  return printableCut(lines, QUOTED_CHARACTERS + CUT.length, { keep: 'end', mark: CUT });
}

/** node's own message of a failure (execFile's quotes the command line and stderr): masked as lastLines' lines, on one line. */
const quote = (message: string) => maskedLine(message, QUOTED_CHARACTERS, hideTokenShapes);

/** `200 ms`, `60 s`, `1.5 s`. */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}

/** `256 MiB`, `1 KiB`, `100 bytes`. */
function size(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** Whether node stopped the child at its timeout (spawnSync's ETIMEDOUT, or execFile's kill). */
export function timedOut(end: ChildEnd): boolean {
  const signal = end.signal ?? end.error?.signal ?? null;
  const code = end.error?.code;
  return (
    code === 'ETIMEDOUT' ||
    (end.error?.killed === true && signal !== null && code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
  );
}

/**
 * `<command> <how it ended>[: <stderr's last lines>][ (fix: ...)]`, e.g.
 * `kubectl kustomize apps/arcade failed (exit 1): error: accumulating resources: ...` or
 * `helm template arcade ... timed out after 120 s and was stopped (fix: ...)`.
 */
export function describeChildFailure(c: ChildCommand, end: ChildEnd): string {
  const code = end.error?.code;
  const said = lastLines(end.stderr ?? '');
  const quoted = said === '' ? '' : `: ${said}`;
  const signal = end.signal ?? end.error?.signal ?? null;
  if (timedOut(end))
    return `${c.command} timed out after ${duration(c.timeoutMs)} and was stopped${quoted}${c.timeoutFix === null ? '' : ` (fix: ${c.timeoutFix})`}`;
  if (code === 'ABORT_ERR') return `${c.command} was interrupted and stopped${quoted}`;
  if (code === 'ENOBUFS' || code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
    return `${c.command} printed more than ${size(c.maxBuffer)} and was stopped${quoted}`;
  if (code === 'ENOTDIR' && c.cwd !== undefined)
    return `${c.command} could not start: its working folder ${c.cwd} is not a folder`;
  if (code === 'ENOENT') {
    if (c.cwd !== undefined && !existsSync(c.cwd))
      return `${c.command} could not start: its working folder ${c.cwd} does not exist`;
    const missing = `${c.command} could not start: ${c.program} was not found${c.program.includes('/') ? '' : ' on the PATH'}`;
    if (c.missingFix === null) return missing;
    return `${missing} (fix: ${c.missingFix ?? `install ${c.program} and put it on the PATH`})`;
  }
  if (typeof code === 'string') return `${c.command} could not start: ${quote(end.error?.message ?? code)}`;
  if (signal !== null) return `${c.command} was stopped by ${signal}${quoted}`;
  const status = end.status ?? (typeof code === 'number' ? code : undefined);
  if (status !== undefined && status !== null) return `${c.command} failed (exit ${status})${quoted}`;
  return `${c.command} failed${end.error ? `: ${quote(end.error.message)}` : ''}${quoted}`;
}
