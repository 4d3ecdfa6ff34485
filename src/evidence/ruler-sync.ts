/**
 * Loads the alert rule groups into the tenant's Mimir ruler (`npm run rules`): Flux cannot, the
 * ruler's rules live in Mimir's rule store, set through its configuration API. The stack writes in
 * one ruler namespace per environment (`continuous.alerts.ruler.namespace`, default
 * `arcade-stack-<env>`), and there only its own groups, named `arcade-evidence-[a-z0-9-]+`
 * (ruler-plan.ts says why the name is the rule): a sync creates or replaces the environment's
 * groups that differ and deletes the stack's groups the environment no longer has. A group of any
 * other name in the namespace is never deleted or replaced, only listed ("not the stack's: left as
 * it is") with the fix, and the run exits 1 while it is there; other namespaces are never read or
 * touched. A check (the default) reads and compares only.
 *
 * The API, as Grafana Mimir documents it (grafana/mimir `docs/sources/mimir/references/http-api/index.md`,
 * "Ruler") and implements it (`pkg/ruler/api.go`):
 * - `GET <prometheus-http-prefix>/config/v1/rules/{namespace}`: 200 and a YAML map
 *   `{ <namespace>: [groups] }`, `{}` when the namespace has none (`ListRules`); older rulers
 *   answer 404 instead, read as none;
 * - `POST <prometheus-http-prefix>/config/v1/rules/{namespace}`: creates or replaces ONE group,
 *   body its YAML, `Content-Type: application/yaml`; 202 on success, 400 with the reason when the
 *   group is invalid (`CreateRuleGroup`);
 * - `DELETE <prometheus-http-prefix>/config/v1/rules/{namespace}/{groupName}`: 202; 404 when
 *   there is no such group (`DeleteRuleGroup`);
 * - path segments percent-encoded (RFC 3986); every request names the tenant in `X-Scope-OrgID`
 *   ("Authentication"; without it Mimir answers 401 `no org id`).
 * `<prometheus-http-prefix>` is `/prometheus` by default: the environment's ruler URL includes it.
 *
 * Redirects are never followed (`redirect: 'manual'`): fetch would repeat a DELETE or a 307/308 POST
 * at the new address (and turn a 301 POST into a GET that answers 200), so a write could be aimed
 * elsewhere without a word. A 3xx fails naming the URL, where it points and the fix (set the ruler
 * URL to the final address).
 *
 * A bearer token for a Mimir behind an authenticating proxy comes from `MIMIR_TOKEN` (never from a
 * file in git); it is sent as `Authorization: Bearer`, and removed from every message before it is
 * shown.
 */
import { stringify } from 'yaml';
import { CommandError } from '../core/command-error.js';
import type { RuleGroup } from './alerts.js';
import { formatPlan, inSync, type LiveGroup, planSync, type SyncPlan } from './ruler-plan.js';
import { noAnswerReason } from '../core/fetch-failure.js';
import { BodyOverCapError, readBodyWithin } from '../core/capped-body.js';
import { printableLine } from '../core/printable.js';
import { yamlDocuments } from '../core/yaml-input.js';

/** Where the groups go. */
export interface RulerTarget {
  /** Mimir's Prometheus API base, e.g. `http://mimir-nginx.mimir.observability-wus2/prometheus`. */
  readonly url: string;
  readonly tenant: string;
  /** The ruler namespace the stack owns. */
  readonly namespace: string;
  /** `Authorization: Bearer <token>` when set (MIMIR_TOKEN). */
  readonly token?: string;
  readonly timeoutMs: number;
}

class RulerError extends CommandError {
  constructor(message: string) {
    super(message);
    this.name = 'RulerError';
  }
}

function redact(text: string, token: string | undefined): string {
  return token ? text.split(token).join('<MIMIR_TOKEN>') : text;
}

function headers(target: RulerTarget, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'X-Scope-OrgID': target.tenant,
    ...(target.token ? { Authorization: `Bearer ${target.token}` } : {}),
    ...extra,
  };
}

/**
 * The most of a ruler answer read (src/core/capped-body.ts): the namespace's groups as YAML, a few
 * KiB for the stack's groups; a larger body is refused naming this cap.
 */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

const segment = (s: string) => encodeURIComponent(s);

async function call(
  target: RulerTarget,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const url = `${target.url}/config/v1/rules/${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: headers(target, body === undefined ? {} : { 'Content-Type': 'application/yaml' }),
      ...(body === undefined ? {} : { body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      throw new RulerError(
        redact(
          `${method} ${url}: the ruler answered ${res.status}, a redirect to ${printableLine(res.headers.get('location') ?? '(no Location)', 200)}, ` +
            'not followed: a write must not be re-aimed (fix: set continuous.alerts.ruler.url to the final address)',
          target.token,
        ),
      );
    }
    return { status: res.status, text: await readBodyWithin(res, MAX_ANSWER_BYTES) };
  } catch (err) {
    if (err instanceof RulerError) throw err;
    if (err instanceof BodyOverCapError)
      throw new RulerError(
        redact(`${method} ${url}: ${err.message} (fix: check continuous.alerts.ruler.url)`, target.token),
      );
    throw new RulerError(
      redact(
        `${method} ${url}: no answer (${noAnswerReason(err)}) (fix: check continuous.alerts.ruler.url and that the ruler is reachable from here)`,
        target.token,
      ),
    );
  }
}

function failed(target: RulerTarget, what: string, answer: { status: number; text: string }): RulerError {
  const hint =
    answer.status === 401 || answer.status === 403
      ? ' (fix: the tenant (continuous.alerts.ruler.tenant) or MIMIR_TOKEN)'
      : answer.status === 404
        ? " (fix: is the ruler API enabled (-ruler.enable-api) and the URL Mimir's Prometheus prefix, e.g. <mimir>/prometheus?)"
        : '';
  return new RulerError(
    redact(`${what}: the ruler answered ${answer.status} ${answer.text.trim().slice(0, 300)}${hint}`, target.token),
  );
}

/** The groups the ruler holds in the namespace, by name. */
async function readNamespace(target: RulerTarget): Promise<Map<string, LiveGroup>> {
  const answer = await call(target, 'GET', segment(target.namespace));
  if (answer.status === 404) return new Map();
  if (answer.status !== 200) throw failed(target, `reading namespace ${target.namespace}`, answer);
  const [first, ...more] = yamlDocuments(answer.text);
  const notYaml = first?.problem ?? (more.length > 0 ? `${more.length + 1} documents` : undefined);
  if (notYaml !== undefined)
    throw new RulerError(`reading namespace ${target.namespace}: the ruler's answer is not YAML (${notYaml})`);
  const parsed = first?.value;
  const groups = (parsed as Record<string, unknown> | null)?.[target.namespace] ?? [];
  if (!Array.isArray(groups)) throw new RulerError(`reading namespace ${target.namespace}: expected a list of groups`);
  for (const [i, g] of groups.entries()) {
    const name = (g as { name?: unknown } | null)?.name;
    if (typeof name !== 'string')
      throw new RulerError(
        `reading namespace ${target.namespace}: group ${i + 1} has no name as text ` +
          `(${printableLine(JSON.stringify(g) ?? String(g), 200)}) (fix: the ruler's rule store holds a group it should not; read it with ` +
          `GET ${target.url}/config/v1/rules/${segment(target.namespace)})`,
      );
  }
  return new Map((groups as LiveGroup[]).map((g) => [g.name, g]));
}

/**
 * Applies a plan: one POST per created or changed group, one DELETE per group of the stack's the
 * environment no longer has; nothing for a group that is not the stack's.
 */
async function applyPlan(target: RulerTarget, plan: SyncPlan): Promise<void> {
  for (const group of [...plan.create, ...plan.update.map((u) => u.group)]) {
    const answer = await call(target, 'POST', segment(target.namespace), stringify(group, { lineWidth: 0 }));
    if (answer.status !== 202 && answer.status !== 200) throw failed(target, `setting group ${group.name}`, answer);
  }
  for (const name of plan.remove) {
    const answer = await call(target, 'DELETE', `${segment(target.namespace)}/${segment(name)}`);
    if (answer.status !== 202 && answer.status !== 200 && answer.status !== 404)
      throw failed(target, `deleting group ${name}`, answer);
  }
}

/**
 * Reads the namespace, plans, and (with `apply`) syncs, then reads again to prove it holds what is
 * wanted. `ok` is false while the stack's groups differ (a check) or a group that is not the stack's
 * sits in the namespace (check and sync: after the sync did everything else).
 */
export async function syncRules(
  target: RulerTarget,
  wanted: readonly RuleGroup[],
  apply: boolean,
): Promise<{ plan: SyncPlan; text: string; ok: boolean }> {
  const plan = planSync(wanted, await readNamespace(target));
  const alone = (p: SyncPlan) => p.foreign.length === 0;
  if (!apply || inSync(plan)) return { plan, text: formatPlan(target, plan, false), ok: inSync(plan) && alone(plan) };
  await applyPlan(target, plan);
  const after = planSync(wanted, await readNamespace(target));
  if (!inSync(after)) {
    throw new RulerError(
      `after the sync the ruler still differs (${formatPlan(target, after, false)}) ` +
        `(fix: read the ruler's log; another writer may own namespace ${target.namespace})`,
    );
  }
  // The groups that are not the stack's as the ruler holds them now (never written here, listed again).
  const done = { ...plan, foreign: after.foreign };
  return { plan: done, text: formatPlan(target, done, true), ok: alone(done) };
}
