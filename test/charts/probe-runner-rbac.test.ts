/**
 * The probe runner's Roles grant exactly what the probes read: nothing missing, nothing extra.
 *
 * The needed set is not written here: it is derived from the probes' own reads. Every probe runs,
 * as the CronJob runs them (all of them, no --revision), against the loopback platform of
 * `--demo` (src/loopback/), whose Kubernetes API stand-in records every request it receives. Each
 * request becomes (API group, resource, verb, namespace, name); the Roles the runner's construct
 * renders for the same targets are expanded the same way, and the two sets must be equal. A probe
 * that starts reading something new fails this until src/charts/probe-runner-reads.ts grants it;
 * a grant no probe uses any more fails it until it is removed.
 */
import { App, Chart } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runnerRules } from '../../src/charts/probe-runner-chart.js';
import { ExternalSecretSource } from '../../src/constructs/external-secret.js';
import { ProbeRunner } from '../../src/constructs/probe-runner.js';
import { TargetsSchema } from '../../src/environments/probe-targets.js';
import { type Platform, startPlatform } from '../../src/loopback/platform.js';
import { runProbeCli } from '../../src/probes/cli.js';
import { NO_PROBE_DEADLINE_MS } from '../support/deadlines.js';

/** One permission: `group|resource|verb|namespace|name` (`*` for every name). */
type Grant = string;

interface Request {
  readonly method: string;
  readonly path: string;
}

/** Discovery (`/api/v1`, `/apis/<group>/<version>`): non-resource URLs, open to every authenticated user. */
const DISCOVERY = /^\/(api\/v1|apis\/[^/]+\/[^/]+)$/;
const RESOURCE = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/;

/** The permission a request needs, or undefined for discovery. Throws on anything else (a write, a cluster-scoped read). */
function grantOf(request: Request): Grant | undefined {
  const path = request.path.split('?')[0]!;
  if (request.method !== 'GET') throw new Error(`the probes wrote: ${request.method} ${path}`);
  if (DISCOVERY.test(path)) return undefined;
  const match = RESOURCE.exec(path);
  if (!match) throw new Error(`a read outside any namespace (would need a ClusterRole): GET ${path}`);
  const [, group = '', namespace, resource, name, subresource] = match;
  if (subresource) return `${group}|${resource}/${subresource}|get|${namespace}|${name}`;
  return `${group}|${resource}|${name ? 'get' : 'list'}|${namespace}|${name ?? '*'}`;
}

/** Every permission the rendered Roles give (each rule expanded to one line per name), and the RoleBindings' subjects. */
function rendered(platform: Platform): { grants: Grant[]; bindings: string[] } {
  const targets = TargetsSchema.parse(platform.targets);
  const chart = new Chart(new App({ outdir: '/dev/null' }), 'runner', { namespace: targets.namespace });
  const apiKey = new ExternalSecretSource(chart, 'key', {
    secretName: 'arcade-probes-api-key',
    namespace: targets.namespace,
    clusterSecretStore: 'store',
    values: { 'api-key': { remoteKey: 'probes' } },
  });
  new ProbeRunner(chart, 'runner', {
    namespace: targets.namespace,
    image: `registry.example.com/probes@sha256:${'0'.repeat(64)}`,
    schedule: '*/5 * * * *',
    scheduleMinutes: 5,
    args: [],
    targets: { fileName: 'demo.yaml', content: '' },
    apiKey: { source: apiKey, key: 'api-key' },
    reads: runnerRules(targets),
    egress: { collector: { podLabels: { app: 'collector' }, port: 4318 }, apiServerPorts: [443], hostPorts: [443] },
    resources: { requests: { cpu: '50m', memory: '192Mi' }, limits: { cpu: '500m', memory: '384Mi' } },
    podLabels: { app: 'runner' },
  });
  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
  type Obj = {
    kind: string;
    metadata: { name: string; namespace: string };
    rules?: Rule[];
    roleRef?: { name: string };
    subjects?: { kind: string; name: string; namespace: string }[];
  };
  const objects = chart.toJson() as Obj[];
  expect(objects.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
  const grants = objects
    .filter((o) => o.kind === 'Role')
    .flatMap((role) =>
      (role.rules ?? []).flatMap((r) =>
        r.apiGroups.flatMap((g) =>
          r.resources.flatMap((res) =>
            r.verbs.flatMap((v) =>
              (r.resourceNames ?? ['*']).map((n) => `${g}|${res}|${v}|${role.metadata.namespace}|${n}`),
            ),
          ),
        ),
      ),
    );
  const bindings = objects
    .filter((o) => o.kind === 'RoleBinding')
    .map(
      (b) =>
        `${b.metadata.namespace}: ${b.roleRef?.name} -> ${b.subjects?.map((s) => `${s.kind} ${s.namespace}/${s.name}`).join(', ')}`,
    );
  return { grants: [...new Set(grants)].sort(), bindings };
}

describe("the probe runner's Roles, against every request of a full probe run", () => {
  let platform: Platform;
  let exitCode: number;
  let summary: string;

  beforeAll(async () => {
    platform = await startPlatform();
    let out = '';
    const sink = { write: (t: string) => (out += t) };
    // No probe deadline: on a loaded machine a slow answer must not turn a read into a skipped one.
    exitCode = await runProbeCli(
      ['--targets', platform.targetsFile, '--timeout', String(NO_PROBE_DEADLINE_MS / 1000)],
      {
        env: { ...platform.env, CI: 'true' },
        stdout: sink,
        stderr: sink,
      },
    );
    summary = out.trim().split('\n').at(-1) ?? '';
  });
  afterAll(() => platform?.close());

  it('ran every probe (so every read was made), none skipped', () => {
    expect(exitCode).toBe(0);
    expect(summary).toMatch(/^15 passed, 0 failed, 0 errors, 0 skipped, 0 known gaps$/);
  });

  it('grants exactly the reads the probes made: nothing missing, nothing extra, no ClusterRole', () => {
    const requests = [...platform.kube.requests];
    expect(requests.length).toBeGreaterThan(0);
    const needed = [...new Set(requests.map(grantOf).filter((g): g is Grant => g !== undefined))].sort();
    const { grants } = rendered(platform);
    // A get granted for every name (pods/log: pod names change with every rollout) covers each
    // named read of that resource; every other grant must match a read exactly.
    const covered = needed.map((need) => {
      const every = `${need.split('|').slice(0, 4).join('|')}|*`;
      return grants.includes(every) ? every : need;
    });
    expect(grants).toEqual([...new Set(covered)].sort());
  });

  it('binds each Role to the runner ServiceAccount of the runner namespace', () => {
    expect(rendered(platform).bindings).toEqual([
      'arcade: arcade-probe-runner -> ServiceAccount arcade/arcade-probe-runner',
    ]);
  });

  it('reads Secrets by name only, and only the datastore Secrets the probe checks', () => {
    const secrets = rendered(platform).grants.filter((g) => g.startsWith('|secrets|'));
    expect(secrets).toEqual(['|secrets|get|arcade|arcade-postgres', '|secrets|get|arcade|arcade-redis']);
  });
});
