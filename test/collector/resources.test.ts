/**
 * The collector's CPU and memory read by the one quantity parser (src/core/quantity.ts, tested
 * against apimachinery's tables in test/core/quantity.test.ts): the numbers the construct renders
 * (millicores, MiB), for what environments write today and for the rest of the API server's
 * grammar; what it cannot render is refused naming the field. The environment schema accepts and
 * refuses the same values (test/collector/settings.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseMemoryMiB } from '../../src/collector/memory.js';
import { parseCpuMillis, resourceAmounts } from '../../src/collector/resources.js';

describe('CPU in millicores', () => {
  it('reads millicores and cores as before', () => {
    expect(['250m', '100m', '1', '0.5', '1.5', '2'].map((q) => parseCpuMillis(q, 'cpu'))).toEqual([
      250, 100, 1000, 500, 1500, 2000,
    ]);
  });

  it('reads the rest of the quantity grammar, rounding up to whole millicores as the API server stores it', () => {
    expect(['2k', '1e0', '0.0001', '1.0004', '+1'].map((q) => parseCpuMillis(q, 'cpu'))).toEqual([
      2_000_000, 1000, 1, 1001, 1000,
    ]);
  });

  it('refuses what is not a quantity above zero, naming the field', () => {
    for (const cpu of ['lots', '0', '0m', '-1', '', '1 m'])
      expect(() => parseCpuMillis(cpu, 'collector.resources.limits.cpu'), cpu).toThrow(
        `collector.resources.limits.cpu: '${cpu}' is not a CPU quantity above zero (fix: write it like '250m' or '1')`,
      );
  });
});

describe('memory in MiB', () => {
  it('reads Mi and Gi as before, and any quantity of whole MiB', () => {
    expect(['512Mi', '256Mi', '1Gi', '0.5Gi', '536870912', '1Ti'].map((q) => parseMemoryMiB(q, 'memory'))).toEqual([
      512,
      256,
      1024,
      512,
      512,
      1024 * 1024,
    ]);
  });

  it('refuses what is not a whole number of MiB above zero, naming the field', () => {
    for (const memory of ['1G', '1.5Mi', '0', '0Mi', '-1Mi', '512', 'lots'])
      expect(() => parseMemoryMiB(memory, 'collector.resources.limits.memory'), memory).toThrow(
        `collector.resources.limits.memory: '${memory}' is not a memory quantity of whole MiB above zero`,
      );
  });
});

describe('resourceAmounts', () => {
  it('reads requests and limits, naming the field of a bad one', () => {
    const resources = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '0.5Gi' } };
    expect(resourceAmounts(resources, 'collector.resources')).toEqual({
      requests: { cpuMillis: 100, memoryMiB: 256 },
      limits: { cpuMillis: 1000, memoryMiB: 512 },
    });
    expect(() =>
      resourceAmounts({ ...resources, requests: { cpu: '100m', memory: '1G' } }, 'collector.resources'),
    ).toThrow(/^collector\.resources\.requests\.memory: '1G'/);
  });
});
