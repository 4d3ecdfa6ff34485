/**
 * Loads the alert rule groups into the tenant's Mimir ruler (`npm run rules`): Flux cannot, the
 * ruler's rules live in Mimir's rule store, set through its configuration API. The stack owns one
 * ruler namespace per environment (`continuous.alerts.ruler.namespace`, default
 * `arcade-stack-<env>`): a sync makes that namespace hold exactly the environment's groups,
 * creating or replacing what differs and deleting groups it no longer has; other namespaces are
 * never touched. A check (the default) reads and compares only.
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
 * A bearer token for a Mimir behind an authenticating proxy comes from `MIMIR_TOKEN` (never from a
 * file in git); it is sent as `Authorization: Bearer`, and removed from every message before it is
 * shown.
 */
import { parse, stringify } from 'yaml';
import { CommandError } from '../core/command-error.js';
import type { AlertingRule, RuleGroup } from './alerts.js';
import { noAnswerReason } from '../core/fetch-failure.js';
import { BodyOverCapError, readBodyWithin } from '../core/capped-body.js';

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

/** One rule's difference: the field and its value in the ruler and in the environment. */
interface FieldChange {
  readonly field: string;
  readonly ruler: string | undefined;
  readonly wanted: string | undefined;
}

/** What a sync does, group by group. */
interface SyncPlan {
  readonly create: readonly RuleGroup[];
  readonly update: readonly { readonly group: RuleGroup; readonly changes: readonly FieldChange[] }[];
  /** Groups in the namespace the environment does not have: deleted by a sync. */
  readonly remove: readonly string[];
  readonly unchanged: readonly string[];
}

class RulerError extends CommandError {
  constructor(message: string) {
    super(message);
    this.name = 'RulerError';
  }
}

/** A group as Mimir's ruler answers it (rulefmt): the fields the stack sets, anything else kept for comparison. */
interface LiveGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules?: readonly Record<string, unknown>[];
  readonly [key: string]: unknown;
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
  try {
    const res = await fetch(url, {
      method,
      headers: headers(target, body === undefined ? {} : { 'Content-Type': 'application/yaml' }),
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    return { status: res.status, text: await readBodyWithin(res, MAX_ANSWER_BYTES) };
  } catch (err) {
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
  let parsed: unknown;
  try {
    parsed = parse(answer.text);
  } catch (err) {
    throw new RulerError(
      `reading namespace ${target.namespace}: the ruler's answer is not YAML (${(err as Error).message})`,
    );
  }
  const groups = (parsed as Record<string, unknown> | null)?.[target.namespace] ?? [];
  if (!Array.isArray(groups)) throw new RulerError(`reading namespace ${target.namespace}: expected a list of groups`);
  return new Map((groups as LiveGroup[]).map((g) => [g.name, g]));
}

/** A rule as compared: every field the stack sets, as text (maps flattened to `labels.x`). */
function fieldsOf(rule: Readonly<Record<string, unknown>> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(rule ?? {})) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out.set(`${key}.${k}`, String(v));
    } else out.set(key, String(value));
  }
  return out;
}

/** Every difference between the ruler's group and the wanted one, rule by rule (rules by name and position). */
function differences(live: LiveGroup, wanted: RuleGroup): FieldChange[] {
  const changes: FieldChange[] = [];
  if ((live.interval ?? undefined) !== wanted.interval)
    changes.push({ field: 'interval', ruler: live.interval, wanted: wanted.interval });
  const liveRules = live.rules ?? [];
  const count = Math.max(liveRules.length, wanted.rules.length);
  for (let i = 0; i < count; i++) {
    const want = wanted.rules[i] as (AlertingRule & Record<string, unknown>) | undefined;
    const have = liveRules[i];
    const name = String(want?.alert ?? have?.alert ?? have?.record ?? `#${i}`);
    const a = fieldsOf(have);
    const b = fieldsOf(want);
    for (const field of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      if (a.get(field) !== b.get(field))
        changes.push({ field: `${name}.${field}`, ruler: a.get(field), wanted: b.get(field) });
    }
  }
  return changes;
}

/** What a sync must do to make the namespace hold exactly `wanted`. */
function planSync(wanted: readonly RuleGroup[], live: ReadonlyMap<string, LiveGroup>): SyncPlan {
  const create: RuleGroup[] = [];
  const update: { group: RuleGroup; changes: FieldChange[] }[] = [];
  const unchanged: string[] = [];
  for (const group of wanted) {
    const have = live.get(group.name);
    if (!have) {
      create.push(group);
      continue;
    }
    const changes = differences(have, group);
    if (changes.length > 0) update.push({ group, changes });
    else unchanged.push(group.name);
  }
  const names = new Set(wanted.map((g) => g.name));
  const remove = [...live.keys()].filter((n) => !names.has(n)).sort();
  return { create, update, remove, unchanged };
}

function inSync(plan: SyncPlan): boolean {
  return plan.create.length === 0 && plan.update.length === 0 && plan.remove.length === 0;
}

const shown = (v: string | undefined) => (v === undefined ? '(none)' : JSON.stringify(v));

/** The plan for people: one line per group, the changed fields of each changed rule. */
function formatPlan(target: RulerTarget, plan: SyncPlan, applied: boolean): string {
  const where = `tenant ${target.tenant}, ruler namespace ${target.namespace} at ${target.url}`;
  if (inSync(plan)) return `in sync: ${plan.unchanged.length} group(s) as wanted (${where})`;
  const verb = (planned: string, done: string) => (applied ? done : planned);
  const lines = [`${verb('differs from', 'synced')} ${where}:`];
  for (const g of plan.create)
    lines.push(`  + ${g.name}: ${verb('missing, would be created', 'created')} (${g.rules.length} rules)`);
  for (const { group, changes } of plan.update) {
    lines.push(`  ~ ${group.name}: ${verb('differs, would be replaced', 'replaced')}`);
    for (const c of changes) lines.push(`      ${c.field}: ${shown(c.ruler)} -> ${shown(c.wanted)}`);
  }
  for (const name of plan.remove)
    lines.push(`  - ${name}: ${verb("not the environment's, would be deleted", 'deleted')}`);
  for (const name of plan.unchanged) lines.push(`  = ${name}: as wanted`);
  return lines.join('\n');
}

/** Applies a plan: one POST per created or changed group, one DELETE per removed group. */
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

/** Reads the namespace, plans, and (with `apply`) syncs, then reads again to prove it holds what is wanted. */
export async function syncRules(
  target: RulerTarget,
  wanted: readonly RuleGroup[],
  apply: boolean,
): Promise<{ plan: SyncPlan; text: string; ok: boolean }> {
  const plan = planSync(wanted, await readNamespace(target));
  if (!apply || inSync(plan)) return { plan, text: formatPlan(target, plan, false), ok: inSync(plan) };
  await applyPlan(target, plan);
  const after = planSync(wanted, await readNamespace(target));
  if (!inSync(after)) {
    throw new RulerError(
      `after the sync the ruler still differs (${formatPlan(target, after, false)}) ` +
        `(fix: read the ruler's log; another writer may own namespace ${target.namespace})`,
    );
  }
  return { plan, text: formatPlan(target, plan, true), ok: true };
}
