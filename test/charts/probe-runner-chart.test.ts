/**
 * The probe runner as it ships (dist/<env>/probe-runner.yaml), for the fixture environment with the
 * continuous mode on: the CronJob's schedule and deadlines, the command (its targets file, the
 * collector's OTLP URL), the API key from the environment's secret provider, the hardened pod, the
 * NetworkPolicy's egress and the collector's ingress admitting the runner; the whole gate over it;
 * nothing of it for backstage-wus2-v4, whose mode is off.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runGate } from '../../src/check/gate.js';
import { App, Chart } from 'cdk8s';
import { ProbeRunner, type ProbeRunnerProps, runnerDeadlines } from '../../src/constructs/probe-runner.js';
import { loadEnvironment } from '../../src/environments/load.js';
import { TargetsSchema } from '../../src/environments/probe-targets.js';
import { targetsFromEnvironment } from '../../src/environments/probes.js';
import { parseProbeArgs } from '../../src/probes/cli-options.js';
import { synthEnvironment } from '../../src/synth.js';
import { tempDir } from '../support/temp.js';
import { FIXTURE_ENVIRONMENTS, findObject, fixtureEnvironment, type K8sObject, objectsOf } from '../synth/helpers.js';

const staging = fixtureEnvironment('staging');
const output = synthEnvironment(staging);
const objects = objectsOf(output);
const runnerObjects = objects.filter((o) => o.file === 'staging/probe-runner.yaml');

type Rec = Record<string, unknown>;
const at = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Rec | undefined)?.[/^\d+$/.test(k) ? Number(k) : k], o);

const cronJob = findObject(runnerObjects, 'CronJob', 'arcade-probe-runner');
const pod = at(cronJob, 'spec.jobTemplate.spec.template.spec') as Rec;
const container = at(pod, 'containers.0') as Rec & { args: string[] };

describe('the probe runner of the fixture environment (dist/staging/probe-runner.yaml)', () => {
  it('renders the CronJob, its ServiceAccount, Role and binding, targets, key and NetworkPolicy in the namespace', () => {
    expect(runnerObjects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ExternalSecret arcade-staging/arcade-probes-api-key',
      'ServiceAccount arcade-staging/arcade-probe-runner',
      'Role arcade-staging/arcade-probe-runner',
      'RoleBinding arcade-staging/arcade-probe-runner',
      'ConfigMap arcade-staging/arcade-probe-runner-targets',
      'CronJob arcade-staging/arcade-probe-runner',
      'NetworkPolicy arcade-staging/arcade-probe-runner',
    ]);
    expect(output.files.map((f) => f.path)).toContain('staging/probe-runner.yaml');
  });

  it('runs every 5 minutes, one run at a time, never retried, stopped before the next is due', () => {
    expect(cronJob.spec).toMatchObject({
      schedule: '*/5 * * * *',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 60,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
    });
    expect(at(cronJob, 'spec.jobTemplate.spec')).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 225 });
    expect(pod.restartPolicy).toBe('Never');
    // Every schedule the environment allows: a late run still ends before the next one (and the
    // controller, which looks every 10 s, can start it).
    for (const minutes of [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60]) {
      const d = runnerDeadlines(minutes);
      expect(d.startingDeadlineSeconds + d.activeDeadlineSeconds, `${minutes} min`).toBeLessThan(minutes * 60);
      expect(d.startingDeadlineSeconds, `${minutes} min`).toBeGreaterThanOrEqual(10);
    }
  });

  it('runs the bundled runner on the environment targets, exporting to the collector Service, JSON on stdout', () => {
    expect(container.image).toBe(
      'registry.example.com/platform/arcade-probes:0.1.0@sha256:2222222222222222222222222222222222222222222222222222222222222222',
    );
    expect(container.args).toEqual([
      '--targets',
      '/etc/arcade-probes/staging.yaml',
      '--otlp',
      'http://arcade-otel-collector:4318/v1/metrics',
      '--json',
      '/dev/stdout',
    ]);
    // A command line the runner accepts (its own parser), naming the targets file mounted below.
    expect(parseProbeArgs(container.args)).toMatchObject({
      targets: '/etc/arcade-probes/staging.yaml',
      otlp: 'http://arcade-otel-collector:4318/v1/metrics',
      json: '/dev/stdout',
      demo: false,
    });
    // The targets file is the environment's own probe targets, as `npm run probe -- --env` reads them.
    const configMap = findObject(runnerObjects, 'ConfigMap', 'arcade-probe-runner-targets');
    const file = (configMap.data as Record<string, string>)['staging.yaml']!;
    expect(TargetsSchema.parse(parse(file))).toEqual(targetsFromEnvironment(staging));
    expect(at(pod, 'volumes.0')).toEqual({ name: 'targets', configMap: { name: 'arcade-probe-runner-targets' } });
    // The collector Service the URL names is the one the collector chart renders, port 4318 included.
    const service = findObject(objects, 'Service', 'arcade-otel-collector');
    expect(service.metadata.namespace).toBe('arcade-staging');
    expect((service.spec as { ports: { port: number }[] }).ports.map((p) => p.port)).toContain(4318);
  });

  it('reads the API key from the Secret the ExternalSecret makes, never a value', () => {
    expect(container.env).toEqual([
      { name: 'ARCADE_API_KEY', valueFrom: { secretKeyRef: { name: 'arcade-probes-api-key', key: 'api-key' } } },
    ]);
    const external = findObject(runnerObjects, 'ExternalSecret', 'arcade-probes-api-key');
    expect(external.spec).toMatchObject({
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'staging-vault' },
      target: { name: 'arcade-probes-api-key' },
      data: [{ secretKey: 'api-key', remoteRef: { key: 'arcade/staging/probes', property: 'api-key' } }],
    });
    expect(runnerObjects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('runs hardened: non-root, read-only root, no escalation, no capabilities, seccomp, resources, pinned image', () => {
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.resources).toEqual({
      requests: { cpu: '50m', memory: '192Mi' },
      limits: { cpu: '500m', memory: '384Mi' },
    });
    // Pinned by digest: the API server's default pull policy for it is IfNotPresent, so dist/ omits it.
    expect(container.imagePullPolicy).toBeUndefined();
  });

  it('mounts an API token for its one container only: nothing automatic, a 10-minute projected token', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(findObject(runnerObjects, 'ServiceAccount', 'arcade-probe-runner').automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('arcade-probe-runner');
    const token = (pod.volumes as Rec[]).find((v) => v.name === 'api-token');
    expect(at(token, 'projected.sources.0')).toEqual({
      serviceAccountToken: { path: 'token', expirationSeconds: 600 },
    });
    expect(container.volumeMounts).toContainEqual({
      name: 'api-token',
      mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
      readOnly: true,
    });
  });

  it('lets in nothing and out only DNS, the collector pods on 4318, the API server and the probed hosts by port', () => {
    const policy = findObject(runnerObjects, 'NetworkPolicy', 'arcade-probe-runner');
    const spec = policy.spec as { podSelector: { matchLabels: Rec }; ingress?: unknown[]; egress: Rec[] };
    const podLabels = at(cronJob, 'spec.jobTemplate.spec.template.metadata.labels') as Rec;
    for (const [k, v] of Object.entries(spec.podSelector.matchLabels)) expect(podLabels[k]).toBe(v);
    expect(spec.ingress ?? []).toEqual([]);
    const collectorPods = at(
      findObject(objects, 'Deployment', 'arcade-otel-collector'),
      'spec.template.metadata.labels',
    );
    expect(spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { port: 53 }],
      },
      { to: [{ podSelector: { matchLabels: expect.any(Object) } }], ports: [{ port: 4318 }] },
      { ports: [{ port: 443 }] },
      // https public hosts and reference server (443), Mimir's query URL http://mimir-nginx... (80).
      { ports: [{ port: 80 }, { port: 443 }] },
    ]);
    const collectorSelector = at(spec.egress[1], 'to.0.podSelector.matchLabels') as Rec;
    for (const [k, v] of Object.entries(collectorSelector)) expect((collectorPods as Rec)[k]).toBe(v);
  });

  it('renders no ports-only egress rule without a port (it would admit every port of every address)', () => {
    const props: ProbeRunnerProps = {
      image: `registry.example.com/probes@sha256:${'0'.repeat(64)}`,
      schedule: '*/5 * * * *',
      scheduleMinutes: 5,
      args: [],
      targets: { fileName: 't.yaml', content: '' },
      apiKey: { source: { secretName: 'key', namespace: 'ns', keys: ['api-key'], unresolvedKeys: [] }, key: 'api-key' },
      reads: [],
      egress: { collector: { podLabels: { app: 'collector' }, port: 4318 }, apiServerPorts: [6443], hostPorts: [] },
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
      namespace: 'ns',
      podLabels: { app: 'probes' },
    };
    const runner = new ProbeRunner(new Chart(new App({ outdir: '/dev/null' }), 'c'), 'runner', props);
    const egress = (runner.networkPolicy.toJson() as { spec: { egress: Rec[] } }).spec.egress;
    expect(egress.filter((r) => r.to === undefined)).toEqual([{ ports: [{ protocol: 'TCP', port: 6443 }] }]);
  });

  it("is admitted by the collector's NetworkPolicy (OTLP/HTTP from the runner's namespace)", () => {
    const collectorPolicy = findObject(objects, 'NetworkPolicy', 'arcade-otel-collector');
    const ingress = (collectorPolicy.spec as { ingress: { from: Rec[]; ports: { port: number }[] }[] }).ingress;
    const admits = ingress.some(
      (rule) =>
        rule.ports.some((p) => p.port === 4318) &&
        rule.from.some(
          (peer) =>
            (at(peer, 'namespaceSelector.matchLabels') as Rec | undefined)?.['kubernetes.io/metadata.name'] ===
            cronJob.metadata.namespace,
        ),
    );
    expect(admits).toBe(true);
  });

  it('passes the gate: schemas (built-in kinds, the ExternalSecret CRD), policies, references', async () => {
    const root = tempDir('probe-runner-gate-');
    for (const f of [...output.files, ...output.extras]) {
      const path = join(root, 'dist', f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
    }
    const report = await runGate({ root, scanRepository: false, environmentsDir: FIXTURE_ENVIRONMENTS });
    expect(report.findings.filter((f) => f.file.includes('probe-runner'))).toEqual([]);
    expect(
      report.findings.filter((f) => f.severity === 'error').map((f) => `${f.file} ${f.rule}: ${f.message}`),
    ).toEqual([]);
    // The policies really looked at it: a container running as root is refused.
    const file = join(root, 'dist', 'staging', 'probe-runner.yaml');
    const text = output.files.find((f) => f.path === 'staging/probe-runner.yaml')!.content;
    writeFileSync(
      file,
      text.replaceAll('runAsNonRoot: true', 'runAsNonRoot: false').replaceAll('runAsUser: 1000', 'runAsUser: 0'),
    );
    // The policies alone decide this: no second Flux build (the first run built it).
    const broken = await runGate({
      root,
      scanRepository: false,
      environmentsDir: FIXTURE_ENVIRONMENTS,
      kubectl: false,
    });
    expect(broken.findings.filter((f) => f.file.includes('probe-runner')).map((f) => f.rule)).toContain(
      'run-as-non-root',
    );
  });
});

describe('an environment with the continuous mode off (backstage-wus2-v4)', () => {
  it('renders no runner, and synth lists what the runner still needs', () => {
    const production = synthEnvironment(loadEnvironment('backstage-wus2-v4').env);
    const all: K8sObject[] = objectsOf(production);
    expect(production.files.map((f) => f.path)).not.toContain('backstage-wus2-v4/probe-runner.yaml');
    expect(all.filter((o) => ['CronJob', 'Role', 'RoleBinding'].includes(o.kind))).toEqual([]);
    expect(all.filter((o) => o.metadata.name.startsWith('arcade-probe'))).toEqual([]);
    expect(production.notes.join('\n')).toMatch(
      /continuous\.runner\.image: .*\n.*continuous\.runner\.baseImage: .*\n.*continuous\.runner\.apiKey: /,
    );
  });
});
