/**
 * A stand-in for `helm template`, put first on the PATH by the tests. It behaves like a chart whose
 * templates read only the keys in its default values: it merges the --values file over the
 * defaults (HELM_STANDIN_DEFAULTS) and prints only the keys the defaults declare (whole subtrees
 * below free-form maps). An override the chart does not know therefore changes nothing.
 * Every invocation's arguments are appended to HELM_STANDIN_LOG (one JSON line each);
 * HELM_STANDIN_FAIL makes it fail as helm does for a chart it cannot find (`signal`: killed by
 * SIGKILL instead, a helm stopped by something else; `hang`: never answers, a helm that hangs).
 *
 * The `helm` on the PATH is a real executable that check-values finds and runs as it would run
 * helm (its arguments, environment, exit code, stdout and stderr), but a bash script: it sends its
 * arguments and those three variables to this module's loopback server, in the test's own process,
 * and prints what the server answers. A node process per call cost about 0.25 s of CPU on the
 * 2-core machines here, and `--render` calls helm once per override and once more (about 35
 * calls per test file); bash and `cat` cost a few milliseconds.
 */
import { appendFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { isRecord } from '../../src/core/is-record.js';

/** What the stand-in answers one call: helm's exit code (or `kill`: the script kills itself), and what it prints. */
interface Answer {
  readonly code: number | 'kill';
  readonly stdout: string;
  readonly stderr: string;
}

type Tree = Record<string, unknown>;

function merge(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over === undefined ? base : over;
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

function prune(defaults: unknown, merged: unknown): unknown {
  if (!isRecord(defaults) || Object.keys(defaults).length === 0 || !isRecord(merged)) return merged;
  const out: Tree = {};
  for (const k of Object.keys(defaults)) out[k] = prune(defaults[k], merged[k]);
  return out;
}

/** One `helm <args>` with the stand-in's variables (empty when unset). */
function helm(args: readonly string[], env: { defaults: string; log: string; fail: string }): Answer {
  if (env.log) appendFileSync(env.log, `${JSON.stringify(args)}\n`);
  if (args[0] !== 'template')
    return { code: 1, stdout: '', stderr: `helm stand-in: only 'template' is supported, got ${args[0]}\n` };
  if (env.fail === 'signal') return { code: 'kill', stdout: '', stderr: '' };
  if (env.fail) return { code: 1, stdout: '', stderr: 'Error: chart "arcade" version "1.8.8" not found\n' };
  const defaults: unknown = parse(readFileSync(env.defaults, 'utf8')) ?? {};
  const user: unknown = parse(readFileSync(args[args.indexOf('--values') + 1] ?? '', 'utf8')) ?? {};
  const rendered = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: args[1] },
    data: { values: JSON.stringify(prune(defaults, merge(defaults, user))) },
  };
  return { code: 0, stdout: `---\n${stringify(rendered)}`, stderr: '' };
}

/**
 * The request, as the script writes it: fields each ended by a NUL byte, the argument count first,
 * then the arguments, then HELM_STANDIN_DEFAULTS, HELM_STANDIN_LOG and HELM_STANDIN_FAIL.
 * Undefined until all of it has arrived.
 */
function request(received: Buffer): { args: string[]; defaults: string; log: string; fail: string } | undefined {
  const fields = received.toString('utf8').split('\0');
  fields.pop(); // what follows the last NUL: an unfinished field, or nothing
  const count = Number(fields[0]);
  if (fields.length < 1 + count + 3) return undefined;
  const [defaults = '', log = '', fail = ''] = fields.slice(1 + count);
  return { args: fields.slice(1, 1 + count), defaults, log, fail };
}

const SCRIPT = (port: number) => `#!/usr/bin/env bash
# helm, as the check-values tests' stand-in (test/chart-values/helm-standin.ts answers on port ${port}):
# the first line of the answer is the exit code, the rest what helm prints (stdout, or stderr on failure).
exec 3<>/dev/tcp/127.0.0.1/${port} || exit 1
printf '%s\\0' "$#" "$@" "\${HELM_STANDIN_DEFAULTS-}" "\${HELM_STANDIN_LOG-}" "\${HELM_STANDIN_FAIL-}" >&3
IFS= read -r code <&3 || exit 1
if [ "$code" = kill ]; then kill -KILL "$$"; fi
if [ "$code" = 0 ]; then cat <&3; else cat <&3 >&2; fi
exit "$code"
`;

export interface HelmStandin {
  /** Writes `<dir>/bin/helm` and returns that folder, to put first on the PATH. */
  binIn(dir: string): string;
  close(): Promise<void>;
}

/** Starts the stand-in's server on a loopback port. */
export async function startHelmStandin(): Promise<HelmStandin> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const call = request(received);
      if (!call) return;
      if (call.fail === 'hang') return; // held: the caller's timeout must end it
      let answer: Answer;
      try {
        answer = helm(call.args, call);
      } catch (err) {
        answer = { code: 1, stdout: '', stderr: `helm stand-in: ${(err as Error).message}\n` };
      }
      socket.end(`${answer.code}\n${answer.code === 0 ? answer.stdout : answer.stderr}`);
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    binIn(dir) {
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'helm'), SCRIPT(port));
      chmodSync(join(bin, 'helm'), 0o755);
      return bin;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
