/**
 * Pure evaluator for `gateway.rejects-bad-key`: a random wrong key (and no key at all) is
 * refused with 401/403 or an MCP authorization error; a tool list is never served.
 * Anything else (404, 5xx, timeout, no answer) does not prove a refusal: `error`.
 */
import type { ProbeOutcome } from '../types.js';
import { combineChecks, type Check } from './checks.js';
import { describeFailure, type Observed } from './errors.js';

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
