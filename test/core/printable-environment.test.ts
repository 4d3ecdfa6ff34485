/**
 * Environment text on a terminal: an unresolved value's reason with an ANSI escape, a bell or a
 * bidi override is listed by synth and reported by check escaped (src/core/printable.ts), and a
 * 200 kB reason is one line cut with "(… N more characters)"; both were printed raw.
 */
import { describe, expect, it } from 'vitest';
import { main as check } from '../../scripts/check.js';
import { printableCapped } from '../../src/core/printable.js';
import { unresolvedMarker } from '../../src/core/unresolved-text.js';
import { formatUnresolved, type EnvironmentOutput } from '../../src/synth.js';
import { tempDir, writeDist } from '../check/support.js';
import { runMain } from '../support/run-script.js';

const HOSTILE = 'ask \u001b[31mops\u001b[0m\u0007 \u202egnp.exe';
const SHOWN = 'ask \\u001b[31mops\\u001b[0m\\u0007 \\u202egnp.exe';
const RAW = /[\u0007\u001b\u202e]/;
const LONG = 'x'.repeat(200_000);

describe('an unresolved reason from an environment file', () => {
  it('is listed by synth escaped, and a 200 kB one cut to one line', () => {
    const outputs = [
      {
        env: { name: 'e' },
        unresolved: [
          { path: 'oidc.clientId', reason: HOSTILE },
          { path: 'a.b', reason: LONG },
        ],
      },
    ] as unknown as EnvironmentOutput[];
    const [head, hostile, long, ...rest] = formatUnresolved(outputs).split('\n');
    expect([head, hostile, rest]).toEqual(['e: 2 unresolved value(s)', `  - oidc.clientId: ${SHOWN}`, []]);
    expect(long).toBe(`  - a.b: ${'x'.repeat(300)} (… ${200_000 - 300} more characters)`);
  });

  it('is reported by check escaped, and a 200 kB one cut to one line', async () => {
    const dir = tempDir('printable-env-');
    const dist = writeDist(dir, 'test', {
      'a.yaml': [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'a', namespace: 'n' },
          data: { hostile: unresolvedMarker(HOSTILE), long: unresolvedMarker(LONG) },
        },
      ],
    });
    const r = await runMain(check, ['--dist', dist, '--dist-only', '--skip-kustomize']);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain(`[unresolved.value] unresolved: ${SHOWN} (fix:`);
    expect(r.stdout).toContain(
      `[unresolved.value] unresolved: ${'x'.repeat(300)} (… ${200_000 - 300} more characters) (fix:`,
    );
    expect(Math.max(...r.stdout.split('\n').map((l) => l.length))).toBeLessThan(1000);
  });

  it('printableCapped never splits an escape', () => {
    expect(printableCapped(`${'y'.repeat(8)}\u001b${'y'.repeat(10)}`, 10)).toBe(
      `${'y'.repeat(8)} (… 11 more characters)`,
    );
  });
});
