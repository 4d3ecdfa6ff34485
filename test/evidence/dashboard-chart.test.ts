/**
 * The dashboard as it ships: a ConfigMap in `dist/<env>/dashboard.yaml` where the environment's
 * Grafana sidecar finds it, and the same JSON at the top of dist/ for manual import; only for an
 * environment with the continuous mode on (the staging fixture), nothing at all while it is off
 * (backstage-wus2-v4); and the gate passes what is rendered.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { runGate } from '../../src/check/gate.js';
import { dashboardUid } from '../../src/evidence/dashboard.js';
import { loadEnvironment } from '../../src/environments/load.js';
import type { Environment } from '../../src/environments/schema.js';
import { dashboardJsonPath, synthEnvironment } from '../../src/synth.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { CHILD_TIMEOUT_MS } from '../support/deadlines.js';
import { tempDir } from '../support/temp.js';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironment, parseObjects } from '../synth/helpers.js';

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

const staging = fixtureEnvironment('staging');

function dashboardOf(env: Environment) {
  const output = synthEnvironment(env);
  const file = output.files.find((f) => f.path === `${env.name}/dashboard.yaml`);
  const objects = file ? parseObjects(file.content) : [];
  return { output, file, objects };
}

const exprs = (json: string) =>
  ((JSON.parse(json) as { panels: Panel[] }).panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => t.expr));

describe('the dashboard in dist/', () => {
  it("is a ConfigMap in the sidecar's namespace with its label, the JSON under <uid>.json, kept from Flux's substitution", () => {
    const { output, objects } = dashboardOf(staging);
    expect(objects).toHaveLength(1);
    const [configMap] = objects;
    expect(configMap).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'arcade-evidence-dashboard-staging',
        namespace: 'observability',
        annotations: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' },
      },
    });
    expect(configMap?.metadata.labels).toMatchObject({
      grafana_dashboard: '1',
      'app.kubernetes.io/name': 'arcade-evidence-dashboard',
      'arcade-stack.dev/environment': 'staging',
    });
    const data = (configMap as unknown as { data: Record<string, string> }).data;
    expect(Object.keys(data)).toEqual([`${dashboardUid('staging')}.json`]);
    // The manual-import copy: the same bytes, at the top of dist/, outside the folder Flux applies.
    expect(output.extras[0]).toEqual({ path: 'staging.grafana-dashboard.json', content: Object.values(data)[0] });
    expect(dashboardJsonPath('staging')).not.toContain('/');
    expect(output.files.find((f) => f.path === 'staging/kustomization.yaml')?.content).toContain('- dashboard.yaml');
  });

  it("selects the environment's own series: its name, the collector's namespace and label, the engine job, its schedule", () => {
    const json = dashboardOf(staging).output.extras[0]?.content ?? '';
    const all = exprs(json).join('\n');
    expect(all).toContain('environment="staging"');
    expect(all).toContain('namespace="arcade-staging"');
    expect(all).toContain(
      'arcade_stack_collector="staging-wus2/arcade-staging/arcade-otel-collector",job="arcade_engine"',
    );
    expect(all).toContain('[10m]');
    const slower: Environment = {
      ...staging,
      continuous: { ...staging.continuous, scheduleMinutes: 15 },
      probes: { ...staging.probes, mimir: { ...staging.probes?.mimir, engineJob: 'arcade/arcade_engine' } },
    };
    const changed = exprs(dashboardOf(slower).output.extras[0]?.content ?? '').join('\n');
    expect(changed).toContain('[30m]');
    expect(changed).not.toContain('[10m]');
    expect(changed).toContain('job="arcade/arcade_engine"');
  });

  it('renders nothing of it while the continuous mode is off (backstage-wus2-v4)', () => {
    const production = loadEnvironment('backstage-wus2-v4').env;
    expect(production.continuous.enabled).toBe(false);
    const { output, file } = dashboardOf(production);
    expect(file).toBeUndefined();
    expect(output.extras).toEqual([]);
    expect(output.files.map((f) => f.content).join('')).not.toMatch(/grafana|arcade-evidence/);
  });

  it('passes the gate (schema, policies, references, secrets, the Flux build when kubectl is there)', async () => {
    const root = tempDir('dashboard-gate-');
    const { output } = dashboardOf(staging);
    for (const f of [...output.files, ...output.extras]) {
      const path = join(root, 'dist', f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
    }
    const report = await runGate({ root, scanRepository: false, environmentsDir: FIXTURE_ENVIRONMENTS });
    const onDashboard = report.findings.filter((f) => f.file.includes('dashboard'));
    expect(onDashboard).toEqual([]);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('loads the Grafana SDK only to build a dashboard: synth of an environment with the mode off never parses it', async () => {
    // A fresh process: this worker may hold the SDK already. Node's CommonJS cache lists every file it
    // loaded (one cache per process, whatever file the require is created for: the bundle's own).
    // src/ runs as one ES module esbuild makes of it, every package left to node (as tsx would run
    // it, without tsx's start-up and its compiling of each file in the child); it lives directly
    // under .build/, where src/environments/load.ts finds src/environments/ from a bundle.
    const script = `
      import { createRequire } from 'node:module';
      const cache = createRequire(import.meta.url).cache;
      const loaded = () => Object.keys(cache).some((k) => k.includes('grafana-foundation-sdk'));
      const { synthEnvironment } = await import('./src/synth.ts');
      const { loadEnvironment } = await import('./src/environments/load.ts');
      const imported = loaded();
      synthEnvironment(loadEnvironment('backstage-wus2-v4').env);
      const off = loaded();
      synthEnvironment(loadEnvironment('staging', process.argv[2]).env);
      console.log(JSON.stringify({ imported, off, on: loaded() }));`;
    const bundle = join(REPO_ROOT, '.build', `dashboard-lazy-${process.pid}.mjs`);
    mkdirSync(dirname(bundle), { recursive: true });
    try {
      await build({
        stdin: { contents: script, resolveDir: REPO_ROOT, loader: 'ts', sourcefile: 'dashboard-lazy.ts' },
        outfile: bundle,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        logLevel: 'error',
      });
      const run = spawnSync(process.execPath, [bundle, FIXTURE_ENVIRONMENTS], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: CHILD_TIMEOUT_MS,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ imported: false, off: false, on: true });
    } finally {
      rmSync(bundle, { force: true });
    }
  });
});
