/**
 * The dashboard and alert settings of an environment's `continuous` section (./continuous.ts):
 * where the Grafana dashboard goes and with which labels, who evaluates the alert rules (the
 * Mimir ruler or a PrometheusRule), and what the alerts carry. docs/continuous-evidence.md.
 */
import { z } from 'zod';
import { labelMap } from './collector.js';
import { DNS_LABEL, httpUrl } from './fields.js';
import { resolvable } from './unresolved.js';

/**
 * Who evaluates the alert rules (FACTS "Not known": the Mimir ruler, or nothing yet).
 * `mimir-ruler`: `npm run rules -- --sync` loads the groups into the tenant's ruler through Mimir's
 * configuration API (Flux cannot). `prometheus-rule`: a PrometheusRule in `dist/<env>/` for a
 * cluster whose Prometheus (or an agent that syncs PrometheusRules into a ruler) evaluates them.
 */
export const ALERT_EVALUATORS = ['mimir-ruler', 'prometheus-rule'] as const;
export type AlertEvaluator = (typeof ALERT_EVALUATORS)[number];

/** Labels every alert of the stack sets itself (docs/alerts.md "Routing"): `alerts.labels` may not replace them. */
export const RESERVED_ALERT_LABELS = ['alertname', 'severity', 'component', 'environment', 'namespace'] as const;

const PROMETHEUS_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** A Mimir rule namespace: a URL path segment, kept to characters that need no escaping. */
const RULE_NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export const DashboardSettingsSchema = z
  .object({
    /**
     * Namespace of the dashboard ConfigMap: one the cluster's Grafana dashboard sidecar watches
     * (its `searchNamespace`, or any namespace when it watches ALL).
     */
    namespace: resolvable(
      z.string().max(63).regex(DNS_LABEL, 'must be a namespace name (DNS-1123 label) such as monitoring'),
    ).optional(),
    /** The label the sidecar selects dashboard ConfigMaps by (Grafana chart default `grafana_dashboard: "1"`). */
    labels: resolvable(
      labelMap('dashboard.labels').refine((m) => Object.keys(m).length > 0, 'must name at least one label'),
    ).optional(),
  })
  .strict()
  .prefault({});

const RulerSettingsSchema = z
  .object({
    /**
     * Mimir's Prometheus HTTP API prefix, where the ruler's configuration API lives
     * (`<url>/config/v1/rules`) and the rules it evaluates are listed (`<url>/api/v1/rules`).
     * @default - the collector's Mimir push URL's origin + `/prometheus` (Mimir's default prefix)
     */
    url: resolvable(httpUrl).optional(),
    /** `X-Scope-OrgID` of the tenant the rules belong to. @default - collector.mimir.tenant */
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9!._*'()-]+$/, "must be a Mimir tenant id (letters, digits, !-_.*'())")
      .optional(),
    /** The ruler namespace the stack owns: sync replaces its groups and removes groups it no longer has. @default arcade-stack-<env> */
    namespace: z
      .string()
      .regex(RULE_NAMESPACE, 'must be letters, digits, . _ - (starting with a letter or digit)')
      .optional(),
  })
  .strict()
  .prefault({});

export const AlertsSettingsSchema = z
  .object({
    /**
     * Who evaluates the rules: a list of `mimir-ruler`, `prometheus-rule`, or `[]` for nothing (the
     * dashboard is then the only view). Both at once evaluate every rule twice: only when each sends
     * to its own Alertmanager (e.g. while moving from one to the other).
     */
    evaluators: resolvable(
      z
        .array(z.enum(ALERT_EVALUATORS))
        .refine((list) => new Set(list).size === list.length, 'name each evaluator once'),
    ).optional(),
    /** `prometheus-rule` only: the labels the evaluating Prometheus' `ruleSelector` matches (the cluster's own, no default). */
    ruleLabels: resolvable(labelMap('ruleLabels')).optional(),
    /**
     * Where people read docs/alerts.md (e.g. the repository's web view of the file); each alert's
     * `runbook_url` is this URL with the alert's anchor. Required when anything evaluates the rules.
     */
    runbookUrl: resolvable(httpUrl).optional(),
    /** Extra labels on every alert, for Alertmanager to route on (e.g. `team: platform`). @default {} */
    labels: z
      .record(
        z.string().regex(PROMETHEUS_LABEL_NAME, 'alert label names must match [a-zA-Z_][a-zA-Z0-9_]*'),
        z.string().min(1),
      )
      .default({}),
    /** The Mimir ruler (evaluator `mimir-ruler`); every field defaults from the collector's Mimir settings. */
    ruler: RulerSettingsSchema,
  })
  .strict()
  .superRefine((alerts, ctx) => {
    for (const name of RESERVED_ALERT_LABELS) {
      if (name in alerts.labels) {
        ctx.addIssue({
          code: 'custom',
          path: ['labels', name],
          message: `'${name}' is set by every alert itself (docs/alerts.md "Routing"); remove it from continuous.alerts.labels`,
        });
      }
    }
    const evaluators = Array.isArray(alerts.evaluators) ? alerts.evaluators : undefined;
    if (evaluators && !evaluators.includes('prometheus-rule') && alerts.ruleLabels !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['ruleLabels'],
        message:
          "no PrometheusRule is rendered (evaluators has no 'prometheus-rule'), so ruleLabels would not be used; remove it",
      });
    }
  })
  .prefault({});
