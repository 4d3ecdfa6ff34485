import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { TEST_TIMEOUT_MS } from './test/support/deadlines.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Product code's git, helm and kubectl kustomize start from a small helper process, not the 150-450 MB worker: a fork costs
    // in proportion to the forking process's memory (test/support/setup.ts, src/core/run-program.ts).
    setupFiles: ['./test/support/setup.ts'],
    // The run's own temporary folder, removed after the run (also an interrupted one): every tempDir
    // folder is made inside it (test/support/temp-root.ts says why the workers cannot remove them).
    globalSetup: ['./test/support/temp-root.ts'],
    // A hang guard, never a timing assertion: sized for a loaded shared machine (test/support/deadlines.ts).
    testTimeout: TEST_TIMEOUT_MS,
    hookTimeout: TEST_TIMEOUT_MS,
    // Measured 2026-12-02 on 255 tests (core, environments, check, synth, evidence) in one sitting on
    // the shared 2-core machine (load 13): forks 102 s wall / 60 s CPU; threads 104 s / 56 s (no
    // faster; forks keep each worker's process state, exit code and signal handlers its own);
    // isolate: true 202 s / 99 s; maxWorkers 3: 101 s / 60 s. docs/benchmarks.md "vitest's settings".
    pool: 'forks',
    // vitest's default leaves one core idle; on the 2-core machines here that halves the speed.
    // The suite is CPU-bound (more workers than cores measured no faster).
    maxWorkers: availableParallelism(),
    // Test files in one worker share loaded modules (@kubernetes/client-node, the MCP SDK, cdk8s
    // are imported once per worker, not once per file: import time 10 s -> 4 s). Safe because no
    // test leaves process-wide state changed (cwd, globals; the few that set process.env, the
    // delivery tests' countGit PATH and git-processes' HOME and GIT_CONFIG_*, restore it before
    // they end, and a worker runs its files one at a time); module-level caches are benign.
    isolate: false,
    // V8's young generation up to 64 MB a semi-space (default 16 MB on 64-bit node 20): the workers
    // allocate a lot (cdk8s synths, YAML, MCP on loopback) and scavenged less often. Measured
    // 2026-12-02 15:31-15:49Z, quiet, whole suite alternated: CPU 145.8-163.8 s (6 runs; a 7th,
    // the first, 200.8 s) against 157.2-177.1 s (6 runs); wall median 87.9 against 91.8 s.
    // docs/benchmarks.md "vitest's settings". Costs up to ~150 MB more per worker.
    execArgv: ['--max-semi-space-size=64'],
    // @actions/workflow-parser imports its JSON schema without an import attribute, which node's
    // own loader refuses: vitest transforms it instead (test/support/workflows.ts).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
