/**
 * A probe's verdict from several named checks (one per gateway, user, endpoint...).
 *
 * A wrong fact outranks a missing one: any `fail` makes the probe `fail` (and the detail still
 * names the checks that errored); otherwise any `error` makes it `error`; only all-pass passes.
 * No checks at all is `error`: no evidence is never a pass.
 */
import { outcome, type Evidence, type ProbeOutcome } from '../types.js';

export interface Check {
  /** What was checked, e.g. `zeb-gateway-test as user-a` or `/v1/health`. */
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'error';
  readonly detail: string;
}

const MAX_LISTED = 3;

function listed(checks: readonly Check[]): string {
  const shown = checks.slice(0, MAX_LISTED).map((c) => `${c.name}: ${c.detail}`);
  const more = checks.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

export function combineChecks(checks: readonly Check[], passDetail: string, evidence: Evidence = {}): ProbeOutcome {
  const all = { ...evidence, checks: checks.map((c) => ({ ...c })) };
  if (checks.length === 0) return outcome.error('nothing was checked (no evidence)', all);
  const failed = checks.filter((c) => c.status === 'fail');
  const errored = checks.filter((c) => c.status === 'error');
  if (failed.length > 0) {
    const also = errored.length > 0 ? ` (also could not check: ${listed(errored)})` : '';
    return outcome.fail(`${listed(failed)}${also}`, all);
  }
  if (errored.length > 0) return outcome.error(listed(errored), all);
  return outcome.pass(passDetail, all);
}

/** `base` + `path` with exactly one slash between them. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
