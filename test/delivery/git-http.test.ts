/**
 * The loopback git remote (test/support/git-http.ts) never leaves a wait behind it: a
 * `git-http-backend` whose client went away, or still running when the server closes, is killed
 * with the upload-pack it started, and each one in flight is named by what a timed-out test
 * reports (test/support/in-flight.ts).
 *
 * The request that never ends: a fetch's POST whose body is never finished. http-backend reads an
 * upload-pack request to its end before answering, so it waits, as it would for a client stalled
 * on a starved machine. Its client going away fails the request itself (the body was cut), so
 * the request's 'error' kills the group. A request whose body was whole fails nothing when its
 * client goes away: only the response's 'close' tells, shown with a push held by its hook.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHttpServer, startGitHttpServer } from '../support/git-http.js';
import { describeInFlight, reportInFlightOnFailure } from '../support/in-flight.js';
import { makeRepo, run } from './support.js';

const PROC = existsSync('/proc/self/stat');
if (!PROC) console.log('[git-http] skipped: no /proc here to read the processes from');

reportInFlightOnFailure();

let git: GitHttpServer;
beforeAll(async () => {
  git = await startGitHttpServer((user, password) => user === 'u' && password === 'p');
  await git.createRepository('acme/stalled', await makeRepo({ 'README.md': 'x\n' }, 'seed'));
});
afterAll(() => git?.close());

/** Resolves once `check` holds, looking again every 10 ms (bounded by vitest's test timeout). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Whether a process with this id (or, negative, a process group) exists. */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a process of group `pgid` is still running, read from /proc (`pid (comm) state ppid
 * pgrp ...`): one that exited but is not yet reaped (state Z) does not count, since its new
 * parent may be an init that reaps late, or never.
 */
function groupRunning(pgid: number): boolean {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .some((name) => {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      } catch {
        return false; // ended while read
      }
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return state !== 'Z' && Number(pgrp) === pgid;
    });
}

/**
 * Starts a fetch POST from `repository` that never finishes its body; returns it and the
 * http-backend's pid once it runs. Each test stalls its own repository, so a backend a failed
 * test left running is never taken for the next test's.
 */
async function stalledFetch(server: GitHttpServer, repository: string): Promise<{ abort: () => void; pid: number }> {
  const client = request(`${server.url(repository)}/git-upload-pack`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
      'Content-Type': 'application/x-git-upload-pack-request',
      'Transfer-Encoding': 'chunked',
    },
  });
  client.on('error', () => {}); // aborted below
  client.write('0032want 0000000000000000000000000000000000000000\n');
  const line = () =>
    describeInFlight()
      .split('\n')
      .find((l) => l.includes(`git-http-backend POST /${repository}.git/git-upload-pack`));
  await until(() => line() !== undefined);
  const pid = Number(/\(pid (\d+)\)/.exec(line() ?? '')?.[1]);
  expect(exists(pid)).toBe(true);
  return { abort: () => client.destroy(), pid };
}

describe.skipIf(!PROC)('the loopback git remote (reads processes from /proc)', () => {
  it('names a request in flight with its http-backend, and kills that process group when the client goes away', async () => {
    const { abort, pid } = await stalledFetch(git, 'acme/stalled');
    // The process listing of a timed-out test shows it among the worker's processes.
    expect(describeInFlight()).toMatch(new RegExp(`pid ${pid} \\(\\w.*\\): \\S*git-http-backend`));
    abort();
    // No longer in flight, and nothing of its process group left (the upload-pack it started
    // included, once reaped). Were either never true, the test's timeout would end it, naming
    // what was still in flight (reportInFlightOnFailure).
    await until(() => !describeInFlight().includes(`(pid ${pid})`));
    await until(() => !groupRunning(pid));
  });

  it('kills the process group of a request whose body was whole when the client goes away before the answer', async () => {
    // A push that deletes a branch (no pack: the request is whole when sent) into a repository
    // whose pre-receive hook never ends: http-backend waits for receive-pack, which waits for the
    // hook. The request itself never fails (its body was complete), so only the response's close
    // tells the server its client left: without that kill, the group runs until the server closes.
    const dir = await git.createRepository('acme/hooked', await makeRepo({ 'README.md': 'x\n' }, 'seed'));
    const tip = (await run(dir, ['rev-parse', 'HEAD'])).trim();
    await run(dir, ['update-ref', 'refs/heads/doomed', tip]);
    writeFileSync(join(dir, 'hooks', 'pre-receive'), '#!/bin/sh\n: > hook-started\nexec sleep 600\n', { mode: 0o755 });
    const line = (text: string) => `${(text.length + 4).toString(16).padStart(4, '0')}${text}`;
    const body = `${line(`${tip} ${'0'.repeat(40)} refs/heads/doomed\0report-status delete-refs\n`)}0000`;
    const client = request(`${git.url('acme/hooked')}/git-receive-pack`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
        'Content-Type': 'application/x-git-receive-pack-request',
        'Content-Length': Buffer.byteLength(body),
      },
    });
    client.on('error', () => {}); // destroyed below
    client.end(body);
    await until(() => existsSync(join(dir, 'hook-started')));
    const inFlight = describeInFlight()
      .split('\n')
      .find((l) => l.includes('git-http-backend POST /acme/hooked.git/git-receive-pack'));
    const pid = Number(/\(pid (\d+)\)/.exec(inFlight ?? '')?.[1]);
    expect(exists(pid)).toBe(true);
    client.destroy();
    await until(() => !describeInFlight().includes(`(pid ${pid})`));
    await until(() => !groupRunning(pid));
  });

  it('kills the http-backends still running when it closes', async () => {
    const server = await startGitHttpServer(() => true);
    await server.createRepository('acme/stalled-at-close', await makeRepo({ 'README.md': 'x\n' }, 'seed'));
    const { pid } = await stalledFetch(server, 'acme/stalled-at-close');
    await server.close();
    await until(() => !describeInFlight().includes(`(pid ${pid})`));
    await until(() => !groupRunning(pid));
  });
});
