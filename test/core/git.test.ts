/**
 * src/core/git.ts runs git itself (execFile, no shell): an argument is one argument whatever it
 * holds, a missing git is a failure with a message, and a command never waits on stdin.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesAtRef, GitError, git, gitTry } from '../../src/core/git.js';
import { NO_AUTO_MAINTENANCE_ARGS } from '../support/git-repos.js';
import { tempDir } from '../support/temp.js';

/** The committer, for one command, and no automatic maintenance (test/support/git-repos.ts). */
const COMMITTER = ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...NO_AUTO_MAINTENANCE_ARGS];

function emptyRepo(): string {
  const dir = tempDir('git-core-');
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  return dir;
}

describe('git (src/core/git.ts)', () => {
  it('passes a hostile argument to git as one argument, never to a shell', async () => {
    const dir = emptyRepo();
    for (const ref of ['$(touch pwned)', '`touch pwned`', 'x; touch pwned', 'x && touch pwned #']) {
      const r = await gitTry(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
      expect(r.ok, ref).toBe(false);
      // git saw the whole text as one revision: with --verify it says nothing, and nothing ran.
      expect(existsSync(join(dir, 'pwned')), ref).toBe(false);
      await expect(git(dir, ['check-ref-format', '--branch', ref])).rejects.toThrow(
        new GitError(
          `git check-ref-format --branch ${ref} in ${dir} failed (exit 128): fatal: '${ref}' is not a valid branch name`,
        ),
      );
    }
  });

  it('reports a git that cannot be started as a failure naming why and the fix', async () => {
    const dir = emptyRepo();
    const r = await gitTry(dir, ['status'], { env: { PATH: join(dir, 'no-such-folder') } });
    expect(r).toEqual({
      ok: false,
      stdout: '',
      stderr: '',
      failure: `git status in ${dir} could not start: git was not found on the PATH (fix: install git and put it on the PATH)`,
      end: { error: expect.objectContaining({ code: 'ENOENT' }), stderr: '' },
    });
    // A caller whose own report carries the fix (the gate's repository scan) has it left out.
    const bare = await gitTry(dir, ['status'], { env: { PATH: join(dir, 'no-such-folder') }, missingFix: null });
    expect(bare.failure).toBe(`git status in ${dir} could not start: git was not found on the PATH`);
    // A working folder that is gone is not a missing git.
    const gone = join(dir, 'gone');
    await expect(git(gone, ['status'])).rejects.toThrow(
      new GitError(`git status in ${gone} could not start: its working folder ${gone} does not exist`),
    );
  });

  it('reports a git killed at its timeout as timed out, although a helper it started still holds its output', async () => {
    // A remote that accepts the connection and never answers: git-remote-http (git's child, which
    // shares its stderr) waits for it after git itself is killed. The timeout always wins here.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/x.git`;
      const dir = emptyRepo();
      const r = await gitTry(dir, ['ls-remote', url], { timeoutMs: 300 });
      expect(r).toEqual({
        ok: false,
        stdout: '',
        stderr: '',
        failure:
          `git ls-remote ${url} in ${dir} timed out after 300 ms and was stopped (fix: find what it waits on (a remote ` +
          'that does not answer, a credential helper or an ssh key asking for input) and run it again)',
        end: { error: expect.objectContaining({ killed: true, signal: 'SIGKILL' }), stderr: '' },
      });
    } finally {
      for (const socket of sockets) socket.destroy(); // the helper reads the end and exits
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("keeps git's output within the caller's limit, and says which limit it passed", async () => {
    const dir = emptyRepo();
    const r = await gitTry(dir, ['var', 'GIT_COMMITTER_IDENT'], { maxBuffer: 4 });
    expect(r.ok).toBe(false);
    expect(r.end.error).toMatchObject({ code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' });
    expect(r.failure).toBe(`git var GIT_COMMITTER_IDENT in ${dir} printed more than 4 bytes and was stopped`);
  });

  it('gives git no input: a command that reads stdin ends at once', async () => {
    const dir = emptyRepo();
    // The id of the empty blob: hash-object read an empty stdin and returned.
    expect((await git(dir, ['hash-object', '--stdin'])).trim()).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });

  it("returns stdout untrimmed and git stderr trimmed; throws GitError naming the command, its exit code and git's last lines", async () => {
    const dir = emptyRepo();
    expect(await git(dir, ['rev-parse', '--is-inside-work-tree'])).toBe('true\n');
    const r = await gitTry(dir, ['rev-parse', 'HEAD']);
    const said = [
      "fatal: ambiguous argument 'HEAD': unknown revision or path not in the working tree.",
      "Use '--' to separate paths from revisions, like this:",
      "'git <command> [<revision>...] -- [<file>...]'",
    ];
    expect(r.stderr).toBe(said.join('\n'));
    // Its last lines (up to four), on one line.
    expect(r.failure).toBe(`git rev-parse HEAD in ${dir} failed (exit 128): ${said.join(' / ')}`);
    await expect(git(dir, ['rev-parse', 'HEAD'])).rejects.toThrow(new GitError(r.failure));
  });

  it('reads every file of a folder at a commit, byte for byte, from one cat-file', async () => {
    const dir = emptyRepo();
    const files: Record<string, string> = {
      'dist/a.yaml': 'ä: ü\n€: "\\u20ac"\n',
      'dist/empty.yaml': '',
      'dist/sub/no-newline.yaml': 'last: line',
      'dist/sub/two.yaml': 'a: 1\n---\nb: 2\n\n',
      'other/outside.yaml': 'not: read\n',
    };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    await git(dir, ['add', '-A']);
    await git(dir, [...COMMITTER, 'commit', '-q', '-m', 'files']);
    // The work tree moves on: the commit's bytes are read, not the files'.
    writeFileSync(join(dir, 'dist/a.yaml'), 'changed\n');
    expect(await filesAtRef(dir, 'HEAD', 'dist')).toEqual([
      { path: 'a.yaml', content: files['dist/a.yaml'] },
      { path: 'empty.yaml', content: '' },
      { path: 'sub/no-newline.yaml', content: 'last: line' },
      { path: 'sub/two.yaml', content: files['dist/sub/two.yaml'] },
    ]);
    expect(await filesAtRef(dir, 'HEAD', 'nothing-here')).toEqual([]);
    await expect(filesAtRef(dir, 'no-such-ref', 'dist')).rejects.toThrow(
      '--base no-such-ref: not a commit in this repository (fix: give a branch, tag or commit id)',
    );
    // A submodule (a gitlink: a commit id, no file) cannot be read as a file.
    const head = (await git(dir, ['rev-parse', 'HEAD'])).trim();
    await git(dir, ['update-index', '--add', '--cacheinfo', `160000,${head},dist/module`]);
    await git(dir, [...COMMITTER, 'commit', '-q', '-m', 'module']);
    await expect(filesAtRef(dir, 'HEAD', 'dist')).rejects.toThrow(
      /^git cat-file HEAD:dist\/module failed in .*: not a file in the commit \(a submodule\?\)$/,
    );
  });
});
