/**
 * `gateway.tools-list`: each user's `tools/list` on each gateway equals the expected set exactly
 * (order ignored), and the users' lists are compared with each other. The pure evaluator (tested
 * on fixtures), then the probe, which lists in the run's shared MCP sessions.
 */
import { outcome, type ProbeOutcome } from '../types.js';
import { combineChecks, type Check } from './checks.js';
import { describeFailure, type Observed } from './errors.js';
import { apiKeyOf, defineGatewayProbe, gatewayEndpoints, gatewaysWith, inSharedSessions } from './gateway-probe.js';

export interface ToolsListObservation {
  readonly gateway: string;
  readonly expected: readonly string[];
  readonly perUser: readonly { readonly user: string; readonly tools: Observed<readonly string[]> }[];
}

const SHOWN = 10;
const names = (list: readonly string[]): string =>
  list.length > SHOWN ? `${list.slice(0, SHOWN).join(', ')} (+${list.length - SHOWN})` : list.join(', ');

export interface ListDifference {
  readonly missing: string[];
  readonly extra: string[];
}

export function compareSets(expected: readonly string[], observed: readonly string[]): ListDifference {
  const want = new Set(expected);
  const got = new Set(observed);
  return {
    missing: [...want].filter((t) => !got.has(t)).sort(),
    extra: [...got].filter((t) => !want.has(t)).sort(),
  };
}

export function evaluateToolsList(observations: readonly ToolsListObservation[]): ProbeOutcome {
  const checks: Check[] = [];
  const gateways: Record<string, unknown>[] = [];
  for (const gw of observations) {
    const users: Record<string, unknown> = {};
    const seen: { user: string; key: string; tools: readonly string[] }[] = [];
    for (const { user, tools } of gw.perUser) {
      const name = `${gw.gateway} as ${user}`;
      if (!tools.ok) {
        checks.push({ name, status: 'error', detail: describeFailure(tools.failure) });
        users[user] = { error: describeFailure(tools.failure) };
        continue;
      }
      const diff = compareSets(gw.expected, tools.value);
      seen.push({ user, key: [...new Set(tools.value)].sort().join('\n'), tools: tools.value });
      users[user] = {
        count: new Set(tools.value).size,
        missing: diff.missing.slice(0, SHOWN),
        extra: diff.extra.slice(0, SHOWN),
      };
      if (tools.value.length === 0) {
        checks.push({
          name,
          status: 'fail',
          detail: `serves 0 tools (expected ${gw.expected.length}): a healthy server with no tools loaded?`,
        });
      } else if (diff.missing.length > 0 || diff.extra.length > 0) {
        const parts = [
          diff.missing.length > 0 ? `missing ${names(diff.missing)}` : '',
          diff.extra.length > 0 ? `unexpected ${names(diff.extra)}` : '',
        ].filter(Boolean);
        checks.push({ name, status: 'fail', detail: parts.join('; ') });
      } else {
        checks.push({ name, status: 'pass', detail: `${gw.expected.length} expected tools` });
      }
    }
    const distinct = new Set(seen.map((s) => s.key));
    const sameForAllUsers = distinct.size <= 1;
    if (!sameForAllUsers) {
      const [first] = seen;
      const differing = seen
        .filter((s) => s.key !== first?.key)
        .map((s) => {
          const d = compareSets(first?.tools ?? [], s.tools);
          const changes = [d.extra.length ? `+${names(d.extra)}` : '', d.missing.length ? `-${names(d.missing)}` : ''];
          return `${s.user} vs ${first?.user}: ${changes.filter(Boolean).join(' ')}`;
        });
      checks.push({
        name: `${gw.gateway} users`,
        status: 'fail',
        detail: `users see different lists (${differing.slice(0, 3).join('; ')})`,
      });
    }
    gateways.push({ gateway: gw.gateway, expected: gw.expected.length, sameForAllUsers, users });
  }
  const userCount = Math.max(0, ...observations.map((o) => o.perUser.length));
  const toolCounts = [...new Set(observations.map((o) => o.expected.length))].join('/');
  return combineChecks(
    checks,
    `${observations.length} gateway(s): tools/list equals the expected ${toolCounts} tools for all ${userCount} user(s), the same list for every user`,
    { gateways },
  );
}

export const toolsList = defineGatewayProbe({
  id: 'gateway.tools-list',
  category: 'gateway',
  title: 'Each gateway lists exactly the expected tools, for every user',
  needs: (t) => ({ api: t.urls.api, users: t.users, gateways: t.gateways }),
  needsApiKey: true,
  async run(ctx, { api, users, gateways: all }) {
    const apiKey = apiKeyOf(ctx);
    const endpoints = gatewayEndpoints(api, all);
    const gateways = gatewaysWith(endpoints, (gw) => gw.tools);
    if (gateways.length === 0) {
      const first = endpoints[0]?.tools;
      return outcome.skip(`no gateway has a resolved tools list (${first && !first.ok ? first.because : 'none'})`);
    }
    const call = { signal: ctx.signal, timeoutMs: ctx.timeoutMs };
    const lists = await inSharedSessions(ctx, gateways, users, apiKey, (s) => s.listToolNames(call));
    const observations: ToolsListObservation[] = gateways.map((gw) => ({
      gateway: gw.slug,
      expected: gw.value,
      perUser: lists.filter((l) => l.gw === gw).map((l) => ({ user: l.user, tools: l.used })),
    }));
    return evaluateToolsList(ctx.redact.deep(observations));
  },
});
