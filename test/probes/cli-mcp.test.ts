/**
 * `npm run probe` in-process against the platform with the Arcade stand-in's faults: each fails
 * exactly the gateway probe that exists to catch it (the stand-in is the other half of issue 5,
 * src/loopback/arcade-platform.ts). This file: the MCP behaviours (tools/list, identity, unknown
 * tool, keys); cli-gateway.test.ts has the rest.
 */
import { describe } from 'vitest';
import type { ArcadeStandInOptions } from '../../src/loopback/arcade-platform.js';
import { itFailsExactly } from './helpers.js';

describe.concurrent('each broken MCP behaviour fails exactly its probe (exit 1)', () => {
  itFailsExactly<ArcadeStandInOptions>(
    [
      ['a missing tool', { missingTool: true }, 'gateway.tools-list'],
      ['an extra tool', { extraTool: true }, 'gateway.tools-list'],
      ['the wrong identity', { wrongIdentity: true }, 'gateway.exec-proof'],
      ['an unknown tool answered with a server error', { unknownTool5xx: true }, 'gateway.unknown-tool'],
      ['a gateway serving any key', { acceptsAnyKey: true }, 'gateway.rejects-bad-key'],
      ['a failed OAuth token', { oauthStatus: 'failed' }, 'oauth.token-status'],
    ],
    (arcade) => ({ arcade }),
  );
});
