/**
 * The report files of a probe run (`--json`, `--junit`, `--markdown`): checked before the first
 * probe runs, written after the last, redacted on the way out.
 *
 * Before: every path must be writable now. Its folder exists and is a folder, a file can be
 * created in it (tried for real and removed at once: the only check that holds for root, ACLs and
 * read-only mounts alike), the path is not a folder, nor a link to nothing or a loop of links
 * (src/core/unreachable-path.ts), nor one of the run's inputs (src/core/command-inputs.ts: the
 * repository's sources and dist/, `--targets`), an existing file is writable, and no two options name the same
 * file (compared by real paths; `-` and /dev/stdout are one stream; /dev/null takes any number:
 * src/core/output-target.ts sameFileProblems). A failure is a configuration error naming the option and the fix, so a `--wait 600` run is never
 * lost at the end.
 *
 * After: each file is written on its own (to a temporary file beside it, then renamed over it,
 * so a failed write leaves no half report and the previous one intact); a file that still cannot
 * be written is reported by the caller without touching the other files or the summary.
 *
 * Where a path leads (`-` and `/dev/stdout` are the command's stdout, a link to a file replaces the
 * file) is the rule of every command's output option: src/core/output-target.ts.
 * Redaction: the report data is redacted before it is rendered (escaping could hide a form of the
 * key from the redactor), and the rendered text again before it is written.
 */
import { accessSync, closeSync, constants, openSync, rmSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  fileWords,
  reportOnStandardOutput,
  descriptorRefusal,
  type OutputStreams,
  type OutputTarget,
  outputTarget,
  sameFileProblems,
  writeOutput,
} from '../core/output-target.js';
import { type CommandInputs, inputRefusal } from '../core/command-inputs.js';
import type { Redactor } from '../core/redact.js';
import { unreachableRefusal } from '../core/unreachable-path.js';
import { toJson, toJunit, toMarkdown } from './report.js';
import type { ProbeReport } from './types.js';

export interface ReportFile {
  /** The option that named it, e.g. `--json`. */
  readonly option: '--json' | '--junit' | '--markdown';
  /** What it is, for messages: `JSON`, `JUnit`, `Markdown`. */
  readonly what: string;
  /** As given on the command line (for messages). */
  readonly path: string;
  render(report: ProbeReport): string;
}

/** The report files asked for, in option order. */
export function reportFiles(opts: {
  readonly json?: string;
  readonly junit?: string;
  readonly markdown?: string;
}): ReportFile[] {
  const all: (ReportFile | undefined)[] = [
    opts.json !== undefined ? { option: '--json', what: 'JSON', path: opts.json, render: toJson } : undefined,
    opts.junit !== undefined ? { option: '--junit', what: 'JUnit', path: opts.junit, render: toJunit } : undefined,
    opts.markdown !== undefined
      ? { option: '--markdown', what: 'Markdown', path: opts.markdown, render: toMarkdown }
      : undefined,
  ];
  return all.filter((f): f is ReportFile => f !== undefined);
}

/** Where a run's human lines go: stderr when a report is written on stdout (`--json -`: it is stdout's whole text). */
export function humanLinesTo<T>(files: readonly ReportFile[], streams: { readonly stdout: T; readonly stderr: T }): T {
  return reportOnStandardOutput(files.map((file) => file.path)) ? streams.stderr : streams.stdout;
}

/** A report path that cannot be written: the message names the option, the path and the fix. */
export class ReportPathError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ReportPathError';
  }
}

/** A file name to suggest for each option. */
const EXAMPLE: Record<ReportFile['option'], string> = {
  '--json': 'probe.json',
  '--junit': 'probe.xml',
  '--markdown': 'probe.md',
};

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/** What is wrong with writing `file` now, or undefined. */
function problemOf(file: ReportFile, inputs: CommandInputs): string | undefined {
  const { option, path } = file;
  if (path.trim() === '') return `${option} needs a file path (fix: e.g. ${option} ${EXAMPLE[option]})`;
  let to: OutputTarget;
  try {
    to = outputTarget(path);
  } catch (err) {
    return `${option} ${path}: cannot follow its links: ${codeOf(err)} (fix: give a path in a folder you can write to)`;
  }
  if (to.kind === 'stream') {
    if (to.fd === 0) return `${option} ${path} is standard input (fix: give a file, or - for standard output)`;
    const refused = to.fd > 2 ? descriptorRefusal(to.fd) : undefined;
    return refused && `${option} ${path}: ${refused} (fix: give a file, or - for standard output)`;
  }
  if (to.kind === 'file') {
    const unreachable = unreachableRefusal(path, fileWords(`${option} ${path}`));
    if (unreachable) return unreachable;
    const input = inputRefusal(`${option} ${path}`, path, inputs);
    if (input) return input;
  }
  if (to.kind === 'device') {
    try {
      accessSync(to.path, constants.W_OK);
      return undefined;
    } catch (err) {
      return `${option} ${path}: cannot be written: ${codeOf(err)} (fix: give a file you can write to)`;
    }
  }
  const full = to.path;
  const folder = dirname(full);
  let folderStat: Stats;
  try {
    folderStat = statSync(folder);
  } catch (err) {
    return codeOf(err) === 'ENOENT'
      ? `${option} ${path}: the folder ${folder} does not exist (fix: create it first, mkdir -p ${folder}, or give a path in an existing folder)`
      : `${option} ${path}: cannot read the folder ${folder}: ${codeOf(err)} (fix: give a path in a folder you can write to)`;
  }
  if (!folderStat.isDirectory())
    return `${option} ${path}: ${folder} is not a folder (fix: give a path in an existing folder)`;
  let target: Stats | undefined;
  try {
    target = statSync(full);
  } catch {
    target = undefined;
  }
  if (target?.isDirectory())
    return `${option} ${path} is a folder (fix: name a file in it, e.g. ${join(path, EXAMPLE[option])})`;
  if (target) {
    try {
      accessSync(full, constants.W_OK);
    } catch (err) {
      return `${option} ${path}: the existing file cannot be written: ${codeOf(err)} (fix: make it writable or give another path)`;
    }
  }
  if (!target || target.isFile()) {
    // Try it: create (and remove) a file in the folder, as the real write will.
    const probe = join(folder, `.${basename(full)}.check-${process.pid}`);
    try {
      closeSync(openSync(probe, 'wx'));
      rmSync(probe, { force: true });
    } catch (err) {
      return `${option} ${path}: cannot create a file in ${folder}: ${codeOf(err)} (fix: give a path in a folder you can write to)`;
    }
  }
  return undefined;
}

/**
 * Checks every report path before the run, none of them one of the run's `inputs` (the repository's
 * files, `--targets`: src/core/command-inputs.ts). Throws ReportPathError listing every problem.
 */
export function checkReportFiles(files: readonly ReportFile[], inputs: CommandInputs): void {
  const checked = files.map((file) => ({ file, problem: problemOf(file, inputs) }));
  const problems = [
    ...checked.flatMap(({ problem }) => problem ?? []),
    ...sameFileProblems(checked.flatMap(({ file, problem }) => (problem === undefined ? [file] : []))),
  ];
  if (problems.length > 0) throw new ReportPathError(problems);
}

export interface WriteOutcome {
  readonly file: ReportFile;
  /** Undefined when written; else why not (`ENOENT: …`). */
  readonly error?: string;
}

/** Writes every report file, each on its own; never throws. */
export function writeReportFiles(
  report: ProbeReport,
  files: readonly ReportFile[],
  redactor: Redactor,
  streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
): WriteOutcome[] {
  const clean = redactor.deep(report);
  return files.map((file) => {
    try {
      writeOutput(file.path, redactor.text(file.render(clean)), streams);
      return { file };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { file, error: e.code ? `${e.code}${e.syscall ? ` (${e.syscall})` : ''}` : e.message };
    }
  });
}
