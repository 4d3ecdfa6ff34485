/**
 * How a benchmarked run that fails is told (src/bench/node-run.ts), with a shell stand-in for the
 * node command (a node start is 0.1-0.15 s of CPU): its stdout is quoted when its stderr is empty;
 * a run stopped at its timeout names the fix.
 */
import { describe, expect, it } from 'vitest';
import { timeNode } from '../../src/bench/node-run.js';
import { tempDir } from '../support/temp.js';

describe('a benchmarked run that fails', () => {
  it('quotes what it said on stdout when it wrote nothing to stderr', () => {
    const cwd = tempDir('node-run-');
    expect(() => timeNode({ program: 'sh', args: ['-c', 'echo "Error: told on stdout"; exit 3'], cwd })).toThrow(
      new Error('bench: sh -c echo "Error: told on stdout"; exit 3 failed (exit 3): Error: told on stdout'),
    );
  });

  it('names its timeout and the fix when it is stopped there', () => {
    const cwd = tempDir('node-run-');
    // exec: the sleep itself gets spawnSync's SIGTERM, so nothing is left holding its output.
    expect(() => timeNode({ program: 'sh', args: ['-c', 'exec sleep 60'], cwd, timeoutMs: 200 })).toThrow(
      new Error(
        'bench: sh -c exec sleep 60 timed out after 200 ms and was stopped (fix: a benchmarked run reads no ' +
          'input and ends in seconds on an idle machine: see whether this one is busy (uptime), then run the ' +
          `command alone in ${cwd} (a synth figure runs the code npm run synth runs) to see whether it ends)`,
      ),
    );
  });
});
