/**
 * Where an output path leads (outputTarget) and writing it there (writeOutput): the process's own
 * streams are written through the command's streams, never reopened by name or renamed over; a link
 * to a file replaces the file and stays a link; a device is written in place; a file with a second
 * hard link is replaced under the name given, the other name keeping the report it had.
 */
import {
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputTarget, sameFileProblems, writeOutput } from '../../src/core/output-target.js';
import { tempDir } from '../support/temp.js';

function sinks() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    streams: {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
    },
  };
}

describe('outputTarget', () => {
  it('-, /dev/stdout, /dev/stderr, /proc/self/fd/N and links to them are streams; a link to a file leads to the file', () => {
    const dir = tempDir('probe-target-');
    writeFileSync(join(dir, 'real.json'), 'old');
    symlinkSync(join(dir, 'real.json'), join(dir, 'link.json'));
    symlinkSync('made.json', join(dir, 'dangling.json'));
    symlinkSync('/dev/stdout', join(dir, 'to-stdout'));
    expect(outputTarget('-')).toEqual({ kind: 'stream', fd: 1 });
    expect(outputTarget('/dev/stdout')).toEqual({ kind: 'stream', fd: 1 });
    expect(outputTarget('/dev/stderr')).toEqual({ kind: 'stream', fd: 2 });
    expect(outputTarget('/proc/self/fd/1')).toEqual({ kind: 'stream', fd: 1 });
    expect(outputTarget(`/proc/${process.pid}/fd/2`)).toEqual({ kind: 'stream', fd: 2 });
    expect(outputTarget('/dev/fd/7')).toEqual({ kind: 'stream', fd: 7 });
    expect(outputTarget(join(dir, 'to-stdout'))).toEqual({ kind: 'stream', fd: 1 });
    expect(outputTarget(join(dir, 'link.json'))).toEqual({ kind: 'file', path: join(dir, 'real.json') });
    expect(outputTarget(join(dir, 'dangling.json'))).toEqual({ kind: 'file', path: join(dir, 'made.json') });
    expect(outputTarget(join(dir, 'new.json'))).toEqual({ kind: 'file', path: join(dir, 'new.json') });
    expect(outputTarget('/dev/null')).toEqual({ kind: 'device', path: '/dev/null' });
  });

  it('a link whose target climbs with .. after another link leads where the kernel writes, not beside the link', () => {
    // b -> <dir>/far/deep/z and r.json -> b/../r.json: a write through r.json makes <dir>/far/deep/r.json.
    const dir = realpathSync.native(tempDir('out-target-dotdot-'));
    mkdirSync(join(dir, 'far', 'deep', 'z'), { recursive: true });
    mkdirSync(join(dir, 'repo'));
    symlinkSync(join(dir, 'far', 'deep', 'z'), join(dir, 'repo', 'b'));
    symlinkSync('b/../r.json', join(dir, 'repo', 'r.json'));
    symlinkSync('b/../..', join(dir, 'repo', 'up'));
    symlinkSync('up/x.json', join(dir, 'repo', 'x.json'));
    symlinkSync('missing/../y.json', join(dir, 'repo', 'y.json'));
    expect(outputTarget(join(dir, 'repo', 'r.json'))).toEqual({
      kind: 'file',
      path: join(dir, 'far', 'deep', 'r.json'),
    });
    expect(outputTarget(join(dir, 'repo', 'x.json'))).toEqual({ kind: 'file', path: join(dir, 'far', 'x.json') });
    // A folder on the way that does not exist: the name given, whose write then fails (ENOENT), as the kernel's would.
    expect(outputTarget(join(dir, 'repo', 'y.json'))).toEqual({ kind: 'file', path: join(dir, 'repo', 'y.json') });
    writeFileSync(join(dir, 'repo', 'r.json'), 'through'); // the kernel agrees
    expect(readFileSync(join(dir, 'far', 'deep', 'r.json'), 'utf8')).toBe('through');
  });

  it('a relative path is taken from the working folder it is given', () => {
    const dir = tempDir('out-target-');
    expect(outputTarget('r.json', dir)).toEqual({ kind: 'file', path: join(dir, 'r.json') });
    expect(outputTarget('-', dir)).toEqual({ kind: 'stream', fd: 1 });
  });
});

describe('writeOutput', () => {
  it("-, /dev/stdout and /dev/stderr go to the command's own streams; no file is made", () => {
    const dir = tempDir('out-target-');
    const { out, streams } = sinks();
    writeOutput('-', 'a', streams, dir);
    writeOutput('/dev/stdout', 'b', streams, dir);
    writeOutput('/dev/stderr', 'c', streams, dir);
    expect(out).toEqual({ stdout: 'ab', stderr: 'c' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('through a link: the file it points to is replaced, the link stays a link', () => {
    const dir = tempDir('out-target-');
    writeFileSync(join(dir, 'real.json'), 'old');
    symlinkSync('real.json', join(dir, 'link.json'));
    writeOutput('link.json', 'new', sinks().streams, dir);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.json'))).toBe('real.json');
    expect(readFileSync(join(dir, 'real.json'), 'utf8')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['link.json', 'real.json']);
  });

  it('a device is written in place', () => {
    const { out, streams } = sinks();
    writeOutput('/dev/null', 'gone', streams);
    expect(out).toEqual({ stdout: '', stderr: '' });
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});

describe('sameFileProblems (two options naming one file: diff, probe)', () => {
  const fix = (later: string) => `nothing written (fix: give ${later} a file of its own)`;

  it('one file by another spelling (./, sub/.., a link to it or to its folder, a missing folder through a link) is refused', () => {
    const dir = realpathSync(tempDir('same-file-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'r.md'), 'kept');
    symlinkSync('r.md', join(dir, 'link.md'));
    symlinkSync('sub', join(dir, 'folder'));
    const same = (a: string, b: string) =>
      sameFileProblems(
        [
          { option: '--a', path: a },
          { option: '--b', path: b },
        ],
        dir,
      );
    expect(same('r.md', './sub/../r.md')).toEqual([`--a r.md and --b ./sub/../r.md name the same file; ${fix('--b')}`]);
    expect(same('r.md', 'link.md')).toHaveLength(1);
    expect(same(join(dir, 'sub', 'x.md'), 'folder/x.md')).toHaveLength(1);
    expect(same('sub/new/x.md', 'folder/new/x.md')).toHaveLength(1); // sub/new does not exist
    expect(same('r.md', 'sub/r.md')).toEqual([]);
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toBe('kept');
  });

  it('a second hard link is a file of its own (each name is replaced on its own); /dev/null takes any number; - is /dev/stdout', () => {
    const dir = realpathSync(tempDir('same-file-'));
    writeFileSync(join(dir, 'check.json'), '{}');
    linkSync(join(dir, 'check.json'), join(dir, 'hard.json'));
    const named = (...paths: string[]) => paths.map((path, i) => ({ option: `--o${i}`, path }));
    expect(sameFileProblems(named('check.json', 'hard.json'), dir)).toEqual([]);
    expect(sameFileProblems(named('/dev/null', '/dev/null', '/dev/null'), dir)).toEqual([]);
    expect(sameFileProblems(named('-', '/dev/stderr'), dir)).toEqual([]);
    expect(sameFileProblems(named('-', '/dev/stdout'), dir)).toEqual([
      `--o0 - and --o1 /dev/stdout name the same file; ${fix('--o1')}`,
    ]);
  });

  it('each later option is named with the first that names its file, in command-line order', () => {
    const dir = realpathSync(tempDir('same-file-'));
    const named = [
      { option: '--gate', path: 'check.json' },
      { option: '--markdown', path: 'pr.md' },
      { option: '--comment', path: './check.json' },
      { option: '--junit', path: join(dir, 'check.json') },
    ];
    expect(sameFileProblems(named, dir)).toEqual([
      `--gate check.json and --comment ./check.json name the same file; ${fix('--comment')}`,
      `--gate check.json and --junit ${join(dir, 'check.json')} name the same file; ${fix('--junit')}`,
    ]);
  });
});

describe('writeOutput to a report file with a second hard link', () => {
  it('replaces the name given (a new file); the other name keeps the previous report (a snapshot stays one)', () => {
    // The write of check --json, probe's reports, diff --markdown/--comment and bench --json.
    const dir = tempDir('probe-target-');
    const report = join(dir, 'report.json');
    const snapshot = join(dir, 'snapshot', 'report.json');
    writeFileSync(report, '{"run": 1}\n');
    mkdirSync(join(dir, 'snapshot'));
    linkSync(report, snapshot); // as `cp -al` or `rsync --link-dest` keeps yesterday's reports
    const { streams, out } = sinks();
    writeOutput(report, '{"run": 2}\n', streams);
    expect([readFileSync(report, 'utf8'), readFileSync(snapshot, 'utf8')]).toEqual(['{"run": 2}\n', '{"run": 1}\n']);
    expect([statSync(report).nlink, statSync(snapshot).nlink]).toEqual([1, 1]);
    expect(out).toEqual({ stdout: '', stderr: '' });
  });
});
