/**
 * Workload policies: a hardened Deployment passes; each rule is broken one at a time and must be
 * reported with its rule id, the anchors of the public linters and the field path; exceptions
 * are applied only with a reason and listed; stale exceptions are reported.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyException } from '../../src/check/exceptions.js';
import { POLICY_EXCEPTIONS } from '../../src/check/exceptions.js';
import type { KubeObject } from '../../src/core/manifests.js';
import { checkPolicies, exceptionFindings, isFloatingImage } from '../../src/check/policy.js';
import { type PlacedObject, selectorMatches } from '../../src/check/workloads.js';
import { clone, hardenedWorkload } from './support.js';

type Rec = Record<string, unknown>;

function place(objects: readonly Rec[]): PlacedObject[] {
  return objects.map((o, i) => ({ object: o as KubeObject, file: 'dist/test/app.yaml', line: i * 10 + 1 }));
}

/** The hardened set with a change applied to the Deployment's pod spec / container. */
function broken(change: (pod: Rec, container: Rec, deployment: Rec) => void, replicas = 2): Rec[] {
  const objects = clone(hardenedWorkload(replicas));
  const deployment = objects[1]!;
  const pod = ((deployment.spec as Rec).template as Rec).spec as Rec;
  change(pod, (pod.containers as Rec[])[0]!, deployment);
  return objects;
}

function rulesOf(objects: readonly Rec[], exceptions: readonly PolicyException[] = []) {
  return checkPolicies(place(objects), exceptions).findings.map((f) => f.rule);
}

describe('workload policies', () => {
  it('a hardened multi-replica Deployment with PDB, NetworkPolicy and no SA token passes', () => {
    const r = checkPolicies(place(hardenedWorkload()), []);
    expect(r.findings).toEqual([]);
    expect(r.workloads).toBe(1);
  });

  it('reports a root container with the kube-linter, Polaris and Checkov ids', () => {
    const r = checkPolicies(
      place(
        broken((pod, c) => {
          delete pod.securityContext;
          c.securityContext = { ...(c.securityContext as Rec), runAsUser: 0 };
        }),
      ),
      [],
    );
    const root = r.findings.find((f) => f.rule === 'run-as-non-root');
    expect(root).toMatchObject({
      severity: 'error',
      area: 'policy',
      file: 'dist/test/app.yaml',
      object: { kind: 'Deployment', namespace: 'arcade', name: 'demo' },
      path: 'spec.template.spec.containers[0].securityContext.runAsUser',
      anchors: ['kube-linter run-as-non-root', 'Polaris runAsRootAllowed', 'Checkov CKV_K8S_23'],
    });
    expect(root!.message).toContain('runAsUser: 0');
    expect(r.findings.map((f) => f.rule)).toContain('seccomp-profile'); // the pod-level profile went too
  });

  it('reports a container that sets nothing about its user', () => {
    expect(
      rulesOf(
        broken((pod) => {
          pod.securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
        }),
      ),
    ).toEqual(['run-as-non-root']);
  });

  it('reports missing probes (not for Jobs)', () => {
    const r = checkPolicies(
      place(
        broken((_pod, c) => {
          delete c.readinessProbe;
          delete c.livenessProbe;
        }),
      ),
      [],
    );
    expect(r.findings.map((f) => [f.rule, f.path, f.anchors?.at(-1)])).toEqual([
      ['no-readiness-probe', 'spec.template.spec.containers[0].readinessProbe', 'Checkov CKV_K8S_9'],
      ['no-liveness-probe', 'spec.template.spec.containers[0].livenessProbe', 'Checkov CKV_K8S_8'],
    ]);
    const job = clone(hardenedWorkload(1)[1]!);
    job.kind = 'Job';
    job.apiVersion = 'batch/v1';
    const jobPod = ((job.spec as Rec).template as Rec).spec as Rec;
    const c = (jobPod.containers as Rec[])[0]!;
    delete c.readinessProbe;
    delete c.livenessProbe;
    delete (job.spec as Rec).selector;
    delete (job.spec as Rec).replicas;
    expect(rulesOf([hardenedWorkload(1)[0]!, job, hardenedWorkload(1)[3]!])).toEqual([]);
  });

  it('reports each hardening gap on its own field', () => {
    const r = checkPolicies(
      place(
        broken((pod, c) => {
          c.securityContext = {
            allowPrivilegeEscalation: true,
            privileged: true,
            capabilities: { add: ['NET_ADMIN'] },
          };
          c.resources = { requests: { cpu: '10m' } };
          c.image = 'busybox';
          pod.hostNetwork = true;
          pod.hostPID = true;
          pod.hostIPC = true;
        }),
      ),
      [],
    );
    expect(r.findings.map((f) => f.rule)).toEqual([
      'host-network',
      'host-pid',
      'host-ipc',
      'no-read-only-root-fs',
      'privilege-escalation-container',
      'privileged-container',
      'drop-all-capabilities',
      'added-capabilities',
      'unset-cpu-requirements',
      'unset-memory-requirements',
      'latest-tag',
    ]);
    const cpu = r.findings.find((f) => f.rule === 'unset-cpu-requirements')!;
    expect(cpu.message).toContain('limits.cpu');
    expect(cpu.anchors).toEqual([
      'kube-linter unset-cpu-requirements',
      'Polaris cpuLimitsMissing',
      'Checkov CKV_K8S_11',
    ]);
    expect(r.findings.find((f) => f.rule === 'drop-all-capabilities')!.anchors).toContain(
      'kube-linter drop-net-raw-capability',
    );
    expect(r.findings.find((f) => f.rule === 'latest-tag')!.anchors).toEqual([
      'kube-linter latest-tag',
      'Polaris tagNotSpecified',
      'Checkov CKV_K8S_14',
    ]);
  });

  it('checks init containers too', () => {
    expect(
      rulesOf(
        broken((pod) => {
          pod.initContainers = [{ name: 'init', image: 'busybox:1.36' }];
        }),
      ),
    ).toEqual([
      'no-read-only-root-fs',
      'privilege-escalation-container',
      'drop-all-capabilities',
      'unset-cpu-requirements',
      'unset-memory-requirements',
    ]);
  });

  it('reports a mounted service-account token unless the pod or its ServiceAccount turns it off', () => {
    expect(
      rulesOf(
        broken((pod) => {
          delete pod.automountServiceAccountToken;
        }),
      ),
    ).toEqual([]); // the ServiceAccount says false
    const objects = broken((pod) => {
      delete pod.automountServiceAccountToken;
    });
    delete objects[0]!.automountServiceAccountToken;
    const r = checkPolicies(place(objects), []);
    expect(r.findings).toEqual([
      expect.objectContaining({
        rule: 'automount-service-account-token',
        anchors: ['Polaris automountServiceAccountToken', 'Checkov CKV_K8S_38'],
      }),
    ]);
  });

  it('requires a PodDisruptionBudget for multi-replica workloads only, and a NetworkPolicy for every one', () => {
    const noPdb = hardenedWorkload().filter((o) => o.kind !== 'PodDisruptionBudget');
    expect(rulesOf(noPdb)).toEqual(['missing-pod-disruption-budget']);
    expect(rulesOf(hardenedWorkload(1).filter((o) => o.kind !== 'PodDisruptionBudget'))).toEqual([]);
    const noNetpol = hardenedWorkload().filter((o) => o.kind !== 'NetworkPolicy');
    const r = checkPolicies(place(noNetpol), []);
    expect(r.findings).toEqual([
      expect.objectContaining({
        rule: 'non-isolated-pod',
        path: 'spec.template.metadata.labels',
        anchors: ['kube-linter non-isolated-pod', 'Polaris missingNetworkPolicy', 'kube-score pod-networkpolicy'],
      }),
    ]);
    const otherNs = clone(hardenedWorkload());
    (otherNs[3]!.metadata as Rec).namespace = 'elsewhere';
    expect(rulesOf(otherNs)).toEqual(['non-isolated-pod']);
    const pdbWithoutPolicy = clone(hardenedWorkload());
    delete (pdbWithoutPolicy[2]!.spec as Rec).maxUnavailable;
    expect(rulesOf(pdbWithoutPolicy)).toEqual(['missing-pod-disruption-budget']);
  });

  it('reports a selector that does not select the template labels', () => {
    expect(
      rulesOf(
        broken((_p, _c, d) => {
          ((d.spec as Rec).selector as Rec).matchLabels = { 'app.kubernetes.io/name': 'other' };
        }),
      ),
    ).toContain('mismatching-selector');
  });

  it('applies an exception only with a reason, lists it, and reports stale or reasonless ones', () => {
    const objects = broken((_pod, c) => {
      delete c.livenessProbe;
    });
    const ex: PolicyException = {
      rule: 'no-liveness-probe',
      kind: 'Deployment',
      namespace: 'arcade',
      name: 'demo',
      container: 'app',
      reason: 'the test image has no health endpoint',
    };
    const r = checkPolicies(place(objects), [ex]);
    expect(r.findings).toEqual([]);
    expect(r.excepted).toEqual([
      expect.objectContaining({ exception: ex, finding: expect.objectContaining({ rule: 'no-liveness-probe' }) }),
    ]);
    expect(exceptionFindings([ex], r.excepted, 'src/check/exceptions.ts')).toEqual([]);

    const lazy: PolicyException = { ...ex, reason: 'because' };
    const r2 = checkPolicies(place(objects), [lazy]);
    expect(r2.findings.map((f) => f.rule)).toEqual(['no-liveness-probe']);
    expect(exceptionFindings([lazy], r2.excepted, 'src/check/exceptions.ts').map((f) => f.rule)).toEqual([
      'policy.exception-without-reason',
    ]);

    const otherContainer: PolicyException = { ...ex, container: 'sidecar' };
    const r3 = checkPolicies(place(objects), [otherContainer]);
    expect(r3.findings.map((f) => f.rule)).toEqual(['no-liveness-probe']);
    expect(exceptionFindings([otherContainer], r3.excepted, 'x')).toEqual([
      expect.objectContaining({ rule: 'policy.unused-exception', severity: 'warning' }),
    ]);
  });

  it('declares no exception for the stack today (each would need a reason)', () => {
    // The list itself, so the assertion can fail: adding an exception means naming it here too.
    expect(POLICY_EXCEPTIONS.map((e) => `${e.rule} ${e.kind} ${e.name}`)).toEqual([]);
    for (const e of POLICY_EXCEPTIONS) expect(e.reason.trim().length).toBeGreaterThanOrEqual(10);
  });
});

describe('helpers', () => {
  it('matches label selectors like Kubernetes', () => {
    const labels = { app: 'a', tier: 'web' };
    expect(selectorMatches({ matchLabels: { app: 'a' } }, labels)).toBe(true);
    expect(selectorMatches({}, labels)).toBe(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, labels),
    ).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels)).toBe(
      false,
    );
    expect(selectorMatches({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { app: 'b' } }, labels)).toBe(false);
  });

  it('recognizes floating images', () => {
    expect(isFloatingImage('busybox')).toBe(true);
    expect(isFloatingImage('busybox:latest')).toBe(true);
    expect(isFloatingImage('registry.example.com:5000/team/app')).toBe(true);
    expect(isFloatingImage('registry.example.com:5000/team/app:1.2')).toBe(false);
    expect(isFloatingImage('otel/opentelemetry-collector-contrib:0.159.0')).toBe(false);
    expect(isFloatingImage(`app@sha256:${'a'.repeat(64)}`)).toBe(false);
  });
});
