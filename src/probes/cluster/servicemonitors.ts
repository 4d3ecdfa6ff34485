/**
 * `monitoring.servicemonitors`: every ServiceMonitor in the namespace follows the cluster's scrape
 * convention (targets `monitoring`, from the environment: on backstage-wus2-v4 it carries
 * `release: prometheus-operator` and not `grafana-agent: external`, which the cluster's Grafana
 * Agent skips), and selects an existing Service and one of its ports (FACTS "Telemetry").
 */
import { describeBreach, scrapeBreaches, type ScrapeConvention } from '../../core/scrape-convention.js';
import { defineProbe } from '../define-probe.js';
import { outcome, type ProbeOutcome } from '../types.js';
import { field, labelsOf, list, nameOf, num, record, str } from './objects.js';
import type { UncheckedKubeObject } from '../../core/manifests.js';

export const SERVICEMONITOR_API = 'monitoring.coreos.com/v1';

export interface ServiceMonitorsInput {
  readonly namespace: string;
  readonly convention: ScrapeConvention;
  readonly serviceMonitors: readonly UncheckedKubeObject[];
  /** Services of the namespaces the monitors select from. */
  readonly services: readonly UncheckedKubeObject[];
}

/** LabelSelector semantics (matchLabels + matchExpressions In/NotIn/Exists/DoesNotExist). */
export function selects(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  const matchLabels = record(selector, 'matchLabels');
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  return list(selector, 'matchExpressions').every((e) => {
    const key = str(e, 'key') ?? '';
    const values = list(e, 'values').filter((v): v is string => typeof v === 'string');
    const value = key in labels ? labels[key] : undefined;
    switch (str(e, 'operator')) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        return false;
    }
  });
}

/** The namespaces a ServiceMonitor selects Services from (`any` is read as its own namespace). */
export function monitorNamespaces(sm: UncheckedKubeObject, own: string): string[] {
  const names = list(sm, 'spec.namespaceSelector.matchNames').filter((n): n is string => typeof n === 'string');
  return names.length > 0 ? names : [own];
}

function problemsOf(
  sm: UncheckedKubeObject,
  own: string,
  services: readonly UncheckedKubeObject[],
  convention: ScrapeConvention,
): string[] {
  const id = `ServiceMonitor ${nameOf(sm)}`;
  const problems = scrapeBreaches(labelsOf(sm), convention).map((b) => `${id} ${describeBreach(b)}`);
  const selector = field(sm, 'spec.selector');
  const namespaces = monitorNamespaces(sm, own);
  const selected = services.filter(
    (s) =>
      namespaces.includes(str(s, 'metadata.namespace') ?? own) &&
      selector !== undefined &&
      selects(selector, labelsOf(s)),
  );
  if (selected.length === 0) {
    problems.push(`${id} selects no Service in ${namespaces.join(', ')}`);
    return problems;
  }
  const endpoints = list(sm, 'spec.endpoints');
  if (endpoints.length === 0) problems.push(`${id} has no endpoints`);
  for (const ep of endpoints) {
    const port = str(ep, 'port');
    const target = field(ep, 'targetPort');
    const ok = selected.some((s) =>
      list(s, 'spec.ports').some((p) =>
        port !== undefined
          ? str(p, 'name') === port
          : target !== undefined && (field(p, 'targetPort') === target || num(p, 'port') === target),
      ),
    );
    if (!ok)
      problems.push(
        `${id} endpoint port ${port ?? String(target ?? '(none)')} is not a port of ${selected.map(nameOf).join(', ')}`,
      );
  }
  return problems;
}

export function evaluateServiceMonitors(input: ServiceMonitorsInput): ProbeOutcome {
  if (input.serviceMonitors.length === 0)
    return outcome.fail(`no ServiceMonitor in namespace ${input.namespace}: nothing is scraped`, {
      namespace: input.namespace,
    });
  const monitors = input.serviceMonitors.map((sm) => ({
    name: nameOf(sm),
    problems: problemsOf(sm, input.namespace, input.services, input.convention),
  }));
  const problems = monitors.flatMap((m) => m.problems);
  const evidence = { namespace: input.namespace, serviceMonitors: monitors };
  if (problems.length > 0) return outcome.fail(problems.slice(0, 3).join('; '), evidence);
  return outcome.pass(
    `${monitors.length} ServiceMonitor(s) labelled for scraping, each selecting a Service port`,
    evidence,
  );
}

export const serviceMonitorsScraped = defineProbe({
  id: 'monitoring.servicemonitors',
  category: 'observability',
  title: 'ServiceMonitors follow the scrape conventions and select a Service port',
  needs: (t) => ({ namespace: t.namespace, monitoring: t.monitoring }),
  needsKube: true,
  async run(ctx, { namespace, monitoring }) {
    const kube = await ctx.kube();
    const serviceMonitors = await kube.list(SERVICEMONITOR_API, 'ServiceMonitor', namespace);
    const namespaces = [...new Set([namespace, ...serviceMonitors.flatMap((sm) => monitorNamespaces(sm, namespace))])];
    const services = (await Promise.all(namespaces.map((ns) => kube.list('v1', 'Service', ns)))).flat();
    return evaluateServiceMonitors({ namespace, convention: monitoring, serviceMonitors, services });
  },
});
