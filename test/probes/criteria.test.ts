/**
 * The criteria map (src/probes/criteria.ts) against the registry: every probe gives evidence for
 * at least one known criterion, no mapping names a probe that does not exist, and every
 * criterion is covered by a probe or listed as not covered with a reason (never both).
 */
import { describe, expect, it } from 'vitest';
import { CRITERIA, criteriaOf, NOT_COVERED, PROBE_CRITERIA } from '../../src/probes/criteria.js';
import { registry } from '../../src/probes/registry.js';

const known = Object.keys(CRITERIA);

describe('evaluation criteria', () => {
  it('every registered probe gives evidence for at least one known criterion', () => {
    const unmapped = registry.map((p) => p.id).filter((id) => criteriaOf(id).length === 0);
    expect(unmapped, 'probes without criteria (fix: map them in src/probes/criteria.ts)').toEqual([]);
    const unknown = Object.entries(PROBE_CRITERIA).flatMap(([id, cs]) =>
      cs.filter((c) => !known.includes(c)).map((c) => `${id}: ${c}`),
    );
    expect(unknown).toEqual([]);
  });

  it('maps only registered probes', () => {
    const ids = new Set(registry.map((p) => p.id));
    expect(Object.keys(PROBE_CRITERIA).filter((id) => !ids.has(id))).toEqual([]);
  });

  it('every criterion is covered, or listed as not covered with a reason, never both', () => {
    const covered = new Set(Object.values(PROBE_CRITERIA).flat());
    for (const id of known) {
      const reason = NOT_COVERED[id as keyof typeof NOT_COVERED];
      if (covered.has(id as keyof typeof CRITERIA))
        expect(reason, `${id} is covered and listed as not covered`).toBeUndefined();
      else expect(reason, `${id} is neither covered nor listed as not covered`).toMatch(/\w{10,}/);
    }
  });
});
