/**
 * What a person reads while and after the probes run.
 *
 * - The report: one block per probe in the documented order (the registry's, docs/probes.md),
 *   every detail in full. On a terminal it is wrapped to the terminal's width: the detail beside
 *   the row when at least 40 columns are left for it, else under the row; without a terminal
 *   (CI, a pipe) each result is one unwrapped line. Then the evidence of what did not pass.
 * - While the probes run, on a terminal (`isTTY`, `CI` unset, `TERM` not `dumb`) with room for
 *   every row: a live table redrawn in place by log-update, which the report replaces at the end.
 *   Otherwise (or when the terminal shrinks under it): the report's blocks are printed as they
 *   complete, each held until every probe above it has finished, so the order is the documented
 *   one, and a progress line is printed whenever 10 s pass without output (a `--wait` can hold the
 *   first rows for minutes).
 * - Evidence of what did not pass: YAML on a terminal, one JSON line per result without one.
 * - Colour only on the status label: on a terminal unless `NO_COLOR` is set or `TERM=dumb`;
 *   `FORCE_COLOR` forces it on (`0`/`false`: off) even through a pipe, as node itself reads them.
 *
 * Libraries: log-update (sindresorhus; node >= 20 for 7.x) redraws the live table by diffing
 * frames, wrapped to the width and clipped to the terminal's height, and hides the cursor while it
 * draws (restoring it on exit); wrap-ansi wraps to the width with string-width's idea of a
 * character's width. Both load only on the terminal path (`import()`), so CI runs do not pay for them.
 *
 * This file holds the views (line and live) and the terminal rules; the report's blocks and
 * layout are terminal-report.ts.
 */
import type { Probe, ProbeOutcome, ProbeResult, ProbeStatus } from './types.js';
import {
  columnTitles,
  columnsFor,
  evidenceSection,
  flat,
  head,
  headWidth,
  renderReport,
  reportHeader,
  resultBlock,
  time,
  wrapping,
  type Layout,
} from './terminal-report.js';
import { at } from '../core/at.js';
import { type Clock, systemClock } from '../core/clock.js';

/** A stream the probe CLI writes to: the process's stdout, or a test's capture. */
export interface TextOut {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

/** At most this long without a line in the line view before a progress line is printed. */
export const PROGRESS_EVERY_MS = 10_000;
/** The live view redraws its elapsed time this often. */
const TICK_MS = 1_000;
type Env = Readonly<Record<string, string | undefined>>;

/** Colour on or off, as node reads the environment (FORCE_COLOR first, then NO_COLOR, then TERM=dumb, then a TTY). */
export function colorEnabled(env: Env, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

/** Whether a live (redrawn) view may be used: a terminal that is not dumb, outside CI. */
export function liveViewAllowed(out: TextOut, env: Env): boolean {
  return out.isTTY === true && !env.CI && env.TERM !== 'dumb';
}

/** Receives the runner's events and prints what a person sees. */
export interface ProgressView {
  start(probe: Probe, index: number): void;
  retry(probe: Probe, index: number, attempt: number, last: ProbeOutcome): void;
  result(result: ProbeResult, index: number): void;
  /** After the last result: prints what remains of the report (all of it after a live view). */
  end(results: readonly ProbeResult[]): void;
  /** An interrupted run: prints nothing more (no progress line, no redraw), the report never printed. */
  stop(): void;
}

interface Pending {
  attempt: number;
  last?: ProbeStatus;
}

/**
 * The report printed as results complete, in order (each block held until the ones above it are
 * printed), with a progress line whenever PROGRESS_EVERY_MS pass without one.
 */
export function lineView(
  out: TextOut,
  probes: readonly Probe[],
  layout: Layout,
  clock: Clock = systemClock,
): ProgressView {
  const c = columnsFor(probes);
  const results: (ProbeResult | undefined)[] = probes.map(() => undefined);
  const pending = new Map<number, Pending>();
  const started = clock.now();
  let printed = 0;
  let cancel: (() => void) | undefined;
  const write = (text: string) => {
    out.write(`${text}\n`);
    arm();
  };
  function arm(): void {
    cancel?.();
    cancel = clock.schedule(progress, PROGRESS_EVERY_MS);
  }
  function progress(): void {
    cancel = undefined;
    const done = results.filter(Boolean).length;
    const waiting = [...pending.entries()].map(
      ([i, p]) =>
        `${at(probes, i, 'probe').id}${p.attempt > 1 ? ` (attempt ${p.attempt}, last ${p.last ?? '?'})` : ''}`,
    );
    const held = done - printed;
    write(
      `… ${Math.round((clock.now() - started) / 1000)} s: ${done} of ${probes.length} done${held > 0 ? ` (${held} held back to keep the order)` : ''}` +
        `${waiting.length > 0 ? `; running: ${waiting.join(', ')}` : ''}`,
    );
  }
  write(reportHeader(layout, c));
  return {
    start: (_p, i) => void pending.set(i, { attempt: 1 }),
    retry: (_p, i, attempt, last) => void pending.set(i, { attempt, last: last.status }),
    result(r, i) {
      pending.delete(i);
      results[i] = r;
      for (let next = results[printed]; next; next = results[printed]) {
        printed++;
        write(resultBlock(next, layout, c));
      }
    },
    end(all) {
      const evidence = evidenceSection(all, layout);
      cancel?.();
      cancel = undefined;
      if (evidence) out.write(`${evidence}\n`);
    },
    stop() {
      cancel?.();
      cancel = undefined;
    },
  };
}

/** Rows a live frame needs: header, one per probe, a status line, and the line log-update leaves for the cursor. */
export const liveRowsNeeded = (probes: number) => probes + 3;

/**
 * The live table, or the line view when the terminal has too few rows (or fewer than 40
 * columns). Redraws on every event and every second (elapsed time); drops to the line view if
 * the terminal shrinks below the table mid-run.
 */
export async function liveView(
  out: TextOut,
  probes: readonly Probe[],
  color: boolean,
  clock: Clock = systemClock,
): Promise<ProgressView> {
  const fits = () => (out.rows ?? 0) >= liveRowsNeeded(probes.length) && (out.columns ?? 0) >= 40;
  const layoutNow = () => wrapping(out.columns ?? 80, color);
  if (!fits()) return lineView(out, probes, await layoutNow(), clock);
  const [{ createLogUpdate }, layout] = await Promise.all([import('log-update'), layoutNow()]);
  // log-update reads only write, columns, rows and isTTY of the stream it is given.
  const log = createLogUpdate(out as unknown as NodeJS.WritableStream);
  const c = columnsFor(probes);
  const states: (ProbeStatus | 'waiting' | 'running')[] = probes.map(() => 'waiting');
  const details: string[] = probes.map(() => '');
  const times: string[] = probes.map(() => '');
  const results: (ProbeResult | undefined)[] = probes.map(() => undefined);
  const started = clock.now();
  let fallback: ProgressView | undefined;
  let stopTicking: (() => void) | undefined;

  const clip = (text: string, columns: number) => {
    const lines = layout.wrap(text, Math.max(1, columns));
    return lines.length > 1 ? `${layout.wrap(text, Math.max(1, columns - 1))[0]}…` : (lines[0] ?? '');
  };
  function frame(): string {
    const width = out.columns ?? 80;
    const rows = probes.map((p, i) => {
      const row = head(c, at(states, i, 'state'), p.id, p.category, at(times, i, 'time'), color);
      const room = width - headWidth(c) - 3;
      const detail = details[i];
      return room > 5 && detail ? `${row}  ${clip(detail, room)}` : row;
    });
    const done = results.filter(Boolean).length;
    const running = states.filter((s) => s === 'running').length;
    const status = `${done} of ${probes.length} done, ${running} running, ${Math.floor((clock.now() - started) / 1000)} s`;
    return [`${columnTitles(c)}  DETAIL`, ...rows, status].join('\n');
  }
  function draw(): void {
    if (fallback) return;
    if (!fits()) {
      // The terminal shrank under the table: stop redrawing, print in order from here on.
      log.clear();
      log.done();
      stopTicking?.();
      const lines = lineView(out, probes, { ...layout, width: out.columns ?? layout.width }, clock);
      fallback = lines;
      results.forEach((r, i) => {
        if (r) lines.result(r, i);
      });
      states.forEach((s, i) => {
        if (s === 'running') lines.start(at(probes, i, 'probe'), i);
      });
      return;
    }
    log(frame());
  }
  function ticking(): void {
    stopTicking = clock.schedule(() => {
      draw();
      if (!fallback) ticking();
    }, TICK_MS);
  }
  draw();
  ticking();
  return {
    start(p, i) {
      if (fallback) return fallback.start(p, i);
      states[i] = 'running';
      draw();
    },
    retry(p, i, attempt, last) {
      if (fallback) return fallback.retry(p, i, attempt, last);
      details[i] = `attempt ${attempt}, last ${last.status}: ${flat(last.detail)}`;
      draw();
    },
    result(r, i) {
      results[i] = r;
      if (fallback) return fallback.result(r, i);
      states[i] = r.status;
      times[i] = time(r.durationMs).trim();
      details[i] = flat(r.detail);
      draw();
    },
    end(all) {
      stopTicking?.();
      if (fallback) return fallback.end(all);
      log.clear();
      log.done();
      const final = { ...layout, width: out.columns ?? layout.width };
      out.write(`${renderReport(all, final)}\n`);
    },
    stop() {
      stopTicking?.();
      fallback?.stop();
    },
  };
}
