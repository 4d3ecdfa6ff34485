/**
 * Pure evaluator for `gateway.exec-proof`: on each gateway with the reference toolkit, as each
 * user, `<Toolkit>_Whoami` returns exactly that user, `<Toolkit>_Echo` returns the fresh random
 * nonce sent, and `<Toolkit>_Add` returns the sum of two random integers.
 */
import type { ProbeOutcome } from '../types.js';
import { combineChecks, type Check } from './checks.js';
import { describeFailure, type FailureKind, type Observed } from './errors.js';
import { identityOf, numberOf, type ToolAnswer } from './tool-answer.js';
import { oneLine } from '../../shared/one-line.js';

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
  if (answer.value.isError) return { name, status: 'fail', detail: `error result: ${oneLine(answer.value.text, 80)}` };
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
            detail: `returned "${oneLine(id ?? a.text, 80)}", not ${o.user}: the gateway does not execute as the calling user`,
          };
    });
    const echo = called(`${where} ${o.toolkit}_Echo`, o.echo?.answer, (a) =>
      o.echo && a.text.includes(o.echo.nonce)
        ? { name: `${where} ${o.toolkit}_Echo`, status: 'pass', detail: 'returned the fresh nonce' }
        : {
            name: `${where} ${o.toolkit}_Echo`,
            status: 'fail',
            detail: `did not return the nonce sent (got "${oneLine(a.text, 80)}")`,
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
            detail: `${o.add?.a} + ${o.add?.b} returned "${oneLine(a.text, 80)}", expected ${sum}`,
          };
    });
    checks.push(whoami, echo, add);
    results.push({
      gateway: o.gateway,
      user: o.user,
      whoami: o.whoami?.ok ? oneLine(o.whoami.value.text, 80) : whoami.detail,
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
