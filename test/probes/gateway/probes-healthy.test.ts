/**
 * Every gateway probe passes against a healthy stand-in, with evidence, in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayProbes } from '../../../src/probes/registry.js';
import { startArcadeStandIn, type ArcadeStandIn } from '../../../src/loopback/arcade-platform.js';
import { runProbe } from './context.js';

let arcade: ArcadeStandIn;
beforeAll(async () => {
  arcade = await startArcadeStandIn();
});
afterAll(async () => {
  await arcade.close();
});

describe('gateway probes against a healthy stand-in', () => {
  it('has the seven probes with their ids and categories', () => {
    expect(gatewayProbes.map((p) => [p.id, p.category])).toEqual([
      ['endpoints.health', 'deployment'],
      ['gateway.tools-list', 'gateway'],
      ['gateway.exec-proof', 'gateway'],
      ['gateway.unknown-tool', 'gateway'],
      ['gateway.rejects-bad-key', 'security'],
      ['oauth.token-status', 'gateway'],
      ['gateway.latency', 'performance'],
    ]);
  });

  it.each(gatewayProbes.map((p) => p.id))('%s passes', async (id) => {
    const result = await runProbe(id, arcade);
    expect(result.detail).toBeTypeOf('string');
    expect({ id, status: result.status, detail: result.detail }).toEqual({ id, status: 'pass', detail: result.detail });
    expect(Object.keys(result.evidence), `${id} passed with no evidence`).not.toEqual([]);
  });
});
