/**
 * The setting ruler-sync.test.ts and ruler-owns.test.ts share: the staging fixture's alert groups and
 * ruler (tenant, namespace), a loopback Mimir ruler stand-in (test/support/mimir-ruler.ts) that
 * wants a token, a target pointed at it, emptied of groups and requests before each test, closed
 * after the file.
 */
import { afterAll, beforeEach } from 'vitest';
import { alertScope } from '../../src/charts/alerts-chart.js';
import { continuousPlan } from '../../src/environments/continuous.js';
import { alertRuleGroups, type RuleGroup } from '../../src/evidence/alerts.js';
import type { RulerTarget } from '../../src/evidence/ruler-sync.js';
import { engineJobOf } from '../../src/synth.js';
import { startMimirRuler } from '../support/mimir-ruler.js';
import { fixtureEnvironment } from '../synth/helpers.js';

/** Call at the top of a test file (`await rulerFixture()`): it registers the file's hooks. */
export async function rulerFixture() {
  const TOKEN = 'mimir-token-canary-7f3a9c21';
  const staging = fixtureEnvironment('staging');
  const plan = continuousPlan(staging)!;
  const wanted: RuleGroup[] = alertRuleGroups(alertScope(staging, plan, engineJobOf(staging)));
  const NS = plan.alerts.ruler!.namespace;
  const TENANT = plan.alerts.ruler!.tenant;
  const ruler = await startMimirRuler({ token: TOKEN });
  const target: RulerTarget = { url: ruler.url, tenant: TENANT, namespace: NS, token: TOKEN, timeoutMs: 10_000 };
  afterAll(async () => {
    await ruler.close();
  });
  beforeEach(() => {
    ruler.store.clear();
    ruler.requests.length = 0;
  });
  return {
    TOKEN,
    plan,
    wanted,
    NS,
    TENANT,
    ruler,
    target,
    stored: () => ruler.store.get(TENANT)?.get(NS),
    writes: () => ruler.requests.filter((r) => r.method !== 'GET'),
    /** The run's last line when `count` groups in the namespace are not the stack's. */
    notAlone: (count: number) =>
      `ruler namespace ${NS} is not the stack's alone: ${count} group(s) above are not named as the stack's ` +
      '(^arcade-evidence-[a-z0-9-]+$), so the stack never deletes or replaces them, and exits 1 while they are there ' +
      "(fix: move them to another ruler namespace, or set continuous.alerts.ruler.namespace to a namespace of the stack's own)",
    /** The first lines of a run whose stack groups are as wanted beside groups that are not the stack's. */
    inSyncNotAlone: () => [
      `the stack's 2 group(s) in sync, but the namespace is not the stack's alone (tenant ${TENANT}, ruler namespace ${NS} at ${ruler.url}):`,
      '  = arcade-evidence-probes: as wanted',
      '  = arcade-evidence-telemetry: as wanted',
    ],
  };
}
