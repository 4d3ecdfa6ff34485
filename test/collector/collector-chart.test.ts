/**
 * The collector and its ServiceMonitors as synthesized for an environment: the facts a reviewer
 * cares about (Service name and ports, exporter endpoint and tenant, bind addresses, hardening,
 * monitoring), plus a snapshot of the rendered collector configuration per environment.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CollectorConfig } from '../../src/collector/config.js';
import { loadEnvironment } from '../../src/environments/load.js';
import type { Environment } from '../../src/environments/schema.js';
import { field } from '../../src/probes/cluster/objects.js';
import { synthEnvironment } from '../../src/synth.js';
import { served } from '../../src/loopback/api-server.js';
import { findObject, fixtureEnvironment, objectsOf, type K8sObject } from '../synth/helpers.js';

/** An object as the API server holds it once applied (its defaults filled in): what it means. */
const live = (o: K8sObject) => served(o) as K8sObject;

const production = (): Environment => loadEnvironment('backstage-wus2-v4').env;
const NAME = 'arcade-otel-collector';

interface Container {
  name: string;
  image: string;
  env?: { name: string; value: string }[];
  ports: { name: string; containerPort: number }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
  readinessProbe: unknown;
  livenessProbe: unknown;
}

function collectorOf(env: Environment) {
  const objects = objectsOf(synthEnvironment(env));
  const configMap = findObject(objects, 'ConfigMap', NAME);
  const configText = (configMap.data as Record<string, string>)['collector.yaml']!;
  const deployment = findObject(objects, 'Deployment', NAME);
  const pod = field(deployment.spec, 'template.spec') as {
    containers: Container[];
    securityContext: Record<string, unknown>;
    automountServiceAccountToken: boolean;
    affinity: unknown;
    serviceAccountName: string;
  };
  return {
    objects,
    configText,
    config: parse(configText) as CollectorConfig,
    deployment,
    pod,
    container: pod.containers[0]!,
    service: findObject(objects, 'Service', NAME),
    policy: findObject(objects, 'NetworkPolicy', NAME),
    monitors: objects.filter((o) => o.kind === 'ServiceMonitor'),
  };
}

describe('given the production environment (backstage-wus2-v4)', () => {
  const c = collectorOf(production());

  it('has the Service the engine resolves: arcade-otel-collector in arcade, named OTLP and metrics ports', () => {
    expect(c.service.metadata).toMatchObject({ name: 'arcade-otel-collector', namespace: 'arcade' });
    // dist/ leaves out what the API server defaults (protocol TCP, targetPort = port).
    expect(field(c.service.spec, 'ports')).toEqual([
      { name: 'otlp-grpc', port: 4317 },
      { name: 'otlp-http', port: 4318 },
      { name: 'metrics', port: 8888 },
    ]);
    expect(field(live(c.service).spec, 'ports')).toEqual([
      { name: 'otlp-grpc', port: 4317, protocol: 'TCP', targetPort: 4317 },
      { name: 'otlp-http', port: 4318, protocol: 'TCP', targetPort: 4318 },
      { name: 'metrics', port: 8888, protocol: 'TCP', targetPort: 8888 },
    ]);
    expect(field(live(c.service).spec, 'type')).toBe('ClusterIP');
    expect(field(c.service.spec, 'selector')).toEqual({
      'app.kubernetes.io/name': 'opentelemetry-collector',
      'app.kubernetes.io/instance': NAME,
    });
  });

  it('points the engine at that Service, and keeps the chart collector disabled', () => {
    const release = findObject(c.objects, 'HelmRelease', 'arcade');
    const env = field(release.spec?.values, 'engine.extraEnv') as { name: string; value?: string }[];
    expect(env).toContainEqual({
      name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      value: `http://${c.service.metadata.name}:4318`,
    });
    expect(field(release.spec?.values, 'otelCollector.enabled')).toBe(false);
  });

  it('remote-writes to the Mimir URL and tenant of the facts, labelled with cluster, namespace and the collector', () => {
    expect(c.config.exporters.prometheusremotewrite).toMatchObject({
      http: {
        endpoint: 'http://mimir-nginx.mimir.observability-wus2/api/v1/push',
        headers: { 'X-Scope-OrgID': 'k8s-backstage-v4' },
        tls: { insecure: true },
      },
      external_labels: {
        cluster: 'backstage-wus2-v4',
        namespace: 'arcade',
        arcade_stack_collector: 'backstage-wus2-v4/arcade/arcade-otel-collector',
      },
    });
    expect(c.config.service.pipelines.metrics?.processors).toEqual(['memory_limiter', 'batch']);
    expect(c.config.receivers.otlp?.protocols.http?.endpoint).toBe('0.0.0.0:4318');
    expect(c.config.receivers.otlp?.protocols.grpc?.endpoint).toBe('0.0.0.0:4317');
  });

  it('runs the pinned contrib image, 2 replicas, spread across nodes, with a PodDisruptionBudget', () => {
    expect(c.container.image).toBe('otel/opentelemetry-collector-contrib:0.159.0');
    expect(c.deployment.spec?.replicas).toBe(2);
    expect(field(c.pod, 'affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution')).toEqual([
      {
        weight: 100,
        podAffinityTerm: {
          topologyKey: 'kubernetes.io/hostname',
          labelSelector: { matchLabels: field(c.deployment.spec, 'selector.matchLabels') },
        },
      },
    ]);
    const pdb = findObject(c.objects, 'PodDisruptionBudget', NAME);
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: field(c.deployment.spec, 'selector.matchLabels') },
    });
  });

  it('selects pods by the stack labels only, never by a construct-path hash', () => {
    const labels = field(c.deployment.spec, 'template.metadata.labels') as Record<string, string>;
    expect(Object.keys(labels).some((k) => k.startsWith('cdk8s.io/'))).toBe(false);
    expect(field(c.deployment.spec, 'selector.matchLabels')).toEqual({
      'app.kubernetes.io/name': 'opentelemetry-collector',
      'app.kubernetes.io/instance': NAME,
    });
    expect(labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'arcade-stack',
      'arcade-stack.dev/environment': 'backstage-wus2-v4',
    });
  });

  it('carries the checksum of the exact config file on the pod template', () => {
    const annotations = field(c.deployment.spec, 'template.metadata.annotations') as Record<string, string>;
    expect(annotations['checksum/config']).toBe(createHash('sha256').update(c.configText).digest('hex'));
  });

  it('is hardened: non-root, read-only root, no escalation, no capabilities, RuntimeDefault seccomp, no API token', () => {
    expect(c.container.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // privileged is left unset: "Defaults to false" (k8s.io/api SecurityContext); never true.
    expect(c.container.securityContext.privileged ?? false).toBe(false);
    expect(c.pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(c.pod.automountServiceAccountToken).toBe(false);
    const sa = findObject(c.objects, 'ServiceAccount', NAME);
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(c.pod.serviceAccountName).toBe(NAME);
  });

  it('has requests and limits, GOMEMLIMIT at 80% of the memory limit, probes on health_check 13133', () => {
    // In the canonical form the API server returns (1000m is stored and returned as 1).
    expect(c.container.resources).toEqual({
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
    expect(c.container.env).toContainEqual({ name: 'GOMEMLIMIT', value: '409MiB' });
    expect(c.config.processors.memory_limiter).toMatchObject({ limit_mib: 409, spike_limit_mib: 102 });
    const liveContainer = (field(live(c.deployment).spec, 'template.spec.containers') as Container[])[0]!;
    for (const probe of [liveContainer.readinessProbe, liveContainer.livenessProbe]) {
      expect(field(probe, 'httpGet')).toEqual({ path: '/', port: 13133, scheme: 'HTTP' });
    }
    expect(field(liveContainer.readinessProbe, 'failureThreshold')).toBe(3);
    expect(field(liveContainer.livenessProbe, 'failureThreshold')).toBe(6);
    expect(c.config.extensions.health_check?.endpoint).toBe('0.0.0.0:13133');
  });

  it('lets OTLP in only from arcade and metrics only from monitoring; egress open (Mimir is an external DNS name)', () => {
    expect(live(c.policy).spec).toEqual({
      podSelector: { matchLabels: field(c.deployment.spec, 'selector.matchLabels') },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'arcade' } } }],
          ports: [
            { port: 4317, protocol: 'TCP' },
            { port: 4318, protocol: 'TCP' },
          ],
        },
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
          ports: [{ port: 8888, protocol: 'TCP' }],
        },
      ],
    });
  });

  it('is scraped through one ServiceMonitor labelled release: prometheus-operator, selecting the Service and its metrics port', () => {
    expect(c.monitors).toHaveLength(1);
    const monitor = c.monitors[0]!;
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata).toMatchObject({ name: 'arcade-otel-collector-metrics', namespace: 'arcade' });
    expect(monitor.metadata.labels?.release).toBe('prometheus-operator');
    expect(monitor.metadata.labels).not.toHaveProperty('grafana-agent');
    expect(monitor.spec).toEqual({
      selector: {
        matchLabels: { 'app.kubernetes.io/name': 'opentelemetry-collector', 'app.kubernetes.io/instance': NAME },
      },
      namespaceSelector: { matchNames: ['arcade'] },
      endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '60s' }],
    });
    for (const [key, value] of Object.entries(field(monitor.spec, 'selector.matchLabels') as Record<string, string>)) {
      expect(c.service.metadata.labels?.[key]).toBe(value);
    }
  });

  it('rolls the pods when the config changes: another tenant gives another checksum', () => {
    const env = production();
    const other = collectorOf({
      ...env,
      collector: { ...env.collector, mimir: { ...env.collector.mimir, tenant: 'someone-else' } },
    });
    const checksum = (x: typeof c) =>
      (field(x.deployment.spec, 'template.metadata.annotations') as Record<string, string>)['checksum/config'];
    expect(checksum(other)).not.toBe(checksum(c));
    expect(checksum(collectorOf(production()))).toBe(checksum(c));
  });

  it('renders the collector config file reviewers (and otelcol-contrib validate) read', async () => {
    await expect(c.configText).toMatchFileSnapshot('./__snapshots__/backstage-wus2-v4.collector-config.yaml');
  });
});

describe('given the scrape alternative with a digest pin (staging fixture)', () => {
  const c = collectorOf(fixtureEnvironment('staging'));

  it('exposes the prometheus exporter on its own named port instead of remote write, every metric marked with the collector label', () => {
    expect(c.config.exporters).toEqual({
      prometheus: {
        endpoint: '0.0.0.0:8889',
        const_labels: { arcade_stack_collector: 'staging-wus2/arcade-staging/arcade-otel-collector' },
        metric_expiration: '5m',
      },
    });
    expect(field(live(c.service).spec, 'ports')).toContainEqual({
      name: 'prom-export',
      port: 8889,
      protocol: 'TCP',
      targetPort: 8889,
    });
    expect(c.container.ports.map((p) => p.name)).toEqual([
      'otlp-grpc',
      'otlp-http',
      'metrics',
      'prom-export',
      'health',
    ]);
  });

  it('adds a second ServiceMonitor for that port, keeping the exporter job/instance labels', () => {
    expect(c.monitors.map((m) => [m.metadata.name, field(m.spec, 'endpoints')])).toEqual([
      ['arcade-otel-collector-metrics', [{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s' }]],
      [
        'arcade-otel-collector-prom-export',
        [{ port: 'prom-export', path: '/metrics', scheme: 'http', interval: '30s', honorLabels: true }],
      ],
    ]);
    expect(c.monitors.every((m) => m.metadata.namespace === 'arcade-staging')).toBe(true);
  });

  it("labels its ServiceMonitors with the environment's scrape convention, not the production one", () => {
    for (const m of c.monitors) {
      expect(m.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
      expect(m.metadata.labels).not.toHaveProperty(['monitoring.example.com/scrape']);
    }
  });

  it('pins the image by digest and keeps the tag, runs one replica with the environment resources', () => {
    expect(c.container.image).toBe(`otel/opentelemetry-collector-contrib:0.159.0@sha256:${'1'.repeat(64)}`);
    expect(c.deployment.spec?.replicas).toBe(1);
    expect(c.container.resources).toEqual({
      requests: { cpu: '50m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
    expect(c.container.env).toContainEqual({ name: 'GOMEMLIMIT', value: '204MiB' });
  });

  it('restricts egress to DNS (nothing is pushed) and lets the configured monitoring namespace scrape both ports', () => {
    expect(field(live(c.policy).spec, 'policyTypes')).toEqual(['Ingress', 'Egress']);
    expect(field(live(c.policy).spec, 'egress')).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
      },
    ]);
    expect((field(live(c.policy).spec, 'ingress') as unknown[])[1]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }],
      ports: [
        { port: 8888, protocol: 'TCP' },
        { port: 8889, protocol: 'TCP' },
      ],
    });
  });

  it('renders the collector config file reviewers read', async () => {
    await expect(c.configText).toMatchFileSnapshot('./__snapshots__/staging.collector-config.yaml');
  });
});

describe('given an environment that describes the Mimir destination', () => {
  it('allows egress to DNS and to the given CIDRs on the push URL port only', () => {
    const env = production();
    const c = collectorOf({
      ...env,
      collector: {
        ...env.collector,
        mimir: { ...env.collector.mimir, pushUrl: 'https://mimir.example.com:8443/api/v1/push' },
        networkPolicy: { mimirEgress: { cidrs: ['10.20.0.0/16'] } },
      },
    });
    expect(field(live(c.policy).spec, 'policyTypes')).toEqual(['Ingress', 'Egress']);
    expect((field(live(c.policy).spec, 'egress') as unknown[])[1]).toEqual({
      to: [{ ipBlock: { cidr: '10.20.0.0/16' } }],
      ports: [{ port: 8443, protocol: 'TCP' }],
    });
    expect(c.config.exporters.prometheusremotewrite?.http.tls).toEqual({ insecure: false });
  });

  it('allows egress to a namespace (and pods) selector', () => {
    const env = production();
    const c = collectorOf({
      ...env,
      collector: {
        ...env.collector,
        networkPolicy: {
          mimirEgress: {
            namespaceLabels: { 'kubernetes.io/metadata.name': 'mimir' },
            podLabels: { app: 'mimir-nginx' },
          },
        },
      },
    });
    expect((field(live(c.policy).spec, 'egress') as unknown[])[1]).toEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mimir' } },
          podSelector: { matchLabels: { app: 'mimir-nginx' } },
        },
      ],
      ports: [{ port: 80, protocol: 'TCP' }],
    });
  });
});

describe('given a release installed into another namespace (targetNamespace)', () => {
  it('points the engine at the namespace-qualified Service and lets that namespace push OTLP', () => {
    const env = production();
    const c = collectorOf({ ...env, release: { ...env.release, targetNamespace: 'arcade-apps' } });
    const release = findObject(c.objects, 'HelmRelease', 'arcade');
    const engineEnv = field(release.spec?.values, 'engine.extraEnv') as { name: string; value?: string }[];
    expect(engineEnv).toContainEqual({
      name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      value: 'http://arcade-otel-collector.arcade.svc:4318',
    });
    expect((field(c.policy.spec, 'ingress') as { from: unknown }[])[0]?.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'arcade-apps' } } },
    ]);
  });
});

describe('collector rules at synth', () => {
  it('refuses delta conversion on more than one replica, naming the environment fields', () => {
    const env = production();
    expect(() => synthEnvironment({ ...env, collector: { ...env.collector, deltaToCumulative: true } })).toThrow(
      /processors\.deltatocumulative: .*replicas is 2.*fix: set collector\.replicas: 1, or collector\.deltaToCumulative: false/,
    );
  });

  it('refuses a CPU quantity it cannot read, naming the field (never a NaN request)', () => {
    const env = production();
    const withCpu = (cpu: string) => ({
      ...env,
      collector: {
        ...env.collector,
        resources: { ...env.collector.resources, limits: { ...env.collector.resources.limits, cpu } },
      },
    });
    expect(() => synthEnvironment(withCpu('lots'))).toThrow(
      /resources\.limits\.cpu: 'lots' is not a CPU quantity above zero \(fix: /,
    );
    expect(() => synthEnvironment(withCpu('0'))).toThrow(
      /resources\.limits\.cpu: '0' is not a CPU quantity above zero/,
    );
    expect(collectorOf(withCpu('1.5')).container.resources.limits).toEqual({ cpu: '1500m', memory: '512Mi' });
  });

  it('accepts delta conversion on one replica', () => {
    const env = production();
    const c = collectorOf({ ...env, collector: { ...env.collector, deltaToCumulative: true, replicas: 1 } });
    expect(c.config.service.pipelines.metrics?.processors).toEqual(['memory_limiter', 'deltatocumulative', 'batch']);
  });
});
