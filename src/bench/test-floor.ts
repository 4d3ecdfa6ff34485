/**
 * The floor around `npm test` (./test-bench.ts): which command it is (bare, as REFERENCE_FLOOR was
 * measured), how many runs on each side, a block of consecutive runs, and the wait for the run's
 * temporary folder to be removed before the floor after a run is measured.
 */
import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleSubject, type Subject } from './measurement.js';
import { floorSubject } from './synth-bench.js';

/**
 * Floor runs right before and right after each `npm test` run (the runs between two test runs
 * serve both). 5 a side gives each figure 10 floor samples per pair, as many as the reference run
 * (./test-budget.ts); one outlier moves the median of 10 by half the gap between two middle
 * samples. The 15 floor runs of a pair cost 2-9 s on this VM (0.15-0.6 s each), against minutes
 * of suite. docs/benchmarks.md "Test time".
 */
export const FLOOR_RUNS_PER_SIDE = 5;

/**
 * The folder every `npm test` run makes in its TMPDIR for the tests' temporary folders, removed
 * after the run by a detached process (test/support/temp-root.ts, where test/support/temp-root.test.ts
 * checks the name starts with this): thousands of files, 10-20 s of disk work on this VM.
 */
export const TEST_RUN_FOLDER_PREFIX = 'arcade-test-run-';

/** How long the floor after a run waits for that removal, at most. */
export const RUN_FOLDER_WAIT_MS = 120_000;

/**
 * The floor around npm test: node loads cdk8s-plus-28 bare, without the memory preload the synth
 * bench's floor row runs with (its figures measure memory), because REFERENCE_FLOOR
 * (./test-budget.ts) was measured bare: the preload's ~3 ms would make every ratio about 1 %
 * smaller than the reference's, in the budget's favour.
 */
export function testFloorSubject(): Subject {
  return floorSubject(false);
}

/** Consecutive floor runs: every sample, or why one failed (the block stops there). */
export type FloorBlock = { readonly samplesMs: readonly number[] } | { readonly failed: string };

/**
 * Waits until no TEST_RUN_FOLDER_PREFIX folder is left in `tmp` (polled every 100 ms), at most
 * `waitMs`; false when one is still there then. The floor after a run is measured once the disk
 * work of removing it is over: beside it, the floor would be slower (a smaller ratio, a budget
 * that could be met by the machine's disk, not by the suite).
 */
export async function runFolderRemoved(tmp: string, waitMs: number): Promise<boolean> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    if (!readdirSync(tmp).some((entry) => entry.startsWith(TEST_RUN_FOLDER_PREFIX))) return true;
    if (performance.now() >= deadline) return false;
    await sleep(100);
  }
}

/**
 * `runs` floor runs one after the other; stops at the first that fails, with why (on one line).
 * Only the time is kept: a test-time figure reports no peak memory.
 */
export function floorBlock(subject: Subject, runs: number, progress?: (run: number) => void): FloorBlock {
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    progress?.(i + 1);
    try {
      samplesMs.push(sampleSubject(subject).ms);
    } catch (err) {
      // `bench: node … failed (exit N): <its last lines>`, already on one line (node-run.ts)
      return { failed: (err as Error).message };
    }
  }
  return { samplesMs };
}
