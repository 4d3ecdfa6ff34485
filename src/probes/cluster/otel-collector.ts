/**
 * `otel.collector-ready`: the collector Service exists and its EndpointSlices
 * (`discovery.k8s.io/v1`, label `kubernetes.io/service-name`) have a ready endpoint on the
 * OTLP/HTTP port 4318, the port the engine pushes to (FACTS "Telemetry").
 */
import { COLLECTOR_PORTS } from '../../collector/service.js';
import { defineProbe } from '../define-probe.js';
import { outcome, type ProbeOutcome } from '../types.js';
import { field, list, nameOf, num, str } from './objects.js';
import type { UncheckedKubeObject } from '../../core/manifests.js';

/** The port the engine pushes to: the collector Service's `otlp-http` (one definition). */
export const OTLP_HTTP_PORT = COLLECTOR_PORTS['otlp-http'];

export interface CollectorInput {
  readonly ref: string;
  readonly service: UncheckedKubeObject | undefined;
  readonly slices: readonly UncheckedKubeObject[];
  readonly port: number;
}

export function evaluateCollector(input: CollectorInput): ProbeOutcome {
  if (!input.service)
    return outcome.fail(`Service ${input.ref} not found: the engine's OTLP export has nowhere to go`, {
      service: input.ref,
    });
  const servicePorts = list(input.service, 'spec.ports').map((p) => num(p, 'port'));
  const withPort = input.slices.filter((s) => list(s, 'ports').some((p) => num(p, 'port') === input.port));
  let ready = 0;
  let notReady = 0;
  for (const slice of withPort) {
    for (const ep of list(slice, 'endpoints')) {
      // EndpointConditions.ready: nil means unknown and is to be read as ready (API docs).
      const isReady = field(ep, 'conditions.ready') !== false;
      const addresses = list(ep, 'addresses').filter((a) => typeof a === 'string').length;
      if (isReady) ready += addresses;
      else notReady += addresses;
    }
  }
  const evidence = {
    service: input.ref,
    servicePorts,
    endpointSlices: input.slices.map(nameOf),
    slicesWithPort: withPort.length,
    readyAddresses: ready,
    notReadyAddresses: notReady,
    addressType: str(withPort[0], 'addressType') ?? null,
  };
  if (input.slices.length === 0)
    return outcome.fail(`Service ${input.ref} has no EndpointSlices: no collector pod backs it`, evidence);
  if (withPort.length === 0)
    return outcome.fail(`Service ${input.ref}: no EndpointSlice serves port ${input.port}`, evidence);
  if (ready === 0)
    return outcome.fail(`Service ${input.ref}: no ready endpoint on ${input.port} (${notReady} not ready)`, evidence);
  return outcome.pass(`Service ${input.ref}: ${ready} ready endpoint(s) on ${input.port}`, evidence);
}

export const collectorReady = defineProbe({
  id: 'otel.collector-ready',
  category: 'observability',
  title: 'OpenTelemetry Collector Service has ready endpoints on 4318',
  needs: (t) => ({ namespace: t.namespace, collectorService: t.collectorService }),
  needsKube: true,
  retry: 'eventual',
  async run(ctx, { namespace, collectorService }) {
    const kube = await ctx.kube();
    const [service, slices] = await Promise.all([
      kube.get('v1', 'Service', namespace, collectorService),
      kube.list('discovery.k8s.io/v1', 'EndpointSlice', namespace, `kubernetes.io/service-name=${collectorService}`),
    ]);
    return evaluateCollector({ ref: `${namespace}/${collectorService}`, service, slices, port: OTLP_HTTP_PORT });
  },
});
