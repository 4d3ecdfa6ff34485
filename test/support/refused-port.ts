/**
 * A loopback port that refuses connections for the whole test.
 *
 * "Listen on port 0, note the port, close" is racy: every stand-in in the suite listens on port 0,
 * and the kernel may hand the port just freed to one of them (in this process, with concurrent
 * tests, or in the other worker) before the test connects; the test then talks to a stranger (a
 * 404 where it expected ECONNREFUSED). A port below 1024 is never handed out for port 0 (those
 * come from the ephemeral range, `ip_local_port_range`, 32768-60999 by default on Linux) and no
 * test listens on a fixed port, so one that refuses now keeps refusing. Checked, not assumed: the
 * first candidate that refuses a connection is the answer.
 */
import { connect } from 'node:net';

/**
 * Unassigned or long-retired well-known ports, none on the Fetch standard's "bad port" list (fetch
 * refuses 1, 7, 9, 11, ... before connecting: "bad port", never ECONNREFUSED).
 */
const CANDIDATES = [4, 6, 8, 10, 12, 14, 16, 18, 26, 28];

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

/** A loopback port nothing listens on and nothing in the tests can start listening on. */
export async function refusedPort(): Promise<number> {
  for (const port of CANDIDATES) if (await refuses(port)) return port;
  throw new Error(
    `every candidate port (${CANDIDATES.join(', ')}) accepts connections on 127.0.0.1: name one that refuses`,
  );
}
