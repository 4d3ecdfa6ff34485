/**
 * `synth.*`: each environment folder of dist/ must be exactly what `npm run synth` writes (a fresh
 * in-memory synthesis from src/, compared byte for byte: src/core/synth-mismatch.ts, as export
 * compares). A hand edit of dist/ (`replicas: 5` typed into collector.yaml) passed every other
 * check and `npm run diff`; only the export refused it (session 16). The synthesis is given by the
 * caller (scripts/check.ts): the gate's layer does not import the charts.
 */
import { type ExpectedFile, mismatchText, synthMismatches } from '../core/synth-mismatch.js';
import type { Finding } from './finding.js';

/** What synth writes for the environment of that name (paths relative to its folder); throws when it cannot. */
export type Synthesize = (env: string) => readonly ExpectedFile[];

/** The findings of one environment folder (`dir` on disk, `folder` as reported). */
export function checkSynthesized(env: string, dir: string, folder: string, synthesize: Synthesize): Finding[] {
  let expected: readonly ExpectedFile[];
  try {
    expected = synthesize(env);
  } catch (err) {
    return [
      {
        severity: 'error',
        area: 'synth',
        file: folder,
        rule: 'synth.no-environment',
        // An EnvironmentError's heading and problems, on one line.
        message: `cannot synthesize ${env} to compare the folder with: ${(err as Error).message
          .split('\n')
          .map((l) => l.replace(/^\s+- /, ''))
          .join(' ')}`,
        fix: 'name the folder after an environment file in src/environments (npm run synth writes one folder per environment), or remove it',
      },
    ];
  }
  return synthMismatches(dir, expected).map((m) => ({
    severity: 'error',
    area: 'synth',
    file: `${folder}/${m.file}`,
    ...(m.line !== undefined ? { line: m.line } : {}),
    rule: 'synth.not-synthesized',
    message: `not what npm run synth writes: ${mismatchText(m)}`,
    fix: 'npm run synth (it rewrites the folder from src/: make a change in src/, never in dist/), review with npm run diff, commit',
  }));
}
