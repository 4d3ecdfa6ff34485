/**
 * A thin client for the one Arcade API call `oauth.token-status` makes: `tools.get(name,
 * { user_id })` with `@arcadeai/arcadejs` against the self-hosted API host. No retries of its
 * own (the runner owns retries), the probe's signal and timeout honoured. Lazily imported.
 */
import type { ToolAuthView } from './oauth.js';

export interface ToolGetOptions {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly tool: string;
  readonly user: string;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

export async function getToolAuth(options: ToolGetOptions): Promise<ToolAuthView> {
  const { default: Arcade } = await import('@arcadeai/arcadejs');
  const client = new Arcade({
    apiKey: options.apiKey,
    baseURL: options.apiUrl.replace(/\/+$/, ''),
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
  return client.tools.get(options.tool, { user_id: options.user }, { signal: options.signal });
}
