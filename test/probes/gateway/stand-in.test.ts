/**
 * The Arcade stand-in itself behaves like the gateway: key checked, user header read per
 * request, sessions kept, reference tools served, and it closes without leaving sockets open.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startArcadeStandIn, type ArcadeStandIn } from '../../../src/loopback/arcade-platform.js';

let arcade: ArcadeStandIn | undefined;
afterEach(async () => {
  await arcade?.close();
  arcade = undefined;
});

async function connect(
  url: string,
  key: string,
  user: string,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${key}`, 'Arcade-User-ID': user } },
  });
  const client = new Client({ name: 'stand-in-test', version: '0.0.0' });
  await client.connect(transport);
  return { client, transport };
}

function text(result: Record<string, unknown>): string {
  const content = (result.content ?? []) as { type: string; text?: string }[];
  return content.map((c) => c.text ?? '').join('');
}

describe('startArcadeStandIn', () => {
  it('serves the expected tools, Whoami per user and keeps a session', async () => {
    arcade = await startArcadeStandIn();
    const gw = arcade.gateways[0]!;
    expect(gw.tools).toHaveLength(10);
    const { client, transport } = await connect(gw.url, arcade.apiKey, 'user-b');
    try {
      expect(transport.sessionId).toMatch(/[0-9a-f-]{36}/);
      const listed = await client.listTools();
      expect(listed.tools.map((t) => t.name).sort()).toEqual([...gw.tools].sort());
      expect(text(await client.callTool({ name: 'ArcadeEvalRef_Whoami', arguments: {} }))).toBe('user-b');
      expect(text(await client.callTool({ name: 'ArcadeEvalRef_Add', arguments: { a: 2, b: 40 } }))).toBe('42');
    } finally {
      await client.close();
    }
  });

  it('refuses a wrong key with 401', async () => {
    arcade = await startArcadeStandIn();
    await expect(connect(arcade.gateways[0]!.url, 'wrong', 'user-a')).rejects.toMatchObject({ code: 401 });
  });

  it('answers health and config', async () => {
    arcade = await startArcadeStandIn({ gateways: 3, users: 4 });
    expect(await (await fetch(`${arcade.apiUrl}/v1/health`)).json()).toEqual({ healthy: true });
    const config = (await (await fetch(`${arcade.apiUrl}/v1/config`)).json()) as {
      dashboard: { coordinatorUri: string };
    };
    expect(config.dashboard.coordinatorUri).toBe(arcade.expectedCoordinatorUri);
    expect(arcade.targets.gateways).toHaveLength(3);
    expect(arcade.targets.users).toEqual(['user-1', 'user-2', 'user-3', 'user-4']);
  });
});
