/**
 * `gateway.rejects-bad-key`: a random wrong key (and no key at all) is refused with 401/403 or an
 * MCP authorization error; a tool list is never served. Anything else (404, 5xx, timeout, no
 * answer) does not prove a refusal: `error`. The pure evaluator (tested on fixtures), then the
 * probe, which opens sessions of its own: its keys are never the run's.
 */
import { randomBytes } from 'node:crypto';
import { runLimited } from '../run-limited.js';
import type { ProbeOutcome } from '../types.js';
import { combineChecks, type Check } from './checks.js';
import { describeFailure, observe, type Observed } from './errors.js';
import { defineGatewayProbe, FAN_OUT, fanOutOf, gatewayEndpoints } from './gateway-probe.js';
import { withMcpSession } from './mcp-client.js';
import { at } from '../../core/at.js';

export interface BadKeyObservation {
  readonly gateway: string;
  /** `wrong key` or `no key`. */
  readonly credential: string;
  /** The tool names served (a security failure), or why none were. */
  readonly listed: Observed<readonly string[]>;
}

const AUTH_MESSAGE = /unauthori[sz]ed|forbidden|api[ -_]?key|credential|authenticat|not authori[sz]ed|invalid token/i;

export function judgeBadKey(o: BadKeyObservation): Check {
  const name = `${o.gateway} with ${o.credential}`;
  if (o.listed.ok) {
    return {
      name,
      status: 'fail',
      detail: `served a tool list (${o.listed.value.length} tools) to a request with ${o.credential}`,
    };
  }
  const f = o.listed.failure;
  if (f.kind === 'http' && (f.status === 401 || f.status === 403))
    return { name, status: 'pass', detail: `refused with HTTP ${f.status}` };
  if (f.kind === 'unauthorized') return { name, status: 'pass', detail: 'refused (401, MCP client: unauthorized)' };
  if (f.kind === 'jsonrpc' && AUTH_MESSAGE.test(f.message))
    return { name, status: 'pass', detail: `refused with an MCP authorization error ${f.code}` };
  return { name, status: 'error', detail: `not a refusal: ${describeFailure(f)}` };
}

export function evaluateBadKey(observations: readonly BadKeyObservation[]): ProbeOutcome {
  const checks = observations.map(judgeBadKey);
  return combineChecks(
    checks,
    `${new Set(observations.map((o) => o.gateway)).size} gateway(s) refused a wrong key and a missing key`,
    {
      attempts: checks.map((c) => ({ request: c.name, result: c.detail })),
    },
  );
}

export const rejectsBadKey = defineGatewayProbe({
  id: 'gateway.rejects-bad-key',
  category: 'security',
  title: 'A wrong or missing API key is refused, never served',
  needs: (t) => ({ api: t.urls.api, gateways: t.gateways }),
  async run(ctx, { api, gateways: all }) {
    const users = ctx.targets.users;
    const user = users.ok ? users.value[0] : 'arcade-stack-probe';
    const gateways = gatewayEndpoints(api, all);
    const attempts = gateways.flatMap((gw) => [
      {
        gw,
        credential: 'a random wrong key',
        apiKey: `probe-wrong-${randomBytes(24).toString('base64url')}` as string | undefined,
      },
      { gw, credential: 'no key', apiKey: undefined as string | undefined },
    ]);
    // Part of the fan-out (gateway.latency waits for it), but never in the shared sessions: its keys are its own.
    const done = fanOutOf(ctx).enter();
    const observations = await runLimited(attempts.length, FAN_OUT, async (i): Promise<BadKeyObservation> => {
      const { gw, credential, apiKey } = at(attempts, i, 'attempt');
      const listed = await observe(() =>
        withMcpSession(
          {
            url: gw.url,
            ...(apiKey ? { apiKey } : {}),
            ...(user ? { user } : {}),
            signal: ctx.signal,
            timeoutMs: ctx.timeoutMs,
          },
          (s) => s.listToolNames(),
        ),
      );
      return { gateway: gw.slug, credential, listed };
    }).finally(done);
    return evaluateBadKey(ctx.redact.deep(observations));
  },
});
