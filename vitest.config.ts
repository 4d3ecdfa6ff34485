import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Loopback servers and child processes: generous per-test ceiling, never a timing assertion.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest's default leaves one core idle; on the 2-core machines here that halves the speed.
    // The suite is CPU-bound (more workers than cores measured no faster).
    maxWorkers: availableParallelism(),
  },
});
