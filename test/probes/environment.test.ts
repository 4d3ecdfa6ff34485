/**
 * Probe targets from an environment: defaults filled from the environment (namespace, release,
 * chart, URLs from hosts, collector Service, datastore Secrets), the `probes` section merged
 * over them, unknown values kept as unresolved markers, and errors that name `probes.<field>`.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { EnvironmentSchema } from '../../src/environments/schema.js';
import { loadEnvironment } from '../../src/environments/load.js';
import { ProbeTargetsError, targetsFromEnvironment } from '../../src/environments/probes.js';
import { lookup } from '../../src/probes/targets.js';

const REPO = new URL('../..', import.meta.url).pathname;
const baseEnv = parse(readFileSync(`${REPO}src/environments/backstage-wus2-v4.yaml`, 'utf8')) as Record<string, unknown>;
const withProbes = (probes: unknown) => EnvironmentSchema.parse({ ...baseEnv, probes });

describe('targetsFromEnvironment', () => {
  it('fills defaults from the environment and merges the probes section over them', () => {
    const t = targetsFromEnvironment(
      withProbes({ users: ['u1'], gateways: [{ slug: 'g', tools: ['A_B'] }], mimir: { tenant: 'k8s-backstage-v4' }, urls: { dashboard: 'https://dash.example.dev' } }),
    );
    expect(t).toMatchObject({
      namespace: 'arcade',
      release: 'arcade',
      chartVersion: '1.8.8',
      collectorService: 'arcade-otel-collector',
      urls: { api: 'https://api.arcade.st.dev', coordinator: 'https://coordinator.arcade.st.dev', dashboard: 'https://dash.example.dev' },
      expectedCoordinatorUri: 'https://coordinator.arcade.st.dev',
      mimir: { tenant: 'k8s-backstage-v4', query: 'count(target_info{service_name="arcade_engine"})' },
      datastores: { mode: 'managed', secrets: [{ name: 'arcade-postgres', kind: 'SealedSecret' }, { name: 'arcade-redis', kind: 'SealedSecret' }] },
    });
    expect(lookup(t, 'engineSelector')).toEqual({ missing: expect.stringContaining('engineSelector is unresolved') });
    expect(lookup(t, 'mimir.queryUrl')).toEqual({ missing: expect.stringContaining('unresolved') });
    expect(lookup(t, 'kustomization')).toEqual({ missing: expect.stringContaining('Flux Kustomization') });
  });

  it('refuses an environment without gateways, naming probes.gateways', () => {
    expect(() => targetsFromEnvironment(withProbes(undefined))).toThrow(ProbeTargetsError);
    expect(() => targetsFromEnvironment(withProbes({ users: ['u'] }))).toThrow(/probes\.gateways: give at least one gateway/);
  });

  it('rejects unknown fields in the probes section', () => {
    expect(() => withProbes({ gatewayz: [] })).toThrow(/gatewayz/);
  });

  it('the committed environment yields targets; FACTS-unknown values stay unresolved with reasons', () => {
    const { env, file } = loadEnvironment('backstage-wus2-v4');
    if (!env.probes) return expect.fail('backstage-wus2-v4 has no probes section');
    const t = targetsFromEnvironment(env, file);
    expect(t.gateways[0]).toMatchObject({ slug: 'zeb-gateway-test', referenceToolkit: 'ArcadeEvalRef' });
    expect(lookup(t, 'gateways[0].tools')).toEqual({ missing: expect.stringContaining('7 tools') });
    expect(t.mimir).toMatchObject({ queryUrl: 'http://mimir-nginx.mimir.observability-wus2/prometheus', tenant: 'k8s-backstage-v4' });
    expect(t.referenceServerUrl).toBe('https://arcade-eval-ref.st.dev/mcp');
    expect(t.oauth).toMatchObject({ tool: 'GoogleDocs_CreateDocumentFromText' });
  });
});
