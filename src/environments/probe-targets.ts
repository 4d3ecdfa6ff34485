/**
 * What the probes check against: the targets, from `--targets <file.yaml>` or from the `probes`
 * section of an environment (`ProbesSettingsSchema` below) merged with the environment's own facts
 * (src/environments/probes.ts). The schema lives with the environments because the environment
 * file's `probes` section is written in it; the probes (src/probes/) import it from here.
 *
 * Any leaf may be an unresolved marker (`{ unresolved: "<why>" }`): a probe that needs it is
 * reported `skip` with that reason, never run against a guess. The probes read the targets
 * resolved (resolved-targets.ts): each field its value or the reason it has none.
 */
import { z } from 'zod';
import { labelMap } from './collector.js';
import { httpUrl as url } from './fields.js';
import { resolvable } from './unresolved.js';

/** The engine's OTel service name per the vendor docs (FACTS), hence its `job` label in Mimir. Unconfirmed live. */
export const DEFAULT_ENGINE_JOB = 'arcade_engine';

const name = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name');
/** MCP tool names as the gateway lists them (`Slack_SendMessage`, not `Slack.SendMessage`). */
const toolName = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, "must be an MCP tool name such as Slack_SendMessage ('_' where Arcade writes '.')");

/** `gateway.latency`'s p95 budget unless the targets give one (ms). */
export const DEFAULT_P95_BUDGET_MS = 1500;

export const GatewayTargetSchema = z
  .object({
    /** The gateway's slug: it is served at `<urls.api>/mcp/<slug>`. */
    slug: z.string().regex(/^[a-z0-9][-a-z0-9_]*$/, 'must be a gateway slug such as zeb-gateway-test'),
    /** The exact expected `tools/list` (order does not matter). */
    tools: resolvable(z.array(toolName).min(1, 'list at least one tool')),
    /** Toolkit whose Echo/Add/Whoami tools live on this gateway (exec-proof, latency). @default none */
    referenceToolkit: resolvable(
      z.string().regex(/^[A-Za-z0-9]+$/, 'must be a toolkit name such as ArcadeEvalRef'),
    ).optional(),
  })
  .strict();

/** A datastore connection Secret and the resource that produces it. */
export const DatastoreSecretTargetSchema = z
  .object({
    /** Secret name in the release namespace (also the SealedSecret/ExternalSecret name). */
    name,
    /** Keys the Secret must hold (only key names are ever read or shown). */
    keys: z.array(z.string().min(1)).min(1, 'list at least one key'),
    kind: z.enum(['SealedSecret', 'ExternalSecret']),
  })
  .strict();

export const DatastoresTargetSchema = z
  .object({
    /** bundled: the chart's in-cluster PostgreSQL/Redis; managed: external, credentials from Secrets. */
    mode: z.enum(['bundled', 'managed']),
    /** @default [] */
    secrets: z.array(DatastoreSecretTargetSchema).default([]),
  })
  .strict();

export const TargetsSchema = z
  .object({
    namespace: name,
    /** HelmRelease name. */
    release: name,
    /** Namespace of the HelmRelease object. @default namespace */
    releaseNamespace: name.optional(),
    chartVersion: z.string().regex(/^\d+\.\d+\.\d+/, 'must be a chart version such as 1.8.8'),
    /** The Flux Kustomization applying the folder. @default none (then --revision cannot be checked) */
    kustomization: resolvable(z.object({ name, namespace: name }).strict()).optional(),
    collectorService: name,
    /** Label selector of the engine pods (e.g. `app.kubernetes.io/name=engine`). */
    engineSelector: resolvable(
      z.string().min(3).regex(/=/, 'must be a label selector such as app.kubernetes.io/name=engine'),
    ),
    urls: z
      .object({
        api: resolvable(url),
        coordinator: resolvable(url),
        dashboard: resolvable(url),
        experience: resolvable(url),
      })
      .strict(),
    expectedCoordinatorUri: resolvable(url),
    /** Arcade-User-ID values the probes act as (at least one; two prove per-user execution). */
    users: resolvable(z.array(z.string().min(1)).min(1, 'give at least one user id')),
    gateways: z.array(GatewayTargetSchema).min(1, 'give at least one gateway'),
    /** The reference MCP server, called directly to measure the gateway's added latency. @default none */
    referenceServerUrl: resolvable(url).optional(),
    mimir: z
      .object({
        /** Mimir's Prometheus API base (`<mimir>/prometheus`). */
        queryUrl: resolvable(url),
        /** Sent as `X-Scope-OrgID`. */
        tenant: resolvable(z.string().min(1)),
        /** The label the collector puts on every series it relays (src/collector/service.ts). */
        collectorLabel: z
          .object({
            name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name'),
            value: z.string().min(1),
          })
          .strict(),
        /**
         * The engine's `job` label in Mimir: its OTel `service.name`, prefixed by
         * `service.namespace/` when it sets one. @default arcade_engine (vendor docs; NOT confirmed
         * on the live engine: the probe's evidence lists every job seen, README checklist)
         */
        engineJob: z.string().min(1).default(DEFAULT_ENGINE_JOB),
      })
      .strict(),
    oauth: resolvable(
      z.object({ tool: z.string().regex(/^[A-Za-z0-9_.-]+$/), user: z.string().min(1) }).strict(),
    ).optional(),
    latency: z
      .object({
        calls: z.number().int().min(1).max(10000).default(100),
        p95BudgetMs: z.number().positive().default(DEFAULT_P95_BUDGET_MS),
      })
      .strict()
      .prefault({}),
    /**
     * `gateway.unknown-tool`: how long a call of a tool that is not on the gateway may stay
     * unanswered before it counts as a hang; capped at half the probe timeout, so that the verdict
     * is reached before the probe's own deadline. @default 10000
     */
    unknownTool: z
      .object({ waitMs: z.number().int().min(100).max(60_000).default(10_000) })
      .strict()
      .prefault({}),
    /**
     * The cluster's scrape convention `monitoring.servicemonitors` checks: from the environment's
     * `monitoring` section (src/environments/monitoring.ts), or written out in a targets file.
     * @default none (the probe is skipped)
     */
    monitoring: z
      .object({
        scrapeLabels: labelMap('monitoring.scrapeLabels'),
        exclusionLabels: labelMap('monitoring.exclusionLabels'),
      })
      .strict()
      .optional(),
    logWindowMinutes: z.number().int().min(1).max(1440).default(10),
    /**
     * The Mimir ruler the environment's alert rules are loaded into (`alerts.rules-loaded`): its
     * Prometheus API base (`<mimir>/prometheus`), the tenant (`X-Scope-OrgID`), the ruler namespace
     * the stack owns and the groups with their alerts. From the continuous mode when its evaluators
     * name `mimir-ruler` (src/environments/probes.ts). @default none (the probe is skipped)
     */
    ruler: resolvable(
      z
        .object({
          url,
          tenant: z.string().min(1),
          namespace: z.string().min(1),
          groups: z
            .array(
              z
                .object({ name: z.string().min(1), alerts: z.array(z.string().min(1)).min(1, 'list its alerts') })
                .strict(),
            )
            .min(1, 'list at least one group'),
        })
        .strict(),
    ).optional(),
    /**
     * The datastores the release should use (`datastores.managed`). Only a managed environment
     * has something to prove. @default none (the probe is skipped)
     */
    datastores: DatastoresTargetSchema.optional(),
  })
  .strict();

export type Targets = z.output<typeof TargetsSchema>;
export type TargetsInput = z.input<typeof TargetsSchema>;
export type DatastoreSecretTarget = z.output<typeof DatastoreSecretTargetSchema>;

const shape = TargetsSchema.shape;

/**
 * The `probes` section of an environment: a partial of the targets; src/environments/probes.ts
 * fills in what the environment already knows. Here, not there, so that schema.ts can use it
 * without importing what imports schema.ts (a cycle would leave it undefined at load time).
 */
export const ProbesSettingsSchema = TargetsSchema.partial()
  // The scrape convention has one source, the environment's own `monitoring` section.
  .omit({ monitoring: true })
  .extend({
    /** Partial: e.g. only `urls.api`; the rest comes from `hosts`. */
    urls: shape.urls.partial().optional(),
    /** Partial: e.g. only `mimir.engineJob`. */
    mimir: shape.mimir.partial().optional(),
  })
  .strict()
  .optional();
