#!/usr/bin/env tsx
/**
 * npm run bench: measure synth, the probe run and npm test, print a table, write bench.json.
 *
 *   npm run bench
 *   npm run bench -- --runs 20 --warmup 3 --json /tmp/bench.json
 *   npm run bench -- --only synth
 *   npm run bench -- --only tests
 */
import { join } from 'node:path';
import type { BenchReport } from '../src/bench/report.js';
import { reportOnStandardOutput, writeOutput } from '../src/core/output-target.js';
import { defineScript, outputFile } from '../src/core/script.js';
import { runCommand, scriptMain } from '../src/core/script-main.js';
import { REPO_ROOT } from '../src/tooling/root.mjs';
import { REFERENCE_FLOOR, TEST_TARGETS_MS } from '../src/bench/test-budget.js';

const fresh = TEST_TARGETS_MS.fresh / 1000;
const warm = TEST_TARGETS_MS.warm / 1000;
const reference = `${REFERENCE_FLOOR.floorMs} ms, ${REFERENCE_FLOOR.measured}`;
const freshRatio = (TEST_TARGETS_MS.fresh / REFERENCE_FLOOR.floorMs).toFixed(1);
const warmRatio = (TEST_TARGETS_MS.warm / REFERENCE_FLOOR.floorMs).toFixed(1);

const script = defineScript({
  name: 'bench',
  description: `Measures, each as a fresh process, after warm-up runs, as median / min / max:
  - synth of every environment (node .build/main.cjs --out <dir>, the command npm run synth and
    cdk8s.yaml run; the bundle is built once first) against the floor, a node process that
    loads cdk8s-plus-28: target synth / floor <= 1.5
  - synth of 1 environment against 10 generated copies of it: target <= 2
  - a full probe run (node src/tooling/launch.mjs probe --targets <stand-ins>) against the
    loopback stand-ins of a healthy platform, against its slowest probe: target <= 1.3, for
    1 gateway x 2 users and for 10 gateways x 10 users; the 10 x 10 run against 1 x 2: <= 3
  - peak memory (maxRSS) of synth and of the probe run
  - npm test (CI=true) as after npm ci on a fresh clone (.build/, node_modules/.vite and
    node_modules/.cache removed, an empty TMPDIR), then again warm, with the floor measured
    right before and after each run: budgets <= ${fresh} s and <= ${warm} s on 2 cores at the reference
    floor (${reference}), judged as npm test / floor <= ${freshRatio}x and <= ${warmRatio}x;
    the plain seconds, the machine's cores and load average beside them as information (a
    whole suite per run: run it on a quiet machine)
Prints a table and writes bench.json (figures, ratios, machine, date). See docs/benchmarks.md.`,
  options: {
    runs: {
      type: 'number',
      value: '<n>',
      integer: true,
      min: 1,
      default: 10,
      description: 'measured synth runs per figure',
    },
    warmup: {
      type: 'number',
      value: '<n>',
      integer: true,
      min: 0,
      default: 2,
      description: 'synth runs thrown away first',
    },
    'probe-runs': {
      type: 'number',
      value: '<n>',
      integer: true,
      min: 1,
      default: 5,
      description: 'measured probe runs per platform size (each takes seconds)',
    },
    'probe-warmup': {
      type: 'number',
      value: '<n>',
      integer: true,
      min: 0,
      default: 1,
      description: 'probe runs thrown away first',
    },
    'test-runs': {
      type: 'number',
      value: '<n>',
      integer: true,
      min: 1,
      default: 1,
      description: 'measured fresh + warm npm test pairs (each pair runs the whole suite twice)',
    },
    json: { type: 'string', value: '<file>', description: 'where to write the JSON report (default: bench.json)' },
    only: {
      type: 'choice',
      choices: ['synth', 'probes', 'tests'],
      description: 'measure only this part (default: all three)',
    },
    env: {
      type: 'string',
      value: '<name>',
      description: 'environment copied for the 1-vs-10 figure (default: the first by name)',
    },
  },
  interrupted: 'no report written (it is written at the end, whole)',
  exitCodes: {
    0: 'every target was measured and met',
    1: 'a target was missed or could not be measured (printed as "not measured" with the reason, never as a number)',
  },
  examples: [
    'npm run bench',
    'npm run bench -- --runs 20 --warmup 3 --json /tmp/bench.json',
    'npm run bench -- --only synth',
    'npm run bench -- --only tests --test-runs 3',
  ],
});

/** The command (src/core/script-main.ts). */
export const main = scriptMain(script, async (options, { io, print }) => {
  const { benchProbes } = await import('../src/bench/probe-bench.js');
  const { describeMachine, renderTable, targetsMet, toJson, verdict } = await import('../src/bench/report.js');
  const { benchSynth } = await import('../src/bench/synth-bench.js');
  const { benchTests } = await import('../src/bench/test-bench.js');
  // checked before minutes of measuring
  const jsonFile = outputFile('json', options.json ?? join(REPO_ROOT, 'bench.json'), { repoRoot: REPO_ROOT }, io.cwd);
  const terminal = io.stderr === process.stderr && process.stderr.isTTY && !io.env.CI;
  const progress = terminal ? (m: string) => io.stderr.write(`\r\x1b[K${m}`) : undefined;

  const date = new Date().toISOString();
  const { only, runs, warmup } = options;
  const part = (name: 'synth' | 'probes' | 'tests') => only === undefined || only === name;
  const synth = part('synth')
    ? await benchSynth({ runs, warmup, template: options.env, onProgress: progress })
    : undefined;
  const probes = part('probes')
    ? await benchProbes({ runs: options['probe-runs'], warmup: options['probe-warmup'], onProgress: progress })
    : undefined;
  // Last: a fresh run removes .build/ (the synth bundle) and the suite builds it again.
  const tests = part('tests') ? await benchTests({ runs: options['test-runs'], onProgress: progress }) : undefined;
  progress?.('');
  const report: BenchReport = {
    date,
    machine: describeMachine(),
    settings: {
      runs: synth ? runs : 0,
      warmup: synth ? warmup : 0,
      probeRuns: probes ? options['probe-runs'] : 0,
      probeWarmup: probes ? options['probe-warmup'] : 0,
      testRuns: tests ? options['test-runs'] : 0,
      testFloorRuns: tests?.floorRuns ?? 0,
    },
    measurements: [...(synth?.measurements ?? []), ...(probes?.measurements ?? []), ...(tests?.measurements ?? [])],
    ratios: [...(synth?.ratios ?? []), ...(probes?.ratios ?? [])],
    budgets: tests?.budgets ?? [],
  };
  writeOutput(jsonFile, toJson(report), io);
  // With --json - the JSON is stdout's whole text: the table and the verdict go to stderr.
  const human = reportOnStandardOutput([jsonFile], io.cwd) ? (t: string) => io.stderr.write(`${t}\n`) : print;
  human(renderTable(report));
  human(`\nwrote ${jsonFile}`);
  human(verdict(report));
  return targetsMet(report) ? 0 : 1;
});

await runCommand(import.meta.url, script, main);
