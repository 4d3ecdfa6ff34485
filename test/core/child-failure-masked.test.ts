/**
 * A failed program's quoted stderr has its credential shapes hidden (src/core/child-failure.ts:
 * lastLines, through src/core/token-shapes.ts), for every program the stack runs: a real git that
 * quotes a remote's URL, and a `kubectl` and a `helm` stand-in (a shell script) that write a token to
 * stderr and fail. The message shows the key's last 4 characters only. The token is built from parts
 * and reaches the stand-ins through their environment (the repository's secret scan reads this file).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderOverrides } from '../../src/chart-values/render.js';
import { checkFluxBuild } from '../../src/check/flux-build.js';
import { loadDist } from '../../src/check/manifests.js';
import { describeChildFailure, lastLines } from '../../src/core/child-failure.js';
import { gitTry } from '../../src/core/git.js';
import { tempDir, writeDist } from '../check/support.js';

/** A GitHub key ending in `WXYZ`, and the part of it that must never be shown. */
const KEY = `${'ghp'}_${'aB3dE5gH7j'.repeat(4).slice(0, 32)}WXYZ`;
const SECRET_PART = KEY.slice(4, -4);

/** `<dir>/<name>`: a program that writes STANDIN_SAID to stderr and exits 1. */
function failingStandin(dir: string, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, '#!/bin/sh\nprintf \'%s\\n\' "$STANDIN_SAID" >&2\nexit 1\n', { mode: 0o755 });
  return file;
}

/** What a stand-in says: a line before, the token in a line of its own words, a line after. */
const SAID = `error: reading the chart\nError: 401 Unauthorized: token ${KEY} was refused\nsee the log`;

function expectMasked(message: string): void {
  expect(message).not.toContain(SECRET_PART);
  expect(message).toContain('…WXYZ');
}

describe("a failed program's quoted stderr: token shapes hidden, the last 4 shown", () => {
  it('git quoting a remote whose URL holds a token', async () => {
    const dir = tempDir('masked-git-');
    spawnSync('git', ['init', '-q', dir]);
    spawnSync('git', ['-C', dir, 'remote', 'add', 'origin', join(dir, 'missing', KEY)]);
    const run = await gitTry(dir, ['ls-remote', 'origin']);
    expect(run.ok).toBe(false);
    expect(run.stderr).toContain(KEY); // git said it: the message is what hides it
    expect(run.failure).toMatch(/^git ls-remote origin in \S+ failed \(exit 128\): fatal: '.*<hidden …WXYZ>'/);
    expectMasked(run.failure);
  });

  it('kubectl kustomize in the gate (a kubectl stand-in)', async () => {
    const root = tempDir('masked-kubectl-');
    const dist = writeDist(root, 'test', {
      'settings.yaml': [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'a' } }],
    });
    const kubectl = failingStandin(tempDir('masked-kubectl-bin-'), 'kubectl');
    const previous = process.env.STANDIN_SAID;
    process.env.STANDIN_SAID = SAID;
    try {
      const build = await checkFluxBuild(loadDist(dist, root)[0]!, { root, kubectl });
      const message = build.findings.map((f) => f.message).join('\n');
      expect(message).toContain('kubectl kustomize dist/test failed (exit 1): ');
      expect(message).toContain('token <hidden …WXYZ> was refused');
      expectMasked(message);
    } finally {
      if (previous === undefined) delete process.env.STANDIN_SAID;
      else process.env.STANDIN_SAID = previous;
    }
  });

  it('helm template in check-values --render (a helm stand-in on the PATH)', async () => {
    const bin = tempDir('masked-helm-bin-');
    failingStandin(bin, 'helm');
    const env = { PATH: `${bin}${delimiter}${process.env.PATH}`, STANDIN_SAID: SAID };
    const options = { chart: 'oci://example.test/arcade', releaseName: 'arcade', namespace: 'arcade', env };
    const err = await renderOverrides({}, [], options).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain('failed (exit 1): ');
    expect(err?.message).toContain('token <hidden …WXYZ> was refused');
    expectMasked(err?.message ?? '');
  });

  it('a line longer than what is masked: a token its cut begins in is dropped, never shown in part', () => {
    // The line's last 64 KiB (what is masked) begin inside the key; the JWT after it masks to a few
    // characters, so what is left of the key would be among the 1000 shown. The cut drops its first
    // three words (the key's rest, the JWT, `end`): session 17's review cut inside a key's name too.
    const jwt = (length: number) => `${'eyJ'}hbGciOiJub25lIn0.${'eyJ'}${'a'.repeat(length - 48)}.${'s'.repeat(24)}`;
    const line = `x ${KEY} ${jwt(65_558 - 43)} end of line`;
    expect(line.length - ' end of line'.length).toBe(65_558); // its last 65536 begin at the key's 21st character
    expect(lastLines(line)).toBe('of line');
  });
});

describe("node's own message of a failure (execFile quotes the program's path and stderr)", () => {
  it('is masked and escaped where it says a program could not start', () => {
    const error = Object.assign(new Error(`spawn /opt/${KEY}/\u001b[2Jtool EACCES`), { code: 'EACCES' });
    const said = describeChildFailure(
      { command: 'tool', program: 'tool', timeoutMs: 1000, timeoutFix: null, maxBuffer: 1024 },
      { error },
    );
    expect(said).toBe('tool could not start: spawn /opt/<hidden …WXYZ>/\\u001b[2Jtool EACCES');
    expect(said).not.toContain(SECRET_PART);
  });
});
