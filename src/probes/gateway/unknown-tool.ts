/**
 * `gateway.unknown-tool`: calling a tool that is not on the gateway must give a clean MCP error
 * (an `isError` result or a JSON-RPC error) within the wait, not a hang, a server error, a dropped
 * connection or a success. The pure evaluator (tested on fixtures), then the probe, which calls in
 * a session of its own per gateway.
 */
import { randomBytes } from 'node:crypto';
import { runLimited } from '../run-limited.js';
import type { ProbeOutcome } from '../types.js';
import { combineChecks, type Check } from './checks.js';
import { describeFailure, observe, type FailureKind, type Observed } from './errors.js';
import { apiKeyOf, defineGatewayProbe, FAN_OUT, gatewayEndpoints, inSession, toAnswer } from './gateway-probe.js';
import type { ToolAnswer } from './tool-answer.js';
import { printableLine } from '../../core/printable.js';
import { at } from '../../core/at.js';

export interface UnknownToolObservation {
  readonly gateway: string;
  /** The random tool name called. */
  readonly tool: string;
  /** How long the call was given before it counts as a hang. */
  readonly waitMs: number;
  /** Set when the session could not be opened (nothing about unknown tools was learned). */
  readonly session?: FailureKind;
  readonly answer?: Observed<ToolAnswer>;
  readonly elapsedMs?: number;
}

export function judgeUnknownTool(o: UnknownToolObservation): Check {
  const name = o.gateway;
  if (o.session) return { name, status: 'error', detail: `session: ${describeFailure(o.session)}` };
  if (!o.answer) return { name, status: 'error', detail: 'the unknown tool was not called' };
  if (o.answer.ok) {
    return o.answer.value.isError
      ? { name, status: 'pass', detail: `error result: ${printableLine(o.answer.value.text, 80)}` }
      : {
          name,
          status: 'fail',
          detail: `a tool that is not on the gateway answered as a success: "${printableLine(o.answer.value.text, 80)}"`,
        };
  }
  const f = o.answer.failure;
  switch (f.kind) {
    case 'jsonrpc':
      return { name, status: 'pass', detail: `JSON-RPC error ${f.code}: ${printableLine(f.message, 80)}` };
    case 'timeout':
      return { name, status: 'fail', detail: `no answer within ${o.waitMs} ms: the gateway hangs on an unknown tool` };
    case 'http':
      return {
        name,
        status: 'fail',
        detail: `HTTP ${f.status} instead of an MCP error: ${printableLine(f.message, 80)}`,
      };
    case 'unauthorized':
      return { name, status: 'error', detail: describeFailure(f) };
    case 'network':
      return {
        name,
        status: 'fail',
        detail: `the connection failed on an unknown tool: ${printableLine(f.message, 80)}`,
      };
  }
}

export function evaluateUnknownTool(observations: readonly UnknownToolObservation[]): ProbeOutcome {
  const checks = observations.map(judgeUnknownTool);
  return combineChecks(checks, `${observations.length} gateway(s) answered an unknown tool with a clean MCP error`, {
    calls: observations.map((o, i) => ({
      gateway: o.gateway,
      tool: o.tool,
      elapsedMs: o.elapsedMs,
      answer: checks[i]?.detail,
    })),
  });
}

export const unknownTool = defineGatewayProbe({
  id: 'gateway.unknown-tool',
  category: 'gateway',
  title: 'A tool that is not on the gateway gives a clean MCP error, not a hang or 5xx',
  needs: (t) => ({ api: t.urls.api, users: t.users, gateways: t.gateways }),
  needsApiKey: true,
  async run(ctx, { api, users, gateways: all }) {
    const apiKey = apiKeyOf(ctx);
    const user = users[0];
    // The hang threshold is a target of its own, not a share of the deadline: the verdict then
    // does not depend on how long the connect took (the deadline must only leave room for both).
    const waitMs = Math.min(ctx.targets.unknownTool.value.waitMs, Math.max(100, Math.floor(ctx.timeoutMs / 2)));
    const gateways = gatewayEndpoints(api, all);
    const observations = await runLimited(gateways.length, FAN_OUT, async (i): Promise<UnknownToolObservation> => {
      const gw = at(gateways, i, 'gateway');
      const tool = `ProbeUnknown_Tool${randomBytes(6).toString('hex')}`;
      const session = await inSession(ctx, { url: gw.url, apiKey, ...(user ? { user } : {}) }, async (s) => {
        const started = performance.now();
        const answer = await observe(async () => toAnswer(await s.callTool(tool, {}, { timeoutMs: waitMs })));
        return { answer, elapsedMs: Math.round(performance.now() - started) };
      });
      if (!session.ok) return { gateway: gw.slug, tool, waitMs, session: session.failure };
      return { gateway: gw.slug, tool, waitMs, ...session.value };
    });
    return evaluateUnknownTool(ctx.redact.deep(observations));
  },
});
