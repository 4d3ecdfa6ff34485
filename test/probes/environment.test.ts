/**
 * Probe targets from an environment: defaults filled from the environment (namespace, release,
 * chart, URLs from hosts, collector Service, datastore Secrets), the `probes` section merged
 * over them, unknown values kept as unresolved markers, and errors that name `probes.<field>`.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProbeCli } from '../../src/probes/cli.js';
import { tempDir } from '../support/temp.js';
import { EnvironmentSchema } from '../../src/environments/schema.js';
import { loadEnvironment } from '../../src/environments/load.js';
import { ProbeTargetsError, targetsFromEnvironment } from '../../src/environments/probes.js';
import { resolveTargets } from '../../src/probes/resolved-targets.js';
import { App } from 'cdk8s';
import { CollectorChart } from '../../src/charts/collector-chart.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const baseEnv = parse(readFileSync(`${REPO_ROOT}src/environments/backstage-wus2-v4.yaml`, 'utf8')) as Record<
  string,
  unknown
>;
const withProbes = (probes: unknown) => EnvironmentSchema.parse({ ...baseEnv, probes });

describe('targetsFromEnvironment', () => {
  it('fills defaults from the environment and merges the probes section over them', () => {
    const t = targetsFromEnvironment(
      withProbes({
        users: ['u1'],
        gateways: [{ slug: 'g', tools: ['A_B'] }],
        mimir: { tenant: 'other-tenant' },
        urls: { dashboard: 'https://dash.example.dev' },
      }),
    );
    expect(t).toMatchObject({
      namespace: 'arcade',
      release: 'arcade',
      chartVersion: '1.8.8',
      collectorService: 'arcade-otel-collector',
      urls: {
        api: 'https://api.arcade.st.dev',
        coordinator: 'https://coordinator.arcade.st.dev',
        dashboard: 'https://dash.example.dev',
      },
      expectedCoordinatorUri: 'https://coordinator.arcade.st.dev',
      // query URL derived from the collector's push URL; the section's tenant overrides the collector's
      mimir: {
        queryUrl: 'http://mimir-nginx.mimir.observability-wus2/prometheus',
        tenant: 'other-tenant',
        // the label the collector chart puts on what it relays, and the engine job of the vendor docs
        collectorLabel: { name: 'arcade_stack_collector', value: 'backstage-wus2-v4/arcade/arcade-otel-collector' },
        engineJob: 'arcade_engine',
      },
      datastores: {
        mode: 'managed',
        secrets: [
          { name: 'arcade-postgres', kind: 'SealedSecret' },
          { name: 'arcade-redis', kind: 'SealedSecret' },
        ],
      },
    });
    expect(resolveTargets(t).engineSelector).toEqual({
      ok: false,
      name: 'engineSelector',
      because: expect.stringContaining('engineSelector is unresolved'),
    });
    expect(resolveTargets(t).kustomization).toEqual({
      ok: false,
      name: 'kustomization',
      because: expect.stringContaining('Flux Kustomization'),
    });
  });

  it("takes the Mimir tenant from the collector, and leaves the query URL unresolved when the push URL is not Mimir's", () => {
    const probes = { users: ['u1'], gateways: [{ slug: 'g', tools: ['A_B'] }] };
    const env = EnvironmentSchema.parse({
      ...baseEnv,
      probes,
      collector: { mimir: { pushUrl: 'https://metrics.example.dev/write', tenant: 'tenant-x' } },
    });
    const t = targetsFromEnvironment(env);
    expect(t.mimir.tenant).toBe('tenant-x');
    expect(resolveTargets(t).mimir.queryUrl).toEqual({
      ok: false,
      name: 'mimir.queryUrl',
      because: expect.stringContaining("is not Mimir's /api/v1/push"),
    });
    const mimir = EnvironmentSchema.parse({
      ...baseEnv,
      probes,
      collector: { mimir: { pushUrl: 'https://mimir.example.dev:8080/api/v1/push', tenant: 'tenant-x' } },
    });
    expect(targetsFromEnvironment(mimir).mimir.queryUrl).toBe('https://mimir.example.dev:8080/prometheus');
  });

  it('takes the engine job from probes.mimir.engineJob, keeping the derived collector label', () => {
    const t = targetsFromEnvironment(
      withProbes({
        users: ['u1'],
        gateways: [{ slug: 'g', tools: ['A_B'] }],
        mimir: { engineJob: 'arcade/arcade_engine' },
      }),
    );
    expect(t.mimir).toMatchObject({
      engineJob: 'arcade/arcade_engine',
      tenant: 'k8s-backstage-v4',
      collectorLabel: { value: 'backstage-wus2-v4/arcade/arcade-otel-collector' },
    });
  });

  it('the collector label of the probes is the one the collector chart renders (same cluster and namespace)', () => {
    const env = withProbes({ users: ['u1'], gateways: [{ slug: 'g', tools: ['A_B'] }] });
    const { name, value } = targetsFromEnvironment(env).mimir.collectorLabel;
    const config = new CollectorChart(new App(), 'c', { env }).collector.config;
    expect(config.exporters.prometheusremotewrite?.external_labels?.[name]).toBe(value);
    const scrape = EnvironmentSchema.parse({
      ...baseEnv,
      probes: { users: ['u1'], gateways: [{ slug: 'g', tools: ['A_B'] }] },
      collector: { mode: 'scrape' },
    });
    expect(
      new CollectorChart(new App(), 'c', { env: scrape }).collector.config.exporters.prometheus?.const_labels,
    ).toEqual({ [name]: value });
  });

  it('refuses an environment without gateways, naming probes.gateways', () => {
    expect(() => targetsFromEnvironment(withProbes(undefined))).toThrow(ProbeTargetsError);
    expect(() => targetsFromEnvironment(withProbes({ users: ['u'] }))).toThrow(
      /probes\.gateways: give at least one gateway/,
    );
  });

  it('rejects unknown fields in the probes section', () => {
    expect(() => withProbes({ gatewayz: [] })).toThrow(/gatewayz/);
  });

  it("takes the scrape convention from the environment's monitoring section, its one source", () => {
    const probes = { users: ['u1'], gateways: [{ slug: 'g', tools: ['A_B'] }] };
    expect(targetsFromEnvironment(withProbes(probes)).monitoring).toEqual({
      scrapeLabels: { release: 'prometheus-operator' },
      exclusionLabels: { 'grafana-agent': 'external' },
    });
    const other = EnvironmentSchema.parse({
      ...baseEnv,
      probes,
      monitoring: { scrapeLabels: { team: 'arcade' }, exclusionLabels: {} },
    });
    expect(targetsFromEnvironment(other).monitoring).toEqual({ scrapeLabels: { team: 'arcade' }, exclusionLabels: {} });
    // Not a second place to write it: probes.monitoring is refused.
    expect(() => withProbes({ ...probes, monitoring: { scrapeLabels: {}, exclusionLabels: {} } })).toThrow(
      /monitoring/,
    );
  });

  it('the committed environment yields targets; FACTS-unknown values stay unresolved with reasons', () => {
    const { env, file } = loadEnvironment('backstage-wus2-v4');
    if (!env.probes) return expect.fail('backstage-wus2-v4 has no probes section');
    const t = targetsFromEnvironment(env, file);
    expect(t.gateways[0]).toMatchObject({ slug: 'zeb-gateway-test', referenceToolkit: 'ArcadeEvalRef' });
    expect(resolveTargets(t).gateways.value[0]?.tools).toEqual({
      ok: false,
      name: 'gateways[0].tools',
      because: expect.stringContaining('7 tools'),
    });
    expect(t.mimir).toMatchObject({
      queryUrl: 'http://mimir-nginx.mimir.observability-wus2/prometheus',
      tenant: 'k8s-backstage-v4',
    });
    expect(t.referenceServerUrl).toBe('https://arcade-eval-ref.st.dev/mcp');
    expect(t.oauth).toMatchObject({ tool: 'GoogleDocs_CreateDocumentFromText' });
  });
});

describe('npm run probe -- --env <name> beside an unfinished environment', () => {
  it('probes the named environment and reports the other file as a warning (it used to exit 2 before any probe)', async () => {
    const dir = tempDir('arcade-probe-envs-');
    copyFileSync(`${REPO_ROOT}src/environments/backstage-wus2-v4.yaml`, join(dir, 'backstage-wus2-v4.yaml'));
    writeFileSync(join(dir, 'other.yaml'), 'name: other\n');
    let stdout = '';
    let stderr = '';
    const json = join(dir, 'report.json');
    const code = await runProbeCli(['--env', 'backstage-wus2-v4', '--only', 'gateway.tools-list', '--json', json], {
      env: { CI: 'true' },
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      environmentsDir: dir,
    });
    expect(stderr).toMatch(
      /^probe: warning: environment 'other' is invalid \(not used here; \d+ problems, all shown with --env other\), the first: .*other\.yaml: cluster: /,
    );
    expect(stdout).toContain('Probing backstage-wus2-v4');
    // The probe ran (and errored: no ARCADE_API_KEY here), instead of a configuration error before any probe.
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      results: { id: string; status: string; detail: string }[];
    };
    expect(report.results).toEqual([
      expect.objectContaining({
        id: 'gateway.tools-list',
        status: 'error',
        detail: expect.stringContaining('ARCADE_API_KEY is not set'),
      }),
    ]);
    expect(code).toBe(1);
  });
});
