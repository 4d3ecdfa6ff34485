/**
 * The `continuous` section of an environment: the probes running on a schedule in the cluster,
 * their results in Mimir, the Grafana dashboard and the alert rules (issue 14,
 * docs/continuous-evidence.md "Turning it on").
 *
 * Off by default, and never half-rendered. Flux applies `dist/<env>/` as one unit, so one invalid
 * object (an `<unresolved: ...>` label, an image that cannot be pulled) would stall the whole
 * folder, the collector fix included. `continuousNeeds` lists every value the mode needs that the
 * environment does not give (absent, or `{ unresolved: ... }`): with `enabled: true` each one is a
 * refusal naming the field and the fix (./schema.ts); with `enabled: false` synth prints them as a
 * note, the to-do list before turning it on. `continuousPlan` is what the charts and scripts read:
 * undefined while the mode is off, every value resolved and typed when it is on.
 */
import { z } from 'zod';
import { DEFAULT_SCHEDULE_MINUTES } from '../evidence/metrics.js';
import { AlertsSettingsSchema, DashboardSettingsSchema, type AlertEvaluator } from './continuous-settings.js';
import { type RunnerPlan, RunnerSettingsSchema, runnerNeeds, runnerPlan } from './continuous-runner.js';
import { findUnresolved, isUnresolved, type Unresolved } from './unresolved.js';

export type { AlertEvaluator } from './continuous-settings.js';

/** Schedules that divide the hour evenly, so `*\/N * * * *` runs every N minutes around the clock. */
const SCHEDULES = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60] as const;

export const ContinuousSettingsSchema = z
  .object({
    /** Render and load the continuous mode; only with every value it needs (continuousNeeds). @default false */
    enabled: z.boolean().default(false),
    /** The runner runs every N minutes (`*\/N * * * *`); the alert windows derive from it. @default 5 */
    scheduleMinutes: z
      .number()
      .int()
      .refine((n) => (SCHEDULES as readonly number[]).includes(n), {
        message: `must divide the hour evenly: one of ${SCHEDULES.join(', ')}`,
      })
      .default(DEFAULT_SCHEDULE_MINUTES),
    /** The Grafana dashboard's ConfigMap: where the cluster's sidecar finds it. */
    dashboard: DashboardSettingsSchema,
    /** Who evaluates the alert rules and what they carry. */
    alerts: AlertsSettingsSchema,
    /** The probe runner's CronJob: image, base image, API key (./continuous-runner.ts). */
    runner: RunnerSettingsSchema,
  })
  .strict()
  .prefault({});

export type ContinuousSettings = z.output<typeof ContinuousSettingsSchema>;

/** What the continuous mode reads from the rest of the environment (structural: no import of ./schema.ts). */
export interface ContinuousContext {
  readonly name: string;
  readonly namespace: string;
  readonly secrets?: { readonly provider: 'sealed-secrets' | 'external-secrets' };
  readonly continuous: ContinuousSettings;
  readonly collector: { readonly mimir: { readonly pushUrl: string; readonly tenant: string } };
}

/** One value the continuous mode needs and the environment does not give. */
export interface ContinuousNeed {
  /** Dotted field path from the environment's top, e.g. `continuous.dashboard.namespace`. */
  readonly path: string;
  /** What to write there, or why it is unknown (the marker's reason). */
  readonly fix: string;
}

/** The continuous mode of an environment with every value resolved: what charts and scripts read. */
export interface ContinuousPlan {
  readonly scheduleMinutes: number;
  /** The CronJob schedule, `*\/N * * * *`. */
  readonly schedule: string;
  readonly dashboard: { readonly namespace: string; readonly labels: Readonly<Record<string, string>> };
  readonly alerts: {
    readonly evaluators: readonly AlertEvaluator[];
    /** Present when `prometheus-rule` is an evaluator. */
    readonly ruleLabels?: Readonly<Record<string, string>>;
    /** Present when there is an evaluator. */
    readonly runbookUrl?: string;
    readonly labels: Readonly<Record<string, string>>;
    /** Present when `mimir-ruler` is an evaluator. */
    readonly ruler?: { readonly url: string; readonly tenant: string; readonly namespace: string };
  };
  /** The probe runner's CronJob (src/charts/probe-runner-chart.ts). */
  readonly runner: RunnerPlan;
}

/**
 * Mimir's Prometheus API base for a push URL: Mimir serves both on one host, the Prometheus API
 * under `/prometheus` (its default `-http.prometheus-http-prefix`). Undefined when the push URL is
 * not Mimir's `/api/v1/push`.
 */
export function mimirPrometheusApi(pushUrl: string): string | undefined {
  const url = new URL(pushUrl);
  return url.pathname.replace(/\/+$/, '') === '/api/v1/push' ? `${url.origin}/prometheus` : undefined;
}

/** `undefined` for an absent or unresolved value, else the value. */
function known<T>(value: T | Unresolved | undefined): Exclude<T, Unresolved> | undefined {
  return value === undefined || isUnresolved(value) ? undefined : (value as Exclude<T, Unresolved>);
}

/** The reason of an unresolved marker, or the fix for an absent value. */
function needOf(path: string, value: unknown, fix: string): ContinuousNeed[] {
  if (isUnresolved(value)) return [{ path, fix: `unresolved: ${value.unresolved}` }];
  return value === undefined ? [{ path, fix }] : [];
}

/**
 * Every value the continuous mode needs that the environment does not give, in field order.
 * Empty means the mode can be turned on (or is on).
 */
export function continuousNeeds(env: ContinuousContext): ContinuousNeed[] {
  const c = env.continuous;
  const needs: ContinuousNeed[] = [
    ...needOf(
      'continuous.dashboard.namespace',
      c.dashboard.namespace,
      "the namespace the cluster's Grafana dashboard sidecar watches (kubectl get deploy -A -l " +
        "app.kubernetes.io/name=grafana -o yaml: the sidecar's NAMESPACE env; ALL means any)",
    ),
    ...needOf(
      'continuous.dashboard.labels',
      c.dashboard.labels,
      'the label the sidecar selects dashboard ConfigMaps by (its LABEL and LABEL_VALUE env; Grafana chart default { grafana_dashboard: "1" })',
    ),
    ...needOf(
      'continuous.alerts.evaluators',
      c.alerts.evaluators,
      'who evaluates the rules for the tenant: [mimir-ruler], [prometheus-rule], both, or [] for ' +
        'nothing (FACTS "Not known"; GET <mimir>/prometheus/api/v1/rules answers when the ruler is on)',
    ),
  ];
  const evaluators = known(c.alerts.evaluators);
  if (evaluators === undefined || evaluators.length > 0) {
    needs.push(
      ...needOf(
        'continuous.alerts.runbookUrl',
        c.alerts.runbookUrl,
        'the URL people open docs/alerts.md at (e.g. https://<git host>/<org>/arcade-stack/blob/main/docs/alerts.md): every alert links its runbook',
      ),
    );
  }
  if (evaluators?.includes('prometheus-rule')) {
    needs.push(
      ...needOf(
        'continuous.alerts.ruleLabels',
        c.alerts.ruleLabels,
        "the labels the evaluating Prometheus' ruleSelector matches (kubectl get prometheus -A -o yaml: spec.ruleSelector)",
      ),
    );
  }
  if (evaluators?.includes('mimir-ruler') && c.alerts.ruler.url === undefined) {
    if (mimirPrometheusApi(env.collector.mimir.pushUrl) === undefined) {
      needs.push({
        path: 'continuous.alerts.ruler.url',
        fix:
          `collector.mimir.pushUrl ${env.collector.mimir.pushUrl} is not Mimir's /api/v1/push, so ` +
          `the ruler's API cannot be derived: give <mimir base>/prometheus`,
      });
    }
  }
  needs.push(...runnerNeeds(env, c.runner));
  // Any other marker under `continuous` (e.g. ruler.url) blocks the mode as well.
  const named = new Set(needs.map((n) => n.path));
  for (const { path, reason } of findUnresolved(c, 'continuous')) {
    if (!named.has(path)) needs.push({ path, fix: `unresolved: ${reason}` });
  }
  return needs;
}

/**
 * The environment's continuous mode, resolved: undefined while it is off. Call it on a validated
 * environment (the schema refuses `enabled: true` with anything missing); it throws otherwise.
 */
export function continuousPlan(env: ContinuousContext): ContinuousPlan | undefined {
  const c = env.continuous;
  if (!c.enabled) return undefined;
  const needs = continuousNeeds(env);
  if (needs.length > 0) {
    throw new Error(
      `continuousPlan(${env.name}): the continuous mode is on with ${needs.map((n) => n.path).join(', ')} missing (the schema should have refused it)`,
    );
  }
  /** A value continuousNeeds proved present and resolved (the schema should have refused it otherwise). */
  const checked = <T>(value: T | undefined, path: string): T => {
    if (value === undefined)
      throw new Error(`continuousPlan(${env.name}): ${path} is missing (the schema should have refused it)`);
    return value;
  };
  const evaluators = known(c.alerts.evaluators) ?? [];
  const ruleLabels = known(c.alerts.ruleLabels);
  const runbookUrl = known(c.alerts.runbookUrl);
  return {
    scheduleMinutes: c.scheduleMinutes,
    schedule: `*/${c.scheduleMinutes} * * * *`,
    dashboard: {
      namespace: checked(known(c.dashboard.namespace), 'continuous.dashboard.namespace'),
      labels: { ...checked(known(c.dashboard.labels), 'continuous.dashboard.labels') },
    },
    alerts: {
      evaluators: [...evaluators],
      ...(evaluators.includes('prometheus-rule') && ruleLabels ? { ruleLabels: { ...ruleLabels } } : {}),
      ...(evaluators.length > 0 && runbookUrl ? { runbookUrl } : {}),
      labels: { ...c.alerts.labels },
      ...(evaluators.includes('mimir-ruler')
        ? {
            ruler: {
              url: checked(
                known(c.alerts.ruler.url) ?? mimirPrometheusApi(env.collector.mimir.pushUrl),
                'continuous.alerts.ruler.url',
              ).replace(/\/+$/, ''),
              tenant: c.alerts.ruler.tenant ?? env.collector.mimir.tenant,
              namespace: c.alerts.ruler.namespace ?? `arcade-stack-${env.name}`,
            },
          }
        : {}),
    },
    runner: runnerPlan(env, c.runner),
  };
}

/** The note synth prints for an environment whose continuous mode is off, or undefined when nothing is missing. */
export function continuousNote(env: ContinuousContext): string | undefined {
  if (env.continuous.enabled) return undefined;
  const needs = continuousNeeds(env);
  if (needs.length === 0)
    return 'continuous mode is off, every value it needs is known: set continuous.enabled: true to render it';
  return [
    `continuous mode is off (rendered: nothing); to turn it on, give (docs/continuous-evidence.md "Turning it on"):`,
    ...needs.map((n) => `  - ${n.path}: ${n.fix}`),
  ].join('\n');
}
