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
    const lines = (err as Error).message.split('\n');
    // No environment file of that name (loadEnvironment's 'unknown environment'): a stray folder,
    // which may go. An environment file that exists but does not load: the folder is the
    // environment's (a production dist/ folder, perhaps), so the fix is the file, never removing it.
    const unknown = lines[0] === 'unknown environment:';
    return [
      {
        severity: 'error',
        area: 'synth',
        file: folder,
        rule: 'synth.no-environment',
        // An EnvironmentError's heading and problems, on one line, each problem's own "(fix: ...)"
        // left out: the finding carries one fix.
        message: `cannot synthesize ${env} to compare the folder with: ${lines
          .map((l) => l.replace(/^\s+- /, '').replace(/ \(fix: .*\)$/, ''))
          .join(' ')}`,
        fix: unknown
          ? 'name the folder after an environment file in src/environments (npm run synth writes one folder per environment), or remove it'
          : `correct src/environments/${env}.yaml (above), then npm run synth`,
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
