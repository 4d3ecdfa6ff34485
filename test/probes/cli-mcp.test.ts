/**
 * `npm run probe` in-process against the platform with the Arcade stand-in's faults: each fails
 * exactly the gateway probe that exists to catch it (the stand-in is the other half of issue 5,
 * src/loopback/arcade-platform.ts). This file: the MCP behaviours (tools/list, identity, unknown
 * tool, keys); cli-gateway.test.ts has the rest. Each case also checks its probe's verdict and cause,
 * that every other probe passed and that the key is in no result or output (these faults were also
 * run by test/probes/gateway/probes-faults.test.ts with the gateway probes alone: one run each now).
 */
import { describe } from 'vitest';
import type { ArcadeStandInOptions } from '../../src/loopback/arcade-platform.js';
import { itFailsExactly } from './helpers.js';

describe.concurrent('each broken MCP behaviour fails exactly its probe (exit 1)', () => {
  itFailsExactly<ArcadeStandInOptions>(
    [
      [
        'a missing tool',
        { missingTool: true },
        'gateway.tools-list',
        { status: 'fail', detail: /zeb-gateway-test as user-a: missing Slack_SendMessage/ },
      ],
      [
        'an extra tool',
        { extraTool: true },
        'gateway.tools-list',
        { status: 'fail', detail: /unexpected Extra_UnexpectedTool/ },
      ],
      [
        'the wrong identity',
        { wrongIdentity: true },
        'gateway.exec-proof',
        { status: 'fail', detail: /Whoami: returned "someone-else@stand-in\.invalid", not user-a/ },
      ],
      [
        'an unknown tool answered with a server error',
        { unknownTool5xx: true },
        'gateway.unknown-tool',
        { status: 'fail', detail: /HTTP 500 instead of an MCP error/ },
      ],
      [
        'a gateway serving any key',
        { acceptsAnyKey: true },
        'gateway.rejects-bad-key',
        { status: 'fail', detail: /served a tool list \(10 tools\) to a request with a random wrong key/ },
      ],
      [
        'a failed OAuth token',
        { oauthStatus: 'failed' },
        'oauth.token-status',
        { status: 'fail', detail: /token failed for user-a/ },
      ],
    ],
    (arcade) => ({ arcade }),
  );
});
