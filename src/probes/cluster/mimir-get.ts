/**
 * One GET of Mimir's Prometheus-compatible API for a tenant, as the Mimir probes ask it
 * (`otel.metrics-in-mimir`'s instant query, `alerts.rules-loaded`'s rules list): the
 * `X-Scope-OrgID` header, JSON accepted, bounded by the probe's signal, and the body read up to
 * the caller's cap (src/core/capped-body.ts), redacted before anything quotes it.
 */
import { BodyOverCapError, readBodyWithin } from '../../core/capped-body.js';
import { noAnswerReason } from '../../core/fetch-failure.js';
import type { ProbeContext } from '../types.js';

export type MimirGet =
  /** Mimir answered: its status and whole body (redacted). */
  | { readonly kind: 'answer'; readonly status: number; readonly body: string }
  /** No answer, or the connection failed while the body was read: why (redacted). */
  | { readonly kind: 'no-answer'; readonly reason: string }
  /** The body is larger than the cap: the message names the cap; nothing past it was read. */
  | { readonly kind: 'over-cap'; readonly status: number; readonly message: string };

export async function getFromMimir(
  ctx: Pick<ProbeContext, 'signal' | 'redact'>,
  url: string,
  tenant: string,
  maxBytes: number,
): Promise<MimirGet> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { 'X-Scope-OrgID': tenant, accept: 'application/json' }, signal: ctx.signal });
  } catch (err) {
    return { kind: 'no-answer', reason: ctx.redact.text(noAnswerReason(err)) };
  }
  try {
    // Redacted before an evaluator quotes an excerpt of it (Mimir never gets the key; a proxy might echo one).
    return { kind: 'answer', status: res.status, body: ctx.redact.text(await readBodyWithin(res, maxBytes)) };
  } catch (err) {
    if (err instanceof BodyOverCapError) return { kind: 'over-cap', status: res.status, message: err.message };
    return { kind: 'no-answer', reason: ctx.redact.text(noAnswerReason(err)) };
  }
}
