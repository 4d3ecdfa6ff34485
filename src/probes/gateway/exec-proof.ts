/**
 * `gateway.exec-proof`: on each gateway with the reference toolkit, as each user,
 * `<Toolkit>_Whoami` returns exactly that user, `<Toolkit>_Echo` returns the fresh random nonce
 * sent, and `<Toolkit>_Add` returns the sum of two random integers. The pure evaluator (tested on
 * fixtures), then the probe, which calls in the run's shared MCP sessions.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { outcome, type ProbeOutcome } from '../types.js';
import { combineChecks, type Check } from './checks.js';
import { describeFailure, observe, type FailureKind, type Observed } from './errors.js';
import {
  apiKeyOf,
  defineGatewayProbe,
  gatewayEndpoints,
  gatewaysWith,
  inSharedSessions,
  toAnswer,
} from './gateway-probe.js';
import { identityOf, numberOf, type ToolAnswer } from './tool-answer.js';
import { printableLine } from '../../core/printable.js';

export interface ExecObservation {
  readonly gateway: string;
  readonly toolkit: string;
  readonly user: string;
  /** Set when the session could not be opened (the calls were not made). */
  readonly session?: FailureKind;
  readonly whoami?: Observed<ToolAnswer>;
  readonly echo?: { readonly nonce: string; readonly answer: Observed<ToolAnswer> };
  readonly add?: { readonly a: number; readonly b: number; readonly answer: Observed<ToolAnswer> };
}

function called(name: string, answer: Observed<ToolAnswer> | undefined, judge: (a: ToolAnswer) => Check): Check {
  if (!answer) return { name, status: 'error', detail: 'not called' };
  if (!answer.ok) return { name, status: 'error', detail: describeFailure(answer.failure) };
  if (answer.value.isError)
    return { name, status: 'fail', detail: `error result: ${printableLine(answer.value.text, 80)}` };
  return judge(answer.value);
}

export function evaluateExecProof(observations: readonly ExecObservation[]): ProbeOutcome {
  const checks: Check[] = [];
  const results: Record<string, unknown>[] = [];
  for (const o of observations) {
    const where = `${o.gateway} as ${o.user}`;
    if (o.session) {
      checks.push({ name: where, status: 'error', detail: `session: ${describeFailure(o.session)}` });
      results.push({ gateway: o.gateway, user: o.user, error: describeFailure(o.session) });
      continue;
    }
    const whoami = called(`${where} ${o.toolkit}_Whoami`, o.whoami, (a) => {
      const id = identityOf(a.text);
      return id === o.user
        ? { name: `${where} ${o.toolkit}_Whoami`, status: 'pass', detail: `returned ${o.user}` }
        : {
            name: `${where} ${o.toolkit}_Whoami`,
            status: 'fail',
            detail: `returned "${printableLine(id ?? a.text, 80)}", not ${o.user}: the gateway does not execute as the calling user`,
          };
    });
    const echo = called(`${where} ${o.toolkit}_Echo`, o.echo?.answer, (a) =>
      o.echo && a.text.includes(o.echo.nonce)
        ? { name: `${where} ${o.toolkit}_Echo`, status: 'pass', detail: 'returned the fresh nonce' }
        : {
            name: `${where} ${o.toolkit}_Echo`,
            status: 'fail',
            detail: `did not return the nonce sent (got "${printableLine(a.text, 80)}")`,
          },
    );
    const add = called(`${where} ${o.toolkit}_Add`, o.add?.answer, (a) => {
      const sum = (o.add?.a ?? 0) + (o.add?.b ?? 0);
      const got = numberOf(a.text);
      return got === sum
        ? { name: `${where} ${o.toolkit}_Add`, status: 'pass', detail: `returned ${sum}` }
        : {
            name: `${where} ${o.toolkit}_Add`,
            status: 'fail',
            detail: `${o.add?.a} + ${o.add?.b} returned "${printableLine(a.text, 80)}", expected ${sum}`,
          };
    });
    checks.push(whoami, echo, add);
    results.push({
      gateway: o.gateway,
      user: o.user,
      whoami: o.whoami?.ok ? printableLine(o.whoami.value.text, 80) : whoami.detail,
      echo: echo.status,
      add: add.status === 'pass' ? `${o.add?.a} + ${o.add?.b} = ${(o.add?.a ?? 0) + (o.add?.b ?? 0)}` : add.detail,
    });
  }
  const gateways = new Set(observations.map((o) => o.gateway)).size;
  const users = new Set(observations.map((o) => o.user)).size;
  return combineChecks(
    checks,
    `${gateways} gateway(s) × ${users} user(s): Whoami returned each caller, Echo the fresh nonce, Add the sum`,
    { results },
  );
}

export const execProof = defineGatewayProbe({
  id: 'gateway.exec-proof',
  category: 'gateway',
  title: 'Reference tools execute as the calling user (Whoami, Echo, Add)',
  needs: (t) => ({ api: t.urls.api, users: t.users, gateways: t.gateways }),
  needsApiKey: true,
  async run(ctx, { api, users, gateways: all }) {
    const apiKey = apiKeyOf(ctx);
    const gateways = gatewaysWith(gatewayEndpoints(api, all), (gw) => gw.referenceToolkit);
    if (gateways.length === 0)
      return outcome.skip('no gateway has a resolved referenceToolkit (gateways[].referenceToolkit)');
    const bounds = { signal: ctx.signal, timeoutMs: ctx.timeoutMs };
    const runs = await inSharedSessions(ctx, gateways, users, apiKey, async (s, gw) => {
      const call = (name: string, args: Record<string, unknown>) =>
        observe(async () => toAnswer(await s.callTool(`${gw.value}_${name}`, args, bounds)));
      const nonce = `probe-${randomUUID()}`;
      const a = randomInt(1, 1_000_000);
      const b = randomInt(1, 1_000_000);
      const whoami = await call('Whoami', {});
      const echo = { nonce, answer: await call('Echo', { message: nonce }) };
      const add = { a, b, answer: await call('Add', { a, b }) };
      return { whoami, echo, add };
    });
    const observations = runs.map(({ gw, user, used }): ExecObservation => {
      const base = { gateway: gw.slug, toolkit: gw.value, user };
      return used.ok ? { ...base, ...used.value } : { ...base, session: used.failure };
    });
    return evaluateExecProof(ctx.redact.deep(observations));
  },
});
