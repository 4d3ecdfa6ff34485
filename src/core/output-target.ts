/**
 * Where an output path a command is given leads, and writing it there. One rule for every command
 * (the probe reports, `check --json`, `diff --markdown/--comment`, `bench --json`):
 *
 * - `-`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` (or a link to one) are the
 *   process's own streams, written through the command's stdout/stderr (or the open descriptor):
 *   never reopened by name (a socket cannot be; a file would be truncated) and never renamed over
 *   (as root that replaced the machine's `/dev/stdout` link when stdout was a file);
 * - a FIFO, a terminal or `/dev/null` is written in place;
 * - a regular file, or a new one, is replaced atomically (./atomic-write.ts); a link to one replaces
 *   the file it points to and stays a link; a link to nothing, or a loop of links, is refused, never
 *   replaced by a file nor written through (./unreachable-path.ts says why); a file with a second hard link is replaced under the
 *   name given, the other name keeping the previous report (./atomic-write.ts says why).
 */
import { type Stats, fstatSync, lstatSync, readdirSync, readlinkSync, writeFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomically } from './atomic-write.js';
import { ConfigurationError } from './command-error.js';
import { linkTarget, realPath } from './path-within.mjs';
import { type RefusalWords, unreachableRefusal } from './unreachable-path.js';

/** Where an output path leads, symbolic links followed. */
export type OutputTarget =
  /** One of the process's open descriptors (1 standard output, 2 standard error). */
  | { readonly kind: 'stream'; readonly fd: number }
  /** An existing file that is not a regular one (a FIFO, a terminal, /dev/null): written in place. */
  | { readonly kind: 'device'; readonly path: string }
  /** A regular file, or a new one: replaced through a temporary file beside it. */
  | { readonly kind: 'file'; readonly path: string };

const STREAM_NAMES: ReadonlyMap<string, number> = new Map([
  ['/dev/stdin', 0],
  ['/dev/stdout', 1],
  ['/dev/stderr', 2],
]);
const FD_PATH = new RegExp(`^/(?:dev/fd|proc/self/fd|proc/${process.pid}/fd)/(\\d+)$`);

/**
 * Where `path` (relative to `cwd`) leads: `-` is standard output; links are followed one by one (at
 * most 40, as Linux does).
 */
export function outputTarget(path: string, cwd = process.cwd()): OutputTarget {
  if (path === '-') return { kind: 'stream', fd: 1 };
  let current = resolve(cwd, path);
  for (let hop = 0; hop < 40; hop++) {
    const named = STREAM_NAMES.get(current) ?? FD_PATH.exec(current)?.[1];
    if (named !== undefined) return { kind: 'stream', fd: Number(named) };
    let link: Stats | undefined;
    try {
      link = lstatSync(current, { throwIfNoEntry: false });
    } catch {
      link = undefined; // ENOTDIR, EACCES: the checks of a file name what is wrong with it
    }
    if (!link) return { kind: 'file', path: current };
    if (!link.isSymbolicLink())
      return link.isFile() || link.isDirectory() ? { kind: 'file', path: current } : { kind: 'device', path: current };
    const next = linkTarget(current);
    if (next === undefined) break;
    current = next;
  }
  return { kind: 'file', path: resolve(cwd, path) }; // a loop of links, a missing folder: the write names it
}

/** What descriptor `fd` of this process is (`pipe:[123]`, `anon_inode:[eventfd]`, a path); undefined where /proc cannot tell. */
function descriptorTarget(fd: number | string): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/**
 * Why descriptor `fd` (3 or more) may not take a report, or undefined: it is not open, or node
 * opened it itself, so the caller did not pass it in (writing there crashed node: its epoll or
 * eventfd answered EINVAL, its signal pipe took the bytes and node died of SIGSEGV). Node's own are
 * told apart through /proc/self/fd (Linux; elsewhere only "not open" is checked): an
 * `anon_inode:` (epoll, eventfd, io_uring, signalfd: never a file or a stream), or a pipe whose two
 * ends are both open in this process (libuv's signal and wake-up pipes; a pipe passed in has its
 * other end in the reader). Not O_CLOEXEC, which looks simpler: node sets it at start on every
 * descriptor it inherited, up to 16 at least (libuv uv_disable_stdio_inheritance).
 */
export function descriptorRefusal(fd: number): string | undefined {
  try {
    fstatSync(fd);
  } catch {
    return `file descriptor ${fd} is not open`;
  }
  const target = descriptorTarget(fd);
  const own =
    target?.startsWith('anon_inode:') ||
    (target?.startsWith('pipe:') &&
      readdirSync('/proc/self/fd').some((n) => Number(n) !== fd && descriptorTarget(n) === target));
  return own ? `descriptor ${fd} was not passed to this command (it is node's own, ${target})` : undefined;
}

/**
 * Whether `path` (relative to `cwd`) is the command's standard output (`-`, `/dev/stdout`,
 * `/dev/fd/1`, a link to one): a report written there is the whole of stdout (`| jq .` parses it),
 * so the command prints every human line on stderr instead (probe, check, bench).
 */
function isStandardOutput(path: string, cwd = process.cwd()): boolean {
  const to = outputTarget(path, cwd);
  return to.kind === 'stream' && to.fd === 1;
}

/**
 * Whether a report goes to stdout among `paths` (the options given; undefined: not given). That
 * report is then stdout's whole text (`--json - | jq .`), so the command's human lines go to stderr.
 */
export function reportOnStandardOutput(paths: readonly (string | undefined)[], cwd = process.cwd()): boolean {
  return paths.some((path) => path !== undefined && isStandardOutput(path, cwd));
}

/** How the refusal of an output file that cannot be reached (./unreachable-path.ts) names it. */
export function fileWords(named: string): RefusalWords {
  return { named, takes: 'file', nothing: 'nothing written' };
}

/** A file option and the path it was given: an output, or a file the command reads. */
export interface NamedPath {
  /** The option as typed, e.g. `--markdown`. */
  readonly option: string;
  readonly path: string;
}

/**
 * Every option of `paths` (relative to `cwd`, in command-line order) that names the file, stream or
 * device an earlier one names (fileIdentity), each as one message naming both and the fix: two
 * outputs, or an output and a file the command reads (diff's --gate), may not be one file: the later
 * write would replace the earlier one (or the input), and two on one stream would interleave. The one check of
 * scripts/diff.ts and src/probes/report-files.ts, made before anything is written; /dev/null takes
 * any number.
 */
export function sameFileProblems(paths: readonly NamedPath[], cwd = process.cwd()): string[] {
  const seen = new Map<string, NamedPath>();
  const problems: string[] = [];
  for (const later of paths) {
    const id = fileIdentity(later.path, cwd);
    if (id === undefined) continue; // /dev/null: nothing is kept there to collide
    const earlier = seen.get(id);
    if (earlier === undefined) seen.set(id, later);
    else
      problems.push(
        `${earlier.option} ${earlier.path} and ${later.option} ${later.path} name the same file; nothing written ` +
          `(fix: give ${later.option} a file of its own)`,
      );
  }
  return problems;
}

/**
 * Which output `path` (relative to `cwd`) names, to tell whether two options name the same one: the
 * descriptor of a stream (`-` and `/dev/stdout` are one: two reports there would interleave, and a
 * JSON report on standard output would no longer be a document of its own); the real path of a
 * device or FIFO; else the real path of the file its links lead to (./path-within.mjs realPath: a
 * link, `./x` and `sub/../x` all compare equal; in a missing folder, by the real path of its
 * existing part). Undefined for `/dev/null` only: what is written there is dropped, so two outputs
 * there lose nothing (`probe --json /dev/null --junit /dev/null`).
 * No two options' identities are compared by device and inode: a second hard link is a name of its
 * own, replaced on its own by the atomic write (./atomic-write.ts), so two outputs there collide in
 * nothing.
 */
function fileIdentity(path: string, cwd = process.cwd()): string | undefined {
  const target = outputTarget(path, cwd);
  if (target.kind === 'stream') return `fd ${target.fd}`;
  let real: string;
  try {
    real = realPath(target.path).path; // the file's own name: outputTarget followed its links
  } catch {
    real = target.path;
  }
  return target.kind === 'device' && real === '/dev/null' ? undefined : real;
}

/** The command's own streams, where output to `-`, `/dev/stdout` or `/dev/stderr` goes. */
export interface OutputStreams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Every byte of `text` to an open descriptor (a non-blocking pipe answers EAGAIN while full). */
function writeToDescriptor(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(fd, bytes, done);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

/** Writes `text` where `path` (relative to `cwd`) leads (outputTarget): a stream, a device in place, a file atomically. */
export function writeOutput(path: string, text: string, streams: OutputStreams, cwd = process.cwd()): void {
  const to = outputTarget(path, cwd);
  if (to.kind === 'stream') {
    if (to.fd === 1) streams.stdout.write(text);
    else if (to.fd === 2) streams.stderr.write(text);
    else writeToDescriptor(to.fd, text);
    return;
  }
  if (to.kind === 'device') {
    writeFileSync(to.path, text);
    return;
  }
  // Checked before the run by every command; again here, as a link may have gone since (a --wait 600).
  const unreachable = unreachableRefusal(path, fileWords(`the output ${path}`), cwd);
  if (unreachable) throw new ConfigurationError(unreachable);
  writeFileAtomically(to.path, text);
}
