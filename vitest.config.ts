import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Loopback servers and child processes: generous per-test ceiling, never a timing assertion.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
