/**
 * `npm run synth -- --out` refuses a stream, a device and `-` (src/tooling/output-dir.ts): synth
 * writes a folder of files, there is no stream form. `--out /dev/stdout | cat` once hung for good:
 * on a pipe `/dev/stdout` resolves to `/proc/<pid>/fd/pipe:[N]`, which does not exist, so it was
 * taken for a new folder and mkdirSync of `<that>.synth-<pid>` spun at 100 % CPU, deaf to SIGTERM.
 *
 * Without the check that hang is what a test would meet, so: checkOutputFolder is tested in process
 * (it only returns a path, it makes nothing); the script's command in process only with outputs
 * that cannot spin (`-`, `/dev/null`, a FIFO, a socket, a path under a file); and `/dev/stdout` on a
 * pipe, the reported case, only as a real process bounded by a timeout that ends it with SIGKILL.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  realpathSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthCommand } from '../../scripts/synth.js';
import { ConfigurationError } from '../../src/core/command-error.js';
import { checkOutputFolder, DIST_MARKER, DIST_MARKER_TEXT } from '../../src/tooling/output-dir.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { runMain } from '../support/run-script.js';
import { scriptCommand, spawnScript } from '../support/spawn-script.js';
import { otherUser } from '../support/other-user.js';
import { tempDir } from '../support/temp.js';

const SYNTH = join(REPO_ROOT, 'scripts', 'synth.ts');
/** Who runs the launcher in the EACCES case (test/support/other-user.ts): nobody when this is root; why it cannot, else. */
const OTHER = otherUser([SYNTH]);
if ('missing' in OTHER) console.log(`[synth-out-stream] EACCES case skipped: ${OTHER.missing}`);

const STREAM_FIX =
  '; nothing was changed (fix: give a folder, e.g. --out /tmp/preview; synth writes files, there is no stream form)';
const DEV = '/dev (kernel devices and streams; of /dev only /dev/shm is taken)';
const PROC = "/proc (the kernel's process files)";
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A unix socket listening at `path` (a file that is neither a folder nor a regular file); closed by the caller. */
async function listeningSocket(path: string) {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return server;
}

/** A place with a FIFO, a socket, a regular file and links to /dev/stdout and /dev/null. */
async function oddFiles() {
  const place = tempDir('arcade-out-stream-');
  execFileSync('mkfifo', [join(place, 'fifo')]);
  const server = await listeningSocket(join(place, 'socket'));
  writeFileSync(join(place, 'file'), 'x');
  symlinkSync('/dev/stdout', join(place, 'to-stdout'));
  symlinkSync('/dev/null', join(place, 'to-null'));
  return { place, server };
}

describe('checkOutputFolder: a stream or a device is not a folder', () => {
  const refusal = (out: string, cwd?: string): ConfigurationError => {
    try {
      checkOutputFolder(out, REPO_ROOT, cwd);
    } catch (err) {
      if (err instanceof ConfigurationError) return err;
      throw err;
    }
    throw new Error(`${out} was accepted`);
  };

  it('refuses -, the standard streams, /dev/*, /proc/*, a FIFO, a socket, a device and links to them, on one line', async () => {
    const { place, server } = await oddFiles();
    const before = readdirSync(place).sort();
    try {
      const cases: [string, string][] = [
        ['-', 'is standard output: a stream'],
        ['/dev/stdout', 'is standard output: a stream'],
        ['/dev/stderr', 'is standard error: a stream'],
        ['/dev/fd/1', 'is standard output: a stream'],
        ['/proc/self/fd/2', 'is standard error: a stream'],
        [join(place, 'to-stdout'), 'is standard output: a stream'],
        ['/dev/null', 'is a FIFO, a socket or a device'],
        [join(place, 'to-null'), 'is a FIFO, a socket or a device'],
        [join(place, 'fifo'), 'is a FIFO, a socket or a device'],
        [join(place, 'socket'), 'is a FIFO, a socket or a device'],
        ['/dev/arcade-stack-new-folder', `is under ${DEV}`],
        ['/dev/shm/../arcade-stack-new-folder', `is under ${DEV}`], // /dev/shm exempts only what is under it
        [`/proc/${process.pid}/fd/pipe:[1]`, `is under ${PROC}`], // what /dev/stdout on a pipe resolves to
        ['/proc/self/fd/pipe:[1]', `is under ${PROC}`],
      ];
      for (const [out, why] of cases) {
        const err = refusal(out, place);
        expect(err.exitCode, out).toBe(2);
        expect(err.message, out).toMatch(
          new RegExp(`^--out ${literal(out)}( \\([^\\n]*\\))?: ${literal(why)}, not a folder${literal(STREAM_FIX)}$`),
        );
      }
      expect(readdirSync(place).sort()).toEqual(before); // no folder named - and nothing else made
    } finally {
      server.close();
    }
  });

  it('accepts a missing folder only where its nearest existing part is a real directory', () => {
    const place = tempDir('arcade-out-parent-');
    writeFileSync(join(place, 'file'), 'x');
    for (const out of [join(place, 'file', 'new'), join(place, 'file', 'a', 'b')]) {
      const err = refusal(out);
      expect(err.exitCode).toBe(2);
      expect(err.message).toMatch(
        new RegExp(
          `^--out ${literal(out)}: does not exist, and its nearest existing part ${literal(join(place, 'file'))} ` +
            'is not a real directory to make it in; nothing was changed \\(fix: give a new or empty folder',
        ),
      );
    }
    expect(checkOutputFolder(join(place, 'a', 'b'), REPO_ROOT)).toBe(join(place, 'a', 'b')); // still made by mkdir -p
    expect(readdirSync(place)).toEqual(['file']);
    // A link to /proc/<pid>/fd/N of a folder that was removed while open: a directory to stat, whose
    // real path is the text `<folder> (deleted)`, which names none (mkdir would make a folder of it).
    const gone = join(place, 'gone');
    mkdirSync(gone);
    const fd = openSync(gone, 'r');
    try {
      rmdirSync(gone);
      symlinkSync(`/proc/${process.pid}/fd/${fd}`, join(place, 'to-gone'));
      const out = join(place, 'to-gone', 'new');
      expect(refusal(out).message).toMatch(
        new RegExp(
          `^--out ${literal(out)} \\(${literal(gone)} \\(deleted\\)/new\\): does not exist, and its nearest existing ` +
            `part ${literal(`${gone} (deleted)`)} is not a real directory to make it in; nothing was changed`,
        ),
      );
    } finally {
      closeSync(fd);
    }
    expect(readdirSync(place).sort()).toEqual(['file', 'to-gone']);
  });
});

/** /dev/shm when this machine has it as a real, writable directory (a tmpfs on Linux). */
const SHM = (() => {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return statSync('/dev/shm').isDirectory() && realpathSync('/dev/shm') === '/dev/shm';
  } catch {
    return false;
  }
})();

describe('checkOutputFolder: /dev/shm is a real folder, not a device', () => {
  // Skipped where this machine has no writable /dev/shm directory (macOS, a container without one).
  it.skipIf(!SHM)(
    'accepts a new or an empty folder under /dev/shm; a FIFO there is still refused (skipped without a writable /dev/shm)',
    () => {
      const scratch = mkdtempSync('/dev/shm/arcade-out-shm-');
      try {
        expect(checkOutputFolder(join(scratch, 'new', 'out'), REPO_ROOT)).toBe(join(scratch, 'new', 'out'));
        expect(checkOutputFolder(scratch, REPO_ROOT)).toBe(scratch); // empty
        execFileSync('mkfifo', [join(scratch, 'fifo')]);
        expect(() => checkOutputFolder(join(scratch, 'fifo'), REPO_ROOT)).toThrow(
          `--out ${join(scratch, 'fifo')}: is a FIFO, a socket or a device, not a folder${STREAM_FIX}`,
        );
        expect(readdirSync(scratch)).toEqual(['fifo']); // nothing made
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
  );
});

describe('npm run synth -- --out <a stream or a device>', () => {
  it('exits 2 with one line and leaves the previous output and the working folder as they were', async () => {
    const { place, server } = await oddFiles();
    mkdirSync(join(place, 'dist', 'backstage-wus2-v4'), { recursive: true });
    writeFileSync(join(place, 'dist', DIST_MARKER), DIST_MARKER_TEXT);
    writeFileSync(join(place, 'dist', 'backstage-wus2-v4', 'release.yaml'), 'last good output\n');
    const before = readdirSync(place, { recursive: true }).sort();
    try {
      const cases: [string[], RegExp][] = [
        [
          ['--out', '-'],
          /^synth: --out -: is standard output: a stream, not a folder; nothing was changed \(fix: give a folder, e\.g\. --out \/tmp\/preview; /,
        ],
        [['--out=-'], /^synth: --out -: is standard output: a stream, not a folder/],
        [
          ['--out', '/dev/null'],
          /^synth: --out \/dev\/null: is a FIFO, a socket or a device, not a folder; nothing was changed \(fix: give a folder/,
        ],
        [['--out', 'fifo'], /^synth: --out fifo( \(.*\/fifo\))?: is a FIFO, a socket or a device, not a folder/],
        [['--out', 'socket'], /^synth: --out socket( \(.*\/socket\))?: is a FIFO, a socket or a device, not a folder/],
        [
          ['--out', 'file/new'],
          /^synth: --out file\/new( \(.*\/file\/new\))?: does not exist, and its nearest existing part .*\/file is not a real directory/,
        ],
      ];
      for (const [args, message] of cases) {
        const r = await runMain(synthCommand(REPO_ROOT), args, { cwd: place });
        expect(r.stderr, args.join(' ')).toMatch(message);
        expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expect(r.stdout).toBe('');
        expect(r.status, args.join(' ')).toBe(2);
      }
      expect(readdirSync(place, { recursive: true }).sort()).toEqual(before);
    } finally {
      server.close();
    }
  });

  it('a loop of links: one line naming --out, the path, what is wrong and the fix (exit 2)', async () => {
    const place = tempDir('arcade-out-unfollowable-');
    symlinkSync('loop', join(place, 'loop'));
    const loop = await runMain(synthCommand(REPO_ROOT), ['--out', 'loop/x'], { cwd: place });
    expect([loop.status, loop.stdout, loop.stderr]).toEqual([
      2,
      '',
      `synth: --out loop/x: passes through a loop of symbolic links (${join(place, 'loop')} -> loop); nothing was ` +
        'changed (fix: remove the link, or point the link at a folder, or give another folder)\n',
    ]);
  });

  it.skipIf('missing' in OTHER)(
    'a folder this user may not search: one line naming --out, the path, what is wrong and the fix (exit 2)',
    async () => {
      // No search (x) permission: root searches every folder, so as root the launcher runs as nobody
      // (for whom the run's own temporary folder, mode 700, is not searchable either), from the bundle
      // built first by this user (--help), which nobody may read but not write.
      const place = tempDir('arcade-out-unsearchable-');
      const locked = join(place, 'locked');
      mkdirSync(locked, { mode: 0o600 });
      const launch = (args: string[], as: { uid?: number; gid?: number }) =>
        spawnScript(SYNTH, args, { cwd: REPO_ROOT, ...as });
      const other = 'as' in OTHER ? OTHER.as : {};
      if (process.getuid?.() === 0) expect((await launch(['--help'], {})).status).toBe(0);
      const out = join(locked, 'x');
      const denied = await launch(['--out', out], other);
      expect([denied.status, denied.stdout, denied.stderr]).toEqual([
        2,
        '',
        `synth: --out ${out}: cannot be followed: a folder on its way may not be searched by this user (EACCES); nothing ` +
          'was changed (fix: give a folder this user may reach, or grant it search (x) permission on every folder on the way)\n',
      ]);
      expect(readdirSync(locked)).toEqual([]);
    },
  );

  it('--out /dev/stdout with stdout a pipe (npm run synth -- --out /dev/stdout | cat) exits 2 instead of spinning', async () => {
    // The reported command line, through a shell: node's own child pipes are sockets, `| cat` is a
    // pipe. Bounded: without the check the launched node spins in mkdirSync and ignores SIGTERM;
    // after 90 s its whole process group (the shell, node, cat) is killed with SIGKILL, and the test
    // then fails on the signal and the missing exit line, not by hanging.
    const launch = scriptCommand(join(REPO_ROOT, 'scripts', 'synth.ts'), ['--out', '/dev/stdout']);
    const run = await new Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn('sh', ['-c', '{ "$0" "$@"; echo "exit $?" >&2; } | cat', process.execPath, ...launch], {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        const bound = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 90_000);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (_status, signal) => {
          clearTimeout(bound);
          resolve({ signal, stdout, stderr });
        });
      },
    );
    expect(run.signal).toBeNull();
    expect(run.stderr).toMatch(
      /^synth: --out \/dev\/stdout \(\/proc\/\d+\/fd\/pipe:\[\d+\]\): is standard output: a stream, not a folder/,
    );
    expect(run.stderr).toMatch(new RegExp(`, not a folder${literal(STREAM_FIX)}\nexit 2\n$`));
    expect(run.stderr.split('\n')).toHaveLength(3); // one line, the exit line, and the end
    expect(run.stdout).toBe('');
  });
});
