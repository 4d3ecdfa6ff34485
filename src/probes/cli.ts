/**
 * `npm run probe`: argument parsing, targets, configuration checks, the run, the outputs and the
 * exit code, as one function over injected streams and environment (scripts/probe.ts calls it
 * with the process's; tests call it in-process).
 *
 * Exit codes: 0 nothing failed or errored (skips and known gaps allowed), 1 a probe failed or
 * errored, 2 usage or configuration error (always before any probe runs).
 * Credentials come only from `env`: ARCADE_API_KEY (shown as its last 4 characters at most) and
 * KUBECONFIG (or the in-cluster service account).
 *
 * Output: every byte written to stdout, stderr and the report files passes through one redactor
 * built from the run's secrets (redact.ts); the report paths are checked before anything runs
 * (report-files.ts); the terminal view is terminal.ts; the command line, cli-options.ts.
 */
import { basename, resolve } from 'node:path';
import { ENVIRONMENTS_DIR, EnvironmentError, loadEnvironment } from '../environments/load.js';
import { ProbeTargetsError, targetsFromEnvironment } from '../environments/probes.js';
import { describeKubeConfig, KubeConfigError } from '../kube/kubeconfig.js';
import type { KubeAccess } from './kube.js';
import { registry } from './registry.js';
import { type Clock, systemClock } from '../core/clock.js';
import { createRedactor, redactedWriter, type Redactor } from '../core/redact.js';
import { buildReport, exitCodeOf, summaryLine } from './report.js';
import {
  checkReportFiles,
  humanLinesTo,
  reportFiles,
  ReportPathError,
  writeReportFiles,
  type ReportFile,
} from './report-files.js';
import { untilInterrupted } from './interrupted-run.js';
import { colorEnabled, lineView, liveView, liveViewAllowed } from './terminal.js';
import { unwrapped, wrapping } from './terminal-report.js';
import { unmetNeeds } from './define-probe.js';
import { resolveTargets } from './resolved-targets.js';
import { readTargetsFile } from './targets-file.js';
import { runProbes, type RetryPolicy } from './runner.js';
import type { Targets } from '../environments/probe-targets.js';
import { createRunScope, keyLabel, type OtlpDelivery, type Probe, type ProbeResult } from './types.js';
import { GATEWAY_LATENCY_SAMPLES } from './gateway/latency.js';
import { ConfigurationError, UsageError } from '../core/command-error.js';
import { describeFailure } from '../core/script.js';
import { repositoryAbove } from '../core/command-inputs.js';
import { answerUsage, isSelected, parseProbeArgs, PROBE_SCRIPT, type ProbeOptions } from './cli-options.js';

export interface WritableText {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

export interface CliIo {
  /** The process environment (credentials: ARCADE_API_KEY, KUBECONFIG; CI). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: WritableText;
  readonly stderr: WritableText;
  /** Retry policy for eventually consistent probes. @default DEFAULT_RETRY (tests shorten it) */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * The run's one clock (src/core/clock.ts): retries and `--wait`, the probes' time windows, the
   * report's start and duration, and the progress lines and live redraws.
   * @default systemClock (tests give a virtual one, or fake timers under it)
   */
  readonly clock?: Clock;
  /** Aborted (reason: the signal's name) on SIGINT/SIGTERM: the run stops (./interrupted-run.ts). */
  readonly signal?: AbortSignal;
  /** Folder of environment files. @default src/environments */
  readonly environmentsDir?: string;
  /** `--otlp`: the whole delivery ends by then. @default OTLP_DEADLINE_MS (tests shorten it for a hanging collector) */
  readonly otlpDeadlineMs?: number;
}

/**
 * How long `--otlp` may take after the probes (collect, send with the retries OTLP/HTTP asks for:
 * 429/502/503/504 and a failed connect, on `clock`; shut down): a collector that hangs or is down
 * costs the run this much at most, well inside a 5-minute schedule, and is reported.
 */
export const OTLP_DEADLINE_MS = 10_000;

function selectProbes(opts: ProbeOptions): Probe[] {
  return registry.filter((p) => isSelected(p.id, opts.only, opts.skip));
}

interface Loaded {
  readonly environment: string;
  readonly targets: Targets;
}

function loadTargets(opts: ProbeOptions, io: CliIo): Loaded {
  if (opts.targets)
    return {
      environment: basename(opts.targets).replace(/\.ya?ml$/, ''),
      targets: readTargetsFile(resolve(opts.targets)),
    };
  try {
    const { env, file, warnings } = loadEnvironment(opts.env, io.environmentsDir);
    for (const w of warnings) io.stderr.write(`probe: warning: ${w}\n`);
    return { environment: env.name, targets: targetsFromEnvironment(env, file) };
  } catch (err) {
    if (err instanceof EnvironmentError || err instanceof ProbeTargetsError) throw new ConfigurationError(err.message);
    throw err;
  }
}

/** `--otlp`: the run's metrics to the collector (the SDK is loaded here, only then). Never throws. */
async function deliver(
  url: string,
  environment: string,
  results: readonly ProbeResult[],
  latencies: ReadonlyMap<string, readonly number[]>,
  endedAt: Date,
  io: CliIo,
  redactor: Redactor,
): Promise<OtlpDelivery> {
  try {
    const { exportRunMetrics } = await import('./otlp-export.js');
    return await exportRunMetrics({
      url,
      environment,
      results,
      latencies,
      endedAt,
      redactor,
      deadlineMs: io.otlpDeadlineMs ?? OTLP_DEADLINE_MS,
      ...(io.clock ? { clock: io.clock } : {}),
    });
  } catch (err) {
    // The SDK could not even load: still a delivery note, never a changed exit code.
    return {
      url: redactor.text(url),
      status: 'failed',
      metrics: 0,
      dataPoints: 0,
      detail: redactor.text(`could not load the OpenTelemetry SDK: ${(err as Error).message}`),
    };
  }
}

/** Runs the probes against the loaded targets; returns the exit code. */
async function probe(
  opts: ProbeOptions,
  loaded: Loaded,
  files: readonly ReportFile[],
  io: CliIo,
  redactor: Redactor,
): Promise<number> {
  const targets = resolveTargets(loaded.targets);
  const probes = selectProbes(opts); // never none: parseProbeArgs refuses such a selection
  const runnable = probes.filter((p) => unmetNeeds(p, targets) === undefined);
  if (opts.revision && runnable.some((p) => p.id === 'flux.release-ready') && !targets.kustomization.ok) {
    throw new ConfigurationError(
      `--revision needs the Flux Kustomization: ${targets.kustomization.because} (fix: set kustomization {name, namespace} in the targets)`,
    );
  }
  let kube: KubeAccess | undefined;
  if (runnable.some((p) => p.needsKube)) {
    const { loadKubeAccess } = await import('./kube.js');
    try {
      kube = await loadKubeAccess(io.env);
    } catch (err) {
      if (err instanceof KubeConfigError) throw new ConfigurationError(err.message);
      throw err;
    }
  }
  const apiKey = io.env.ARCADE_API_KEY || undefined;
  // A report on stdout (`--json -`) is stdout's whole text: every human line goes to stderr.
  const document = redactedWriter(io.stdout, redactor);
  const out = redactedWriter(humanLinesTo(files, io), redactor);
  const err = redactedWriter(io.stderr, redactor);
  out.write(
    `Probing ${loaded.environment}: ${probes.length} probe(s), ${keyLabel(apiKey)}, ` +
      (kube ? `Kubernetes ${describeKubeConfig(kube)}` : 'no Kubernetes needed') +
      `${opts.waitSeconds !== undefined ? `, --wait ${opts.waitSeconds}s` : ''}${opts.revision ? `, --revision ${opts.revision}` : ''}\n`,
  );
  const clock = io.clock ?? systemClock;
  const color = colorEnabled(io.env, out.isTTY === true);
  const view = liveViewAllowed(out, io.env)
    ? await liveView(out, probes, color, clock)
    : lineView(out, probes, out.isTTY && out.columns ? await wrapping(out.columns, color) : unwrapped(color), clock);
  const startedAt = new Date(clock.now());
  const run = createRunScope();
  // An interrupt ends the run itself (its waits and requests take the signal): nothing is printed after it.
  const results = await runProbes({
    signal: io.signal,
    run,
    targets,
    probes,
    concurrency: opts.concurrency,
    timeoutMs: opts.timeoutSeconds * 1000,
    apiKey,
    redactor,
    revision: opts.revision,
    kube: kube ? (signal) => kube.reader(signal) : undefined,
    retry: io.retry,
    clock,
    waitSeconds: opts.waitSeconds,
    onStart: (p, i) => view.start(p, i),
    onRetry: (p, i, attempt, last) => view.retry(p, i, attempt, last),
    onResult: (r, i) => view.result(r, i),
  }).catch((err: unknown) => {
    view.stop();
    throw err;
  });
  view.end(results);
  const endedAt = new Date(clock.now());
  let report = buildReport(loaded.environment, startedAt, endedAt.getTime() - startedAt.getTime(), results, kube);
  if (opts.otlp) {
    const otlp = await deliver(
      opts.otlp,
      loaded.environment,
      results,
      run.get(GATEWAY_LATENCY_SAMPLES),
      endedAt,
      io,
      redactor,
    );
    report = { ...report, delivery: { otlp } };
    if (otlp.status === 'delivered') out.write(`sent the run's metrics to ${otlp.url} (OTLP): ${otlp.detail}\n`);
    else
      err.write(
        `probe: warning: the run's metrics were not delivered to ${otlp.url} (OTLP): ${otlp.detail}; ` +
          "the results and the exit code below are the probes', unchanged\n",
      );
  }
  io.signal?.throwIfAborted(); // interrupted during --otlp: no report and no summary after the interrupt's line
  const written = writeReportFiles(report, files, redactor, { stdout: document, stderr: err });
  for (const { file, error } of written) {
    if (error)
      err.write(
        `probe: could not write the ${file.what} report (${file.option}) to ${file.path}: ${error}; the other reports and the summary below are complete\n`,
      );
    else out.write(`wrote ${file.what} report to ${file.path}\n`);
  }
  out.write(`${summaryLine(report)}\n`);
  return written.some((w) => w.error) ? 1 : exitCodeOf(report);
}

/** The whole command. Returns the exit code (0, 1 or 2); never calls process.exit. */
export async function runProbeCli(args: readonly string[], io: CliIo): Promise<number> {
  let demo: Promise<{ targets: Targets; env: Record<string, string>; close(): Promise<void> }> | undefined;
  const stopped = (by: string) =>
    `interrupted by ${by}: stopped the run${demo ? "; the demo's stand-ins were stopped and their kubeconfig folder removed" : ''}; no report written`;
  // Built once from the secrets; rebuilt only when --demo brings its own key.
  let redactor = createRedactor([io.env.ARCADE_API_KEY]);
  const stderr = () => redactedWriter(io.stderr, redactor);
  try {
    const answered = answerUsage(args, io);
    if (answered !== undefined) return answered;
    const opts = parseProbeArgs(args);
    const files = reportFiles(opts);
    // Every environment file it may read is an input: outside .build/ a bundle's is its own folder
    // (the image's /app). The repository: the nearest folder above it with a package.json.
    const environments = io.environmentsDir ?? ENVIRONMENTS_DIR;
    checkReportFiles(files, {
      repoRoot: repositoryAbove(ENVIRONMENTS_DIR),
      entriesOf: [{ option: '--env', path: environments }],
      files: [{ option: '--targets', path: opts.targets }],
    });
    if (!opts.demo)
      return await untilInterrupted(probe(opts, loadTargets(opts, io), files, io, redactor), io.signal, stopped);
    const { startDemo } = await import('./demo.js');
    humanLinesTo(files, io).write(
      'Starting loopback stand-ins of a healthy platform (Kubernetes API, Mimir, Arcade API, MCP gateway, reference server)...\n',
    );
    demo = startDemo();
    const started = await untilInterrupted(demo, io.signal, stopped);
    redactor = createRedactor([io.env.ARCADE_API_KEY, started.env.ARCADE_API_KEY]);
    // The demo's own credentials replace the caller's for this run only.
    const run = probe(
      opts,
      { environment: 'demo', targets: started.targets },
      files,
      { ...io, env: { ...io.env, ...started.env } },
      redactor,
    );
    return await untilInterrupted(run, io.signal, stopped);
  } catch (err) {
    if (err instanceof UsageError) {
      stderr().write(`${describeFailure(PROBE_SCRIPT.name, err).text}\n`);
      return 2;
    }
    if (err instanceof ConfigurationError || err instanceof ReportPathError) {
      stderr().write(`probe: configuration error (no probe was run):\n${err.message}\n`);
      return 2;
    }
    // Anything else (a bug: its stack helps) as the harness words it, redacted like everything else.
    const failure = describeFailure(PROBE_SCRIPT.name, err);
    stderr().write(`${failure.text}\n`);
    return failure.code;
  } finally {
    // Stopped on any ending, an interrupt during its start too: its kubeconfig folder goes with it.
    await demo?.then(
      (d) => d.close(),
      () => undefined,
    );
  }
}
