/**
 * AlertsChart: the continuous-evidence alert rules (alerts.yaml) as a PrometheusRule, for a
 * cluster whose Prometheus (or an agent syncing PrometheusRules into a ruler) evaluates them:
 * rendered only when the environment's `continuous.alerts.evaluators` names `prometheus-rule`
 * (src/synth.ts). It carries the labels the evaluating Prometheus' `ruleSelector` matches
 * (`continuous.alerts.ruleLabels`). The Mimir ruler gets the same groups through its API
 * (`npm run rules -- --sync`, src/evidence/ruler-sync.ts); Flux cannot load those.
 *
 * The annotations hold Prometheus templates (`{{ $labels.probe }}`): the object carries
 * `kustomize.toolkit.fluxcd.io/substitute: disabled`, as the HelmRelease does, so a Kustomization
 * with `postBuild.substitute` never touches them.
 *
 * A plain ApiObject, not a typed binding: the one field the stack fills (`spec.groups`) is the
 * rule-file format src/evidence/alerts.ts types, and `npm run check` validates the object against
 * the vendored CRD (contracts/crds/prometheus-operator-v0.82.2-prometheusrules.yaml).
 */
import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { selectorLabels, stackLabels } from '../constructs/labels.js';
import { SUBSTITUTE_DISABLED } from '../constructs/oci-helm-release.js';
import { type AlertScope, alertRuleGroups, mimirRuleFile } from '../evidence/alerts.js';
import type { ContinuousPlan } from '../environments/continuous.js';
import type { Environment } from '../environments/schema.js';
import { dashboardScope } from './dashboard-chart.js';

/** The PrometheusRule's name and `app.kubernetes.io/name`. */
export const ALERTS_NAME = 'arcade-evidence-alerts';

/**
 * What the rules of an environment select on and carry: the dashboard's scope (same series), the
 * runbook URL and the extra labels. Only for a plan with an evaluator (it has a runbook URL then).
 */
export function alertScope(env: Environment, plan: ContinuousPlan, engineJob: string): AlertScope {
  if (plan.alerts.runbookUrl === undefined)
    throw new Error(`alertScope(${env.name}): no evaluator, so no rules and no runbook URL`);
  return {
    ...dashboardScope(env, plan, engineJob),
    runbookUrl: plan.alerts.runbookUrl,
    labels: plan.alerts.labels,
  };
}

/**
 * The Mimir ruler's rule file of an environment (mimirtool's format: the ruler namespace and the
 * groups), for a plan whose evaluators name `mimir-ruler`; undefined otherwise.
 */
export function mimirRulerFile(env: Environment, plan: ContinuousPlan, engineJob: string) {
  const ruler = plan.alerts.ruler;
  return ruler ? mimirRuleFile(ruler.namespace, alertRuleGroups(alertScope(env, plan, engineJob))) : undefined;
}

export interface AlertsChartProps {
  readonly env: Environment;
  readonly plan: ContinuousPlan;
  /** The engine's `job` in Mimir (the probes' `mimir.engineJob`). */
  readonly engineJob: string;
}

export class AlertsChart extends Chart {
  constructor(scope: Construct, id: string, props: AlertsChartProps) {
    const { env, plan } = props;
    super(scope, id, { namespace: env.namespace, labels: stackLabels(env.name) });
    new ApiObject(this, 'rules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: ALERTS_NAME,
        labels: {
          ...selectorLabels(ALERTS_NAME, env.name),
          'app.kubernetes.io/component': 'alerts',
          ...plan.alerts.ruleLabels,
        },
        annotations: { ...SUBSTITUTE_DISABLED },
      },
      spec: { groups: alertRuleGroups(alertScope(env, plan, props.engineJob)) },
    });
  }
}
