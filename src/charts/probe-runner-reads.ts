/**
 * What the probes read from the Kubernetes API in a scheduled run, as RBAC rules: the runner's
 * Roles grant exactly these and nothing else (docs/continuous-evidence.md "Permissions").
 *
 * Written from the probes' reads (src/probes/cluster/*.ts, `kube.get` / `kube.list` / `kube.log`),
 * and held to them by a test that runs every probe against the loopback Kubernetes API, records
 * each request it receives and compares them with the Roles rendered for the same targets
 * (test/charts/probe-runner-rbac.test.ts): a probe that starts reading something new fails it
 * until the read is added here, and a read no probe makes any more fails it until it is removed.
 *
 * Not granted, on purpose:
 * - the Flux Kustomization (`flux.release-ready` reads it only with `--revision`, which a scheduled
 *   run has no commit for);
 * - Services in other namespaces: `monitoring.servicemonitors` lists them only for a ServiceMonitor
 *   whose `namespaceSelector` names another namespace (the stack's own select their namespace);
 *   there the probe reports `error` with the API server's 403, which names what is missing;
 * - API discovery (`/api/v1`, `/apis/<group>/<version>`): non-resource URLs every authenticated
 *   user may read through the cluster's default `system:discovery` ClusterRole;
 * - Secret values: the datastore probe reads the datastore Secrets by name only
 *   (`resourceNames`), and drops their values the moment they arrive (key names only).
 */
import type { Targets } from '../environments/probe-targets.js';
import { isUnresolved } from '../environments/unresolved.js';

export type ReadVerb = 'get' | 'list';

/** One RBAC rule: one verb on one resource of one API group, optionally limited to names. */
export interface KubeRead {
  /** `''` for the core group. */
  readonly apiGroup: string;
  /** Plural resource, or `pods/log` for the log subresource. */
  readonly resource: string;
  readonly verb: ReadVerb;
  /** Only these objects (`get` only: RBAC cannot limit `list` by name). @default - every object */
  readonly resourceNames?: readonly string[];
  /** The probes that need it (for the reader of dist/; not part of the rule). */
  readonly probes: readonly string[];
}

/** The reads in one namespace: one Role and one RoleBinding there. */
export interface NamespaceReads {
  readonly namespace: string;
  readonly reads: readonly KubeRead[];
}

const read = (
  apiGroup: string,
  resource: string,
  verb: ReadVerb,
  probes: readonly string[],
  resourceNames?: readonly string[],
): KubeRead => ({ apiGroup, resource, verb, probes, ...(resourceNames ? { resourceNames } : {}) });

/** The API group and plural of the resource each datastore Secret comes from. */
const SOURCE_RESOURCE = {
  SealedSecret: { apiGroup: 'bitnami.com', resource: 'sealedsecrets' },
  ExternalSecret: { apiGroup: 'external-secrets.io', resource: 'externalsecrets' },
} as const;

/** Every read of a scheduled run (all probes, no `--revision`), grouped by namespace, in a stable order. */
export function probeReads(targets: Targets): NamespaceReads[] {
  const ns = targets.namespace;
  const reads: KubeRead[] = [
    read('', 'pods', 'list', ['k8s.workloads-ready', 'otel.engine-export-clean']),
    read('', 'services', 'list', ['monitoring.servicemonitors']),
    read('', 'services', 'get', ['otel.collector-ready'], [targets.collectorService]),
    read('apps', 'deployments', 'list', ['k8s.workloads-ready', 'datastores.managed']),
    read('apps', 'statefulsets', 'list', ['k8s.workloads-ready', 'datastores.managed']),
    read('discovery.k8s.io', 'endpointslices', 'list', ['otel.collector-ready']),
    read('monitoring.coreos.com', 'servicemonitors', 'list', ['monitoring.servicemonitors']),
  ];
  // Logs only where the engine's pods can be found (the probe is skipped without a selector).
  if (targets.engineSelector !== undefined && !isUnresolved(targets.engineSelector))
    reads.push(read('', 'pods/log', 'get', ['otel.engine-export-clean']));
  const datastores = targets.datastores;
  if (datastores?.mode === 'managed' && datastores.secrets.length > 0) {
    const names = datastores.secrets.map((s) => s.name);
    reads.push(read('', 'secrets', 'get', ['datastores.managed'], names));
    for (const kind of ['SealedSecret', 'ExternalSecret'] as const) {
      const named = datastores.secrets.filter((s) => s.kind === kind).map((s) => s.name);
      if (named.length > 0)
        reads.push(
          read(SOURCE_RESOURCE[kind].apiGroup, SOURCE_RESOURCE[kind].resource, 'get', ['datastores.managed'], named),
        );
    }
  }
  const releaseNamespace = targets.releaseNamespace ?? ns;
  const release = read('helm.toolkit.fluxcd.io', 'helmreleases', 'get', ['flux.release-ready'], [targets.release]);
  const byNamespace = new Map<string, KubeRead[]>([[ns, reads]]);
  byNamespace.set(releaseNamespace, [...(byNamespace.get(releaseNamespace) ?? []), release]);
  return [...byNamespace.entries()].map(([namespace, list]) => ({ namespace, reads: list }));
}
