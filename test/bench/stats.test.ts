/**
 * The bench's arithmetic: medians, min/max, ratios against targets, and the generated
 * environments of the 1-vs-10 figure. No timing is asserted anywhere.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notMeasured, ratio, summarize } from '../../src/bench/stats.js';
import { writeGeneratedEnvironments } from '../../src/bench/synth-bench.js';
import { ENVIRONMENTS_DIR, loadEnvironments } from '../../src/environments/load.js';

describe('summarize', () => {
  it('takes the middle sample of an odd count, whatever the order', () => {
    expect(summarize([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, runs: 3 });
  });

  it('takes the mean of the two middle samples of an even count', () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
  });

  it('summarizes a single sample as itself', () => {
    expect(summarize([7])).toEqual({ median: 7, min: 7, max: 7, runs: 1 });
  });

  it('refuses no samples and non-finite samples, saying what to fix', () => {
    expect(() => summarize([])).toThrow(/no samples \(fix: .*--runs >= 1\)/);
    expect(() => summarize([1, Number.NaN])).toThrow(/not a finite number/);
  });
});

describe('ratio', () => {
  const spec = (num: number, den: number, target: number) => ({
    id: 'a/b',
    label: 'a / b',
    target,
    numerator: { id: 'a', median: num },
    denominator: { id: 'b', median: den },
  });

  it('divides the medians and is met when at most the target', () => {
    expect(ratio(spec(150, 100, 1.5))).toEqual({
      id: 'a/b',
      label: 'a / b',
      target: 1.5,
      status: 'met',
      value: 1.5,
      numerator: 'a',
      denominator: 'b',
    });
  });

  it('is missed above the target', () => {
    const r = ratio(spec(151, 100, 1.5));
    expect(r.status).toBe('missed');
    expect(r.value).toBeCloseTo(1.51);
  });

  it('refuses a zero denominator instead of reporting Infinity', () => {
    expect(() => ratio(spec(1, 0, 2))).toThrow(/denominator b has median 0/);
    expect(() => ratio(spec(1, Number.POSITIVE_INFINITY, 2))).toThrow(/denominator b has median Infinity/);
  });

  it('refuses a numerator that is not a measurement instead of reporting NaN as missed', () => {
    expect(() => ratio(spec(Number.NaN, 100, 2))).toThrow(/numerator a has median NaN \(fix: /);
    expect(() => ratio(spec(-1, 100, 2))).toThrow(/numerator a has median -1/);
  });

  it('a figure that could not be measured carries its reason and no value', () => {
    expect(notMeasured('p', 'probe', 1.3, 'no runner')).toEqual({
      id: 'p',
      label: 'probe',
      target: 1.3,
      status: 'not-measured',
      reason: 'no runner',
    });
  });
});

describe('writeGeneratedEnvironments', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const template = join(ENVIRONMENTS_DIR, 'backstage-wus2-v4.yaml');

  it('writes 10 valid copies, each named after its file, comments kept', () => {
    const dir = writeGeneratedEnvironments(template, 10);
    dirs.push(dir);
    const loaded = loadEnvironments(dir);
    expect(loaded.map((l) => l.env.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `backstage-wus2-v4-${String(i + 1).padStart(2, '0')}`),
    );
    expect(readFileSync(join(dir, 'backstage-wus2-v4-03.yaml'), 'utf8')).toContain(
      '# Environment: the production cluster',
    );
  });

  it('keeps the name of a single copy', () => {
    const dir = writeGeneratedEnvironments(template, 1);
    dirs.push(dir);
    expect(loadEnvironments(dir).map((l) => l.env.name)).toEqual(['backstage-wus2-v4']);
  });
});
