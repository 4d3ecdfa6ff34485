/**
 * Over the committed dist/ (what Flux applies): every ServiceMonitor selects a synthesized
 * Service and one of its named ports, no container runs as root, and the production collector
 * config passes the builder's validation with the Mimir URL and tenant of the facts.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CollectorConfig } from '../../src/collector/config.js';
import { collectorConfigProblems } from '../../src/collector/validate.js';
import { REPO_ROOT } from '../../src/tooling/bundle.js';
import { parseObjects, type K8sObject } from '../synth/helpers.js';

const DIST = join(REPO_ROOT, 'dist');

/** Every object of every environment folder in dist/, with its environment. */
function committed(): (K8sObject & { environment: string })[] {
  return readdirSync(DIST, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((dir) =>
      readdirSync(join(DIST, dir.name))
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
        .flatMap((f) => parseObjects(readFileSync(join(DIST, dir.name, f), 'utf8')).map((o) => ({ ...o, environment: dir.name }))),
    );
}

interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: { name: string; securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; allowPrivilegeEscalation?: boolean } }[];
  initContainers?: PodSpec['containers'];
}

/** The pod spec of a workload object, if it has one. */
function podSpecOf(o: K8sObject): PodSpec | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  switch (o.kind) {
    case 'Pod':
      return spec as unknown as PodSpec;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return (spec?.template as { spec: PodSpec } | undefined)?.spec;
    case 'CronJob':
      return ((spec?.jobTemplate as { spec: { template: { spec: PodSpec } } } | undefined)?.spec.template.spec);
    default:
      return undefined;
  }
}

/** Violations of "every monitor selects a Service of dist/ and one of its named ports". */
function monitorProblems(objects: readonly (K8sObject & { environment: string })[]): string[] {
  const problems: string[] = [];
  for (const monitor of objects.filter((o) => o.kind === 'ServiceMonitor')) {
    const id = `${monitor.environment}: ServiceMonitor ${monitor.metadata.namespace}/${monitor.metadata.name}`;
    const spec = monitor.spec as { selector?: { matchLabels?: Record<string, string> }; namespaceSelector?: { matchNames?: string[] }; endpoints?: { port?: string }[] };
    const matchLabels = spec.selector?.matchLabels ?? {};
    const namespaces = spec.namespaceSelector?.matchNames ?? [monitor.metadata.namespace];
    if (Object.keys(matchLabels).length === 0) problems.push(`${id}: empty selector`);
    const services = objects.filter(
      (o) =>
        o.kind === 'Service' &&
        o.environment === monitor.environment &&
        namespaces.includes(o.metadata.namespace) &&
        Object.entries(matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v),
    );
    if (services.length === 0) problems.push(`${id}: selects no Service of dist/${monitor.environment}`);
    const named = new Set(services.flatMap((s) => ((s.spec as { ports?: { name?: string }[] }).ports ?? []).map((p) => p.name)));
    for (const endpoint of spec.endpoints ?? []) {
      if (!endpoint.port || !named.has(endpoint.port)) problems.push(`${id}: endpoint port '${endpoint.port ?? '(none)'}' is not a named port of the selected Service(s)`);
    }
    if ((spec.endpoints ?? []).length === 0) problems.push(`${id}: no endpoints`);
    if (monitor.metadata.labels?.release !== 'prometheus-operator') problems.push(`${id}: not labelled release: prometheus-operator`);
    if (monitor.metadata.labels && 'grafana-agent' in monitor.metadata.labels) problems.push(`${id}: labelled grafana-agent (Grafana Agent would skip it)`);
  }
  return problems;
}

/** Containers that could run as root (no effective runAsNonRoot, or uid 0) or escalate. */
function rootProblems(objects: readonly (K8sObject & { environment: string })[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const pod = podSpecOf(o);
    if (!pod) continue;
    for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
      const id = `${o.environment}: ${o.kind} ${o.metadata.name} container ${container.name}`;
      const nonRoot = container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      const uid = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      if (nonRoot !== true) problems.push(`${id}: runAsNonRoot is not true`);
      if (uid === 0) problems.push(`${id}: runAsUser is 0`);
      if (container.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${id}: allowPrivilegeEscalation is not false`);
    }
  }
  return problems;
}

describe('committed dist/', () => {
  const objects = committed();

  it('holds the collector and its ServiceMonitor for backstage-wus2-v4', () => {
    const production = objects.filter((o) => o.environment === 'backstage-wus2-v4');
    expect(production.filter((o) => o.kind === 'Service').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toContain('arcade/arcade-otel-collector');
    expect(production.some((o) => o.kind === 'Deployment' && o.metadata.name === 'arcade-otel-collector')).toBe(true);
    expect(production.filter((o) => o.kind === 'ServiceMonitor').length).toBeGreaterThan(0);
  });

  it('every ServiceMonitor selects a synthesized Service (by labels) and one of its named ports', () => {
    expect(objects.some((o) => o.kind === 'ServiceMonitor')).toBe(true);
    expect(monitorProblems(objects)).toEqual([]);
  });

  it('no container runs as root or may escalate privileges', () => {
    expect(objects.some((o) => podSpecOf(o) !== undefined)).toBe(true);
    expect(rootProblems(objects)).toEqual([]);
  });

  it('the production collector config passes the builder validation and matches the facts (Mimir URL, tenant)', () => {
    const configMap = objects.find((o) => o.environment === 'backstage-wus2-v4' && o.kind === 'ConfigMap' && o.metadata.name === 'arcade-otel-collector');
    const text = (configMap?.data as Record<string, string> | undefined)?.['collector.yaml'];
    expect(text, 'dist/backstage-wus2-v4 has no collector ConfigMap: run npm run synth').toBeDefined();
    const config = parse(text!) as CollectorConfig;
    const deployment = objects.find((o) => o.environment === 'backstage-wus2-v4' && o.kind === 'Deployment' && o.metadata.name === 'arcade-otel-collector');
    expect(collectorConfigProblems(config, { replicas: deployment?.spec?.replicas as number })).toEqual([]);
    expect(config.exporters.prometheusremotewrite?.endpoint).toBe('http://mimir-nginx.mimir.observability-wus2/api/v1/push');
    expect(config.exporters.prometheusremotewrite?.headers).toEqual({ 'X-Scope-OrgID': 'k8s-backstage-v4' });
    const annotations = (deployment?.spec?.template as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
    expect(annotations['checksum/config']).toBe(createHash('sha256').update(text!).digest('hex'));
  });
});

describe('the dist/ checks themselves', () => {
  const service: K8sObject & { environment: string } = {
    environment: 'e',
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'n', labels: { app: 'a' } },
    spec: { ports: [{ name: 'metrics', port: 8888 }] },
  };
  const monitor = (matchLabels: Record<string, string>, port: string, labels: Record<string, string> = { release: 'prometheus-operator' }) => ({
    environment: 'e',
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'm', namespace: 'n', labels },
    spec: { selector: { matchLabels }, endpoints: [{ port }] },
  });

  it('catch a monitor selecting no Service, an unnamed port, a missing or excluding label', () => {
    expect(monitorProblems([service, monitor({ app: 'a' }, 'metrics')])).toEqual([]);
    expect(monitorProblems([service, monitor({ app: 'b' }, 'metrics')])).toContainEqual(expect.stringMatching(/selects no Service/));
    expect(monitorProblems([service, monitor({ app: 'a' }, 'http')])).toContainEqual(expect.stringMatching(/port 'http' is not a named port/));
    expect(monitorProblems([service, monitor({ app: 'a' }, 'metrics', { release: 'prometheus-operator', 'grafana-agent': 'external' })])).toContainEqual(
      expect.stringMatching(/labelled grafana-agent/),
    );
    expect(monitorProblems([service, monitor({ app: 'a' }, 'metrics', {})])).toContainEqual(expect.stringMatching(/not labelled release/));
  });

  it('catch a container that may run as root', () => {
    const deployment = (podSecurity: Record<string, unknown>, containerSecurity: Record<string, unknown>): K8sObject & { environment: string } => ({
      environment: 'e',
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'n' },
      spec: { template: { spec: { securityContext: podSecurity, containers: [{ name: 'c', securityContext: containerSecurity }] } } },
    });
    expect(rootProblems([deployment({ runAsNonRoot: true }, { allowPrivilegeEscalation: false })])).toEqual([]);
    expect(rootProblems([deployment({}, { allowPrivilegeEscalation: false })])).toEqual(['e: Deployment d container c: runAsNonRoot is not true']);
    expect(rootProblems([deployment({ runAsNonRoot: true }, { runAsUser: 0, allowPrivilegeEscalation: false })])).toEqual(['e: Deployment d container c: runAsUser is 0']);
    expect(rootProblems([deployment({ runAsNonRoot: true }, {})])).toEqual(['e: Deployment d container c: allowPrivilegeEscalation is not false']);
  });
});
