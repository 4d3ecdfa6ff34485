/**
 * DashboardChart: the continuous-evidence Grafana dashboard (dashboard.yaml) as a ConfigMap the
 * cluster's Grafana dashboard sidecar loads: in the namespace it watches and with the label it
 * selects by (the environment's `continuous.dashboard`), the dashboard JSON under `<uid>.json`.
 * Rendered only for an environment with the continuous mode on (src/synth.ts).
 *
 * The dashboard's queries read the data source as `${datasource}`: the ConfigMap carries
 * `kustomize.toolkit.fluxcd.io/substitute: disabled`, as the HelmRelease does, or a Kustomization
 * with `postBuild.substitute` would replace it with an empty string.
 *
 * The ConfigMap's name carries the environment, so two environments whose dashboards land in one
 * shared sidecar namespace (e.g. `monitoring`) never overwrite each other's.
 *
 * @see https://github.com/grafana/helm-charts/tree/main/charts/grafana (sidecar.dashboards: label, labelValue, searchNamespace)
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { COLLECTOR_LABEL, collectorLabelValue } from '../collector/service.js';
import { selectorLabels, stackLabels } from '../constructs/labels.js';
import { SUBSTITUTE_DISABLED } from '../constructs/oci-helm-release.js';
import { dashboardUid, evidenceDashboardJson } from '../evidence/dashboard.js';
import type { DashboardScope } from '../evidence/dashboard-queries.js';
import type { ContinuousPlan } from '../environments/continuous.js';
import type { Environment } from '../environments/schema.js';

/** The `app.kubernetes.io/name` of the dashboard ConfigMap. */
export const DASHBOARD_NAME = 'arcade-evidence-dashboard';

/** What the dashboard of an environment selects on: its name, namespace, collector label, engine job, schedule. */
export function dashboardScope(env: Environment, plan: ContinuousPlan, engineJob: string): DashboardScope {
  return {
    environment: env.name,
    namespace: env.namespace,
    collectorLabel: { name: COLLECTOR_LABEL, value: collectorLabelValue(env.cluster, env.namespace) },
    engineJob,
    scheduleMinutes: plan.scheduleMinutes,
  };
}

export interface DashboardChartProps {
  readonly env: Environment;
  readonly plan: ContinuousPlan;
  /** The engine's `job` in Mimir (the probes' `mimir.engineJob`). */
  readonly engineJob: string;
}

export class DashboardChart extends Chart {
  /** The dashboard JSON, as the ConfigMap holds it and the manual-import file repeats it. */
  public readonly json: string;
  public readonly uid: string;

  constructor(scope: Construct, id: string, props: DashboardChartProps) {
    const { env, plan } = props;
    super(scope, id, { namespace: plan.dashboard.namespace, labels: stackLabels(env.name) });
    this.uid = dashboardUid(env.name);
    this.json = evidenceDashboardJson(dashboardScope(env, plan, props.engineJob));
    new k8s.KubeConfigMap(this, 'dashboard', {
      metadata: {
        name: `${DASHBOARD_NAME}-${env.name}`,
        labels: {
          ...selectorLabels(DASHBOARD_NAME, env.name),
          'app.kubernetes.io/component': 'dashboard',
          ...plan.dashboard.labels,
        },
        annotations: { ...SUBSTITUTE_DISABLED },
      },
      data: { [`${this.uid}.json`]: this.json },
    });
  }
}
