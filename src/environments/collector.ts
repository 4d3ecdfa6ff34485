/**
 * The `collector` section of an environment: the OpenTelemetry Collector's settings.
 * (Owned by the collector work; see src/constructs/otel-collector.ts and docs/telemetry.md.)
 *
 * Every field has a default, so an environment names only what differs. The defaults are the
 * facts recorded in docs/telemetry.md ("Facts and provenance"): the Mimir push URL and tenant
 * are observed on the live cluster, the image is the upstream contrib distribution.
 */
import { z } from 'zod';
import { COLLECTOR_DEFAULTS } from '../collector/defaults.js';
import { memoryMiB } from '../collector/memory.js';
import { cpuMillis } from '../collector/resources.js';
import { DNS_LABEL, httpUrl } from './fields.js';

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
/** An IPv4 or IPv6 CIDR as NetworkPolicy `ipBlock.cidr` accepts it. */
const CIDR = /^((\d{1,3}\.){3}\d{1,3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;
/** Prometheus duration as the ServiceMonitor CRD accepts it. */
const PROM_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

/** Default collector image: the contrib distribution (it has prometheusremotewrite and deltatocumulative). */
export const DEFAULT_COLLECTOR_IMAGE = COLLECTOR_DEFAULTS.imageRepository;
/** Pinned collector version (newest seen upstream when this was written, docs/telemetry.md). */
export const DEFAULT_COLLECTOR_TAG = COLLECTOR_DEFAULTS.imageTag;
/** Mimir push endpoint of the cluster (observed, FACTS "Telemetry"). */
export const DEFAULT_MIMIR_PUSH_URL = 'http://mimir-nginx.mimir.observability-wus2/api/v1/push';
/** Mimir tenant sent as `X-Scope-OrgID` (observed, FACTS "Telemetry"). */
export const DEFAULT_MIMIR_TENANT = 'k8s-backstage-v4';

export const labelMap = (what: string) =>
  z.record(
    z.string().regex(LABEL_KEY, `${what}: keys must be Kubernetes label keys such as kubernetes.io/metadata.name`),
    z.string().regex(LABEL_VALUE, `${what}: values must be Kubernetes label values`),
  );

/** Memory: a quantity of whole MiB the collector's limits are derived from (src/collector/memory.ts). */
const memory = z
  .string()
  .refine(
    (q) => memoryMiB(q) !== undefined,
    "must be a memory quantity of whole MiB such as '512Mi' or '1Gi' (the collector's limits are derived from it)",
  );
/** CPU: a quantity above zero, millicores (`250m`) or cores (`1`, `0.5`) (src/collector/resources.ts). */
const cpu = z.string().refine((q) => cpuMillis(q) !== undefined, "must be a CPU quantity such as '250m' or '1'");

export const CollectorResourcesSchema = z
  .object({
    requests: z
      .object({ cpu: cpu.default('100m'), memory: memory.default('256Mi') })
      .strict()
      .prefault({}),
    limits: z
      .object({ cpu: cpu.default('1'), memory: memory.default('512Mi') })
      .strict()
      .prefault({}),
  })
  .strict();

/**
 * Where the collector may send metrics, as a NetworkPolicy can express it. Give `cidrs`, or a
 * `namespaceLabels` selector (optionally narrowed by `podLabels`). When Mimir is only known by
 * an external DNS name, leave `mimirEgress` out: egress then stays open (docs/telemetry.md).
 */
export const MimirEgressSchema = z
  .object({
    /** IP ranges of the Mimir endpoint (outside the cluster, or its load balancer). */
    cidrs: z.array(z.string().regex(CIDR, "must be a CIDR such as '10.20.0.0/16'")).min(1).optional(),
    /** Labels of the namespace Mimir runs in (same cluster), e.g. `kubernetes.io/metadata.name: mimir`. */
    namespaceLabels: labelMap('namespaceLabels').optional(),
    /** Labels of the Mimir pods inside that namespace. @default - every pod of the namespace */
    podLabels: labelMap('podLabels').optional(),
    /** TCP ports the push reaches. @default - the port of mimir.pushUrl (80 for http, 443 for https) */
    ports: z.array(z.number().int().min(1).max(65535)).min(1).optional(),
  })
  .strict()
  .superRefine((egress, ctx) => {
    if (!egress.cidrs && !egress.namespaceLabels) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          'mimirEgress names no destination; give cidrs or namespaceLabels, or remove mimirEgress to leave egress open ' +
          '(the right choice when Mimir is only known by an external DNS name)',
      });
    }
    if (egress.podLabels && !egress.namespaceLabels) {
      ctx.addIssue({
        code: 'custom',
        path: ['podLabels'],
        message: 'podLabels needs namespaceLabels (the namespace the pods live in)',
      });
    }
  });

export const CollectorSettingsSchema = z
  .object({
    image: z
      .object({
        /** @default otel/opentelemetry-collector-contrib */
        repository: z
          .string()
          .regex(
            /^[a-z0-9]+([._/-][a-z0-9]+)*$/,
            'must be an image repository such as otel/opentelemetry-collector-contrib',
          )
          .default(DEFAULT_COLLECTOR_IMAGE),
        /** Exact collector version; never `latest`. @default 0.159.0 */
        tag: z
          .string()
          .regex(/^\d+\.\d+\.\d+$/, "must be an exact collector version such as '0.159.0' (never 'latest')")
          .default(DEFAULT_COLLECTOR_TAG),
        /** Optional digest pin; the tag stays for readers. */
        digest: z
          .string()
          .regex(/^sha256:[a-f0-9]{64}$/, "must be 'sha256:' and 64 hex digits")
          .optional(),
      })
      .strict()
      .prefault({}),
    /** @default 2 (with a PodDisruptionBudget and spread across nodes) */
    replicas: z.number().int().min(1).max(10).default(COLLECTOR_DEFAULTS.replicas),
    resources: CollectorResourcesSchema.prefault({}),
    /**
     * `remote-write`: the collector pushes to Mimir (prometheusremotewrite). `scrape`: it exposes
     * a Prometheus endpoint scraped through a ServiceMonitor. Never both (series stored twice).
     * @default remote-write
     */
    mode: z.enum(['remote-write', 'scrape']).default('remote-write'),
    mimir: z
      .object({
        /** @default http://mimir-nginx.mimir.observability-wus2/api/v1/push (observed) */
        pushUrl: httpUrl.default(DEFAULT_MIMIR_PUSH_URL),
        /** Sent as `X-Scope-OrgID`. @default k8s-backstage-v4 (observed) */
        tenant: z
          .string()
          .min(1, 'must name the Mimir tenant (X-Scope-OrgID)')
          .regex(/^[A-Za-z0-9!._*'()-]+$/, "must be a Mimir tenant id (letters, digits, !-_.*'())")
          .default(DEFAULT_MIMIR_TENANT),
      })
      .strict()
      .prefault({}),
    /**
     * Convert delta-temporality metrics to cumulative before remote write (which drops deltas).
     * Only for sources that send delta; needs `replicas: 1` (the state is per replica).
     * @default false (the engine's Go SDK exports cumulative)
     */
    deltaToCumulative: z.boolean().default(false),
    /** Interval of the ServiceMonitors. @default 60s (the engine pushes about every 60 s) */
    scrapeInterval: z
      .string()
      .regex(PROM_DURATION, "must be a Prometheus duration such as '30s' or '1m'")
      .default('60s'),
    networkPolicy: z
      .object({
        /** Egress to Mimir (remote-write mode). @default - egress left open (Mimir is an external DNS name) */
        mimirEgress: MimirEgressSchema.optional(),
      })
      .strict()
      .prefault({}),
    /** Namespace of the scraper (Grafana Agent), allowed to reach the metrics ports. @default monitoring */
    monitoringNamespace: z
      .string()
      .max(63)
      .regex(DNS_LABEL, 'monitoringNamespace must be a DNS-1123 label')
      .default(COLLECTOR_DEFAULTS.monitoringNamespace),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.mode === 'scrape' && c.networkPolicy.mimirEgress) {
      ctx.addIssue({
        code: 'custom',
        path: ['networkPolicy', 'mimirEgress'],
        message:
          "mode is 'scrape', so the collector sends nothing to Mimir; remove networkPolicy.mimirEgress or set mode: remote-write",
      });
    }
  })
  .prefault({});

export type MimirEgress = z.output<typeof MimirEgressSchema>;
