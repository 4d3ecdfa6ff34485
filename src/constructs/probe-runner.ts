/**
 * ProbeRunner: the probes on a schedule, in the cluster. A CronJob whose pod runs the bundled probe
 * runner (the repository's Dockerfile) with the targets from a ConfigMap and the API key from a
 * Secret, a ServiceAccount bound to Roles that grant exactly the reads it is given, and a
 * NetworkPolicy that admits nothing in and lets out only the egress it is given.
 * Environment-agnostic: src/charts/probe-runner-chart.ts maps an environment onto these props.
 *
 * Timing, for a schedule of P seconds: a run may start up to `startingDeadlineSeconds` = 20 % of P
 * late (at least 10 s, the CronJob controller's own resolution) and is stopped after
 * `activeDeadlineSeconds` = 75 % of P, so even a late run ends before the next one is due;
 * `concurrencyPolicy: Forbid` skips a run while the previous one still runs, and `backoffLimit: 0`
 * never retries a failed run (the next schedule is the retry; a probe's own retries are inside the
 * run). The last successful Job and the last 3 failed ones are kept for `kubectl logs`.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { SecretSource } from './secret-source.js';

/** One RBAC rule the runner needs, in one namespace (src/charts/probe-runner-reads.ts). */
export interface ProbeRunnerRule {
  readonly apiGroup: string;
  readonly resource: string;
  readonly verb: 'get' | 'list';
  /** @default - every object of the resource */
  readonly resourceNames?: readonly string[];
}

/** Where the runner may connect, as a NetworkPolicy can say it. */
export interface ProbeRunnerEgress {
  /** The collector's pod labels (same namespace) and its OTLP/HTTP port. */
  readonly collector: { readonly podLabels: Readonly<Record<string, string>>; readonly port: number };
  /** The API server's ports (any address: a NetworkPolicy cannot name the API server). */
  readonly apiServerPorts: readonly number[];
  /** Ports of the hosts the probes call by name (the public hosts, Mimir): any address. */
  readonly hostPorts: readonly number[];
}

export interface ProbeRunnerProps {
  /** Name of every object. @default arcade-probe-runner */
  readonly name?: string;
  /** The runner image, pinned by digest. */
  readonly image: string;
  /** Cron schedule (`*\/5 * * * *`). */
  readonly schedule: string;
  /** Minutes between runs (the deadlines derive from it). */
  readonly scheduleMinutes: number;
  /** Arguments of the image's entrypoint (the runner's command line). */
  readonly args: readonly string[];
  /** The targets file, mounted read-only at `targetsDir/<fileName>`. */
  readonly targets: { readonly fileName: string; readonly content: string };
  /** The Secret holding the API key and its key; read as ARCADE_API_KEY. */
  readonly apiKey: { readonly source: SecretSource; readonly key: string };
  /** The RBAC rules, by namespace: one Role and RoleBinding per namespace. */
  readonly reads: readonly { readonly namespace: string; readonly rules: readonly ProbeRunnerRule[] }[];
  readonly egress: ProbeRunnerEgress;
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  };
  /** Namespace of every namespaced object but the Roles of other namespaces. */
  readonly namespace: string;
  /** Labels on every object and the pod. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Labels selecting the runner's pods. */
  readonly podLabels: Readonly<Record<string, string>>;
}

/** Where the targets ConfigMap is mounted. */
export const TARGETS_DIR = '/etc/arcade-probes';
/** The uid and gid of the `node` user of the official node images, which the Dockerfile runs as. */
export const RUNNER_UID = 1000;

/** Seconds a run may start late, and seconds it may run, for a schedule of `minutes`. */
export function runnerDeadlines(minutes: number): { startingDeadlineSeconds: number; activeDeadlineSeconds: number } {
  const period = minutes * 60;
  return {
    startingDeadlineSeconds: Math.max(10, Math.ceil(period * 0.2)),
    activeDeadlineSeconds: Math.floor(period * 0.75),
  };
}

/** Where the Kubernetes clients look for the in-cluster token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Lifetime of the runner's API token: the API server's minimum (a run lasts at most 75 % of a schedule; the kubelet renews it). */
const TOKEN_SECONDS = 600;

/**
 * The ServiceAccount token, CA and namespace as the automatic mount provides them (the
 * `kube-api-access-*` projected volume), mounted explicitly in the one container that reads the
 * API: with `automountServiceAccountToken: false` on the pod and its ServiceAccount, no other
 * container ever gets a token, and this one lives 10 minutes instead of the automatic hour.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume
 */
function apiTokenVolume(name: string): k8s.Volume {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: TOKEN_SECONDS } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardApi: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });

export class ProbeRunner extends Construct {
  public readonly name: string;
  public readonly cronJob: k8s.KubeCronJob;
  public readonly networkPolicy: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: ProbeRunnerProps) {
    super(scope, id);
    const name = props.name ?? 'arcade-probe-runner';
    this.name = name;
    if (props.apiKey.source.namespace !== props.namespace)
      throw new Error(
        `ProbeRunner ${name}: the API key's Secret is in '${props.apiKey.source.namespace}', the pod in ` +
          `'${props.namespace}' (a pod reads Secrets of its own namespace)`,
      );
    if (!props.apiKey.source.keys.includes(props.apiKey.key))
      throw new Error(`ProbeRunner ${name}: Secret ${props.apiKey.source.secretName} has no key '${props.apiKey.key}'`);
    const labels = { ...props.labels, ...props.podLabels };
    const metadata = { name, namespace: props.namespace, labels };

    // No automatic token, neither for the ServiceAccount nor for the pod: the one container that
    // reads the API mounts it explicitly (below), short-lived.
    new k8s.KubeServiceAccount(this, 'service-account', { metadata, automountServiceAccountToken: false });
    for (const { namespace, rules } of props.reads) {
      new k8s.KubeRole(this, `role-${namespace}`, {
        metadata: { ...metadata, namespace },
        rules: rules.map((r) => ({
          apiGroups: [r.apiGroup],
          resources: [r.resource],
          verbs: [r.verb],
          ...(r.resourceNames ? { resourceNames: [...r.resourceNames] } : {}),
        })),
      });
      new k8s.KubeRoleBinding(this, `binding-${namespace}`, {
        metadata: { ...metadata, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: props.namespace }],
      });
    }

    const targets = new k8s.KubeConfigMap(this, 'targets', {
      metadata: { ...metadata, name: `${name}-targets` },
      data: { [props.targets.fileName]: props.targets.content },
    });

    const quantity = (v: string) => k8s.Quantity.fromString(v);
    const container: k8s.Container = {
      name: 'probes',
      image: props.image,
      imagePullPolicy: 'IfNotPresent',
      args: [...props.args],
      env: [
        {
          name: 'ARCADE_API_KEY',
          valueFrom: { secretKeyRef: { name: props.apiKey.source.secretName, key: props.apiKey.key } },
        },
      ],
      resources: {
        requests: { cpu: quantity(props.resources.requests.cpu), memory: quantity(props.resources.requests.memory) },
        limits: { cpu: quantity(props.resources.limits.cpu), memory: quantity(props.resources.limits.memory) },
      },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: RUNNER_UID,
        runAsGroup: RUNNER_UID,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
      volumeMounts: [
        { name: 'targets', mountPath: TARGETS_DIR, readOnly: true },
        { name: 'api-token', mountPath: SERVICE_ACCOUNT_DIR, readOnly: true },
        // Node and the report check may write temporary files; the root filesystem is read-only.
        { name: 'tmp', mountPath: '/tmp' },
      ],
    };
    const deadlines = runnerDeadlines(props.scheduleMinutes);
    this.cronJob = new k8s.KubeCronJob(this, 'cron-job', {
      metadata,
      spec: {
        schedule: props.schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: deadlines.startingDeadlineSeconds,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: deadlines.activeDeadlineSeconds,
            template: {
              metadata: { labels },
              spec: {
                serviceAccountName: name,
                automountServiceAccountToken: false,
                restartPolicy: 'Never',
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: RUNNER_UID,
                  runAsGroup: RUNNER_UID,
                  fsGroup: RUNNER_UID,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                containers: [container],
                volumes: [
                  { name: 'targets', configMap: { name: targets.name } },
                  apiTokenVolume('api-token'),
                  { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: quantity('16Mi') } },
                ],
              },
            },
          },
        },
      },
    });

    // Egress, rule by rule (docs/continuous-evidence.md "Network"): DNS; the collector by its pods;
    // the API server and the probed hosts by port only, since a NetworkPolicy selects pods and
    // addresses, never DNS names, and the API server is not a pod. A ports-only rule with no port
    // would match every port of every address, so a list with none (every probed host unresolved)
    // gives no rule.
    const byPort = (ports: readonly number[]): k8s.NetworkPolicyEgressRule[] =>
      ports.length === 0 ? [] : [{ ports: [...new Set(ports)].sort((a, b) => a - b).map(tcp) }];
    const egress: k8s.NetworkPolicyEgressRule[] = [
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
        ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, tcp(53)],
      },
      {
        to: [{ podSelector: { matchLabels: { ...props.egress.collector.podLabels } } }],
        ports: [tcp(props.egress.collector.port)],
      },
      ...byPort(props.egress.apiServerPorts),
      ...byPort(props.egress.hostPorts),
    ];
    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'network-policy', {
      metadata,
      spec: {
        podSelector: { matchLabels: { ...props.podLabels } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [],
        egress,
      },
    });
  }
}
