/**
 * OtelCollector: the OpenTelemetry Collector (contrib) that receives the engine's OTLP metrics
 * and ships them to Mimir (remote write) or exposes them for scraping.
 *
 * Renders a ServiceAccount (no API token: the collector never calls the Kubernetes API), a
 * ConfigMap with the typed configuration serialized by `yaml`, a hardened Deployment (config
 * checksum on the pod template, GOMEMLIMIT and memory_limiter derived from the memory limit,
 * spread across nodes), a PodDisruptionBudget, the Service the engine resolves, and a
 * NetworkPolicy. Environment-agnostic: the collector chart maps an environment onto these props.
 *
 * Over 300 lines because it is one construct: its six objects are derived from the same props
 * (names, labels, ports, the memory limit), and splitting it would only pass those around.
 *
 * @see https://opentelemetry.io/docs/collector/deployment/gateway/
 */
import { createHash } from 'node:crypto';
import { ApiObject, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { buildCollectorConfig, type MetricsExport } from '../collector/build.js';
import type { CollectorConfig } from '../collector/config.js';
import { memorySettings, parseMemoryMiB } from '../collector/memory.js';
import { COLLECTOR_PORTS, OTEL_COLLECTOR_NAME, type CollectorPortName } from '../collector/service.js';
import { selectorLabels } from './labels.js';
import { COLLECTOR_DEFAULTS } from '../collector/defaults.js';

/** `app.kubernetes.io/name` of the collector's objects. */
export const OTEL_COLLECTOR_APP = 'opentelemetry-collector';
/** Pod-template annotation holding the sha256 of the rendered configuration. */
const CONFIG_CHECKSUM_ANNOTATION = 'checksum/config';
/** File name of the configuration inside the ConfigMap and the container. */
const CONFIG_FILE = 'collector.yaml';
const CONFIG_DIR = '/conf';
/** Collector contrib image runs as this non-root user (upstream Dockerfile `USER 10001`). */
const COLLECTOR_UID = 10001;

export interface OtelCollectorImage {
  /** @default otel/opentelemetry-collector-contrib */
  readonly repository?: string;
  /** Exact version, e.g. `0.159.0`. */
  readonly tag: string;
  /** Optional digest pin (`sha256:…`); the tag is kept for readers. @default - tag only */
  readonly digest?: string;
}

export interface OtelCollectorResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  /** `memory` must be in Mi or Gi: GOMEMLIMIT and memory_limiter are derived from it. */
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Egress to the metrics backend, as a NetworkPolicy can express it. */
export interface OtelCollectorEgress {
  /** IP ranges of the backend. @default - none */
  readonly cidrs?: readonly string[];
  /** Labels of the backend's namespace. @default - none */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** Labels of the backend's pods (with namespaceLabels). @default - every pod of the namespace */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** TCP ports. */
  readonly ports: readonly number[];
}

export interface OtelCollectorProps {
  /** Name of every object, and of the Service the engine resolves. @default arcade-otel-collector */
  readonly name?: string;
  readonly image: OtelCollectorImage;
  /** @default 2 */
  readonly replicas?: number;
  readonly resources: OtelCollectorResources;
  /** Remote write to Mimir, or a scrape endpoint. */
  readonly export: MetricsExport;
  /** Convert delta metrics to cumulative (needs replicas: 1). @default false */
  readonly deltaToCumulative?: boolean;
  /** Namespace whose pods may push OTLP (the engine's). */
  readonly clientNamespace: string;
  /** Namespace whose pods may scrape the metrics ports. @default monitoring */
  readonly monitoringNamespace?: string;
  /**
   * Egress to the metrics backend (remote-write mode). When undefined, egress stays open: the
   * backend is only known by a DNS name, which a NetworkPolicy cannot select.
   * @default - egress open
   */
  readonly egress?: OtelCollectorEgress;
  /**
   * Labels on every object and on the pod template. A chart's own labels reach its objects but not
   * the pod template, so the collector chart passes the stack labels here too. @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A port of the Service that a ServiceMonitor may scrape. */
export interface ScrapePort {
  /** Service port name. */
  readonly name: CollectorPortName;
  /** Keep the labels the exporter sets (job, instance) instead of renaming them. */
  readonly honorLabels: boolean;
}

export class OtelCollector extends Construct {
  public readonly name: string;
  /** The rendered configuration (validated). */
  public readonly config: CollectorConfig;
  /** The configuration file as stored in the ConfigMap. */
  public readonly configYaml: string;
  /** sha256 of configYaml, on the pod template so a change rolls the pods. */
  public readonly configChecksum: string;
  /** Labels selecting the collector pods (the stack's own, never construct hashes). */
  public readonly podSelector: Readonly<Record<string, string>>;
  public readonly service: kplus.Service;
  public readonly deployment: kplus.Deployment;
  public readonly configMap: kplus.ConfigMap;
  public readonly serviceAccount: kplus.ServiceAccount;
  /** Named Service ports with a metrics endpoint (self-metrics, plus the exporter in scrape mode). */
  public readonly scrapePorts: readonly ScrapePort[];
  /** The Service's named ports. */
  public readonly ports: Readonly<Partial<Record<CollectorPortName, number>>>;

  constructor(scope: Construct, id: string, props: OtelCollectorProps) {
    super(scope, id);
    this.name = props.name ?? OTEL_COLLECTOR_NAME;
    const name = this.name;
    const replicas = props.replicas ?? COLLECTOR_DEFAULTS.replicas;
    const monitoringNamespace = props.monitoringNamespace ?? COLLECTOR_DEFAULTS.monitoringNamespace;
    const memoryLimitMiB = parseMemoryMiB(props.resources.limits.memory, 'resources.limits.memory');
    const memory = memorySettings(memoryLimitMiB);

    this.config = buildCollectorConfig({
      export: props.export,
      memoryLimitMiB,
      deltaToCumulative: props.deltaToCumulative,
      replicas,
    });
    this.configYaml = stringify(this.config, { lineWidth: 0 });
    this.configChecksum = createHash('sha256').update(this.configYaml).digest('hex');

    this.podSelector = selectorLabels(OTEL_COLLECTOR_APP, name);
    const labels = { ...props.labels, ...this.podSelector, 'app.kubernetes.io/component': 'telemetry' };
    const scrape = props.export.mode === 'scrape';
    this.ports = {
      'otlp-grpc': COLLECTOR_PORTS['otlp-grpc'],
      'otlp-http': COLLECTOR_PORTS['otlp-http'],
      metrics: COLLECTOR_PORTS.metrics,
      ...(scrape ? { 'prom-export': COLLECTOR_PORTS['prom-export'] } : {}),
    };
    this.scrapePorts = [
      { name: 'metrics', honorLabels: false },
      ...(scrape ? [{ name: 'prom-export' as const, honorLabels: true }] : []),
    ];

    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: { name, labels },
      automountToken: false,
    });

    this.configMap = new kplus.ConfigMap(this, 'config', {
      metadata: { name, labels },
      data: { [CONFIG_FILE]: this.configYaml },
    });

    this.deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name, labels },
      replicas,
      select: false,
      podMetadata: { labels, annotations: { [CONFIG_CHECKSUM_ANNOTATION]: this.configChecksum } },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: {
        ensureNonRoot: true,
        user: COLLECTOR_UID,
        group: COLLECTOR_UID,
        fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
      },
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: this.podSelector }));
    // cdk8s-plus labels every pod template with a hash of the construct path; nothing here selects
    // by it (a refactor would change it and roll the pods), so it is removed.
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
    );
    const pods = kplus.Pods.select(this, 'pods', { labels: this.podSelector });
    // Prefer one replica per node: a node drain or failure leaves the others receiving.
    this.deployment.scheduling.separate(pods, { topology: kplus.Topology.HOSTNAME, weight: 100 });

    const image = `${props.image.repository ?? COLLECTOR_DEFAULTS.imageRepository}:${props.image.tag}${props.image.digest ? `@${props.image.digest}` : ''}`;
    const health = (failureThreshold: number) =>
      kplus.Probe.fromHttpGet('/', {
        port: COLLECTOR_PORTS.health,
        initialDelaySeconds: Duration.seconds(5),
        periodSeconds: Duration.seconds(10),
        timeoutSeconds: Duration.seconds(2),
        failureThreshold,
      });
    const container = this.deployment.addContainer({
      name: 'otel-collector',
      image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: [`--config=${CONFIG_DIR}/${CONFIG_FILE}`],
      ports: (Object.entries(this.ports) as [CollectorPortName, number][])
        .map(([portName, number]) => ({ name: portName, number, protocol: kplus.Protocol.TCP }))
        .concat([{ name: 'health', number: COLLECTOR_PORTS.health, protocol: kplus.Protocol.TCP }]),
      envVariables: { GOMEMLIMIT: kplus.EnvValue.fromValue(memory.goMemLimit) },
      resources: {
        cpu: {
          request: kplus.Cpu.millis(millis(props.resources.requests.cpu, 'resources.requests.cpu')),
          limit: kplus.Cpu.millis(millis(props.resources.limits.cpu, 'resources.limits.cpu')),
        },
        memory: {
          request: cdkSize(props.resources.requests.memory, 'resources.requests.memory'),
          limit: cdkSize(props.resources.limits.memory, 'resources.limits.memory'),
        },
      },
      securityContext: {
        ensureNonRoot: true,
        user: COLLECTOR_UID,
        group: COLLECTOR_UID,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: [kplus.Capability.ALL] },
        seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
      readiness: health(3),
      liveness: health(6),
      startup: health(30),
    });
    container.mount(CONFIG_DIR, kplus.Volume.fromConfigMap(this, 'config-volume', this.configMap, { name: 'config' }), {
      readOnly: true,
    });

    this.service = new kplus.Service(this, 'service', {
      metadata: { name, labels },
      type: kplus.ServiceType.CLUSTER_IP,
      selector: pods,
      ports: (Object.entries(this.ports) as [CollectorPortName, number][]).map(([portName, port]) => ({
        name: portName,
        port,
        targetPort: port,
        protocol: kplus.Protocol.TCP,
      })),
    });

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name, labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.podSelector } } },
    });

    this.networkPolicy(name, labels, props.clientNamespace, monitoringNamespace, scrape, props.egress);
  }

  /**
   * The OTLP/HTTP base URL for a client in `clientNamespace`: the short Service name in its own
   * namespace (the engine's default target), the namespace-qualified name elsewhere.
   */
  public otlpHttpEndpoint(clientNamespace: string): string {
    const namespace = Chart.of(this).namespace;
    const host = clientNamespace === namespace || namespace === undefined ? this.name : `${this.name}.${namespace}.svc`;
    return `http://${host}:${COLLECTOR_PORTS['otlp-http']}`;
  }

  private networkPolicy(
    name: string,
    labels: Record<string, string>,
    clientNamespace: string,
    monitoringNamespace: string,
    scrape: boolean,
    egress: OtelCollectorEgress | undefined,
  ): void {
    const inNamespace = (ns: string): k8s.NetworkPolicyPeer => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
    });
    const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
    const metricsPorts = this.scrapePorts.map((p) => tcp(COLLECTOR_PORTS[p.name]));
    const dns: k8s.NetworkPolicyEgressRule = {
      to: [inNamespace('kube-system')],
      ports: [
        { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
        { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
      ],
    };
    const backend: k8s.NetworkPolicyPeer[] = egress
      ? [
          ...(egress.cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
          ...(egress.namespaceLabels
            ? [
                {
                  namespaceSelector: { matchLabels: { ...egress.namespaceLabels } },
                  ...(egress.podLabels ? { podSelector: { matchLabels: { ...egress.podLabels } } } : {}),
                },
              ]
            : []),
        ]
      : [];
    // Remote write without a described destination: egress stays open (see docs/telemetry.md).
    const egressOpen = !scrape && !egress;
    new k8s.KubeNetworkPolicy(this, 'network-policy', {
      metadata: { name, labels },
      spec: {
        podSelector: { matchLabels: { ...this.podSelector } },
        policyTypes: egressOpen ? ['Ingress'] : ['Ingress', 'Egress'],
        ingress: [
          {
            from: [inNamespace(clientNamespace)],
            ports: [tcp(COLLECTOR_PORTS['otlp-grpc']), tcp(COLLECTOR_PORTS['otlp-http'])],
          },
          { from: [inNamespace(monitoringNamespace)], ports: metricsPorts },
        ],
        ...(egressOpen ? {} : { egress: [dns, ...(egress ? [{ to: backend, ports: egress.ports.map(tcp) }] : [])] }),
      },
    });
  }
}

/** CPU quantity (`250m`, `1`, `0.5`) in millicores; throws naming the field otherwise. */
function millis(cpu: string, field: string): number {
  const match = /^(?:([1-9]\d*)m|(\d+(?:\.\d+)?))$/.exec(cpu);
  const value = match ? (match[1] !== undefined ? Number(match[1]) : Math.round(Number(match[2]) * 1000)) : 0;
  if (!(value > 0))
    throw new Error(`${field}: '${cpu}' is not a CPU quantity above zero (fix: write it like '250m' or '1')`);
  return value;
}

/** Memory quantity (Mi/Gi) as a cdk8s Size. */
function cdkSize(quantity: string, field: string): Size {
  return Size.mebibytes(parseMemoryMiB(quantity, field));
}
