/**
 * One GET of Mimir's Prometheus-compatible API for a tenant, as the Mimir probes ask it
 * (`otel.metrics-in-mimir`'s instant query, `alerts.rules-loaded`'s rules list): the
 * `X-Scope-OrgID` header, JSON accepted, bounded by the probe's signal, and the body read up to
 * the caller's cap (src/core/capped-body.ts), redacted before anything quotes it. An answer over the
 * cap is an error naming the cap and the setting the URL came from, with the fix (a URL that leads
 * elsewhere than Mimir's Prometheus API is the likely cause), as the forge's and the ruler sync's do.
 */
import { BodyOverCapError, readBodyWithin } from '../../core/capped-body.js';
import { noAnswerReason } from '../../core/fetch-failure.js';
import type { ProbeContext } from '../types.js';

export type MimirGet =
  /** Mimir answered: its status and whole body (redacted). */
  | { readonly kind: 'answer'; readonly status: number; readonly body: string }
  /** No answer, or the connection failed while the body was read: why (redacted). */
  | { readonly kind: 'no-answer'; readonly reason: string }
  /** The body is larger than the cap: the message names the cap, the setting and the fix; nothing past the cap was read. */
  | { readonly kind: 'over-cap'; readonly status: number; readonly message: string };

/** Where the URL asked comes from: named in the fix of an over-cap error. */
export interface MimirSetting {
  /** The targets field (`mimir.queryUrl`). */
  readonly field: string;
  /**
   * The environment field it comes from (`probes.mimir.queryUrl`); unset, the URL is derived from
   * `collector.mimir.pushUrl` (src/environments/probes.ts, continuous.ts), so the fix names both.
   */
  readonly environmentField: string;
}

/** What an answer over the cap says: the cap, then the setting to check and what it must name. */
export function mimirOverCapMessage(err: BodyOverCapError, setting: MimirSetting): string {
  return (
    `${err.message} (fix: check ${setting.field} in the targets; in an environment ${setting.environmentField}, ` +
    "or collector.mimir.pushUrl it is derived from when unset: it must lead to Mimir's Prometheus API base, <mimir>/prometheus)"
  );
}

export async function getFromMimir(
  ctx: Pick<ProbeContext, 'signal' | 'redact'>,
  url: string,
  setting: MimirSetting,
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
    if (err instanceof BodyOverCapError)
      return { kind: 'over-cap', status: res.status, message: mimirOverCapMessage(err, setting) };
    return { kind: 'no-answer', reason: ctx.redact.text(noAnswerReason(err)) };
  }
}
