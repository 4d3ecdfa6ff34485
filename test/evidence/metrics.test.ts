/**
 * The metric contract is written twice, in code (src/evidence/metrics.ts) and for people
 * (docs/continuous-evidence.md): the two must say the same, and the codes must keep their order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EVIDENCE_METRICS,
  FAILING_STATUS_CODE,
  lastRunWindow,
  PROBE_STATUS_CODES,
} from '../../src/evidence/metrics.js';
import type { ProbeStatus } from '../../src/probes/types.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

// Every probe status has a code and every code a status (checked by tsc: the contract sits below
// the probes in the layers, so it cannot import their type itself).
type Coded = keyof typeof PROBE_STATUS_CODES;
const sameStatuses: [ProbeStatus] extends [Coded] ? ([Coded] extends [ProbeStatus] ? true : false) : false = true;
void sameStatuses;

const doc = readFileSync(join(REPO_ROOT, 'docs', 'continuous-evidence.md'), 'utf8');

/** The rows of the doc's contract table: instrument, kind and unit, attributes, Mimir names. */
function contractRows(): string[][] {
  const start = doc.indexOf('| OTLP instrument |');
  const table = doc.slice(start).split('\n\n')[0]!.split('\n').slice(2);
  return table.map((row) =>
    row
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
}

const ticks = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('the continuous-evidence metric contract', () => {
  it('orders the status codes worse-is-higher, failing from fail on', () => {
    const order = Object.entries(PROBE_STATUS_CODES)
      .sort(([, a], [, b]) => a - b)
      .map(([status]) => status);
    expect(order).toEqual(['pass', 'known-gap', 'skip', 'fail', 'error']);
    expect(FAILING_STATUS_CODE).toBe(3);
  });

  it('documents every metric exactly as the code defines it', () => {
    const documented = contractRows().map(([instrument, kind, attributes, names]) => ({
      instrument: ticks(instrument!)[0],
      kind: kind!.split(',')[0],
      unit: ticks(kind!)[0] ?? '',
      attributes: ticks(attributes!),
      prometheus: ticks(names!)[0]!.replace(/_bucket$/, ''),
    }));
    expect(documented).toEqual(
      Object.values(EVIDENCE_METRICS).map((m) => ({
        instrument: m.instrument,
        kind: m.kind,
        unit: m.unit,
        attributes: [...m.attributes],
        prometheus: m.prometheus,
      })),
    );
  });

  it('documents the status codes as the code defines them', () => {
    const line = Object.entries(PROBE_STATUS_CODES)
      .map(([status, code]) => `\`${code}\` ${status}`)
      .join(', ');
    expect(doc).toContain(`**Status codes** (the gauge's value): ${line}.`);
  });

  it('reads the last run over two schedules, and refuses a schedule that is not whole minutes', () => {
    expect(lastRunWindow()).toBe('10m');
    expect(lastRunWindow(15)).toBe('30m');
    expect(() => lastRunWindow(0)).toThrow(/scheduleMinutes must be a whole number of minutes >= 1 \(got 0\)/);
    expect(() => lastRunWindow(2.5)).toThrow(/got 2.5/);
  });
});
