/**
 * `datastores.managed`: in a managed environment, no bundled PostgreSQL/Redis workload is left,
 * the datastore Secrets exist with the expected keys, and the SealedSecret or ExternalSecret
 * producing each one reports synced. Only key NAMES are read into the evaluator: the thin client
 * drops every value the moment a Secret is fetched, so no value can reach evidence or a report.
 */
import type { DatastoreSecretTarget } from '../../environments/probe-targets.js';
import { defineProbe } from '../define-probe.js';
import { outcome, type ProbeOutcome } from '../types.js';
import { condition, describeCondition, list, nameOf, record, str } from './objects.js';
import type { UncheckedKubeObject } from '../../core/manifests.js';

export const SEALED_SECRET_API = 'bitnami.com/v1alpha1';
export const EXTERNAL_SECRET_API = 'external-secrets.io/v1';
/** A workload whose name or image says PostgreSQL or Redis is a bundled datastore. */
export const BUNDLED_DATASTORE = /postgres|redis/i;

export interface DatastoreSecretObservation {
  readonly target: DatastoreSecretTarget;
  /** The Secret's key names, or undefined when the Secret does not exist. */
  readonly keys: readonly string[] | undefined;
  /** The SealedSecret / ExternalSecret, or undefined when absent. */
  readonly source: UncheckedKubeObject | undefined;
}

export interface DatastoresInput {
  readonly namespace: string;
  readonly mode: 'bundled' | 'managed';
  /** Deployments and StatefulSets of the namespace. */
  readonly workloads: readonly UncheckedKubeObject[];
  readonly secrets: readonly DatastoreSecretObservation[];
}

/** Only the key names of a Secret (values are never kept). */
export function secretKeyNames(secret: UncheckedKubeObject): string[] {
  return [...new Set([...Object.keys(record(secret, 'data')), ...Object.keys(record(secret, 'stringData'))])].sort();
}

function bundled(workloads: readonly UncheckedKubeObject[]): string[] {
  return workloads
    .filter((w) => {
      const images = list(w, 'spec.template.spec.containers').map((c) => str(c, 'image') ?? '');
      return BUNDLED_DATASTORE.test(nameOf(w)) || images.some((i) => BUNDLED_DATASTORE.test(i.split('/').pop() ?? ''));
    })
    .map((w) => `${String(w.kind ?? 'workload').toLowerCase()}/${nameOf(w)}`);
}

export function evaluateDatastores(input: DatastoresInput): ProbeOutcome {
  if (input.mode !== 'managed')
    return outcome.skip(
      'datastores.mode is bundled: the chart runs its own PostgreSQL/Redis, nothing managed to prove',
    );
  if (input.secrets.length === 0)
    return outcome.error(
      'datastores.secrets lists no Secret to check (fix: list the datastore Secrets in the targets)',
    );
  const problems: string[] = [];
  const leftovers = bundled(input.workloads);
  if (leftovers.length > 0) problems.push(`bundled datastore workload left: ${leftovers.join(', ')}`);
  const secrets = input.secrets.map((s) => {
    const present = s.keys;
    const missing = present ? s.target.keys.filter((k) => !present.includes(k)) : [...s.target.keys];
    const synced = s.source ? condition(s.source, s.target.kind === 'SealedSecret' ? 'Synced' : 'Ready') : undefined;
    if (!s.keys) problems.push(`Secret ${s.target.name} not found`);
    else if (missing.length > 0) problems.push(`Secret ${s.target.name} lacks key(s) ${missing.join(', ')}`);
    if (!s.source) problems.push(`${s.target.kind} ${s.target.name} not found`);
    else if (synced?.status !== 'True')
      problems.push(`${s.target.kind} ${s.target.name} not synced (${describeCondition(synced)})`);
    return {
      name: s.target.name,
      kind: s.target.kind,
      exists: s.keys !== undefined,
      missingKeys: missing,
      synced: synced?.status === 'True',
    };
  });
  const evidence = { namespace: input.namespace, bundledWorkloads: leftovers, secrets };
  if (problems.length > 0) return outcome.fail(problems.slice(0, 4).join('; '), evidence);
  return outcome.pass(`no bundled datastore; ${secrets.length} Secrets present with their keys and synced`, evidence);
}

export const datastoresManaged = defineProbe({
  id: 'datastores.managed',
  category: 'deployment',
  title: 'Managed datastores: no bundled PostgreSQL/Redis, Secrets present and synced',
  needs: (t) => ({ namespace: t.namespace, datastores: t.datastores }),
  needsKube: true,
  retry: 'eventual',
  async run(ctx, { namespace, datastores }) {
    if (datastores.mode !== 'managed')
      return evaluateDatastores({ namespace, mode: datastores.mode, workloads: [], secrets: [] });
    const kube = await ctx.kube();
    const [deployments, statefulSets, secrets] = await Promise.all([
      kube.list('apps/v1', 'Deployment', namespace),
      kube.list('apps/v1', 'StatefulSet', namespace),
      Promise.all(
        datastores.secrets.map(async (target): Promise<DatastoreSecretObservation> => {
          const [secret, source] = await Promise.all([
            kube.get('v1', 'Secret', namespace, target.name),
            kube.get(
              target.kind === 'SealedSecret' ? SEALED_SECRET_API : EXTERNAL_SECRET_API,
              target.kind,
              namespace,
              target.name,
            ),
          ]);
          // Values are dropped here: only key names go any further.
          return { target, keys: secret ? secretKeyNames(secret) : undefined, source };
        }),
      ),
    ]);
    return evaluateDatastores({ namespace, mode: 'managed', workloads: [...deployments, ...statefulSets], secrets });
  },
});
