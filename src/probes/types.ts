/**
 * The probe contract: what a probe is, what it returns, and what the runner gives it.
 *
 * A probe is a small object with an id (part of the CLI interface), a category (the evaluation
 * category it serves) and a `run` that gathers evidence through thin clients and hands it to a
 * pure evaluator (`evaluate*` functions, tested on fixtures). The runner (runner.ts) owns
 * concurrency, per-probe timeouts, bounded retries, `--wait` and skipping unresolved targets.
 *
 * Rules every probe follows:
 * - No evidence is never a pass: an empty answer, a missing log or an unreachable host is `fail`
 *   or `error`, with the cause in `detail` (and the runner makes a `pass` with empty evidence `error`).
 * - `error` = the probe could not establish the fact (timeout, connection refused, malformed
 *   response, 5xx); `fail` = it established the fact and the fact is wrong.
 * - `evidence` is small, JSON-serializable and secret-free (no API key, no Secret values, no
 *   tokens): names, counts, statuses, versions, latencies, excerpts of a few lines at most.
 *   What a server answered is passed through `ctx.redact` before it is quoted or shortened.
 * - Probes never write to the cluster or change state in Arcade (no OAuth flow is started).
 */
import { type Redactor, secretEnd } from '../core/redact.js';
import type { Field, ResolvedTargets } from './resolved-targets.js';

export type ProbeStatus = 'pass' | 'fail' | 'error' | 'skip' | 'known-gap';

/** The evaluation category a probe serves (README "Probes"). */
export type ProbeCategory = 'deployment' | 'observability' | 'gateway' | 'security' | 'performance';

/** JSON-serializable evidence: what was observed, for a person and for CI. */
export type Evidence = Readonly<Record<string, unknown>>;

/** What a probe (or a pure evaluator) concludes. */
export interface ProbeOutcome {
  readonly status: ProbeStatus;
  /** One line a person reads in the table: what was proven, or what is wrong and where. */
  readonly detail: string;
  readonly evidence: Evidence;
}

/** One probe's result in a report. */
export interface ProbeResult extends ProbeOutcome {
  readonly id: string;
  readonly category: ProbeCategory;
  readonly title: string;
  readonly durationMs: number;
  /** How many times `run` was called (retries for eventually consistent state, `--wait`). */
  readonly attempts: number;
}

/** The read-only Kubernetes access a probe gets (see kube.ts). */
export interface KubeReader {
  /** The API server URL (for evidence; never credentials). */
  readonly server: string;
  /** GET one object; undefined when it does not exist (404). */
  get(apiVersion: string, kind: string, namespace: string, name: string): Promise<Record<string, unknown> | undefined>;
  /** LIST objects of a kind in a namespace, optionally by label selector. */
  list(apiVersion: string, kind: string, namespace: string, labelSelector?: string): Promise<Record<string, unknown>[]>;
  /**
   * A pod's (container's) log since `sinceSeconds`; undefined when the pod has no log.
   * `options.timestamps` prefixes every line with its RFC 3339 time (as `kubectl logs --timestamps`).
   */
  log(
    namespace: string,
    pod: string,
    container: string | undefined,
    sinceSeconds: number,
    options?: { readonly timestamps?: boolean },
  ): Promise<string | undefined>;
}

/**
 * Something the probes of one run may share (e.g. MCP sessions), created on first use by `create`.
 * The token object itself is the key: keep one per kind, at module level.
 */
export interface RunShared<T> {
  /** For a person reading a debugger or an error. */
  readonly name: string;
  create(): T;
}

/** Run-scoped values: one per `RunShared` token for the whole run (see `ProbeContext.run`). */
export interface RunScope {
  get<T>(shared: RunShared<T>): T;
}

/** A new, empty run scope (the runner makes one per run; tests make one per simulated run). */
export function createRunScope(): RunScope {
  const values = new Map<RunShared<unknown>, unknown>();
  return {
    get<T>(shared: RunShared<T>): T {
      if (!values.has(shared)) values.set(shared, shared.create());
      return values.get(shared) as T;
    },
  };
}

/** What the runner hands to a probe on each attempt. */
export interface ProbeContext {
  /** Every target field, present or missing with its reason (resolved-targets.ts). */
  readonly targets: ResolvedTargets;
  /** Aborted at the probe's timeout: pass it to every fetch / client call. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** ARCADE_API_KEY from the process environment (never printed: use `keyLabel`). */
  readonly apiKey: string | undefined;
  /**
   * The run's redactor (every form and fragment of the API key, redact.ts). Apply it to what a
   * server answered (bodies, error messages, tool results) before an evaluator quotes or
   * shortens any of it: a shortened key is no longer recognizable as one. The Kubernetes reader
   * from `kube()` is already redacted.
   */
  readonly redact: Redactor;
  /** `--revision`: the git commit the Flux Kustomization must have applied. */
  readonly revision: string | undefined;
  /** The Kubernetes reader; throws a configuration error when no kubeconfig is available. */
  kube(): Promise<KubeReader>;
  /**
   * Wall-clock time (ms since the epoch) for windows compared with timestamps the cluster reports
   * (log lines): the run's clock (`RunOptions.clock`; tests give one shared with their stand-in).
   * @default Date.now (a probe run on its own, outside the runner)
   */
  readonly now?: () => number;
  /**
   * Shared by every probe of the same run (the runner gives one per `runProbes`). Optional: a
   * probe must work without it (alone, it gets nothing to share) and must not let what it shares
   * change another probe's evidence. @default none
   */
  readonly run?: RunScope;
}

/** The target fields a probe needs, under the names its `run` reads them by (define-probe.ts). */
export type Needs = Readonly<Record<string, Field<unknown>>>;

export interface Probe {
  /** Stable id, part of the interface (`--only`, `--skip`, JSON, JUnit). e.g. `flux.release-ready`. */
  readonly id: string;
  readonly category: ProbeCategory;
  readonly title: string;
  /**
   * Picks the target fields the probe needs (e.g. `(t) => ({ queryUrl: t.mimir.queryUrl })`).
   * When any is missing, the probe is `skip` with the reasons, and `run` is never called.
   * Write probes with `defineProbe`, which hands `run` the values, typed.
   */
  needs(targets: ResolvedTargets): Needs;
  /** Needs ARCADE_API_KEY: without it the probe is `error` with "ARCADE_API_KEY is not set". */
  readonly needsApiKey?: boolean;
  /** Needs the Kubernetes API. */
  readonly needsKube?: boolean;
  /**
   * Eventually consistent state: the runner retries a non-pass a bounded number of times with
   * backoff (and until the `--wait` deadline for deployment probes).
   */
  readonly retry?: 'eventual';
  run(ctx: ProbeContext): Promise<ProbeOutcome>;
}

/** The whole run, as written by `--json` (the issue fixes this shape). */
export interface ProbeReport {
  readonly environment: string;
  /** The cluster the run read, and where its configuration came from (absent when no probe needed one). */
  readonly kubernetes?: { readonly server: string; readonly context: string; readonly source: string };
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: {
    readonly passed: number;
    readonly failed: number;
    readonly errors: number;
    readonly skipped: number;
    readonly knownGaps: number;
  };
  readonly results: readonly ProbeResult[];
  /** Where the run's metrics were sent (`--otlp`), and whether they arrived; absent without `--otlp`. */
  readonly delivery?: { readonly otlp: OtlpDelivery };
}

/**
 * The delivery note of `--otlp`: the run's metrics pushed to the collector, or why not. It never
 * changes the exit code (the probes' verdict is the run's, not the collector's).
 */
export interface OtlpDelivery {
  /** The OTLP/HTTP metrics URL (redacted). */
  readonly url: string;
  readonly status: 'delivered' | 'failed';
  /** Metrics and data points in the push (collected before sending: also set when it failed). */
  readonly metrics: number;
  readonly dataPoints: number;
  /** `N metrics, N data points`, or the reason it failed (redacted, one line). */
  readonly detail: string;
}

/** Helpers to build outcomes tersely and consistently. */
export const outcome = {
  pass: (detail: string, evidence: Evidence = {}): ProbeOutcome => ({ status: 'pass', detail, evidence }),
  fail: (detail: string, evidence: Evidence = {}): ProbeOutcome => ({ status: 'fail', detail, evidence }),
  error: (detail: string, evidence: Evidence = {}): ProbeOutcome => ({ status: 'error', detail, evidence }),
  skip: (detail: string, evidence: Evidence = {}): ProbeOutcome => ({ status: 'skip', detail, evidence }),
  knownGap: (detail: string, evidence: Evidence = {}): ProbeOutcome => ({ status: 'known-gap', detail, evidence }),
};

/** An API key as it may be shown: a label and its last 4 characters (none of a short key: src/core/redact.ts secretEnd). */
export function keyLabel(key: string | undefined): string {
  if (!key) return 'ARCADE_API_KEY (not set)';
  return `ARCADE_API_KEY ${secretEnd(key) || '(set)'}`;
}
