/**
 * The synth figures: synth of every environment as a fresh process, exactly the command
 * `npm run synth` and `cdk8s.yaml` run (`node .build/main.cjs --out <dir>`, the bundle built
 * once beforehand), against the floor of loading cdk8s-plus-28 in a fresh node process; and
 * synth of 1 environment against 10 generated ones.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { loadEnvironment, loadEnvironments } from '../environments/load.js';
import { SYNTH_BUNDLE, bundleSynthEntry } from '../tooling/bundle.js';
import { REPO_ROOT } from '../tooling/root.mjs';
import { measureSubjects, medianOf, type Measurement, type Subject } from './measurement.js';
import { ratio, type Ratio } from './stats.js';
import { at } from '../core/at.js';

/** Targets of issue 7: each a ratio of two medians of the same bench run. */
export const SYNTH_TARGETS = {
  /** Synth of every environment at most 1.5x loading cdk8s-plus-28. */
  synthVsFloor: 1.5,
  /** 10 environments at most 2x one. */
  tenVsOne: 2,
} as const;

/** How many generated environments the "as environments grow" figure synthesizes. */
export const GENERATED_ENVIRONMENTS = 10;

export interface SynthBenchOptions {
  readonly runs: number;
  readonly warmup: number;
  /**
   * A bundle already built from src/main.ts (tests build their own under .build/).
   * @default built now by bundleSynthEntry() into .build/main.cjs, as npm run synth does
   */
  readonly bundle?: string;
  /**
   * The environment file copied for the 1-vs-10 figure (a name in src/environments/).
   * @default the first environment file, by name
   */
  readonly template?: string;
  /**
   * Measure peak memory, in the timed runs themselves (`--require report-max-rss.cjs`), of every
   * figure alike (floor and synths: each ratio compares runs of one kind). @default true
   */
  readonly memory?: boolean;
  readonly onProgress?: (message: string) => void;
}

export interface SynthBenchResult {
  readonly measurements: readonly Measurement[];
  readonly ratios: readonly Ratio[];
  /** The environments `synth.all` synthesizes and the one copied for the 1-vs-10 figure. */
  readonly environments: readonly string[];
  readonly template: string;
}

/**
 * Writes `count` copies of an environment file into a new temporary folder, named
 * `<name>-01`…, each with its `name` field changed to match its file name (comments kept).
 */
export function writeGeneratedEnvironments(templateFile: string, count: number): string {
  const text = readFileSync(templateFile, 'utf8');
  const dir = mkdtempSync(join(tmpdir(), `arcade-bench-envs-${count}-`));
  // Parsed once, each copy a clone (an 8 kB environment file takes the yaml parser 25-50 ms)
  const template = parseDocument(text);
  const base = String(template.get('name') ?? 'env');
  for (let i = 1; i <= count; i++) {
    const name = count === 1 ? base : `${base}-${String(i).padStart(2, '0')}`;
    const doc = template.clone();
    doc.set('name', name);
    writeFileSync(join(dir, `${name}.yaml`), doc.toString());
  }
  return dir;
}

/**
 * The floor: a fresh node process that loads cdk8s-plus-28 (which brings cdk8s and constructs).
 * `memory` as the figures divided by it: with the preload in the synth bench (its figures measure
 * memory), bare around npm test (./test-floor.ts testFloorSubject, as REFERENCE_FLOOR was measured).
 */
export function floorSubject(memory = true): Subject {
  // --input-type=module: top-level await in -e on every node >= 20.10 (20.19+ detects it anyway).
  const args = ['--input-type=module', '-e', "await import('cdk8s-plus-28')"];
  return {
    id: 'floor',
    label: 'floor: node loads cdk8s-plus-28',
    command: `node ${args.slice(0, 2).join(' ')} "${args[2]}"`,
    memory,
    commandFor: () => ({ args, cwd: REPO_ROOT }),
  };
}

function synthSubject(
  id: string,
  label: string,
  bundle: string,
  environments: string | undefined,
  memory: boolean,
): Subject {
  const shown = relative(REPO_ROOT, bundle) || bundle;
  return {
    id,
    label,
    command: `node ${shown} --out <out>${environments ? ' --environments <tmp>' : ''}`,
    memory,
    commandFor: (out) => ({
      args: [bundle, '--out', out, ...(environments ? ['--environments', environments] : [])],
      cwd: REPO_ROOT,
    }),
  };
}

/** Runs the synth figures and their ratios. */
export async function benchSynth(options: SynthBenchOptions): Promise<SynthBenchResult> {
  const memory = options.memory ?? true;
  const bundle = options.bundle ?? (await bundleSynthEntry(SYNTH_BUNDLE));
  // Synth of every environment needs every one valid; the template is the first by name unless --env.
  const names = loadEnvironments().map((l) => l.env.name);
  const { env, file: templateFile } = loadEnvironment(options.template ?? at(names, 0, 'environment'));
  const template = env.name;
  const one = writeGeneratedEnvironments(templateFile, 1);
  const ten = writeGeneratedEnvironments(templateFile, GENERATED_ENVIRONMENTS);
  try {
    const subjects = [
      floorSubject(memory),
      synthSubject('synth.all', `synth: every environment (${names.length})`, bundle, undefined, memory),
      synthSubject('synth.1', `synth: 1 environment (${template})`, bundle, one, memory),
      synthSubject('synth.10', `synth: ${GENERATED_ENVIRONMENTS} generated environments`, bundle, ten, memory),
    ];
    const measurements = await measureSubjects(subjects, options);
    const median = (id: string) => medianOf(measurements, id);
    const ratios = [
      ratio({
        id: 'synth/floor',
        label: 'synth (every environment) / floor',
        target: SYNTH_TARGETS.synthVsFloor,
        numerator: median('synth.all'),
        denominator: median('floor'),
      }),
      ratio({
        id: 'synth10/synth1',
        label: `synth ${GENERATED_ENVIRONMENTS} environments / 1`,
        target: SYNTH_TARGETS.tenVsOne,
        numerator: median('synth.10'),
        denominator: median('synth.1'),
      }),
    ];
    return { measurements, ratios, environments: names, template };
  } finally {
    rmSync(one, { recursive: true, force: true });
    rmSync(ten, { recursive: true, force: true });
  }
}
