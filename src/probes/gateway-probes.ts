/**
 * The gateway-facing probes: the engine REST API, the MCP gateways, OAuth token status and
 * latency. Each `run` gathers evidence through the thin clients in `gateway/` and hands it to a
 * pure evaluator there; this file only wires targets to clients to evaluators.
 *
 * Secrets: the API key goes only to the API host (gateways, tools API, /v1/config), never to
 * the reference server. What a server answered (bodies, error messages, tool results) is passed
 * through `ctx.redact` before an evaluator sees it, since evaluators quote excerpts and a
 * shortened key would no longer be recognized; every outcome is redacted again before it leaves.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Targets } from '../environments/probe-targets.js';
import { lookup } from '../environments/probe-targets.js';
import { runLimited } from './run-limited.js';
import { outcome, type Probe, type ProbeContext, type ProbeOutcome, type RunShared } from './types.js';
import { getToolAuth } from './gateway/arcade-api.js';
import { evaluateBadKey, type BadKeyObservation } from './gateway/bad-key.js';
import { combineChecks, joinUrl } from './gateway/checks.js';
import { ActivityGate } from './gateway/activity-gate.js';
import { evaluateConfig, evaluateHealth, evaluateHost } from './gateway/endpoints.js';
import { classifyError, describeFailure, observe, type FailureKind } from './gateway/errors.js';
import { evaluateExecProof, type ExecObservation } from './gateway/exec-proof.js';
import { httpGet } from './gateway/http.js';
import { evaluateLatency } from './gateway/latency.js';
import { resultText, withMcpSession, type McpSession } from './gateway/mcp-client.js';
import { McpSessionPool } from './gateway/session-pool.js';
import { arcadeToolName, evaluateTokenStatus } from './gateway/oauth.js';
import type { ToolAnswer } from './gateway/tool-answer.js';
import { evaluateToolsList, type ToolsListObservation } from './gateway/tools-list.js';
import { evaluateUnknownTool, type UnknownToolObservation } from './gateway/unknown-tool.js';

/** Sessions opened at once when fanning out over gateways × users. */
const FAN_OUT = 8;
/** Echo calls in flight at once for the latency measurement. */
const LATENCY_CONCURRENCY = 4;
/** `gateway.latency` waits for the run's fan-out at most this share of its timeout, then measures anyway. */
const LATENCY_WAIT_SHARE = 0.5;

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
const gatewayRunOf = (ctx: ProbeContext): GatewayRun => ctx.run?.get(gatewayRun) ?? gatewayRun.create();

type SessionUse<T> = { ok: true; value: T } | { ok: false; failure: FailureKind };

/**
 * Runs `fn` once per (gateway, user), FAN_OUT at a time, each in the run's shared session for
 * that pair, as part of the run's fan-out (`gateway.latency` waits for it). A session that
 * cannot be opened, or a throw of `fn`, comes back as a classified failure. Results in
 * (gateway, user) order. Call before the first await, so that the probes started after this
 * one see it.
 */
async function inSharedSessions<G extends { readonly url: string }, T>(
  ctx: ProbeContext,
  gateways: readonly G[],
  users: readonly string[],
  apiKey: string,
  fn: (session: McpSession, gw: G, user: string) => Promise<T>,
): Promise<{ gw: G; user: string; used: SessionUse<T> }[]> {
  const run = gatewayRunOf(ctx);
  const done = run.fanOut.enter();
  const member = run.sessions.join();
  const pairs = gateways.flatMap((gw) => users.map((user) => ({ gw, user })));
  try {
    return await runLimited(pairs.length, FAN_OUT, async (i) => {
      const { gw, user } = pairs[i]!;
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

type Definition = Omit<Probe, 'run'> & { gather(ctx: ProbeContext): Promise<ProbeOutcome> };

/** Wraps `gather`: an unexpected throw or the probe's deadline becomes `error`; the key is redacted. */
function probe(definition: Definition): Probe {
  const { gather, ...rest } = definition;
  return {
    ...rest,
    async run(ctx) {
      let result: ProbeOutcome;
      try {
        result = await gather(ctx);
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
  };
}

function need<T>(targets: Targets, path: string): T {
  const found = lookup(targets, path);
  if ('missing' in found) throw new Error(found.missing);
  return found.value as T;
}

function apiKeyOf(ctx: ProbeContext): string {
  if (!ctx.apiKey) throw new Error('ARCADE_API_KEY is not set');
  return ctx.apiKey;
}

interface ResolvedGateway {
  readonly slug: string;
  readonly url: string;
  readonly tools?: readonly string[];
  readonly toolkit?: string;
  /** Why `tools` / `toolkit` are not usable. */
  readonly toolsMissing?: string;
  readonly toolkitMissing?: string;
}

function gatewaysOf(targets: Targets): ResolvedGateway[] {
  const api = need<string>(targets, 'urls.api');
  return targets.gateways.map((gw, i) => {
    const tools = lookup(targets, `gateways[${i}].tools`);
    const toolkit = lookup(targets, `gateways[${i}].referenceToolkit`);
    return {
      slug: gw.slug,
      url: joinUrl(api, `mcp/${gw.slug}`),
      ...('value' in tools ? { tools: tools.value as string[] } : { toolsMissing: tools.missing }),
      ...('value' in toolkit ? { toolkit: toolkit.value as string } : { toolkitMissing: toolkit.missing }),
    };
  });
}

function toAnswer(result: Awaited<ReturnType<McpSession['callTool']>>): ToolAnswer {
  return { isError: result.isError === true, text: resultText(result) };
}

/** Opens a session of the probe's own (not shared); a connect failure comes back as a failure, not a throw. */
async function inSession<T>(
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

const endpointsHealth = probe({
  id: 'endpoints.health',
  category: 'deployment',
  title: 'Engine /v1/health and /v1/config, coordinator, dashboard and experience answer',
  needs: ['urls.api', 'urls.coordinator', 'urls.dashboard', 'urls.experience', 'expectedCoordinatorUri'],
  retry: 'eventual',
  async gather(ctx) {
    const t = ctx.targets;
    const api = need<string>(t, 'urls.api');
    const get = (url: string, withKey = false) =>
      httpGet(url, {
        signal: ctx.signal,
        timeoutMs: ctx.timeoutMs,
        ...(withKey && ctx.apiKey ? { headers: { authorization: `Bearer ${ctx.apiKey}` } } : {}),
      });
    const hostNames = ['coordinator', 'dashboard', 'experience'] as const;
    const [health, config, ...hosts] = await Promise.all([
      get(joinUrl(api, 'v1/health')),
      get(joinUrl(api, 'v1/config'), true),
      ...hostNames.map((name) => get(need<string>(t, `urls.${name}`))),
    ]);
    const r = ctx.redact;
    const checks = [
      evaluateHealth(r.deep(health)),
      evaluateConfig(r.deep(config), need<string>(t, 'expectedCoordinatorUri')),
      ...hostNames.map((name, i) =>
        evaluateHost(name, r.deep(hosts[i] ?? { ok: false, failure: { kind: 'network', message: 'not requested' } })),
      ),
    ];
    return combineChecks(
      checks,
      'engine healthy, coordinator URI as expected, coordinator/dashboard/experience answer',
      { api },
    );
  },
});

const toolsList = probe({
  id: 'gateway.tools-list',
  category: 'gateway',
  title: 'Each gateway lists exactly the expected tools, for every user',
  needs: ['urls.api', 'users', 'gateways'],
  needsApiKey: true,
  async gather(ctx) {
    const apiKey = apiKeyOf(ctx);
    const users = need<string[]>(ctx.targets, 'users');
    const gateways = gatewaysOf(ctx.targets).filter((g) => g.tools !== undefined);
    if (gateways.length === 0) {
      return outcome.skip(
        `no gateway has a resolved tools list (${gatewaysOf(ctx.targets)[0]?.toolsMissing ?? 'none'})`,
      );
    }
    const call = { signal: ctx.signal, timeoutMs: ctx.timeoutMs };
    const lists = await inSharedSessions(ctx, gateways, users, apiKey, (s) => s.listToolNames(call));
    const observations: ToolsListObservation[] = gateways.map((gw) => ({
      gateway: gw.slug,
      expected: gw.tools ?? [],
      perUser: lists.filter((l) => l.gw === gw).map((l) => ({ user: l.user, tools: l.used })),
    }));
    return evaluateToolsList(ctx.redact.deep(observations));
  },
});

const execProof = probe({
  id: 'gateway.exec-proof',
  category: 'gateway',
  title: 'Reference tools execute as the calling user (Whoami, Echo, Add)',
  needs: ['urls.api', 'users', 'gateways'],
  needsApiKey: true,
  async gather(ctx) {
    const apiKey = apiKeyOf(ctx);
    const users = need<string[]>(ctx.targets, 'users');
    const gateways = gatewaysOf(ctx.targets).filter((g) => g.toolkit !== undefined);
    if (gateways.length === 0)
      return outcome.skip('no gateway has a resolved referenceToolkit (gateways[].referenceToolkit)');
    const bounds = { signal: ctx.signal, timeoutMs: ctx.timeoutMs };
    const runs = await inSharedSessions(ctx, gateways, users, apiKey, async (s, gw) => {
      const call = (name: string, args: Record<string, unknown>) =>
        observe(async () => toAnswer(await s.callTool(`${gw.toolkit}_${name}`, args, bounds)));
      const nonce = `probe-${randomUUID()}`;
      const a = randomInt(1, 1_000_000);
      const b = randomInt(1, 1_000_000);
      const whoami = await call('Whoami', {});
      const echo = { nonce, answer: await call('Echo', { message: nonce }) };
      const add = { a, b, answer: await call('Add', { a, b }) };
      return { whoami, echo, add };
    });
    const observations = runs.map(({ gw, user, used }): ExecObservation => {
      const base = { gateway: gw.slug, toolkit: gw.toolkit!, user };
      return used.ok ? { ...base, ...used.value } : { ...base, session: used.failure };
    });
    return evaluateExecProof(ctx.redact.deep(observations));
  },
});

const unknownTool = probe({
  id: 'gateway.unknown-tool',
  category: 'gateway',
  title: 'A tool that is not on the gateway gives a clean MCP error, not a hang or 5xx',
  needs: ['urls.api', 'users', 'gateways'],
  needsApiKey: true,
  async gather(ctx) {
    const apiKey = apiKeyOf(ctx);
    const user = need<string[]>(ctx.targets, 'users')[0];
    // The hang threshold is a target of its own, not a share of the deadline: the verdict then
    // does not depend on how long the connect took (the deadline must only leave room for both).
    const waitMs = Math.min(ctx.targets.unknownTool.waitMs, Math.max(100, Math.floor(ctx.timeoutMs / 2)));
    const gateways = gatewaysOf(ctx.targets);
    const observations = await runLimited(gateways.length, FAN_OUT, async (i): Promise<UnknownToolObservation> => {
      const gw = gateways[i]!;
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

const rejectsBadKey = probe({
  id: 'gateway.rejects-bad-key',
  category: 'security',
  title: 'A wrong or missing API key is refused, never served',
  needs: ['urls.api', 'gateways'],
  async gather(ctx) {
    const found = lookup(ctx.targets, 'users');
    const user = 'value' in found ? (found.value as string[])[0] : 'arcade-stack-probe';
    const gateways = gatewaysOf(ctx.targets);
    const attempts = gateways.flatMap((gw) => [
      {
        gw,
        credential: 'a random wrong key',
        apiKey: `probe-wrong-${randomBytes(24).toString('base64url')}` as string | undefined,
      },
      { gw, credential: 'no key', apiKey: undefined as string | undefined },
    ]);
    // Part of the fan-out (gateway.latency waits for it), but never in the shared sessions: its keys are its own.
    const done = gatewayRunOf(ctx).fanOut.enter();
    const observations = await runLimited(attempts.length, FAN_OUT, async (i): Promise<BadKeyObservation> => {
      const { gw, credential, apiKey } = attempts[i]!;
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

const oauthTokenStatus = probe({
  id: 'oauth.token-status',
  category: 'gateway',
  title: "The OAuth tool's token status for the probe user (no flow started)",
  needs: ['urls.api', 'oauth'],
  needsApiKey: true,
  async gather(ctx) {
    const apiKey = apiKeyOf(ctx);
    const oauth = need<{ tool: string; user: string }>(ctx.targets, 'oauth');
    const tool = arcadeToolName(oauth.tool);
    const observed = await observe(() =>
      getToolAuth({
        apiUrl: need<string>(ctx.targets, 'urls.api'),
        apiKey,
        tool,
        user: oauth.user,
        signal: ctx.signal,
        timeoutMs: ctx.timeoutMs,
      }),
    );
    return evaluateTokenStatus(tool, oauth.user, ctx.redact.deep(observed));
  },
});

/**
 * Runs `calls` Echo calls in one session; durations of good answers, counts of bad ones.
 * `ready` is awaited after the session is open and warm, before the timed calls.
 */
async function echoRun(
  ctx: ProbeContext,
  target: { url: string; apiKey?: string; user?: string },
  toolName: (session: McpSession) => Promise<string>,
  calls: number,
  ready: () => Promise<void>,
) {
  return inSession(ctx, target, async (s) => {
    const tool = await toolName(s);
    const run = async () => {
      const nonce = `probe-${randomUUID()}`;
      const started = performance.now();
      const answer = ctx.redact.deep(await observe(async () => toAnswer(await s.callTool(tool, { message: nonce }))));
      const ms = performance.now() - started;
      if (!answer.ok) return { ms, kind: 'transport' as const, cause: describeFailure(answer.failure) };
      if (answer.value.isError || !answer.value.text.includes(nonce)) {
        return {
          ms,
          kind: 'wrong' as const,
          cause: answer.value.isError ? `error result: ${answer.value.text.slice(0, 80)}` : 'nonce not echoed',
        };
      }
      return { ms, kind: 'ok' as const, cause: '' };
    };
    await run(); // warm-up, not counted
    await ready();
    const results = await runLimited(calls, LATENCY_CONCURRENCY, run);
    return {
      tool,
      ok: results.filter((r) => r.kind === 'ok').map((r) => r.ms),
      wrong: results.filter((r) => r.kind === 'wrong').length,
      transport: results.filter((r) => r.kind === 'transport').length,
      sample: results.find((r) => r.kind !== 'ok')?.cause,
    };
  });
}

const gatewayLatency = probe({
  id: 'gateway.latency',
  category: 'performance',
  title: 'Echo latency through the gateway (p50/p95/p99) and its overhead over the reference server',
  needs: ['urls.api', 'users', 'gateways', 'latency'],
  needsApiKey: true,
  async gather(ctx) {
    const apiKey = apiKeyOf(ctx);
    const user = need<string[]>(ctx.targets, 'users')[0];
    const { calls, p95BudgetMs } = ctx.targets.latency;
    const gw = gatewaysOf(ctx.targets).find((g) => g.toolkit !== undefined);
    if (!gw) return outcome.skip('no gateway has a resolved referenceToolkit to call Echo on');
    // Time the gateway, not this process: wait (bounded) for the run's fan-out to finish first.
    const fanOutDone = (): Promise<void> =>
      gatewayRunOf(ctx).fanOut.idle(ctx.signal, ctx.timeoutMs * LATENCY_WAIT_SHARE);
    const through = await echoRun(
      ctx,
      { url: gw.url, apiKey, ...(user ? { user } : {}) },
      async () => `${gw.toolkit}_Echo`,
      calls,
      fanOutDone,
    );
    if (!through.ok)
      return outcome.error(`${gw.slug}: session: ${describeFailure(ctx.redact.deep(through.failure))}`, {
        gateway: gw.slug,
      });

    const ref = lookup(ctx.targets, 'referenceServerUrl');
    let directMs: number[] | undefined;
    let directNote: string | undefined;
    if ('value' in ref) {
      // No Arcade key to the reference server: it is another host. Echo by name or `<Toolkit>_Echo`.
      const direct = await echoRun(
        ctx,
        { url: ref.value as string, ...(user ? { user } : {}) },
        async (s) => (await s.listToolNames()).find((n) => n === 'Echo' || n.endsWith('_Echo')) ?? 'Echo',
        calls,
        fanOutDone,
      );
      if (!direct.ok) {
        return outcome.error(
          `reference server: ${describeFailure(ctx.redact.deep(direct.failure))} (the overhead cannot be measured)`,
          {
            referenceServerUrl: ref.value,
          },
        );
      }
      if (direct.value.ok.length < calls) {
        return outcome.error(
          `reference server: ${calls - direct.value.ok.length} of ${calls} Echo calls failed (${direct.value.sample ?? 'no cause'})`,
          {
            referenceServerUrl: ref.value,
          },
        );
      }
      directMs = direct.value.ok;
    } else {
      directNote = `not measured: ${ref.missing}`;
    }
    return evaluateLatency({
      gateway: gw.slug,
      budgetMs: p95BudgetMs,
      gatewayMs: through.value.ok,
      wrongAnswers: through.value.wrong,
      transportErrors: through.value.transport,
      ...(through.value.sample ? { failureSample: through.value.sample } : {}),
      ...(directMs ? { directMs } : {}),
      ...(directNote ? { directNote } : {}),
    });
  },
});

export const gatewayProbes: readonly Probe[] = [
  endpointsHealth,
  toolsList,
  execProof,
  unknownTool,
  rejectsBadKey,
  oauthTokenStatus,
  gatewayLatency,
];
