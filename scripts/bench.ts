#!/usr/bin/env tsx
/**
 * npm run bench: measure synth and the probe run, print a table, write bench.json.
 *
 *   npm run bench
 *   npm run bench -- --runs 20 --warmup 3 --json /tmp/bench.json
 *   npm run bench -- --only synth
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { argv } from 'zx';
import { benchProbes } from '../src/bench/probe-bench.js';
import { describeMachine, renderTable, targetsMet, toJson, verdict, type BenchReport } from '../src/bench/report.js';
import { benchSynth } from '../src/bench/synth-bench.js';
import { parseCli, UsageError } from '../src/review/cli.js';
import { REPO_ROOT } from '../src/tooling/bundle.js';

const USAGE = `Usage: npm run bench -- [--runs <n>] [--warmup <n>] [--probe-runs <n>] [--probe-warmup <n>]
                        [--json <file>] [--only synth|probes] [--env <name>]

Measures, each as a fresh process, after warm-up runs, as median / min / max:
  - synth of every environment (node .build/main.cjs --out <dir>, the command npm run synth and
    cdk8s.yaml run; the bundle is built once first) against the floor, a node process that
    loads cdk8s-plus-28: target synth / floor <= 1.5
  - synth of 1 environment against 10 generated copies of it: target <= 2
  - a full probe run (node --import tsx scripts/probe.ts --targets <stand-ins>) against the
    loopback stand-ins of a healthy platform, against its slowest probe: target <= 1.3, for
    1 gateway x 2 users and for 10 gateways x 10 users; the 10 x 10 run against 1 x 2: <= 3
  - peak memory (maxRSS) of synth and of the probe run
Prints a table and writes bench.json (figures, ratios, machine, date). See docs/benchmarks.md.

  --runs <n>           measured synth runs per figure (default: 10)
  --warmup <n>         synth runs thrown away first (default: 2)
  --probe-runs <n>     measured probe runs per platform size (default: 5; each takes seconds)
  --probe-warmup <n>   probe runs thrown away first (default: 1)
  --json <file>        where to write the JSON report (default: bench.json)
  --only <part>        synth or probes (default: both)
  --env <name>         environment copied for the 1-vs-10 figure (default: the first by name)

Exit code 0 when every target was measured and met, 1 when a target was missed or could not
be measured (printed as "not measured" with the reason, never as a number), 2 on bad usage.`;

function count(value: string | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min} (got '${value}')`);
  return n;
}

try {
  const { help, option } = parseCli(argv, { options: ['runs', 'warmup', 'probe-runs', 'probe-warmup', 'json', 'only', 'env'] });
  if (help) {
    console.log(USAGE);
    process.exit(0);
  }
  const runs = count(option('runs'), 10, 'runs', 1);
  const warmup = count(option('warmup'), 2, 'warmup', 0);
  const probeRuns = count(option('probe-runs'), 5, 'probe-runs', 1);
  const probeWarmup = count(option('probe-warmup'), 1, 'probe-warmup', 0);
  const only = option('only');
  if (only !== undefined && only !== 'synth' && only !== 'probes') throw new UsageError(`--only must be synth or probes (got '${only}')`);
  const jsonFile = resolve(option('json') ?? resolve(REPO_ROOT, 'bench.json'));
  const progress = process.stderr.isTTY && !process.env.CI ? (m: string) => process.stderr.write(`\r\x1b[K${m}`) : undefined;

  const date = new Date().toISOString();
  const synth = only === 'probes' ? undefined : await benchSynth({ runs, warmup, template: option('env'), onProgress: progress });
  const probes = only === 'synth' ? undefined : await benchProbes({ runs: probeRuns, warmup: probeWarmup, onProgress: progress });
  progress?.('');
  const report: BenchReport = {
    date,
    machine: describeMachine(),
    settings: {
      runs: synth ? runs : 0,
      warmup: synth ? warmup : 0,
      probeRuns: probes ? probeRuns : 0,
      probeWarmup: probes ? probeWarmup : 0,
    },
    measurements: [...(synth?.measurements ?? []), ...(probes?.measurements ?? [])],
    ratios: [...(synth?.ratios ?? []), ...(probes?.ratios ?? [])],
  };
  writeFileSync(jsonFile, toJson(report));
  console.log(renderTable(report));
  console.log(`\nwrote ${jsonFile}`);
  console.log(verdict(report));
  process.exitCode = targetsMet(report) ? 0 : 1;
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`bench: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
}
