/**
 * OtelCollector: the OpenTelemetry Collector (contrib) that receives the engine's OTLP metrics
 * and ships them to Mimir (remote write) or exposes them for scraping.
 *
 * Renders a ServiceAccount (no API token: the collector never calls the Kubernetes API), a
 * ConfigMap with the configuration document serialized by `yaml`, a hardened Deployment (config
 * checksum on the pod template, GOMEMLIMIT, spread across nodes), a PodDisruptionBudget, the
 * Service the engine resolves, and a NetworkPolicy.
 *
 * Plain props only: the construct knows no environment and no collector model. The collector
 * chart (src/charts/collector-chart.ts) builds and validates the configuration document
 * (src/collector/build.ts), derives GOMEMLIMIT from the memory limit (src/collector/memory.ts),
 * reads the CPU and memory quantities and lists the ports; this construct renders what it is given.
 *
 * @see https://opentelemetry.io/docs/collector/deployment/gateway/
 */
import { createHash } from 'node:crypto';
import { ApiObject, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { selectorLabels } from './labels.js';

/** `app.kubernetes.io/name` of the collector's objects. */
export const OTEL_COLLECTOR_APP = 'opentelemetry-collector';
/** Pod-template annotation holding the sha256 of the rendered configuration. */
const CONFIG_CHECKSUM_ANNOTATION = 'checksum/config';
/** File name of the configuration inside the ConfigMap and the container. */
const CONFIG_FILE = 'collector.yaml';
const CONFIG_DIR = '/conf';
/** Collector contrib image runs as this non-root user (upstream Dockerfile `USER 10001`). */
const COLLECTOR_UID = 10001;

/** CPU in millicores and memory in MiB, as the chart read them from Kubernetes quantities. */
export interface OtelCollectorResources {
  readonly requests: { readonly cpuMillis: number; readonly memoryMiB: number };
  readonly limits: { readonly cpuMillis: number; readonly memoryMiB: number };
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

/** A named port of the container and the Service, and who may connect to it. */
export interface OtelCollectorPort {
  /** Service and container port name. */
  readonly name: string;
  readonly port: number;
  /**
   * `clients`: a receiver the pods of `clientNamespace` push to. `monitoring`: a metrics endpoint
   * the scraper in `monitoringNamespace` reads (listed in `scrapePorts`).
   */
  readonly from: 'clients' | 'monitoring';
  /** A metrics endpoint relaying other sources: keep their job/instance labels when scraped. @default false */
  readonly honorLabels?: boolean;
}

export interface OtelCollectorProps<Config extends object = object> {
  /** Name of every object, and of the Service the engine resolves. */
  readonly name: string;
  /** Full image reference: `repository:tag`, optionally `@sha256:…`. */
  readonly image: string;
  readonly replicas: number;
  readonly resources: OtelCollectorResources;
  /** The collector's configuration document (already validated), stored in the ConfigMap as YAML. */
  readonly config: Config;
  /** `GOMEMLIMIT` of the container (Go syntax, e.g. `409MiB`). */
  readonly goMemLimit: string;
  /** Service ports, in order; the container has them too. */
  readonly ports: readonly OtelCollectorPort[];
  /** Port of the health_check extension (readiness, liveness and startup probes; not on the Service). */
  readonly healthPort: number;
  /** Namespace whose pods may push OTLP (the engine's). */
  readonly clientNamespace: string;
  /** Namespace whose pods may scrape the metrics ports. */
  readonly monitoringNamespace: string;
  /**
   * Egress: `'open'` (no Egress rule: remote write to a backend only known by a DNS name, which a
   * NetworkPolicy cannot select, docs/telemetry.md), or DNS plus the backend described here.
   * @default - DNS only (nothing to send to: scrape mode)
   */
  readonly egress?: OtelCollectorEgress | 'open';
  /**
   * Labels on every object and on the pod template. A chart's own labels reach its objects but not
   * the pod template, so the collector chart passes the stack labels here too. @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A port of the Service that a ServiceMonitor may scrape. */
export interface ScrapePort {
  /** Service port name. */
  readonly name: string;
  /** Keep the labels the exporter sets (job, instance) instead of renaming them. */
  readonly honorLabels: boolean;
}

export class OtelCollector<Config extends object = object> extends Construct {
  public readonly name: string;
  /** The configuration document, as given. */
  public readonly config: Config;
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
  /** Named Service ports with a metrics endpoint (`from: 'monitoring'`), in order. */
  public readonly scrapePorts: readonly ScrapePort[];
  /** The Service's named ports. */
  public readonly ports: Readonly<Record<string, number>>;

  constructor(scope: Construct, id: string, props: OtelCollectorProps<Config>) {
    super(scope, id);
    this.name = props.name;
    const name = this.name;
    this.config = props.config;
    this.configYaml = stringify(this.config, { lineWidth: 0 });
    this.configChecksum = createHash('sha256').update(this.configYaml).digest('hex');

    this.podSelector = selectorLabels(OTEL_COLLECTOR_APP, name);
    const labels = { ...props.labels, ...this.podSelector, 'app.kubernetes.io/component': 'telemetry' };
    this.ports = Object.fromEntries(props.ports.map((p) => [p.name, p.port]));
    this.scrapePorts = props.ports
      .filter((p) => p.from === 'monitoring')
      .map((p) => ({ name: p.name, honorLabels: p.honorLabels ?? false }));

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
      replicas: props.replicas,
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

    const health = (failureThreshold: number) =>
      kplus.Probe.fromHttpGet('/', {
        port: props.healthPort,
        initialDelaySeconds: Duration.seconds(5),
        periodSeconds: Duration.seconds(10),
        timeoutSeconds: Duration.seconds(2),
        failureThreshold,
      });
    const { requests, limits } = props.resources;
    const container = this.deployment.addContainer({
      name: 'otel-collector',
      image: props.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: [`--config=${CONFIG_DIR}/${CONFIG_FILE}`],
      ports: props.ports
        .map((p) => ({ name: p.name, number: p.port, protocol: kplus.Protocol.TCP }))
        .concat([{ name: 'health', number: props.healthPort, protocol: kplus.Protocol.TCP }]),
      envVariables: { GOMEMLIMIT: kplus.EnvValue.fromValue(props.goMemLimit) },
      resources: {
        cpu: { request: kplus.Cpu.millis(requests.cpuMillis), limit: kplus.Cpu.millis(limits.cpuMillis) },
        memory: { request: Size.mebibytes(requests.memoryMiB), limit: Size.mebibytes(limits.memoryMiB) },
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
      ports: props.ports.map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: p.port,
        protocol: kplus.Protocol.TCP,
      })),
    });

    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name, labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.podSelector } } },
    });

    this.networkPolicy(name, labels, props);
  }

  /**
   * The Service's host name for a client in `clientNamespace`: the short name in its own namespace
   * (the engine's default target), the namespace-qualified name elsewhere.
   */
  public hostFor(clientNamespace: string): string {
    const namespace = Chart.of(this).namespace;
    return clientNamespace === namespace || namespace === undefined ? this.name : `${this.name}.${namespace}.svc`;
  }

  private networkPolicy(name: string, labels: Record<string, string>, props: OtelCollectorProps<Config>): void {
    const inNamespace = (ns: string): k8s.NetworkPolicyPeer => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
    });
    const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
    const portsFrom = (from: OtelCollectorPort['from']) =>
      props.ports.filter((p) => p.from === from).map((p) => tcp(p.port));
    const dns: k8s.NetworkPolicyEgressRule = {
      to: [inNamespace('kube-system')],
      ports: [
        { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
        { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
      ],
    };
    const egress = props.egress === 'open' ? undefined : props.egress;
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
    const egressOpen = props.egress === 'open';
    new k8s.KubeNetworkPolicy(this, 'network-policy', {
      metadata: { name, labels },
      spec: {
        podSelector: { matchLabels: { ...this.podSelector } },
        policyTypes: egressOpen ? ['Ingress'] : ['Ingress', 'Egress'],
        ingress: [
          { from: [inNamespace(props.clientNamespace)], ports: portsFrom('clients') },
          { from: [inNamespace(props.monitoringNamespace)], ports: portsFrom('monitoring') },
        ],
        ...(egressOpen ? {} : { egress: [dns, ...(egress ? [{ to: backend, ports: egress.ports.map(tcp) }] : [])] }),
      },
    });
  }
}
