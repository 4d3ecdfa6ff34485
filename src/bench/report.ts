/**
 * The bench report: the machine it ran on, every figure and every ratio against its target;
 * rendered as a table for a person and written as bench.json for a machine.
 */
import { arch, cpus, release, totalmem, type as osType } from 'node:os';
import type { Measurement } from './measurement.js';
import type { Budget, Ratio, Summary } from './stats.js';
import { at } from '../core/at.js';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly os: string;
}

export interface BenchReport {
  /** ISO date and time the run started. */
  readonly date: string;
  readonly machine: Machine;
  /** Measured and warm-up runs: synth figures, and probe runs (0 when the probes were not run). */
  readonly settings: {
    readonly runs: number;
    readonly warmup: number;
    readonly probeRuns: number;
    readonly probeWarmup: number;
    /** Fresh + warm pairs of npm test (0 when the tests were not run). */
    readonly testRuns: number;
  };
  readonly measurements: readonly Measurement[];
  readonly ratios: readonly Ratio[];
  /** Figures against absolute ceilings (the test suite's time). */
  readonly budgets: readonly Budget[];
}

/** The machine the numbers come from. */
export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() || 'unknown',
    cores: list.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${osType()} ${release()} ${arch()}`,
  };
}

/** Figures rounded for JSON: milliseconds to 0.1, megabytes to 0.1, ratios to 0.01. */
function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function roundSummary(s: Summary): Summary {
  return { median: round(s.median, 1), min: round(s.min, 1), max: round(s.max, 1), runs: s.runs };
}

/** The JSON written to bench.json (stable key order, rounded figures). */
export function toJson(report: BenchReport): string {
  const json = {
    ...report,
    measurements: report.measurements.map((m) =>
      m.status === 'measured'
        ? {
            ...m,
            timeMs: roundSummary(m.timeMs),
            samplesMs: m.samplesMs.map((s) => round(s, 1)),
            ...(m.peakRssMb ? { peakRssMb: roundSummary(m.peakRssMb) } : {}),
            ...(m.load1m ? { load1m: { ...roundSummary(m.load1m), median: round(m.load1m.median, 2) } } : {}),
            ...(m.phasesMs ? { phasesMs: m.phasesMs.map((p) => ({ ...p, ms: roundSummary(p.ms) })) } : {}),
          }
        : { ...m, ...(m.phasesMs ? { phasesMs: m.phasesMs.map((p) => ({ ...p, ms: roundSummary(p.ms) })) } : {}) },
    ),
    ratios: report.ratios.map((r) => (r.status === 'not-measured' ? r : { ...r, value: round(r.value, 2) })),
    budgets: report.budgets.map((b) => (b.status === 'not-measured' ? b : { ...b, valueMs: round(b.valueMs, 1) })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string {
  const widths = at(rows, 0, 'header row').map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (rightAligned.has(c) ? cell.padStart(at(widths, c)) : cell.padEnd(at(widths, c))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const ms = (n: number): string => `${Math.round(n)} ms`;
const mb = (n: number): string => `${Math.round(n)} MB`;

/** The table printed at the end of a run: figures, then ratios against their targets. */
export function renderTable(report: BenchReport): string {
  const m = report.machine;
  const st = report.settings;
  const series = [
    ...(st.runs ? [`${st.runs} synth run(s) after ${st.warmup} warm-up run(s)`] : []),
    ...(st.probeRuns ? [`${st.probeRuns} probe run(s) after ${st.probeWarmup} warm-up run(s)`] : []),
    ...(st.testRuns ? [`${st.testRuns} fresh + warm npm test run(s)`] : []),
  ];
  const head =
    `bench ${report.date}: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, node ${m.node}, ${m.os}\n` +
    `median of ${series.join(', ') || 'no run'}; peak RSS = process.resourceUsage().maxRSS of the child`;
  const figures: string[][] = [['figure', 'median', 'min', 'max', 'peak RSS (median, max)']];
  for (const x of report.measurements) {
    if (x.status === 'not-measured') figures.push([x.label, '', '', '', '']);
    else
      figures.push([
        x.label,
        ms(x.timeMs.median),
        ms(x.timeMs.min),
        ms(x.timeMs.max),
        x.peakRssMb ? `${mb(x.peakRssMb.median)}, ${mb(x.peakRssMb.max)}` : '',
      ]);
  }
  const ratios: string[][] = [['ratio', 'value', 'target', 'status']];
  for (const r of report.ratios) {
    if (r.status === 'not-measured') ratios.push([r.label, '-', `<= ${r.target}x`, `not measured: ${r.reason}`]);
    else ratios.push([r.label, `${r.value.toFixed(2)}x`, `<= ${r.target}x`, r.status]);
  }
  // A not-measured figure: its reason follows the label instead of stretching the columns.
  const labelWidth = Math.max(...figures.map((r) => at(r, 0, 'label').length));
  const figureLines = table(figures, new Set([1, 2, 3])).split('\n');
  report.measurements.forEach((x, i) => {
    if (x.status === 'not-measured') figureLines[i + 1] = `${x.label.padEnd(labelWidth)}  not measured: ${x.reason}`;
  });
  const sections = [head, figureLines.join('\n')];
  const phases = report.measurements.flatMap((x) =>
    x.phasesMs && x.phasesMs.length > 0 ? [{ label: x.label, phasesMs: x.phasesMs }] : [],
  );
  if (phases.length > 0)
    sections.push(
      [
        'phases (median):',
        ...phases.map(
          (x) =>
            `  ${x.label.split(' (')[0]}: ${x.phasesMs.map((p) => `${p.name} ${seconds(p.ms.median)}`).join(', ')}`,
        ),
      ].join('\n'),
    );
  if (report.ratios.length > 0) sections.push(table(ratios, new Set([1])));
  if (report.budgets.length > 0) sections.push(budgetTable(report));
  return sections.join('\n\n');
}

const seconds = (n: number): string => `${(n / 1000).toFixed(1)} s`;

/** Absolute budgets, with the machine's cores and load during the figure's runs beside them. */
function budgetTable(report: BenchReport): string {
  const rows: string[][] = [['budget', 'value', 'target', 'status', 'machine during the runs']];
  for (const b of report.budgets) {
    if (b.status === 'not-measured') {
      rows.push([b.label, '-', `<= ${seconds(b.targetMs)}`, 'not measured', b.reason]);
      continue;
    }
    const m = report.measurements.find((x) => x.id === b.figure);
    const load = m?.status === 'measured' && m.load1m ? m.load1m : undefined;
    const machine = `${report.machine.cores} cores${load ? `, load (1 min) ${load.min.toFixed(1)}-${load.max.toFixed(1)}` : ''}`;
    rows.push([b.label, seconds(b.valueMs), `<= ${seconds(b.targetMs)}`, b.status, machine]);
  }
  return table(rows, new Set([1]));
}

/** One line for the end of the output: every ratio met, or which were missed / not measured. */
export function verdict(report: BenchReport): string {
  const all = [...report.ratios, ...report.budgets];
  const missed = all.filter((r) => r.status === 'missed').map((r) => r.id);
  const unmeasured = all.filter((r) => r.status === 'not-measured').map((r) => r.id);
  const met = all.filter((r) => r.status === 'met').length;
  const named = (ids: readonly string[]) => (ids.length ? ` (${ids.join(', ')})` : '');
  return `${met} target(s) met, ${missed.length} missed${named(missed)}, ${unmeasured.length} not measured${named(unmeasured)}`;
}

/**
 * Whether the run proves every target: each ratio and budget measured and met. One that could not
 * be measured proves nothing, so it fails the run like a missed one (fail closed).
 */
export function targetsMet(report: BenchReport): boolean {
  const all = [...report.ratios, ...report.budgets];
  return all.length > 0 && all.every((r) => r.status === 'met');
}
