/**
 * The `probes` section of an environment: what the post-deploy probes expect, as a partial of
 * the probe targets (`ProbesSettingsSchema` in ./probe-targets.ts). Everything the environment already knows is filled
 * in by `targetsFromEnvironment` (namespace, release, chart version, URLs from `hosts`, the
 * collector Service, datastore Secrets, Mimir query URL and tenant from the collector's push URL,
 * the collector label from cluster and namespace);
 * the section adds what only the probes need (gateways,
 * users, OAuth tool, reference server) and may override any default. Values the facts do not give stay
 * `{ unresolved: "<why>" }`: the probes that need them report `skip` with that reason.
 */
import { COLLECTOR_LABEL, collectorLabelValue, OTEL_COLLECTOR_NAME } from '../collector/service.js';
import type { ExitCode } from '../core/command-error.js';
import { ProblemsError } from '../core/problems-error.js';
import { continuousPlan, mimirPrometheusApi } from './continuous.js';
import { ruleGroupAlerts } from '../evidence/alerts.js';
import { releaseNamespace } from './namespaces.js';
import {
  DEFAULT_ENGINE_JOB,
  TargetsSchema,
  type DatastoreSecretTarget,
  type Targets,
  type TargetsInput,
} from './probe-targets.js';
import { SECRET_KEYS, type Environment } from './schema.js';

/** The collector Service the stack deploys (FACTS: the engine's default OTLP endpoint names it). */
export const COLLECTOR_SERVICE = OTEL_COLLECTOR_NAME;

export class ProbeTargetsError extends ProblemsError {
  /** The environment's probe settings are wrong: configuration. */
  override readonly exitCode: ExitCode = 2;
  constructor(problems: readonly string[]) {
    super('invalid probe targets', problems);
    this.name = 'ProbeTargetsError';
  }
}

function datastoresOf(env: Environment): TargetsInput['datastores'] {
  if (env.datastores.mode === 'bundled' || !env.secrets) return { mode: env.datastores.mode, secrets: [] };
  const kind: DatastoreSecretTarget['kind'] =
    env.secrets.provider === 'sealed-secrets' ? 'SealedSecret' : 'ExternalSecret';
  return {
    mode: 'managed',
    secrets: [
      { name: env.secrets.names.postgres, keys: [...SECRET_KEYS.postgres], kind },
      { name: env.secrets.names.redis, keys: [...SECRET_KEYS.redis], kind },
    ],
  };
}

/**
 * Mimir's query API base for the push URL the collector writes to: Mimir serves both on one host,
 * the Prometheus-compatible API under `/prometheus` (its default prefix). Unresolved when the push
 * URL is not Mimir's `/api/v1/push`.
 */
function mimirQueryUrl(pushUrl: string): TargetsInput['mimir']['queryUrl'] {
  return (
    mimirPrometheusApi(pushUrl) ?? {
      unresolved:
        `collector.mimir.pushUrl ${pushUrl} is not Mimir's /api/v1/push, so the query URL cannot ` +
        `be derived - set probes.mimir.queryUrl (<mimir base>/prometheus)`,
    }
  );
}

/**
 * Where `alerts.rules-loaded` looks: the ruler of the continuous mode when it evaluates the rules,
 * else a marker saying why there is nothing to check (the probe is skipped with it).
 */
function rulerOf(env: Environment): TargetsInput['ruler'] {
  const plan = env.continuous.enabled ? continuousPlan(env) : undefined;
  if (!plan)
    return {
      unresolved:
        'the continuous mode is off (continuous.enabled: false): no alert rules are rendered for this environment',
    };
  const ruler = plan.alerts.ruler;
  if (!ruler)
    return {
      unresolved:
        'continuous.alerts.evaluators does not name mimir-ruler: no rules are loaded into the Mimir ruler (a ' +
        "PrometheusRule is evaluated by the cluster's Prometheus, which Mimir's API does not show)",
    };
  return {
    ...ruler,
    groups: ruleGroupAlerts(),
  };
}

/** The targets an environment implies before its `probes` section is applied. */
export function environmentDefaults(env: Environment): TargetsInput {
  return {
    namespace: env.namespace,
    release: env.release.name,
    releaseNamespace: releaseNamespace(env),
    chartVersion: env.chart.version,
    kustomization: {
      unresolved:
        'the Flux Kustomization applying apps/arcade/ is not recorded (FACTS "Not known") - find ' +
        'it with flux get kustomizations -A and set probes.kustomization',
    },
    collectorService: COLLECTOR_SERVICE,
    engineSelector: {
      unresolved:
        'the engine pods\' labels are not recorded (FACTS "Not known") - read them with kubectl get pods -n arcade --show-labels and set probes.engineSelector',
    },
    urls: {
      api: `https://${env.hosts.api}`,
      coordinator: `https://${env.hosts.coordinator}`,
      dashboard: `https://${env.hosts.dashboard}`,
      experience: `https://${env.hosts.experience}`,
    },
    expectedCoordinatorUri: `https://${env.hosts.coordinator}`,
    users: {
      unresolved:
        'no probe user ids chosen - set probes.users to one or two stable Arcade-User-ID values (an email works)',
    },
    gateways: [],
    // The tenant and host the collector writes to (in scrape mode the cluster's agent writes to the
    // same Mimir tenant, FACTS "Telemetry"), the label the collector chart puts on what it relays,
    // and the engine's job per the vendor docs (unconfirmed: override with probes.mimir.engineJob).
    mimir: {
      queryUrl: mimirQueryUrl(env.collector.mimir.pushUrl),
      tenant: env.collector.mimir.tenant,
      collectorLabel: { name: COLLECTOR_LABEL, value: collectorLabelValue(env.cluster, env.namespace) },
      engineJob: DEFAULT_ENGINE_JOB,
    },
    datastores: datastoresOf(env),
    ruler: rulerOf(env),
    monitoring: {
      scrapeLabels: { ...env.monitoring.scrapeLabels },
      exclusionLabels: { ...env.monitoring.exclusionLabels },
    },
  };
}

/**
 * The probe targets of an environment: its defaults, overridden by its `probes` section
 * (`urls` and `mimir` merged key by key, every other field replaced). Throws ProbeTargetsError
 * naming `probes.<field>` when the result is not valid (e.g. no gateway).
 */
export function targetsFromEnvironment(env: Environment, file = `src/environments/${env.name}.yaml`): Targets {
  const defaults = environmentDefaults(env);
  const section = env.probes ?? {};
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(section)) {
    if (value === undefined) continue;
    if ((key === 'urls' || key === 'mimir') && typeof value === 'object') {
      merged[key] = { ...(defaults[key] as object), ...(value as object) };
    } else merged[key] = value;
  }
  const parsed = TargetsSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ProbeTargetsError(
      parsed.error.issues.map((i) => {
        const path = ['probes', ...i.path.map(String)].join('.');
        const fix =
          path === 'probes.gateways'
            ? 'add probes.gateways: [{slug, tools, referenceToolkit}] to the environment'
            : `correct probes.${i.path.map(String).join('.')} in the environment`;
        return `${file}: ${path}: ${i.message} (fix: ${fix})`;
      }),
    );
  }
  return parsed.data;
}
