/**
 * The one loop every figure is measured with (synth commands and probe runs alike): round robin,
 * warm-up runs dropped, progress named; and the median a ratio takes, refused for a figure that
 * was not measured; the peak memory a child reports, refused when unreadable. The loop's measure
 * is a plain function there; measureSubjects runs a real node stand-in that notes each start, to
 * show a sample is one run of the command, with the preload only where memory is measured. No
 * timing is asserted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureSubjects, medianOf, roundRobin, type Measurement, type Subject } from '../../src/bench/measurement.js';
import { MAX_RSS_REPORTER, readMaxRssMb } from '../../src/bench/node-run.js';
import { tempDir } from '../support/temp.js';

describe('roundRobin', () => {
  it('measures each subject once per run, in turn, and keeps only the runs after the warm-up', async () => {
    const calls: string[] = [];
    const progress: string[] = [];
    let n = 0;
    const kept = await roundRobin(
      ['a', 'b'],
      { runs: 2, warmup: 1, onProgress: (m) => progress.push(m) },
      (s) => `subject ${s}`,
      async (s) => {
        calls.push(s);
        return `${s}${n++}`;
      },
    );
    expect(calls).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(kept).toEqual([
      ['a2', 'a4'],
      ['b3', 'b5'],
    ]);
    expect(progress).toEqual([
      'warm-up 1/1: subject a',
      'warm-up 1/1: subject b',
      'run 1/2: subject a',
      'run 1/2: subject b',
      'run 2/2: subject a',
      'run 2/2: subject b',
    ]);
  });

  it('refuses no measured run or a negative warm-up before measuring anything', async () => {
    const calls: string[] = [];
    const measure = (s: string) => void calls.push(s);
    await expect(roundRobin(['a'], { runs: 0, warmup: 0 }, String, measure)).rejects.toThrow(
      /runs: 0 \(fix: a whole number >= 1\)/,
    );
    await expect(roundRobin(['a'], { runs: 1, warmup: -1 }, String, measure)).rejects.toThrow(
      /warmup: -1 \(fix: a whole number >= 0\)/,
    );
    expect(calls).toEqual([]);
  });

  it('stops at the first failed measurement (no figure from a broken run)', async () => {
    await expect(
      roundRobin(['a', 'b'], { runs: 3, warmup: 0 }, String, (s) => {
        if (s === 'b') throw new Error('b failed');
        return 1;
      }),
    ).rejects.toThrow('b failed');
  });
});

describe('medianOf', () => {
  const measurements: Measurement[] = [
    {
      id: 'x',
      label: 'x',
      status: 'measured',
      command: 'node x',
      timeMs: { median: 12, min: 10, max: 14, runs: 3 },
      samplesMs: [10, 12, 14],
    },
    { id: 'y', label: 'y', status: 'not-measured', reason: 'no stand-ins' },
  ];

  it('takes the median time of a measured figure', () => {
    expect(medianOf(measurements, 'x')).toEqual({ id: 'x', median: 12 });
  });

  it('refuses a figure that was not measured, or is missing, instead of making up a number', () => {
    expect(() => medianOf(measurements, 'y')).toThrow(/figure y was not measured \(no stand-ins\)/);
    expect(() => medianOf(measurements, 'z')).toThrow(/no figure z \(among x, y\)/);
  });
});

describe('readMaxRssMb', () => {
  const reported = (text: string): string => {
    const file = join(tempDir('arcade-bench-rss-test-'), 'maxrss');
    writeFileSync(file, text);
    return file;
  };

  it('reads the kilobytes the child wrote as MiB', () => {
    expect(readMaxRssMb(reported('262144\n'))).toBe(256);
  });

  it('refuses an empty, zero or garbled report instead of a 0 MB figure', () => {
    for (const text of ['', '0\n', 'abc'])
      expect(() => readMaxRssMb(reported(text)), JSON.stringify(text)).toThrow(
        /reported maxRSS .* \(expected kilobytes > 0\)/,
      );
  });
});

describe('measureSubjects', () => {
  it('takes a sample from ONE run of the command: its time, and its peak memory where asked (the preload in that run)', async () => {
    const starts = join(tempDir('arcade-bench-starts-'), 'starts');
    // A real node process that notes each start and the node options given before its -e.
    const standIn = (id: string, memory: boolean): Subject => ({
      id,
      label: id,
      command: `node -e <note the start> ${id}`,
      memory,
      commandFor: () => ({
        args: [
          '-e',
          `const o = process.execArgv; require('node:fs').appendFileSync(process.argv[1], '${id} ' + o.slice(0, o.indexOf('-e')).join(' ') + '\\n')`,
          starts,
        ],
        cwd: process.cwd(),
      }),
    });
    const [memory, bare] = await measureSubjects([standIn('memory', true), standIn('bare', false)], {
      runs: 2,
      warmup: 1,
    });
    // 3 samples of each (1 warm-up + 2 runs), round robin: one start per sample, none more.
    const preload = `memory --require ${MAX_RSS_REPORTER}`;
    expect(readFileSync(starts, 'utf8')).toBe(`${[preload, 'bare ', preload, 'bare ', preload, 'bare '].join('\n')}\n`);
    if (memory?.status !== 'measured' || bare?.status !== 'measured') throw new Error('not measured');
    expect(memory.samplesMs).toHaveLength(2);
    expect(memory.peakRssMb?.runs).toBe(2);
    expect(memory.peakRssMb?.min).toBeGreaterThan(1);
    expect(bare.samplesMs).toHaveLength(2);
    expect(bare).not.toHaveProperty('peakRssMb');
  });
});
