/**
 * What `npm run rules` must do in the stack's ruler namespace, and how it says so (the ruler's HTTP
 * API is in ruler-sync.ts). Pure: the groups the ruler holds in, the plan and its text out.
 *
 * Which groups are the stack's: a group is the stack's when its whole name matches `RULE_GROUP_NAME`
 * (`arcade-evidence-` then `[a-z0-9-]+`, the shape of every name in RULE_GROUP_NAMES). Such a name
 * is the same percent-encoded, so a DELETE of it names that group whatever a proxy decodes; a name
 * like `arcade-evidence-/../hand-made` (a DELETE a decoding proxy would resolve to `hand-made`),
 * `arcade-evidence-a%2Fb` or `arcade-evidence-Probes` is not the stack's. Mimir's
 * documented rule group format (grafana/mimir `docs/sources/mimir/references/http-api/index.md`,
 * "Set rule group" and the list answers) has `name`, `interval`, `source_tenants` and `rules`, no
 * group labels or annotations, so nothing documented on a group could record who made it (an
 * undocumented field is not guessed at); the name is the mark. By that rule:
 * - a live group named as one the environment has is compared and replaced when it differs, even
 *   if someone else wrote it (its name is the stack's);
 * - a live group of that shape the environment no longer has (a name the stack made before) is
 *   deleted;
 * - every other group is not the stack's: never deleted, never replaced, listed as left as it is,
 *   and the run fails (exit 1) while it is there, since the namespace is then not the stack's alone.
 *   Its name is always shown JSON-quoted, every character but printable ASCII, letters and digits
 *   escaped (a newline or a terminal escape in a name cannot fake a plan line, and a `"` or `\` in
 *   a name cannot make it read as another's quoted form).
 */
import { unicodeEscape } from '../core/printable.js';
import { type AlertingRule, RULE_GROUP_NAME, type RuleGroup } from './alerts.js';

/** A group as Mimir's ruler answers it (rulefmt): the fields the stack sets, anything else kept for comparison. */
export interface LiveGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules?: readonly Record<string, unknown>[];
  readonly [key: string]: unknown;
}

/** Where the plan applies, as shown to people. */
interface PlanPlace {
  readonly url: string;
  readonly tenant: string;
  readonly namespace: string;
}

/** One rule's difference: the field and its value in the ruler and in the environment. */
interface FieldChange {
  readonly field: string;
  readonly ruler: string | undefined;
  readonly wanted: string | undefined;
}

/** What a sync does, group by group. */
export interface SyncPlan {
  readonly create: readonly RuleGroup[];
  readonly update: readonly { readonly group: RuleGroup; readonly changes: readonly FieldChange[] }[];
  /** The stack's groups (by name) the environment no longer has: deleted by a sync. */
  readonly remove: readonly string[];
  readonly unchanged: readonly string[];
  /** Groups that are not the stack's: never written, never deleted; the run exits 1 while any is there. */
  readonly foreign: readonly string[];
}

/** Whether a group in the ruler namespace is the stack's (see the header): its name, the one mark the ruler keeps. */
export const isStackGroup = (name: string): boolean => RULE_GROUP_NAME.test(name);

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

/** What a sync must do to make the stack's groups in the namespace exactly `wanted`, the others left alone. */
export function planSync(wanted: readonly RuleGroup[], live: ReadonlyMap<string, LiveGroup>): SyncPlan {
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
  const others = [...live.keys()].filter((n) => !names.has(n)).sort();
  return {
    create,
    update,
    remove: others.filter(isStackGroup),
    unchanged,
    foreign: others.filter((n) => !isStackGroup(n)),
  };
}

/** Whether the stack's groups are as wanted (groups that are not the stack's aside). */
export function inSync(plan: SyncPlan): boolean {
  return plan.create.length === 0 && plan.update.length === 0 && plan.remove.length === 0;
}

const shown = (v: string | undefined) => (v === undefined ? '(none)' : JSON.stringify(v));

/** A character shown as it is in a group name: printable ASCII, a letter or a digit of any script. */
const PLAIN = /[\x20-\x7e\p{L}\p{N}]/u;

/**
 * A group name as shown: always JSON-quoted (`"team-slo"`), `"` and `\` escaped as JSON does and
 * every character but printable ASCII, a letter or a digit as `\uXXXX` (../core/printable.ts'
 * `unicodeEscape`, as JSON writes one). One form for every name, so no name reads as another:
 * shown as it is when plain, `"rtl\u202eevil"` (quotes and a backslash in the name) would print
 * exactly as the name `rtl<U+202E>evil` does. Stricter than `printable`, which escapes only what
 * acts on a terminal (every such code point is outside PLAIN): a name is told apart from another by
 * how it reads, and a zero-width space or a combining mark would make two names read alike.
 */
function nameShown(name: string): string {
  return [...JSON.stringify(name)].map((c) => (PLAIN.test(c) ? c : unicodeEscape(c))).join('');
}

/** The groups that are not the stack's and the fix, or nothing. */
function foreignLines(place: PlanPlace, plan: SyncPlan): string[] {
  if (plan.foreign.length === 0) return [];
  return [
    ...plan.foreign.map((name) => `  ! ${nameShown(name)}: not the stack's: left as it is`),
    `ruler namespace ${place.namespace} is not the stack's alone: ${plan.foreign.length} group(s) above are not ` +
      `named as the stack's (${RULE_GROUP_NAME.source}), so the stack never deletes or replaces them, and exits 1 while they are there ` +
      `(fix: move them to another ruler namespace, or set continuous.alerts.ruler.namespace to a namespace of the stack's own)`,
  ];
}

/** The plan for people: one line per group, the changed fields of each changed rule, then the groups left alone. */
export function formatPlan(place: PlanPlace, plan: SyncPlan, applied: boolean): string {
  const where = `tenant ${place.tenant}, ruler namespace ${place.namespace} at ${place.url}`;
  if (inSync(plan) && plan.foreign.length === 0)
    return `in sync: ${plan.unchanged.length} group(s) as wanted (${where})`;
  if (inSync(plan)) {
    const headline = `the stack's ${plan.unchanged.length} group(s) in sync, but the namespace is not the stack's alone (${where}):`;
    return [headline, ...plan.unchanged.map((name) => `  = ${name}: as wanted`), ...foreignLines(place, plan)].join(
      '\n',
    );
  }
  const verb = (planned: string, done: string) => (applied ? done : planned);
  const lines = [`${verb('differs from', 'synced')} ${where}:`];
  for (const g of plan.create)
    lines.push(`  + ${g.name}: ${verb('missing, would be created', 'created')} (${g.rules.length} rules)`);
  for (const { group, changes } of plan.update) {
    lines.push(`  ~ ${group.name}: ${verb('differs, would be replaced', 'replaced')}`);
    for (const c of changes) lines.push(`      ${c.field}: ${shown(c.ruler)} -> ${shown(c.wanted)}`);
  }
  for (const name of plan.remove)
    lines.push(`  - ${name}: ${verb("the stack's, no longer the environment's, would be deleted", 'deleted')}`);
  for (const name of plan.unchanged) lines.push(`  = ${name}: as wanted`);
  return [...lines, ...foreignLines(place, plan)].join('\n');
}
