/**
 * The only time bounds of the test suite. No test asserts on elapsed time; a bound here exists
 * to stop a hang, never to judge speed, and is sized so that a slow machine never changes an
 * outcome: on a 2-core machine shared by several suites (load above 10 per core was seen) a
 * spawned script took 40 s and a loopback probe run more than 20 s.
 *
 * - A test proving "never hangs" relies on `TEST_TIMEOUT_MS` (or a child's `CHILD_TIMEOUT_MS`).
 * - A test whose outcome must not be a timeout gives its probes `NO_PROBE_DEADLINE_MS`: longer
 *   than the test may run, so slowness can only show up as a timed-out test (a clear message),
 *   never as a probe turned `error` or a latency over budget; and gateway.unknown-tool the
 *   longest hang threshold the targets allow (60 s, half that deadline), not the 10 s default.
 * - A test about a timeout makes the other side never answer (a stand-in that holds the
 *   request), so the timeout wins on any machine, whatever its speed.
 * - A test waiting for the other side to see something (`vi.waitFor`: a stand-in records a request
 *   given up) gives it `SETTLE`: vitest's default gives up after 1 s, which a loaded machine
 *   exceeded (forge.test.ts failed so once); test/architecture/wait-bounds.test.ts checks every call.
 * - The stand-ins themselves hold no timer that ends a connection (src/loopback/listen.ts):
 *   Node's default keep-alive timeout raced the probe client on a starved machine.
 */

/** vitest's per-test and per-hook ceiling (vitest.config.ts). */
export const TEST_TIMEOUT_MS = 120_000;

/** Per-attempt probe deadline (and latency budget) for tests whose outcome must not depend on speed. */
export const NO_PROBE_DEADLINE_MS = TEST_TIMEOUT_MS;

/** Bound of one spawned script or command (`spawnSync` blocks the worker: vitest's own timer cannot fire meanwhile). */
export const CHILD_TIMEOUT_MS = TEST_TIMEOUT_MS;

/** `vi.waitFor`'s options: a hang guard inside the test's own timeout, never its 1 s default (above). */
export const SETTLE = { timeout: TEST_TIMEOUT_MS / 2, interval: 20 } as const;
