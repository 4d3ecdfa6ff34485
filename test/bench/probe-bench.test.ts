/**
 * The probe bench's runs (src/bench/probe-bench.ts) as they fail: the real probe command, started
 * against the real loopback stand-ins, stopped at its timeout before it could write a report.
 */
import { describe, expect, it } from 'vitest';
import { benchProbes, NARROW } from '../../src/bench/probe-bench.js';

describe('a probe run that writes no report', () => {
  it('is named with how it ended and the fix, and every probe figure is not measured for it', async () => {
    // 1 ms: node is stopped long before it could start probing, let alone write its report.
    const result = await benchProbes({ runs: 1, warmup: 0, timeoutMs: 1, wide: NARROW });
    const reason =
      'node src/tooling/launch.mjs probe --targets <stand-in targets.yaml> --json <tmp> timed out after 1 ms and ' +
      'was stopped (fix: it probes loopback stand-ins served by the bench and ends in seconds: run npm run probe ' +
      '-- --demo (the same stand-ins) to see where it waits)';
    expect(result.measurements.map((m) => [m.id, m.status === 'not-measured' && m.reason])).toEqual([
      ['probes.run', reason],
      ['probes.slowest', reason],
      ['probes.wide', reason],
      ['probes.wide.slowest', reason],
    ]);
  });
});
