/**
 * Typed targets: `resolveTargets` gives each field its value or the reason it has none, named as
 * in the targets file; a `defineProbe` probe run on its own (no runner) with a missing need is
 * `skip` with the reasons and the names of all its needs, and its `run` is never called.
 */
import { describe, expect, it } from 'vitest';
import { defineProbe, unmetNeeds } from '../../src/probes/define-probe.js';
import { NO_SECRETS } from '../../src/core/redact.js';
import { resolveTargets } from '../../src/probes/resolved-targets.js';
import { TargetsSchema } from '../../src/environments/probe-targets.js';
import { outcome, type ProbeContext } from '../../src/probes/types.js';
import { UNREACHABLE_TARGETS } from './unreachable-targets.js';

const targets = resolveTargets(
  TargetsSchema.parse({
    ...UNREACHABLE_TARGETS,
    users: ['a', 'b'],
    gateways: [{ slug: 'g', tools: { unresolved: 'the list is not recorded' }, referenceToolkit: 'Ref' }],
  }),
);

const contextOf = (): ProbeContext => ({
  targets,
  signal: new AbortController().signal,
  timeoutMs: 1000,
  apiKey: undefined,
  redact: NO_SECRETS,
  revision: undefined,
  kube: () => Promise.reject(new Error('no Kubernetes in this test')),
});

describe('resolveTargets', () => {
  it('gives each field its value, or why it has none, under its name in the targets file', () => {
    expect(targets.users).toEqual({ ok: true, name: 'users', value: ['a', 'b'] });
    expect(targets.engineSelector).toEqual({
      ok: false,
      name: 'engineSelector',
      because: 'engineSelector is unresolved: engine labels not recorded in FACTS',
    });
    expect(targets.oauth).toEqual({ ok: false, name: 'oauth', because: 'oauth is not set' });
    expect(targets.gateways.value).toEqual([
      {
        slug: 'g',
        tools: {
          ok: false,
          name: 'gateways[0].tools',
          because: 'gateways[0].tools is unresolved: the list is not recorded',
        },
        referenceToolkit: { ok: true, name: 'gateways[0].referenceToolkit', value: 'Ref' },
      },
    ]);
    // Defaults of the schema are present values, never missing.
    expect(targets.releaseNamespace).toEqual({ ok: true, name: 'releaseNamespace', value: 'arcade' });
    expect(targets.mimir.engineJob).toMatchObject({ ok: true, value: 'arcade_engine' });
  });
});

describe('defineProbe', () => {
  it('hands run the needed values, typed, when all are present', async () => {
    const seen: unknown[] = [];
    const probe = defineProbe({
      id: 'test.present',
      category: 'deployment',
      title: 'present',
      needs: (t) => ({ users: t.users, api: t.urls.api }),
      async run(_ctx, { users, api }) {
        seen.push(users.length, api.length);
        return outcome.pass('ran', { users, api });
      },
    });
    expect(unmetNeeds(probe, targets)).toBeUndefined();
    expect(await probe.run(contextOf())).toEqual(outcome.pass('ran', { users: ['a', 'b'], api: 'http://127.0.0.1:1' }));
    expect(seen).toEqual([2, 'http://127.0.0.1:1'.length]);
  });

  it('run alone with missing needs: skip with every reason and every need named, run never called', async () => {
    let ran = false;
    const probe = defineProbe({
      id: 'test.missing',
      category: 'deployment',
      title: 'missing',
      needs: (t) => ({ namespace: t.namespace, selector: t.engineSelector, oauth: t.oauth }),
      async run() {
        ran = true;
        return outcome.pass('ran', { ran });
      },
    });
    const skip = outcome.skip('engineSelector is unresolved: engine labels not recorded in FACTS; oauth is not set', {
      needs: ['namespace', 'engineSelector', 'oauth'],
    });
    expect(unmetNeeds(probe, targets)).toEqual(skip);
    expect(await probe.run(contextOf())).toEqual(skip);
    expect(ran).toBe(false);
  });
});
