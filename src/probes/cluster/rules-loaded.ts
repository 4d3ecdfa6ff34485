/**
 * `alerts.rules-loaded`: the tenant's Mimir ruler holds every alert rule group the stack renders
 * for the environment, each with all its alerts (src/evidence/alerts.ts), in the ruler namespace
 * the stack owns.
 *
 * It asks the ruler what it has loaded, through Mimir's Prometheus-compatible API:
 * `GET <ruler url>/api/v1/rules` with `X-Scope-OrgID: <tenant>` (grafana/mimir
 * `docs/sources/mimir/references/http-api/index.md` "Get rule groups" under the Prometheus prefix;
 * `{"status":"success","data":{"groups":[{"name","file","rules":[{"name","type",...}]}]}}`, where
 * `file` is the ruler namespace). That is what the ruler evaluates, not what its configuration API
 * stores, so a group `npm run rules -- --sync` wrote but the ruler has not loaded yet (it syncs on
 * a poll interval) is still missing here.
 *
 * Only meaningful when the environment's continuous mode names `mimir-ruler` among its
 * evaluators: otherwise the targets carry no `ruler` (an unresolved marker saying why) and the
 * probe is `skip` with that reason. A PrometheusRule evaluated by the cluster's Prometheus is not
 * visible through Mimir's API, so nothing here claims to check it.
 *
 * `pass`: every expected group is in the namespace with every expected alert. `fail`: a group or
 * an alert is missing (named), or the tenant holds no group at all (the tenant may be wrong, or
 * the rules were never loaded). `error`: no answer, 401/404/5xx, a malformed body or one over
 * MAX_RULES_LIST_BYTES (nothing was learnt; over the cap, the error names `ruler.url` to check).
 * Evidence: what was expected, found and missing, and the other namespaces the tenant has.
 */
import { defineProbe } from '../define-probe.js';
import { outcome, type ProbeOutcome } from '../types.js';
import { printableLine } from '../../core/printable.js';
import { getFromMimir } from './mimir-get.js';

/** One rule group the ruler should hold: its name and its alerts' names. */
export interface ExpectedGroup {
  readonly name: string;
  readonly alerts: readonly string[];
}

export interface RulerExpectation {
  readonly url: string;
  readonly tenant: string;
  /** The ruler namespace (Prometheus API: the groups' `file`). */
  readonly namespace: string;
  readonly groups: readonly ExpectedGroup[];
}

/** One loaded group as `/api/v1/rules` lists it (the fields read). */
export interface LoadedGroup {
  readonly name: string;
  readonly file: string;
  readonly rules: readonly string[];
}

/** The rules-list URL: `<ruler url>/api/v1/rules`. */
export function rulesListUrl(rulerUrl: string): string {
  return `${rulerUrl.replace(/\/+$/, '')}/api/v1/rules`;
}

/** The loaded groups of an `/api/v1/rules` body, or undefined when the body is not of that shape. */
export function parseRulesList(body: unknown): LoadedGroup[] | undefined {
  const data = (body as { status?: unknown; data?: { groups?: unknown } } | null)?.data;
  if ((body as { status?: unknown } | null)?.status !== 'success' || !Array.isArray(data?.groups)) return undefined;
  const groups: LoadedGroup[] = [];
  for (const g of data.groups as unknown[]) {
    const group = g as { name?: unknown; file?: unknown; rules?: unknown };
    if (typeof group?.name !== 'string' || typeof group.file !== 'string' || !Array.isArray(group.rules))
      return undefined;
    const rules: string[] = [];
    for (const r of group.rules as unknown[]) {
      const name = (r as { name?: unknown } | null)?.name;
      if (typeof name !== 'string') return undefined;
      rules.push(name);
    }
    groups.push({ name: group.name, file: group.file, rules });
  }
  return groups;
}

/**
 * The most of a rules list read (src/core/capped-body.ts): a tenant with a thousand groups of ten
 * rules each answers about 2 MiB; a larger body is refused as an error naming this cap.
 */
export const MAX_RULES_LIST_BYTES = 16 * 1024 * 1024;

/** Where the ruler's URL comes from (named in an over-cap error's fix). */
const RULER_SETTING = { field: 'ruler.url', environmentField: 'continuous.alerts.ruler.url' } as const;

/** Namespaces listed in the evidence at most (the rest are counted). */
const MAX_NAMESPACES_SHOWN = 10;

/** The verdict over what the ruler lists for the tenant. */
export function evaluateRulesLoaded(expected: RulerExpectation, loaded: readonly LoadedGroup[]): ProbeOutcome {
  const inNamespace = new Map(loaded.filter((g) => g.file === expected.namespace).map((g) => [g.name, g]));
  const found: Record<string, string[]> = {};
  const missingGroups: string[] = [];
  const missingAlerts: Record<string, string[]> = {};
  for (const group of expected.groups) {
    const live = inNamespace.get(group.name);
    if (!live) {
      missingGroups.push(group.name);
      continue;
    }
    found[group.name] = group.alerts.filter((a) => live.rules.includes(a));
    const absent = group.alerts.filter((a) => !live.rules.includes(a));
    if (absent.length > 0) missingAlerts[group.name] = absent;
  }
  const namespaces = [...new Set(loaded.map((g) => g.file))].sort();
  const evidence = {
    ruler: expected.url,
    tenant: expected.tenant,
    namespace: expected.namespace,
    expected: Object.fromEntries(expected.groups.map((g) => [g.name, [...g.alerts]])),
    found,
    missing: { groups: missingGroups, alerts: missingAlerts },
    tenantNamespaces: namespaces.slice(0, MAX_NAMESPACES_SHOWN),
    ...(namespaces.length > MAX_NAMESPACES_SHOWN ? { moreNamespaces: namespaces.length - MAX_NAMESPACES_SHOWN } : {}),
  };
  const where = `tenant ${expected.tenant}, ruler namespace ${expected.namespace}`;
  if (loaded.length === 0)
    return outcome.fail(
      `the ruler holds no rule group at all for ${expected.tenant}: is the tenant right, and have the rules been loaded ` +
        `(npm run rules -- --env <env> --sync)? missing ${missingGroups.join(', ')}`,
      evidence,
    );
  const problems = [
    ...missingGroups.map((g) => `group ${g} missing`),
    ...Object.entries(missingAlerts).map(([g, alerts]) => `group ${g} lacks ${alerts.join(', ')}`),
  ];
  if (problems.length > 0) {
    const elsewhere = namespaces.filter((n) => n !== expected.namespace);
    const hint =
      inNamespace.size === 0 && elsewhere.length > 0 ? ` (the tenant has namespaces ${elsewhere.join(', ')})` : '';
    return outcome.fail(`${where}: ${problems.join('; ')}${hint} (fix: npm run rules -- --env <env> --sync)`, evidence);
  }
  const alerts = expected.groups.reduce((n, g) => n + g.alerts.length, 0);
  return outcome.pass(`${where}: all ${expected.groups.length} groups loaded, ${alerts} alerts`, evidence);
}

export const rulesLoaded = defineProbe({
  id: 'alerts.rules-loaded',
  category: 'observability',
  title: "The tenant's Mimir ruler has loaded every alert rule group the stack renders for the environment",
  needs: (t) => ({ ruler: t.ruler }),
  async run(ctx, { ruler }) {
    const url = rulesListUrl(ruler.url);
    const evidence = { ruler: ruler.url, tenant: ruler.tenant, namespace: ruler.namespace };
    const got = await getFromMimir(ctx, url, RULER_SETTING, ruler.tenant, MAX_RULES_LIST_BYTES);
    if (got.kind === 'no-answer') return outcome.error(`${url}: no answer (${printableLine(got.reason)})`, evidence);
    if (got.kind === 'over-cap')
      return outcome.error(`${url}: HTTP ${got.status}, ${got.message}`, { ...evidence, status: got.status });
    const text = got.body;
    if (got.status === 404)
      return outcome.error(
        `${url}: 404 ${printableLine(text, 80)}: is this Mimir's Prometheus API base (<mimir>/prometheus) and the ruler enabled?`,
        { ...evidence, status: 404 },
      );
    if (got.status !== 200)
      return outcome.error(`${url}: HTTP ${got.status} ${printableLine(text, 120)}`, {
        ...evidence,
        status: got.status,
      });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return outcome.error(`${url}: the answer is not JSON: ${printableLine(text, 80)}`, evidence);
    }
    const loaded = parseRulesList(body);
    if (!loaded)
      return outcome.error(
        `${url}: not a Prometheus rules list (status/data.groups[].name, file, rules[].name)`,
        evidence,
      );
    return evaluateRulesLoaded(ruler, loaded);
  },
});
