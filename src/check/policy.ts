/**
 * Workload policies over the objects of one environment: every pod template the stack renders
 * (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod) is checked container by
 * container and against its neighbours (PodDisruptionBudget, NetworkPolicy, ServiceAccount).
 * The vendor chart's pods are rendered in the cluster by helm-controller and are out of reach.
 */
import type { KubeObject } from '../core/manifests.js';
import type { PolicyException } from './exceptions.js';
import { childPath, type Finding } from './finding.js';
import { refOf } from './manifests.js';
import { POLICY_RULES, type PolicyRuleId } from './policy-rules.js';
import { list, type PlacedObject, rec, selectorMatches, type Workload, workloadOf } from './workloads.js';
import { isRecord } from '../core/is-record.js';

export interface PolicyFinding extends Finding {
  readonly container?: string;
}

export interface AppliedException {
  readonly exception: PolicyException;
  readonly finding: PolicyFinding;
}

export interface PolicyResult {
  readonly findings: readonly Finding[];
  readonly excepted: readonly AppliedException[];
  /** How many workloads were checked. */
  readonly workloads: number;
}

/** An image without a tag, or tagged `latest`, that is not pinned by digest. */
export function isFloatingImage(image: string): boolean {
  if (image.includes('@sha256:')) return false;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon < 0 || last.slice(colon + 1) === 'latest' || last.slice(colon + 1) === '';
}

function nsOf(o: KubeObject): string {
  return typeof o.metadata.namespace === 'string' ? o.metadata.namespace : '';
}

/** Checks the workloads among `objects` (one environment) and applies the exceptions. */
export function checkPolicies(objects: readonly PlacedObject[], exceptions: readonly PolicyException[]): PolicyResult {
  const raw: PolicyFinding[] = [];
  const workloads = objects.map(workloadOf).filter((w): w is Workload => w !== undefined);
  const byKind = (kind: string) => objects.filter((p) => p.object.kind === kind);
  const pdbs = byKind('PodDisruptionBudget');
  const netpols = byKind('NetworkPolicy');
  const serviceAccounts = byKind('ServiceAccount');

  for (const w of workloads) {
    const o = w.placed.object;
    const report = (
      rule: PolicyRuleId,
      path: string,
      message: string,
      container?: string,
      anchors?: readonly string[],
    ) =>
      raw.push({
        severity: 'error',
        area: 'policy',
        file: w.placed.file,
        line: w.placed.line,
        object: refOf(o),
        path,
        rule,
        anchors: anchors ?? POLICY_RULES[rule].anchors,
        message: `${POLICY_RULES[rule].title}: ${message}`,
        fix: POLICY_RULES[rule].fix,
        ...(container ? { container } : {}),
      });
    const pod = w.podSpec;
    const podPath = w.podSpecPath;
    const podSc = rec(pod.securityContext);

    for (const key of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
      if (pod[key] === true)
        report(
          key === 'hostNetwork' ? 'host-network' : key === 'hostPID' ? 'host-pid' : 'host-ipc',
          childPath(podPath, key),
          `${key} is true`,
        );
    }

    const groups: [string, Record<string, unknown>[]][] = [
      ['containers', list(pod.containers)],
      ['initContainers', list(pod.initContainers)],
    ];
    for (const [group, containers] of groups) {
      containers.forEach((c, i) => {
        const name = String(c.name ?? `#${i}`);
        const cPath = childPath(childPath(podPath, group), i);
        const sc = rec(c.securityContext);
        const scPath = childPath(cPath, 'securityContext');
        const label = `container "${name}"`;

        const runAsUser = sc.runAsUser ?? podSc.runAsUser;
        const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
        if (runAsUser === 0)
          report('run-as-non-root', childPath(scPath, 'runAsUser'), `${label} sets runAsUser: 0`, name);
        else if (runAsNonRoot !== true && !(typeof runAsUser === 'number' && runAsUser > 0)) {
          report(
            'run-as-non-root',
            childPath(scPath, 'runAsNonRoot'),
            `${label} sets neither runAsNonRoot: true nor a non-zero runAsUser${runAsNonRoot === false ? ' (runAsNonRoot is false)' : ''}`,
            name,
          );
        }
        if (sc.readOnlyRootFilesystem !== true)
          report(
            'no-read-only-root-fs',
            childPath(scPath, 'readOnlyRootFilesystem'),
            `${label} does not set readOnlyRootFilesystem: true`,
            name,
          );
        if (sc.allowPrivilegeEscalation !== false)
          report(
            'privilege-escalation-container',
            childPath(scPath, 'allowPrivilegeEscalation'),
            `${label} does not set allowPrivilegeEscalation: false`,
            name,
          );
        if (sc.privileged === true)
          report('privileged-container', childPath(scPath, 'privileged'), `${label} sets privileged: true`, name);
        const caps = rec(sc.capabilities);
        const drop = Array.isArray(caps.drop) ? caps.drop.map(String) : [];
        if (!drop.includes('ALL'))
          report(
            'drop-all-capabilities',
            childPath(childPath(scPath, 'capabilities'), 'drop'),
            `${label} does not drop ALL capabilities`,
            name,
          );
        const add = Array.isArray(caps.add) ? caps.add.map(String) : [];
        if (add.length > 0)
          report(
            'added-capabilities',
            childPath(childPath(scPath, 'capabilities'), 'add'),
            `${label} adds ${add.join(', ')}`,
            name,
          );
        const seccomp = rec(sc.seccompProfile ?? podSc.seccompProfile).type;
        if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
          report(
            'seccomp-profile',
            childPath(scPath, 'seccompProfile'),
            `${label} runs ${seccomp === undefined ? 'without a seccomp profile' : `with seccomp ${String(seccomp)}`}`,
            name,
          );
        }

        const resources = rec(c.resources);
        const requests = rec(resources.requests);
        const limits = rec(resources.limits);
        for (const [resource, rule, ids] of [
          ['cpu', 'unset-cpu-requirements', ['Checkov CKV_K8S_10', 'Checkov CKV_K8S_11']],
          ['memory', 'unset-memory-requirements', ['Checkov CKV_K8S_12', 'Checkov CKV_K8S_13']],
        ] as const) {
          const missing = [
            requests[resource] === undefined ? `requests.${resource}` : '',
            limits[resource] === undefined ? `limits.${resource}` : '',
          ].filter(Boolean);
          if (missing.length > 0) {
            const polaris = missing.map(
              (m) => `Polaris ${resource}${m.startsWith('requests') ? 'Requests' : 'Limits'}Missing`,
            );
            const checkov = missing.map((m) => (m.startsWith('requests') ? ids[0] : ids[1]));
            report(rule, childPath(cPath, 'resources'), `${label} has no ${missing.join(' and ')}`, name, [
              `kube-linter ${rule}`,
              ...polaris,
              ...checkov,
            ]);
          }
        }

        if (typeof c.image !== 'string' || isFloatingImage(c.image)) {
          report(
            'latest-tag',
            childPath(cPath, 'image'),
            `${label} image ${JSON.stringify(c.image ?? null)} is not pinned to a version`,
            name,
          );
        }
        if (group === 'containers' && !w.runsToCompletion) {
          if (!isRecord(c.readinessProbe))
            report('no-readiness-probe', childPath(cPath, 'readinessProbe'), `${label} has no readinessProbe`, name);
          if (!isRecord(c.livenessProbe))
            report('no-liveness-probe', childPath(cPath, 'livenessProbe'), `${label} has no livenessProbe`, name);
        }
      });
    }

    // Service-account token: the pod's setting wins, then its ServiceAccount's, then the default (mounted).
    const saName = typeof pod.serviceAccountName === 'string' ? pod.serviceAccountName : 'default';
    const sa = serviceAccounts.find((s) => s.object.metadata.name === saName && nsOf(s.object) === nsOf(o));
    const automount = pod.automountServiceAccountToken ?? sa?.object.automountServiceAccountToken ?? true;
    if (automount !== false) {
      const where =
        pod.automountServiceAccountToken === true
          ? 'the pod sets automountServiceAccountToken: true'
          : sa
            ? `neither the pod nor ServiceAccount ${saName} sets automountServiceAccountToken: false`
            : `the pod does not set automountServiceAccountToken: false (ServiceAccount ${saName}${saName === 'default' ? '' : ' is not in dist/'})`;
      report('automount-service-account-token', childPath(podPath, 'automountServiceAccountToken'), where);
    }

    if (w.selector && !selectorMatches(w.selector, w.podLabels)) {
      report(
        'mismatching-selector',
        'spec.selector',
        `spec.selector does not select the pod template's labels ${JSON.stringify(w.podLabels)}`,
      );
    }

    if (w.replicas > 1 && o.kind !== 'DaemonSet') {
      const pdb = pdbs.find(
        (p) => nsOf(p.object) === nsOf(o) && selectorMatches(rec(p.object.spec).selector, w.podLabels),
      );
      if (!pdb)
        report(
          'missing-pod-disruption-budget',
          'spec.replicas',
          `${w.replicas} replicas and no PodDisruptionBudget in namespace "${nsOf(o)}" selects the pods`,
        );
      else {
        const spec = rec(pdb.object.spec);
        if (spec.minAvailable === undefined && spec.maxUnavailable === undefined) {
          report(
            'missing-pod-disruption-budget',
            'spec.replicas',
            `PodDisruptionBudget ${pdb.object.metadata.name} sets neither minAvailable nor maxUnavailable`,
            undefined,
            ['kube-score poddisruptionbudget-has-policy'],
          );
        }
      }
    }

    const isolated = netpols.some(
      (n) => nsOf(n.object) === nsOf(o) && selectorMatches(rec(n.object.spec).podSelector ?? {}, w.podLabels),
    );
    const labelsPath = podPath === 'spec' ? 'metadata.labels' : podPath.replace(/\.spec$/, '.metadata.labels');
    if (!isolated)
      report('non-isolated-pod', labelsPath, `no NetworkPolicy in namespace "${nsOf(o)}" selects the pods`);
  }

  // Exceptions.
  const findings: Finding[] = [];
  const excepted: AppliedException[] = [];
  for (const f of raw) {
    const ex = exceptions.find(
      (e) =>
        e.rule === f.rule &&
        e.kind === f.object?.kind &&
        e.name === f.object?.name &&
        (e.namespace === undefined || e.namespace === (f.object?.namespace ?? '')) &&
        (e.container === undefined || e.container === f.container),
    );
    if (ex && ex.reason.trim().length >= 10) excepted.push({ exception: ex, finding: f });
    else findings.push(f);
  }
  return { findings, excepted, workloads: workloads.length };
}

/** Exceptions that are malformed (no reason) or that matched nothing, as findings. */
export function exceptionFindings(
  exceptions: readonly PolicyException[],
  applied: readonly AppliedException[],
  source: string,
): Finding[] {
  const out: Finding[] = [];
  for (const e of exceptions) {
    const ref = { kind: e.kind, name: e.name, ...(e.namespace ? { namespace: e.namespace } : {}) };
    if (e.reason.trim().length < 10) {
      out.push({
        severity: 'error',
        area: 'policy',
        file: source,
        object: ref,
        rule: 'policy.exception-without-reason',
        message: `exception to ${e.rule} has no real reason`,
        fix: 'give the reason a reviewer can check (at least 10 characters), or remove the exception',
      });
    } else if (!applied.some((a) => a.exception === e)) {
      out.push({
        severity: 'warning',
        area: 'policy',
        file: source,
        object: ref,
        rule: 'policy.unused-exception',
        message: `exception to ${e.rule} matches no finding`,
        fix: 'remove the exception (the workload now meets the rule, or was renamed)',
      });
    }
  }
  return out;
}
