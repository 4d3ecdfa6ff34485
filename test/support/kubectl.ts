/**
 * kubectl with its built-in kustomize, when installed (CI installs nothing else for it): an
 * executable file `kubectl` in a folder of PATH, found as the shell finds it (src/core/on-path.ts), without starting it
 * (a kubectl start costs about as much CPU as a node start). KUBECTL_PATH is where it was found.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onPath } from '../../src/core/on-path.js';
import { tempDir } from './temp.js';

export const KUBECTL_PATH = onPath('kubectl');
export const KUBECTL = KUBECTL_PATH !== undefined;

/** Signals a caller might stop a program with, each of which ends it unless trapped (SIGKILL cannot be). */
const CATCHABLE = ['HUP', 'INT', 'QUIT', 'ABRT', 'USR1', 'USR2', 'ALRM', 'TERM'] as const;

/**
 * A `kubectl` that never ends by itself and, sent any signal it can catch, notes which and exits 0.
 * A program that outlives a SIGTERM would hold a timed-out caller (its end is told only when its
 * output closes), so a caller's timeout must kill with SIGKILL, which no program can catch: a
 * caller that stopped it while `caught()` is undefined sent none of those: SIGKILL. Sent SIGTERM (or
 * another of them), it ends all the same and `caught()` names the signal, so such a caller fails
 * the test at once instead of hanging it.
 */
export function kubectlNotingSignals(dir: string): {
  readonly kubectl: string;
  readonly caught: () => string | undefined;
} {
  const kubectl = join(dir, 'kubectl');
  const traps = CATCHABLE.map((signal) => `trap 'echo ${signal} > "$0.caught"; exit 0' ${signal}\n`).join('');
  writeFileSync(kubectl, `#!/bin/sh\n${traps}while :; do sleep 0.05; done\n`, { mode: 0o755 });
  const note = `${kubectl}.caught`;
  return { kubectl, caught: () => (existsSync(note) ? readFileSync(note, 'utf8').trim() : undefined) };
}

/** A kubectl that logs each run, then runs the real one (found on PATH), in a new folder of its own. */
export function countingKubectl(): { kubectl: string; runs: () => number } {
  const dir = tempDir('kubectl-counter-');
  const log = join(dir, 'runs.log');
  writeFileSync(log, '');
  const kubectl = join(dir, 'kubectl');
  writeFileSync(kubectl, `#!/bin/sh\necho run >> '${log}'\nexec kubectl "$@"\n`);
  chmodSync(kubectl, 0o755);
  return { kubectl, runs: () => readFileSync(log, 'utf8').split('\n').filter(Boolean).length };
}
