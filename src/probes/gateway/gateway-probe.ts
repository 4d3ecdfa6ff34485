/**
 * What every gateway-facing probe shares: `defineGatewayProbe` (a throw or the deadline becomes
 * `error`, every outcome redacted), the gateways' MCP URLs, and the run's shared MCP sessions.
 * Each probe lives in its own file next to its pure evaluator (`endpoints.ts`, `tools-list.ts`,
 * `exec-proof.ts`, `unknown-tool.ts`, `bad-key.ts`, `oauth.ts`, `latency.ts`); this file only
 * wires targets to clients.
 *
 * Secrets: the API key goes only to the API host (gateways, tools API, /v1/config), never to
 * the reference server. What a server answered (bodies, error messages, tool results) is passed
 * through `ctx.redact` before an evaluator sees it, since evaluators quote excerpts and a
 * shortened key would no longer be recognized; every outcome is redacted again before it leaves.
 */
import { defineProbe, type ProbeDefinition } from '../define-probe.js';
import type { Field, ResolvedGateway } from '../resolved-targets.js';
import { runLimited } from '../run-limited.js';
import { outcome, type Needs, type Probe, type ProbeContext, type ProbeOutcome, type RunShared } from '../types.js';
import { ActivityGate } from './activity-gate.js';
import { joinUrl } from './checks.js';
import { classifyError, describeFailure, type FailureKind } from './errors.js';
import { resultText, withMcpSession, type McpSession } from './mcp-client.js';
import { McpSessionPool } from './session-pool.js';
import type { ToolAnswer } from './tool-answer.js';
import { at } from '../../core/at.js';

/** Sessions opened at once when fanning out over gateways × users. */
export const FAN_OUT = 8;

/**
 * What the gateway probes of one run share: one MCP session per (gateway, key, user) for
 * `gateway.tools-list` and `gateway.exec-proof`, and the fan-out in flight, which
 * `gateway.latency` waits for so that it times the gateway, not the probe process's own load.
 * Without a run scope (a probe run alone, by hand) each probe gets its own: nothing shared.
 */
interface GatewayRun {
  readonly sessions: McpSessionPool;
  readonly fanOut: ActivityGate;
}
const gatewayRun: RunShared<GatewayRun> = {
  name: 'gateway probes: shared MCP sessions and fan-out',
  create: () => ({ sessions: new McpSessionPool(), fanOut: new ActivityGate() }),
};

/** The run's fan-out in flight: `enter()` while fanning out, `idle()` to wait for it to end. */
export const fanOutOf = (ctx: ProbeContext): ActivityGate => (ctx.run?.get(gatewayRun) ?? gatewayRun.create()).fanOut;

/** A gateway of the targets with its MCP URL on the API host. */
interface GatewayEndpoint {
  readonly slug: string;
  readonly url: string;
  readonly tools: ResolvedGateway['tools'];
  readonly referenceToolkit: ResolvedGateway['referenceToolkit'];
}

/** The gateways with their URLs (`<api>/mcp/<slug>`). */
export function gatewayEndpoints(api: string, gateways: readonly ResolvedGateway[]): GatewayEndpoint[] {
  return gateways.map((gw) => ({ ...gw, url: joinUrl(api, `mcp/${gw.slug}`) }));
}

/** A gateway whose `field` is present, with that value. */
type GatewayWith<T> = GatewayEndpoint & { readonly value: T };

/** The gateways whose `pick` field is present, each with its value. */
export function gatewaysWith<T>(
  gateways: readonly GatewayEndpoint[],
  pick: (gw: GatewayEndpoint) => Field<T>,
): GatewayWith<T>[] {
  return gateways.flatMap((gw) => {
    const f = pick(gw);
    return f.ok ? [{ ...gw, value: f.value }] : [];
  });
}

/** The API key, or a throw (`defineGatewayProbe` turns it into `error`; the runner checks first). */
export function apiKeyOf(ctx: ProbeContext): string {
  if (!ctx.apiKey) throw new Error('ARCADE_API_KEY is not set');
  return ctx.apiKey;
}

/**
 * A gateway probe: `defineProbe`, with an unexpected throw or the probe's deadline turned into
 * `error`, and every outcome redacted.
 */
export function defineGatewayProbe<N extends Needs>(definition: ProbeDefinition<N>): Probe {
  const { run } = definition;
  return defineProbe({
    ...definition,
    async run(ctx, need) {
      let result: ProbeOutcome;
      try {
        result = await run(ctx, need);
        // Past the deadline, a failure may be the deadline's doing (closed sessions): say so.
        if (ctx.signal.aborted && (result.status === 'error' || result.status === 'fail')) {
          result = outcome.error(`timed out after ${ctx.timeoutMs} ms: ${result.detail}`, result.evidence);
        }
      } catch (err) {
        result = ctx.signal.aborted
          ? outcome.error(
              `timed out after ${ctx.timeoutMs} ms (${describeFailure(ctx.redact.deep(classifyError(err)))})`,
            )
          : outcome.error(describeFailure(ctx.redact.deep(classifyError(err))));
      }
      return ctx.redact.deep(result);
    },
  });
}

type SessionUse<T> = { ok: true; value: T } | { ok: false; failure: FailureKind };

/**
 * Runs `fn` once per (gateway, user), FAN_OUT at a time, each in the run's shared session for
 * that pair, as part of the run's fan-out (`gateway.latency` waits for it). A session that
 * cannot be opened, or a throw of `fn`, comes back as a classified failure. Results in
 * (gateway, user) order. Call before the first await, so that the probes started after this
 * one see it.
 */
export async function inSharedSessions<G extends { readonly url: string }, T>(
  ctx: ProbeContext,
  gateways: readonly G[],
  users: readonly string[],
  apiKey: string,
  fn: (session: McpSession, gw: G, user: string) => Promise<T>,
): Promise<{ gw: G; user: string; used: SessionUse<T> }[]> {
  const run = ctx.run?.get(gatewayRun) ?? gatewayRun.create();
  const done = run.fanOut.enter();
  const member = run.sessions.join();
  const pairs = gateways.flatMap((gw) => users.map((user) => ({ gw, user })));
  try {
    return await runLimited(pairs.length, FAN_OUT, async (i) => {
      const { gw, user } = at(pairs, i, 'gateway and user');
      const used = await member
        .use({ url: gw.url, apiKey, user }, { signal: ctx.signal, timeoutMs: ctx.timeoutMs }, (s) => fn(s, gw, user))
        .then(
          (u): SessionUse<T> =>
            u.opened ? { ok: true, value: u.value } : { ok: false, failure: classifyError(u.error) },
        )
        .catch((err: unknown): SessionUse<T> => ({ ok: false, failure: classifyError(err) }));
      return { gw, user, used };
    });
  } finally {
    try {
      await member.leave({ quick: ctx.signal.aborted });
    } finally {
      done();
    }
  }
}

/** Opens a session of the probe's own (not shared); a connect failure comes back as a failure, not a throw. */
export async function inSession<T>(
  ctx: ProbeContext,
  target: { url: string; apiKey?: string; user?: string },
  fn: (session: McpSession) => Promise<T>,
): Promise<SessionUse<T>> {
  let opened = false;
  try {
    const value = await withMcpSession({ ...target, signal: ctx.signal, timeoutMs: ctx.timeoutMs }, (session) => {
      opened = true;
      return fn(session);
    });
    return { ok: true, value };
  } catch (err) {
    if (opened) throw err;
    return { ok: false, failure: classifyError(err) };
  }
}

export function toAnswer(result: Awaited<ReturnType<McpSession['callTool']>>): ToolAnswer {
  return { isError: result.isError === true, text: resultText(result) };
}
