/**
 * `otel.engine-export-clean`: the engine pods' logs covering the whole window contain no
 * `failed to upload metrics` (the error the engine logs when its OTLP push fails, FACTS
 * "Telemetry").
 *
 * "Covering the whole window" (window = the last `logWindowMinutes` before the last log answer
 * arrived, read with `sinceSeconds` and `timestamps=true`): a clean log only proves something for
 * the time it spans, so for every engine pod
 * - the log must exist and hold at least one line (missing or empty: no evidence, `error`);
 * - the container's current instance started BEFORE the window: its first line must be within
 *   the tolerance (default 60 s, the engine's export interval) of the window start, or part of
 *   the window is unaccounted for (rotated or truncated log, or an engine that logs nothing);
 * - the current instance started INSIDE the window: the log covers it from its start only when
 *   there was no earlier instance during the window (a restart inside the window means the
 *   previous instance's lines are not in this log, `error`), and its first line is within the
 *   tolerance of the container's start.
 * Pods deleted during the window are not seen (the API lists only current pods).
 * Any `failed to upload metrics` line is `fail`, whatever the coverage.
 */
import { defineProbe } from '../define-probe.js';
import { outcome, type ProbeOutcome } from '../types.js';
import { list, nameOf, num, str, time } from './objects.js';
import type { UncheckedKubeObject } from '../../core/manifests.js';
import { printableLine } from '../../core/printable.js';

export const EXPORT_FAILURE = /failed to upload metrics/i;
/** @default 60 s: the engine exports about every 60 s (FACTS). */
export const COVERAGE_TOLERANCE_MS = 60_000;

export interface EngineLog {
  readonly pod: UncheckedKubeObject;
  readonly container: string;
  /** `timestamps=true` log text since the window start; undefined when the pod has no log. */
  readonly log: string | undefined;
}

export interface EngineExportInput {
  readonly namespace: string;
  readonly selector: string;
  readonly windowStartMs: number;
  readonly windowMinutes: number;
  readonly toleranceMs?: number;
  readonly logs: readonly EngineLog[];
}

interface Line {
  readonly at: number | undefined;
  readonly text: string;
}

function parseLines(log: string): Line[] {
  return log
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const stamped = /^(?<time>\d{4}-\d{2}-\d{2}T\S+)\s(?<text>.*)$/.exec(l)?.groups;
      const at = stamped?.time === undefined ? Number.NaN : Date.parse(stamped.time);
      return Number.isNaN(at) || stamped?.text === undefined ? { at: undefined, text: l } : { at, text: stamped.text };
    });
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Why a pod's log does not cover the window, or undefined when it does. */
function coverageGap(
  entry: EngineLog,
  lines: readonly Line[],
  windowStart: number,
  tolerance: number,
): string | undefined {
  const pod = nameOf(entry.pod);
  if (lines.length === 0) return `pod/${pod}: empty log in the window (no evidence)`;
  const first = lines[0]?.at; // lines is not empty (above)
  if (first === undefined) return `pod/${pod}: log lines carry no timestamps (cannot tell what the log covers)`;
  const status = list(entry.pod, 'status.containerStatuses').find((c) => str(c, 'name') === entry.container);
  const started = time(status, 'state.running.startedAt');
  if (started === undefined) return `pod/${pod}: container ${entry.container} is not running`;
  if (started <= windowStart) {
    return first <= windowStart + tolerance
      ? undefined
      : `pod/${pod}: log starts at ${iso(first)}, ${Math.round((first - windowStart) / 1000)}s ` +
          `after the window start, although the container ran since ${iso(started)} (rotated, ` +
          `truncated or silent)`;
  }
  const previousEnd = time(status, 'lastState.terminated.finishedAt');
  if ((num(status, 'restartCount') ?? 0) > 0 && (previousEnd === undefined || previousEnd >= windowStart)) {
    return `pod/${pod}: container restarted at ${iso(started)} inside the window; the previous instance's log is not covered`;
  }
  return first <= started + tolerance
    ? undefined
    : `pod/${pod}: log starts at ${iso(first)}, ${Math.round((first - started) / 1000)}s after the container started`;
}

export function evaluateEngineExport(input: EngineExportInput): ProbeOutcome {
  const tolerance = input.toleranceMs ?? COVERAGE_TOLERANCE_MS;
  const base = {
    namespace: input.namespace,
    selector: input.selector,
    windowStart: iso(input.windowStartMs),
    windowMinutes: input.windowMinutes,
  };
  if (input.logs.length === 0)
    return outcome.fail(`no engine pod matches ${input.selector} in ${input.namespace}: no engine, no export`, base);
  const failures: string[] = [];
  const gaps: string[] = [];
  const pods = input.logs.map((entry) => {
    const pod = nameOf(entry.pod);
    if (entry.log === undefined) {
      gaps.push(`pod/${pod}: no log (no evidence)`);
      return { pod, lines: 0, failures: 0, covered: false };
    }
    const lines = parseLines(entry.log);
    const bad = lines.filter((l) => EXPORT_FAILURE.test(l.text));
    failures.push(...bad.map((l) => `pod/${pod}: ${printableLine(l.text, 200)}`));
    const gap = coverageGap(entry, lines, input.windowStartMs, tolerance);
    if (gap) gaps.push(gap);
    return {
      pod,
      lines: lines.length,
      failures: bad.length,
      covered: gap === undefined,
      firstLine: lines[0]?.at !== undefined ? iso(lines[0].at) : null,
    };
  });
  const evidence = { ...base, pods, excerpts: failures.slice(0, 3), gaps };
  if (failures.length > 0)
    return outcome.fail(
      `${failures.length} 'failed to upload metrics' line(s) in ${input.windowMinutes} min: ${failures[0]}`,
      evidence,
    );
  if (gaps.length > 0)
    return outcome.error(`engine logs do not cover the ${input.windowMinutes}-minute window: ${gaps[0]}`, evidence);
  const total = pods.reduce((n, p) => n + p.lines, 0);
  return outcome.pass(
    `${pods.length} engine pod(s), ${total} log lines over ${input.windowMinutes} min, no export failure`,
    evidence,
  );
}

export const engineExportClean = defineProbe({
  id: 'otel.engine-export-clean',
  category: 'observability',
  title: "Engine logs free of 'failed to upload metrics' over the window",
  needs: (t) => ({ namespace: t.namespace, selector: t.engineSelector, logWindowMinutes: t.logWindowMinutes }),
  needsKube: true,
  async run(ctx, { namespace, selector, logWindowMinutes }) {
    const kube = await ctx.kube();
    const windowSeconds = logWindowMinutes * 60;
    const pods = await kube.list('v1', 'Pod', namespace, selector);
    const logs = await Promise.all(
      pods.map(async (pod): Promise<EngineLog> => {
        const containers = list(pod, 'spec.containers').map((c) => str(c, 'name') ?? '');
        const container = containers.find((c) => /engine/.test(c)) ?? containers[0] ?? '';
        const log = await kube.log(namespace, nameOf(pod), container || undefined, windowSeconds, { timestamps: true });
        return { pod, container, log };
      }),
    );
    // The window ends when the last log has arrived, not when the probe started. The API server
    // counts `sinceSeconds` back from when it read the request, never later than the answer's
    // arrival: anchored here, every log returned reaches back to the window's start (when the
    // pod logged that far back). Anchored before the requests, the window would start earlier by
    // however long they took, and a slow API server or machine would eat the coverage tolerance.
    const windowStartMs = (ctx.now ?? Date.now)() - windowSeconds * 1000;
    return evaluateEngineExport({ namespace, selector, windowStartMs, windowMinutes: logWindowMinutes, logs });
  },
});
