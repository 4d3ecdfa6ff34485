/**
 * ProbeRunnerChart: the continuous mode's in-cluster schedule (probe-runner.yaml), rendered only
 * for an environment with the mode on (src/synth.ts). Maps the environment onto the ProbeRunner
 * construct:
 * - the targets: the environment's own probe targets (`targetsFromEnvironment`, what
 *   `npm run probe -- --env <env>` reads), as a ConfigMap file named after the environment, so the
 *   runner reports under the environment's name and a change of targets reaches the cluster with
 *   the next Flux apply, without a new image;
 * - the command: every probe, `--otlp` to the collector Service (the collector's NetworkPolicy
 *   admits OTLP from this namespace), the JSON report on stdout (`kubectl logs`);
 * - the API key: a SealedSecret or ExternalSecret of the environment's secret provider (the same
 *   constructs as the release's Secrets), key `api-key`, read as ARCADE_API_KEY;
 * - the Roles: exactly the probes' reads (./probe-runner-reads.ts);
 * - the egress: DNS, the collector's pods on 4318, the API server's ports, and the ports of the
 *   hosts the probes call (the public hosts, the reference server, Mimir).
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { COLLECTOR_PORTS, otlpHttpUrl } from '../collector/service.js';
import { ExternalSecretSource } from '../constructs/external-secret.js';
import { selectorLabels, stackLabels } from '../constructs/labels.js';
import type { OtelCollector } from '../constructs/otel-collector.js';
import { ProbeRunner, type ProbeRunnerProps, TARGETS_DIR } from '../constructs/probe-runner.js';
import { SealedSecretSource } from '../constructs/sealed-secret.js';
import type { SecretSource } from '../constructs/secret-source.js';
import type { ContinuousPlan } from '../environments/continuous.js';
import type { Targets } from '../environments/probe-targets.js';
import { targetsFromEnvironment } from '../environments/probes.js';
import type { Environment } from '../environments/schema.js';
import { isUnresolved, render } from '../environments/unresolved.js';
import { urlPort } from '../core/url-port.js';
import { probeReads } from './probe-runner-reads.js';

/** The runner's name and `app.kubernetes.io/name`. */
export const PROBE_RUNNER_NAME = 'arcade-probe-runner';
/** The key of the API key in the runner's Secret. */
export const API_KEY_KEY = 'api-key';

/** The runner's command line for an environment (the image's entrypoint is the bundled runner). */
export function runnerArgs(env: Environment, otlpUrl: string): string[] {
  return ['--targets', `${TARGETS_DIR}/${env.name}.yaml`, '--otlp', otlpUrl, '--json', '/dev/stdout'];
}

/** Ports of every host the probes call by URL (resolved ones; unresolved ones are skipped probes). */
export function probedHostPorts(targets: Targets): number[] {
  const urls = [
    ...Object.values(targets.urls),
    targets.expectedCoordinatorUri,
    targets.referenceServerUrl,
    targets.mimir.queryUrl,
    targets.ruler !== undefined && !isUnresolved(targets.ruler) ? targets.ruler.url : undefined,
  ].filter((u): u is string => typeof u === 'string' && !isUnresolved(u));
  return [...new Set(urls.map(urlPort))].sort((a, b) => a - b);
}

/** The runner's RBAC rules by namespace: the probes' reads (./probe-runner-reads.ts) as the construct takes them. */
export function runnerRules(targets: Targets): ProbeRunnerProps['reads'] {
  return probeReads(targets).map((n) => ({
    namespace: n.namespace,
    rules: n.reads.map(({ probes: _probes, ...rule }) => rule),
  }));
}

export interface ProbeRunnerChartProps {
  readonly env: Environment;
  readonly plan: ContinuousPlan;
  /** The collector the runner pushes to (its Service, pods and port). */
  readonly collector: OtelCollector;
}

export class ProbeRunnerChart extends Chart {
  public readonly runner: ProbeRunner;
  public readonly apiKey: SecretSource;

  constructor(scope: Construct, id: string, props: ProbeRunnerChartProps) {
    const { env, plan, collector } = props;
    super(scope, id, { namespace: env.namespace, labels: stackLabels(env.name) });
    const runner = plan.runner;
    const secretLabels = {
      ...selectorLabels(PROBE_RUNNER_NAME, env.name),
      'app.kubernetes.io/component': 'probes-credentials',
    };
    const key = runner.apiKey;
    if (key.provider === 'sealed-secrets') {
      this.apiKey = new SealedSecretSource(this, 'api-key', {
        secretName: runner.secretName,
        namespace: env.namespace,
        values: { [API_KEY_KEY]: { ciphertext: key.ciphertext, boundTo: key.boundTo } },
        labels: secretLabels,
      });
    } else {
      if (env.secrets?.provider !== 'external-secrets')
        throw new Error(
          `ProbeRunnerChart(${env.name}): an external-secrets key needs secrets.provider external-secrets`,
        );
      this.apiKey = new ExternalSecretSource(this, 'api-key', {
        secretName: runner.secretName,
        namespace: env.namespace,
        clusterSecretStore: String(render(env.secrets.clusterSecretStore)),
        refreshInterval: env.secrets.refreshInterval,
        values: {
          [API_KEY_KEY]: {
            remoteKey: key.remoteKey,
            ...(key.property ? { property: key.property } : {}),
            ...(key.version ? { version: key.version } : {}),
          },
        },
        labels: secretLabels,
      });
    }
    const targets = targetsFromEnvironment(env);
    const otlpUrl = `${otlpHttpUrl(collector.hostFor(env.namespace))}/v1/metrics`;
    this.runner = new ProbeRunner(this, 'runner', {
      name: PROBE_RUNNER_NAME,
      namespace: env.namespace,
      image: runner.image,
      schedule: plan.schedule,
      scheduleMinutes: plan.scheduleMinutes,
      args: runnerArgs(env, otlpUrl),
      targets: {
        fileName: `${env.name}.yaml`,
        content:
          `# The probe targets of ${env.name} (src/environments/${env.name}.yaml, probes section and defaults): generated by synth.\n` +
          stringify(targets, { lineWidth: 0 }),
      },
      apiKey: { source: this.apiKey, key: API_KEY_KEY },
      reads: runnerRules(targets),
      egress: {
        collector: { podLabels: collector.podSelector, port: COLLECTOR_PORTS['otlp-http'] },
        apiServerPorts: runner.apiServerPorts,
        hostPorts: probedHostPorts(targets),
      },
      resources: runner.resources,
      labels: stackLabels(env.name),
      podLabels: { ...selectorLabels(PROBE_RUNNER_NAME, env.name), 'app.kubernetes.io/component': 'probes' },
    });
  }
}
