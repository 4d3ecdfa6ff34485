/**
 * Runs probes: bounded concurrency, a timeout per attempt (an AbortSignal handed to the probe,
 * and a hard stop if the probe ignores it), `skip` when a needed target is unresolved or absent,
 * `error` when the API key or the Kubernetes configuration is needed but missing, bounded
 * retries with backoff for eventually consistent state, and the `--wait` deadline for the
 * deployment probes. Results come back in the order the probes were given, whatever the order
 * they finished in. A thrown error, a timeout or a `pass` without evidence is `error`: never a
 * pass. Redaction (redact.ts): the probes get the run's redactor (`ctx.redact`) and a
 * Kubernetes reader whose answers are already redacted, and every result is redacted again
 * before anyone sees it.
 */
import { systemClock, type Clock } from '../core/clock.js';
import { DeadlineError, withDeadline } from '../core/retry.js';
import { printableLine } from '../core/printable.js';
import { createRedactor, type Redactor } from '../core/redact.js';
import { runLimited } from './run-limited.js';
import { unmetNeeds } from './define-probe.js';
import type { ResolvedTargets } from './resolved-targets.js';
import {
  createRunScope,
  type KubeReader,
  type Probe,
  type ProbeContext,
  type ProbeOutcome,
  type ProbeResult,
  type RunScope,
} from './types.js';
import { at } from '../core/at.js';
import { fetchFailure } from '../core/fetch-failure.js';

export interface RetryPolicy {
  /** Attempts in all for a `retry: 'eventual'` probe (without `--wait`). @default 3 */
  readonly attempts: number;
  /** First delay between attempts, doubled each time (capped at `maxBackoffMs`). @default 500 */
  readonly backoffMs: number;
  /** @default 5000 */
  readonly maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 500, maxBackoffMs: 5000 };

export interface RunOptions {
  readonly targets: ResolvedTargets;
  /** The probes to run, in report order. */
  readonly probes: readonly Probe[];
  /** Probes running at once. @default 16 */
  readonly concurrency?: number;
  /** Per attempt. @default 20000 */
  readonly timeoutMs?: number;
  readonly apiKey?: string;
  /** The run's redactor. @default a redactor of `apiKey` */
  readonly redactor?: Redactor;
  readonly revision?: string;
  /**
   * A Kubernetes reader bound to an attempt's signal; undefined when Kubernetes is not
   * configured (`kubeUnavailable` says why), and probes that need it are `error`.
   */
  readonly kube?: (signal: AbortSignal) => Promise<KubeReader>;
  /** @default "Kubernetes is not configured (set KUBECONFIG)" */
  readonly kubeUnavailable?: string;
  /** @default DEFAULT_RETRY */
  readonly retry?: Partial<RetryPolicy>;
  /** `--wait`: deployment probes with `retry: 'eventual'` retry until this many seconds after the start. @default none */
  readonly waitSeconds?: number;
  /**
   * The run's one clock: what backoff, the `--wait` deadline and durations are measured on, and the
   * time the probes' windows over cluster timestamps start from (`ProbeContext.now`). Tests give a
   * virtual clock, so that a retry loop's outcome is a count of attempts, not a race with the
   * machine's speed, and a window is where the test's stand-in put the time.
   * @default systemClock
   */
  readonly clock?: Clock;
  /**
   * What the probes of this run share (`ProbeContext.run`); the caller reads what they left in it
   * after the run (e.g. the latencies `gateway.latency` measured, for `--otlp`). @default a new scope
   */
  readonly run?: RunScope;
  /**
   * The run's interrupt (SIGINT/SIGTERM, ./interrupted-run.ts): aborts every attempt in flight (its
   * requests take it) and every backoff wait, starts no further probe or attempt, and the run
   * rejects with the signal's reason: nothing of an interrupted run outlives it (a `--wait` loop
   * kept a killed CronJob pod alive until its deadline).
   */
  readonly signal?: AbortSignal;
  readonly onStart?: (probe: Probe, index: number) => void;
  /** Before each attempt after the first (retries, `--wait`): `attempt` counts from 2. */
  readonly onRetry?: (probe: Probe, index: number, attempt: number, last: ProbeOutcome) => void;
  readonly onResult?: (result: ProbeResult, index: number) => void;
}

/** `reader` with every answer redacted (objects, lists, logs) before a probe reads it. */
function redactedReader(reader: KubeReader, redactor: Redactor): KubeReader {
  return {
    server: reader.server,
    get: async (...args) => redactor.deep(await reader.get(...args)),
    list: async (...args) => redactor.deep(await reader.list(...args)),
    log: async (...args) => {
      const text = await reader.log(...args);
      return text === undefined ? undefined : redactor.text(text);
    },
  };
}

async function attempt(
  probe: Probe,
  opts: RunOptions,
  timeoutMs: number,
  run: RunScope,
  redactor: Redactor,
): Promise<ProbeOutcome> {
  let reader: Promise<KubeReader> | undefined;
  // The attempt's signal aborts at its deadline (reason: DeadlineError) and when it ends.
  const contextFor = (signal: AbortSignal): ProbeContext => ({
    targets: opts.targets,
    signal,
    timeoutMs,
    apiKey: opts.apiKey,
    redact: redactor,
    revision: opts.revision,
    now: () => (opts.clock ?? systemClock).now(),
    kube: () => {
      if (!opts.kube)
        return Promise.reject(new Error(opts.kubeUnavailable ?? 'Kubernetes is not configured (set KUBECONFIG)'));
      reader ??= opts.kube(signal).then((r) => redactedReader(r, redactor));
      return reader;
    },
    run,
  });
  try {
    const result = await withDeadline(timeoutMs, (signal) => probe.run(contextFor(signal)), opts.signal);
    if (result.status === 'pass' && Object.keys(result.evidence ?? {}).length === 0) {
      return {
        status: 'error',
        detail: `passed without evidence (${result.detail}): no evidence is never a pass`,
        evidence: {},
      };
    }
    return result;
  } catch (err) {
    opts.signal?.throwIfAborted(); // an interrupt is no probe's outcome: the run ends with it
    if (err instanceof DeadlineError) {
      return {
        status: 'error',
        detail: `timed out after ${timeoutMs / 1000}s (no answer in time: no evidence)`,
        evidence: { timeoutMs },
      };
    }
    const cause = fetchFailure(err).code;
    return {
      status: 'error',
      detail: `${(err as Error).message ?? String(err)}${cause ? ` (${cause})` : ''}`,
      evidence: {},
    };
  }
}

async function runOne(
  probe: Probe,
  index: number,
  opts: RunOptions,
  startedAt: number,
  run: RunScope,
  redactor: Redactor,
): Promise<Omit<ProbeResult, 'id' | 'category' | 'title'>> {
  const clock = opts.clock ?? systemClock;
  const began = clock.now();
  const done = (o: ProbeOutcome, attempts: number) => ({ ...o, durationMs: clock.now() - began, attempts });
  const skip = unmetNeeds(probe, opts.targets);
  if (skip) return done(skip, 0);
  if (probe.needsApiKey && !opts.apiKey) {
    return done(
      {
        status: 'error',
        detail: 'ARCADE_API_KEY is not set (fix: export ARCADE_API_KEY in the environment running the probes)',
        evidence: {},
      },
      0,
    );
  }
  if (probe.needsKube && !opts.kube) {
    return done(
      {
        status: 'error',
        detail: opts.kubeUnavailable ?? 'Kubernetes is not configured (fix: set KUBECONFIG)',
        evidence: {},
      },
      0,
    );
  }
  const policy = { ...DEFAULT_RETRY, ...opts.retry };
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const eventual = probe.retry === 'eventual';
  const deadline =
    eventual && probe.category === 'deployment' && opts.waitSeconds !== undefined
      ? startedAt + opts.waitSeconds * 1000
      : undefined;
  let attempts = 0;
  let delay = policy.backoffMs;
  for (;;) {
    attempts++;
    const result = await attempt(probe, opts, timeoutMs, run, redactor);
    const retryable = eventual && (result.status === 'fail' || result.status === 'error');
    const more = deadline !== undefined ? clock.now() + delay < deadline : attempts < Math.max(1, policy.attempts);
    if (!retryable || !more) {
      const waited = deadline !== undefined && retryable ? ` (still failing after --wait ${opts.waitSeconds}s)` : '';
      return done({ ...result, detail: `${result.detail}${waited}` }, attempts);
    }
    await clock.sleep(delay, opts.signal);
    delay = Math.min(delay * 2, policy.maxBackoffMs);
    opts.onRetry?.(probe, index, attempts + 1, redactor.deep(oneLine(result)));
  }
}

/** `o` with its detail one printable line (README "Text from outside"): every result and every retry's. */
function oneLine<T extends { readonly detail: string }>(o: T): T {
  return { ...o, detail: printableLine(o.detail, Number.POSITIVE_INFINITY) };
}

/** Runs the probes and returns their results in the given order. */
export async function runProbes(opts: RunOptions): Promise<ProbeResult[]> {
  const startedAt = (opts.clock ?? systemClock).now();
  // One scope for the whole run: what the probes share (e.g. MCP sessions) lives as long as the run.
  const run = opts.run ?? createRunScope();
  const redactor = opts.redactor ?? createRedactor([opts.apiKey]);
  return runLimited(opts.probes.length, Math.max(1, opts.concurrency ?? 16), async (index) => {
    const probe = at(opts.probes, index, 'probe');
    opts.signal?.throwIfAborted();
    opts.onStart?.(probe, index);
    const r = await runOne(probe, index, opts, startedAt, run, redactor);
    // One line, made printable here, once for every probe and every report (terminal, JSON, JUnit, Markdown):
    // a detail may quote a server, a tool's name, an error message (README "Text from outside").
    const result: ProbeResult = redactor.deep({
      id: probe.id,
      category: probe.category,
      title: probe.title,
      ...oneLine(r),
    });
    opts.onResult?.(result, index);
    return result;
  });
}
