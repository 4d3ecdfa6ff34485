/**
 * Whether an environment folder of dist/ holds exactly what `npm run synth` writes: the files of a
 * fresh in-memory synthesis, byte for byte, and no other. One comparison for the three readers that
 * rely on it: export (src/delivery/source.ts refuses a stale or hand-edited folder), the gate
 * (`synth.not-synthesized`, src/check/gate.ts) and `npm run diff` (src/review/review.ts), which
 * compares the synthesis with dist/ at the base commit and so could not see a hand edit of the
 * working tree's dist/ (session 16: `replicas: 5` typed into collector.yaml gave "no changes").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A file synth writes, its path relative to the environment folder. */
export interface ExpectedFile {
  readonly path: string;
  readonly content: string;
}

/** A file of the folder that is not what synth writes. */
export interface Mismatch {
  /** Relative to the environment folder. */
  readonly file: string;
  readonly problem: 'differs' | 'missing' | 'not-written-by-synth' | 'no-folder';
  /** The first line that differs (`differs`). */
  readonly line?: number;
}

/** The first line (from 1) where two texts differ: past the shorter one's end when it begins the other. */
function firstDifferentLine(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  const i = x.findIndex((line, n) => line !== y[n]);
  return (i === -1 ? x.length : i) + 1;
}

/** The files of `folder` that are not what synth writes (`expected`), in file-name order. */
export function synthMismatches(folder: string, expected: readonly ExpectedFile[]): Mismatch[] {
  if (!existsSync(folder)) return expected.length > 0 ? [{ file: '.', problem: 'no-folder' }] : [];
  const onDisk = readdirSync(folder);
  const out: Mismatch[] = [];
  for (const f of expected) {
    if (!onDisk.includes(f.path)) {
      out.push({ file: f.path, problem: 'missing' });
      continue;
    }
    const content = readFileSync(join(folder, f.path), 'utf8');
    if (content !== f.content)
      out.push({ file: f.path, problem: 'differs', line: firstDifferentLine(content, f.content) });
  }
  for (const name of onDisk)
    if (!expected.some((f) => f.path === name)) out.push({ file: name, problem: 'not-written-by-synth' });
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** What is wrong with one file, in words (no fix: each reader gives its own). */
export function mismatchText(m: Mismatch): string {
  switch (m.problem) {
    case 'differs':
      return `${m.file} differs from line ${m.line} (edited by hand, or src/ changed since the last synth)`;
    case 'missing':
      return `${m.file} is missing`;
    case 'no-folder':
      return 'the folder is missing';
    case 'not-written-by-synth':
      return `${m.file} is not a file synth writes (synth replaces the folder as a whole)`;
  }
}
