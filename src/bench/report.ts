/**
 * The bench report: the machine it ran on, every figure and every ratio against its target;
 * rendered as a table for a person and written as bench.json for a machine.
 */
import { arch, cpus, release, totalmem, type as osType } from 'node:os';
import type { Measurement } from './measurement.js';
import type { Ratio, Summary } from './stats.js';
import type { Budget } from './test-budget.js';
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
    /** Floor runs right before and right after each npm test run (0 when the tests were not run). */
    readonly testFloorRuns: number;
  };
  readonly measurements: readonly Measurement[];
  readonly ratios: readonly Ratio[];
  /** The test suite's time against its budgets, judged through the floor of the same run (./test-budget.ts). */
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
    budgets: report.budgets.map((b) => {
      const common = {
        ...b,
        targetRatio: round(b.targetRatio, 2),
        ...(b.onThisMachine
          ? { onThisMachine: { ...b.onThisMachine, valueMs: round(b.onThisMachine.valueMs, 1) } }
          : {}),
      };
      return b.status === 'not-measured'
        ? common
        : {
            ...common,
            valueMs: round(b.valueMs, 1),
            floorMs: round(b.floorMs, 1),
            ratio: round(b.ratio, 2),
            equivalentMs: round(b.equivalentMs, 1),
          };
    }),
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
    ...(st.testRuns
      ? [`${st.testRuns} fresh + warm npm test run(s), each between ${st.testFloorRuns} floor run(s) before and after`]
      : []),
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

const ratioX = (n: number): string => `${n.toFixed(1)}x`;

/**
 * The test-time budgets: what is judged (npm test / the floor measured around it, against the
 * budget over the reference floor, and what that makes at the reference speed), then the plain
 * seconds on this machine with its cores and load, labelled as information, never judged.
 */
function budgetTable(report: BenchReport): string {
  const reference = at(report.budgets, 0, 'budget').reference;
  const judged: string[][] = [
    [
      'budget',
      'value',
      'floor (median, min-max)',
      'ratio',
      'target',
      `at the ${ms(reference.floorMs)} floor`,
      'status',
    ],
  ];
  const plain: string[][] = [['budget', 'value', 'target', 'in seconds', 'machine during the runs']];
  for (const b of report.budgets) {
    const target = `<= ${ratioX(b.targetRatio)}`;
    const atReference = (valueMs: string) => `${valueMs} <= ${seconds(b.targetMs)}`;
    if (b.status === 'not-measured')
      judged.push([b.label, '-', '-', '-', target, atReference('-'), `not measured: ${b.reason}`]);
    else {
      const floor = report.measurements.find((x) => x.id === b.floor);
      const range =
        floor?.status === 'measured'
          ? ` (${Math.round(floor.timeMs.min)}-${ms(floor.timeMs.max)}, ${floor.timeMs.runs} runs)`
          : '';
      judged.push([
        b.label,
        seconds(b.valueMs),
        `${ms(b.floorMs)}${range}`,
        ratioX(b.ratio),
        target,
        atReference(seconds(b.equivalentMs)),
        b.status,
      ]);
    }
    const m = report.measurements.find((x) => x.id === b.id);
    const load = m?.status === 'measured' && m.load1m ? m.load1m : undefined;
    const machine = `${report.machine.cores} cores${load ? `, load (1 min) ${load.min.toFixed(1)}-${load.max.toFixed(1)}` : ''}`;
    const here = b.onThisMachine;
    plain.push([
      b.label,
      here ? seconds(here.valueMs) : '-',
      `<= ${seconds(b.targetMs)}`,
      here ? here.status : 'not measured',
      machine,
    ]);
  }
  return [
    'test time, judged on npm test / the floor measured around it, against the budget at the reference floor ' +
      `(${ms(reference.floorMs)}, ${reference.measured}):`,
    table(judged, new Set([1, 3])),
    '',
    'the same budgets in plain seconds on this machine (information, not judged):',
    table(plain, new Set([1])),
  ].join('\n');
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
