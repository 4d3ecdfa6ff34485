/**
 * One way to tell why a child process failed (src/core/child-failure.ts), over what node reports
 * for real processes (a shell, each a few milliseconds), from spawnSync and execFile alike: the
 * cases its callers' own tests do not reach (too much output, a program named by a path, one that
 * cannot be executed, a long stderr, stdout quoted only where asked). git, kubectl kustomize and
 * helm are tested in their own files.
 */
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ChildCommand,
  type ChildEnd,
  describeChildFailure,
  lastLines,
  stdoutWhenNoStderr,
} from '../../src/core/child-failure.js';
import { tempDir } from '../support/temp.js';
import { gitTry } from '../../src/core/git.js';

const command = (over: Partial<ChildCommand> = {}): ChildCommand => ({
  command: 'sh -c script',
  program: 'sh',
  timeoutMs: 60_000,
  timeoutFix: 'look at it',
  maxBuffer: 1024,
  ...over,
});

/** `program args` run by execFile: how it ended. */
function execEnd(program: string, args: readonly string[], maxBuffer = 1024): Promise<ChildEnd> {
  return new Promise((resolve) => {
    execFile(program, [...args], { encoding: 'utf8', maxBuffer }, (error, _stdout, stderr) =>
      resolve({ error, stderr }),
    );
  });
}

describe('why a child process failed, told one way', () => {
  it("keeps git's fatal line when it cuts: a real .git/index.lock is named, not only 'remove the file manually'", async () => {
    const dir = tempDir('index-lock-');
    spawnSync('git', ['init', '-q', dir]);
    writeFileSync(join(dir, 'a'), 'a\n');
    writeFileSync(join(dir, '.git', 'index.lock'), '');
    const added = await gitTry(dir, ['add', 'a']);
    expect(added.ok).toBe(false);
    expect(added.failure).toContain(
      `: fatal: Unable to create '${join(dir, '.git', 'index.lock')}': File exists. / ... / `,
    );
    expect(added.failure).toMatch(/remove the file manually to continue\.$/);
  });

  it('names the exit code and quotes the last four lines of stderr, from either API', async () => {
    const script = 'for i in 1 2 3 4 5 6; do echo "line $i" >&2; done; echo >&2; exit 3';
    const said = 'line 3 / line 4 / line 5 / line 6';
    expect(describeChildFailure(command(), spawnSync('sh', ['-c', script], { encoding: 'utf8' }))).toBe(
      `sh -c script failed (exit 3): ${said}`,
    );
    expect(describeChildFailure(command(), await execEnd('sh', ['-c', script]))).toBe(
      `sh -c script failed (exit 3): ${said}`,
    );
  });

  it('quotes stdout only where the caller asks (stdoutWhenNoStderr), and only when stderr is empty', () => {
    const onStdout = spawnSync('sh', ['-c', 'echo "Error: told on stdout"; exit 2'], { encoding: 'utf8' });
    // Without asking (git, helm, kubectl: their stdout is what they make), stdout is never quoted.
    expect(describeChildFailure(command(), onStdout)).toBe('sh -c script failed (exit 2)');
    expect(describeChildFailure(command(), stdoutWhenNoStderr(onStdout))).toBe(
      'sh -c script failed (exit 2): Error: told on stdout',
    );
    const onBoth = spawnSync('sh', ['-c', 'echo progress; echo "Error: told on stderr" >&2; exit 2'], {
      encoding: 'utf8',
    });
    expect(describeChildFailure(command(), stdoutWhenNoStderr(onBoth))).toBe(
      'sh -c script failed (exit 2): Error: told on stderr',
    );
  });

  it('caps what it quotes at the last 1000 characters of those lines', () => {
    const long = `${'a'.repeat(600)}\n${'b'.repeat(600)}\n`;
    expect(lastLines(long)).toBe(`...${'a'.repeat(397)} / ${'b'.repeat(600)}`);
    expect(lastLines('  \n only \n\n')).toBe('only');
  });

  it("quotes a program's stderr made printable: what it echoes cannot act on the terminal", async () => {
    // What kubectl or helm does with a hostile manifest's or server's text: echo it in its error.
    // printf's octal escapes: ESC, CR, BEL and U+202E (RLO, as UTF-8) reach stderr as raw bytes.
    const script = String.raw`printf 'error: object "\033[2K\033[31mok\r\342\200\256evil\007" is invalid\r\n' >&2; exit 1`;
    const said = String.raw`error: object "\u001b[2K\u001b[31mok\u000d\u202eevil\u0007" is invalid`;
    expect(describeChildFailure(command(), spawnSync('sh', ['-c', script], { encoding: 'utf8' }))).toBe(
      `sh -c script failed (exit 1): ${said}`,
    );
    expect(describeChildFailure(command(), await execEnd('sh', ['-c', script]))).toBe(
      `sh -c script failed (exit 1): ${said}`,
    );
  });

  it('reads a tab inside a line as a space (helm quotes a template position so), not as its escape', () => {
    expect(lastLines('Error: template: x.yaml:3:\t<.Values.x>: nil pointer\n')).toBe(
      'Error: template: x.yaml:3: <.Values.x>: nil pointer',
    );
  });

  it('cuts escaped lines at 1000 characters as printed, never inside an escape', () => {
    // 200 ESCs are 1200 characters escaped: 166 whole escapes fit in 1000, a 167th would not.
    expect(lastLines(`${'\u001b'.repeat(200)}x`)).toBe(`...${'\\u001b'.repeat(166)}x`);
  });

  it('names the signal that stopped it (not called a timeout)', () => {
    const end = spawnSync('sh', ['-c', 'echo dying >&2; kill -KILL $$'], { encoding: 'utf8' });
    expect(describeChildFailure(command(), end)).toBe('sh -c script was stopped by SIGKILL: dying');
  });

  it('names the output limit it exceeded, from either API', async () => {
    const script = 'head -c 4096 /dev/zero';
    const spawned = spawnSync('sh', ['-c', script], { encoding: 'utf8', maxBuffer: 1024 });
    expect(describeChildFailure(command(), spawned)).toBe('sh -c script printed more than 1 KiB and was stopped');
    expect(describeChildFailure(command(), await execEnd('sh', ['-c', script]))).toBe(
      'sh -c script printed more than 1 KiB and was stopped',
    );
  });

  it('tells a missing program (with the fix) from one that cannot be executed', async () => {
    const dir = tempDir('child-failure-');
    const missing = join(dir, 'no-such-program');
    expect(describeChildFailure(command({ program: missing }), spawnSync(missing, [], { encoding: 'utf8' }))).toBe(
      `sh -c script could not start: ${missing} was not found (fix: install ${missing} and put it on the PATH)`,
    );
    const absent = `no-such-program-${process.pid}`; // looked up on the PATH, where nothing has that name
    expect(
      describeChildFailure(
        command({ program: absent, missingFix: 'install it' }),
        spawnSync(absent, [], { encoding: 'utf8' }),
      ),
    ).toBe(`sh -c script could not start: ${absent} was not found on the PATH (fix: install it)`);
    // missingFix null: the caller's own report carries the fix (the gate's finding), said once.
    expect(
      describeChildFailure(command({ program: absent, missingFix: null }), spawnSync(absent, [], { encoding: 'utf8' })),
    ).toBe(`sh -c script could not start: ${absent} was not found on the PATH`);
    const notExecutable = join(dir, 'script');
    writeFileSync(notExecutable, 'echo hi\n', { mode: 0o644 });
    expect(describeChildFailure(command(), await execEnd(notExecutable, []))).toBe(
      `sh -c script could not start: spawn ${notExecutable} EACCES`,
    );
  });
});
