/**
 * Over the committed dist/ (what Flux applies), with the project's own checks rather than copies
 * of them: every ServiceMonitor passes the `monitoring.servicemonitors` probe evaluator against
 * the Services of its environment, every workload meets the gate's workload policies, and the
 * production collector config passes the builder's validation with the Mimir URL and tenant of
 * the facts.
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { POLICY_EXCEPTIONS } from '../../src/check/exceptions.js';
import { loadDist } from '../../src/check/manifests.js';
import { checkPolicies } from '../../src/check/policy.js';
import type { PlacedObject } from '../../src/check/workloads.js';
import type { CollectorConfig } from '../../src/collector/config.js';
import { collectorConfigProblems } from '../../src/collector/validate.js';
import { loadEnvironment } from '../../src/environments/load.js';
import { evaluateServiceMonitors } from '../../src/probes/cluster/servicemonitors.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

/** Every environment folder of dist/ (kustomization.yaml aside), its objects placed (file, line) as the gate reads them. */
const environments = loadDist(join(REPO_ROOT, 'dist'), REPO_ROOT).map((folder) => {
  const files = folder.files.filter((f) => basename(f.file) !== 'kustomization.yaml');
  return {
    name: folder.name,
    problems: files.flatMap((f) =>
      f.documents.filter((d) => d.problem).map((d) => `${f.file}:${d.line}: ${d.problem}`),
    ),
    placed: files.flatMap((f) =>
      f.documents.flatMap((d): PlacedObject[] => (d.object ? [{ object: d.object, file: f.file, line: d.line }] : [])),
    ),
  };
});

type KubeObject = PlacedObject['object'];

/** The Service name the engine resolves (FACTS "Telemetry"): a literal here, so a changed constant fails. */
const COLLECTOR = 'arcade-otel-collector';

const objectsOf = (environment: string): KubeObject[] =>
  environments.find((e) => e.name === environment)?.placed.map((p) => p.object) ?? [];

function find(environment: string, kind: string, name: string): KubeObject {
  const found = objectsOf(environment).find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`dist/${environment} has no ${kind} ${name} (fix: run npm run synth)`);
  return found;
}

describe('committed dist/', () => {
  it('parses: every document of every environment folder is a Kubernetes object', () => {
    expect(environments.map((e) => e.name)).toContain('backstage-wus2-v4');
    expect(environments.flatMap((e) => e.problems)).toEqual([]);
  });

  it('holds the collector and its ServiceMonitor for backstage-wus2-v4', () => {
    const production = objectsOf('backstage-wus2-v4');
    expect(
      production.filter((o) => o.kind === 'Service').map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
    ).toContain(`arcade/${COLLECTOR}`);
    expect(production.some((o) => o.kind === 'Deployment' && o.metadata.name === COLLECTOR)).toBe(true);
    expect(production.filter((o) => o.kind === 'ServiceMonitor').length).toBeGreaterThan(0);
  });

  it('every ServiceMonitor passes the monitoring.servicemonitors probe against the Services and the scrape convention of its environment', () => {
    const groups = environments.flatMap((e) => {
      const convention = loadEnvironment(e.name).env.monitoring;
      const objects = e.placed.map((p) => p.object);
      const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
      const namespaces = [...new Set(monitors.map((m) => m.metadata.namespace ?? ''))];
      return namespaces.map((namespace) => ({
        id: `${e.name}/${namespace}`,
        namespace,
        convention,
        serviceMonitors: monitors.filter((m) => (m.metadata.namespace ?? '') === namespace),
        services: objects.filter((o) => o.kind === 'Service'),
      }));
    });
    expect(groups.map((g) => g.id)).toContain('backstage-wus2-v4/arcade');
    for (const group of groups) {
      const outcome = evaluateServiceMonitors(group);
      expect(outcome.status, `${group.id}: ${outcome.detail}`).toBe('pass');
      for (const monitor of group.serviceMonitors) {
        // Stricter than the probe: no empty selector (it would select every Service), no exclusion label key of any value.
        expect(
          Object.keys((monitor.spec as { selector?: { matchLabels?: object } }).selector?.matchLabels ?? {}),
          `${group.id}: ${monitor.metadata.name}`,
        ).not.toHaveLength(0);
        for (const key of Object.keys(group.convention.exclusionLabels)) {
          expect(monitor.metadata.labels ?? {}, `${group.id}: ${monitor.metadata.name}`).not.toHaveProperty([key]);
        }
      }
    }
  });

  it('every workload meets the gate workload policies (non-root, no escalation, ...) with the stack exceptions', () => {
    const results = environments.map((e) => ({ name: e.name, ...checkPolicies(e.placed, POLICY_EXCEPTIONS) }));
    expect(results.reduce((n, r) => n + r.workloads, 0)).toBeGreaterThan(0);
    expect(
      results.flatMap((r) => r.findings.map((f) => `${r.name}: ${f.file}:${f.line} ${f.rule}: ${f.message}`)),
    ).toEqual([]);
  });

  it('the production collector config passes the builder validation and matches the facts (Mimir URL, tenant)', () => {
    const configMap = find('backstage-wus2-v4', 'ConfigMap', COLLECTOR);
    const text = (configMap.data as Record<string, string> | undefined)?.['collector.yaml'];
    expect(text, 'the collector ConfigMap has no collector.yaml: run npm run synth').toEqual(expect.any(String));
    const config = parse(text!) as CollectorConfig;
    const deployment = find('backstage-wus2-v4', 'Deployment', COLLECTOR);
    const spec = deployment.spec as {
      replicas: number;
      template: { metadata: { annotations: Record<string, string> } };
    };
    expect(spec.replicas).toEqual(expect.any(Number));
    expect(collectorConfigProblems(config, { replicas: spec.replicas })).toEqual([]);
    expect(config.exporters.prometheusremotewrite?.http.endpoint).toBe(
      'http://mimir-nginx.mimir.observability-wus2/api/v1/push',
    );
    expect(config.exporters.prometheusremotewrite?.http.headers).toEqual({ 'X-Scope-OrgID': 'k8s-backstage-v4' });
    expect(spec.template.metadata.annotations['checksum/config']).toBe(
      createHash('sha256').update(text!).digest('hex'),
    );
  });
});
