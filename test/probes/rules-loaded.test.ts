/**
 * `alerts.rules-loaded`: the targets an environment gives it (the ruler of its continuous mode,
 * the groups the stack renders, or why there is nothing to check), the verdict as a pure function,
 * and the probe end to end against the Mimir-ruler stand-in (test/support/mimir-ruler.ts) loaded
 * by the real `npm run rules` client (`syncRules`): pass, a missing group named, the ruler
 * unreachable, a wrong tenant; and the demo platform's ruler with a group missing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { alertScope } from '../../src/charts/alerts-chart.js';
import { continuousPlan } from '../../src/environments/continuous.js';
import { loadEnvironment } from '../../src/environments/load.js';
import type { TargetsInput } from '../../src/environments/probe-targets.js';
import { environmentDefaults } from '../../src/environments/probes.js';
import { alertRuleGroups, RULE_GROUP_NAMES } from '../../src/evidence/alerts.js';
import { syncRules } from '../../src/evidence/ruler-sync.js';
import { type Platform, startPlatform } from '../../src/loopback/platform.js';
import { evaluateRulesLoaded, type LoadedGroup, type RulerExpectation } from '../../src/probes/cluster/rules-loaded.js';
import { engineJobOf } from '../../src/synth.js';
import { TEST_TIMEOUT_MS } from '../support/deadlines.js';
import { type MimirRulerStandIn, startMimirRuler } from '../support/mimir-ruler.js';
import { tempDir } from '../support/temp.js';
import { fixtureEnvironment } from '../synth/helpers.js';
import { runCli } from './helpers.js';
import { refusedPort } from '../support/refused-port.js';

const staging = fixtureEnvironment('staging');
const plan = continuousPlan(staging)!;
const wanted = alertRuleGroups(alertScope(staging, plan, engineJobOf(staging)));
const expectedGroups = wanted.map((g) => ({ name: g.name, alerts: g.rules.map((r) => r.alert) }));

describe('the targets of alerts.rules-loaded', () => {
  it('an environment whose rules the Mimir ruler evaluates: its ruler, and exactly the groups and alerts the stack renders', () => {
    expect(environmentDefaults(staging).ruler).toEqual({ ...plan.alerts.ruler, groups: expectedGroups });
  });

  it('an environment with the continuous mode off: a reason, so the probe is skipped with it', () => {
    const { env } = loadEnvironment('backstage-wus2-v4');
    expect(environmentDefaults(env).ruler).toEqual({
      unresolved: expect.stringContaining('the continuous mode is off'),
    });
  });
});

describe('evaluateRulesLoaded', () => {
  const expected: RulerExpectation = {
    url: 'http://mimir/prometheus',
    tenant: 't',
    namespace: 'ns',
    groups: expectedGroups,
  };
  const loadedAll: LoadedGroup[] = expectedGroups.map((g) => ({ name: g.name, file: 'ns', rules: [...g.alerts] }));

  it('passes with every group and alert in the namespace, and says what it found', () => {
    const r = evaluateRulesLoaded(expected, [...loadedAll, { name: 'other', file: 'team-x', rules: ['X'] }]);
    expect(r.status).toBe('pass');
    expect(r.detail).toBe('tenant t, ruler namespace ns: all 2 groups loaded, 5 alerts');
    expect(r.evidence).toMatchObject({ missing: { groups: [], alerts: {} }, tenantNamespaces: ['ns', 'team-x'] });
  });

  it('fails naming a missing group and a missing alert', () => {
    const [probes, telemetry] = loadedAll;
    const lacking = { ...telemetry!, rules: telemetry!.rules.slice(1) };
    expect(evaluateRulesLoaded(expected, [lacking]).detail).toContain(`group ${RULE_GROUP_NAMES.probes} missing`);
    const r = evaluateRulesLoaded(expected, [probes!, lacking]);
    expect(r.status).toBe('fail');
    expect(r.detail).toContain(`group ${RULE_GROUP_NAMES.telemetry} lacks ${expectedGroups[1]!.alerts[0]}`);
  });

  it('groups in another namespace do not count (and the detail names where they are)', () => {
    const r = evaluateRulesLoaded(
      expected,
      loadedAll.map((g) => ({ ...g, file: 'elsewhere' })),
    );
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('(the tenant has namespaces elsewhere)');
  });
});

describe('alerts.rules-loaded end to end', { timeout: TEST_TIMEOUT_MS }, () => {
  const NS = plan.alerts.ruler!.namespace;
  const TENANT = plan.alerts.ruler!.tenant;
  let ruler: MimirRulerStandIn;
  let platform: Platform;

  beforeAll(async () => {
    ruler = await startMimirRuler();
    platform = await startPlatform();
  });
  afterAll(async () => {
    await ruler?.close();
    await platform?.close();
  });
  beforeEach(() => {
    ruler.store.clear();
  });

  /** The probe alone, against the platform's targets with `ruler` replaced. */
  async function probe(override: Partial<NonNullable<TargetsInput['ruler']>> & object) {
    const dir = tempDir('rules-loaded-');
    const file = join(dir, 'targets.yaml');
    const base = { url: ruler.url, tenant: TENANT, namespace: NS, groups: expectedGroups };
    writeFileSync(file, stringify({ ...platform.targets, ruler: { ...base, ...override } }));
    const run = await runCli(['--targets', file, '--only', 'alerts.rules-loaded'], { ...platform.env });
    const result = run.report?.results[0];
    expect(result?.id, run.stderr).toBe('alerts.rules-loaded');
    return { run, result: result! };
  }

  const sync = (groups: typeof wanted) =>
    syncRules({ url: ruler.url, tenant: TENANT, namespace: NS, timeoutMs: 10_000 }, groups, true);

  it('passes once npm run rules --sync loaded the groups, asking with the tenant header', async () => {
    await sync(wanted);
    ruler.requests.length = 0;
    const { run, result } = await probe({});
    expect(run.code, result.detail).toBe(0);
    expect(result.status).toBe('pass');
    expect(result.evidence).toMatchObject({ found: Object.fromEntries(expectedGroups.map((g) => [g.name, g.alerts])) });
    expect(ruler.requests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/prometheus/api/v1/rules', tenant: TENANT }),
    ]);
  });

  it('a group never loaded fails, naming it', async () => {
    await sync(wanted.filter((g) => g.name !== RULE_GROUP_NAMES.telemetry));
    const { run, result } = await probe({});
    expect(run.code).toBe(1);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain(`group ${RULE_GROUP_NAMES.telemetry} missing`);
    expect(result.evidence).toMatchObject({ missing: { groups: [RULE_GROUP_NAMES.telemetry] } });
  });

  it('the wrong tenant sees no group at all: fails, asking whether the tenant is right', async () => {
    await sync(wanted);
    const { result } = await probe({ tenant: 'another-tenant' });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('the ruler holds no rule group at all for another-tenant: is the tenant right');
  });

  it('the ruler unreachable is an error (nothing was learnt)', async () => {
    const { run, result } = await probe({ url: `http://127.0.0.1:${await refusedPort()}/prometheus` });
    expect(run.code).toBe(1);
    expect(result.status).toBe('error');
    expect(result.detail).toMatch(/\/prometheus\/api\/v1\/rules: no answer \(ECONNREFUSED\)/);
  });

  it('a URL that is not the Prometheus API base is an error naming the fix', async () => {
    const { result } = await probe({ url: ruler.url.replace(/\/prometheus$/, '/nope') });
    expect(result.status).toBe('error');
    expect(result.detail).toContain("404 404 page not found: is this Mimir's Prometheus API base");
  });

  it("the demo platform's ruler with a group missing fails (the stand-in --demo uses)", async () => {
    const broken = await startPlatform({ faults: { missingRuleGroup: RULE_GROUP_NAMES.probes } });
    try {
      const run = await runCli(['--targets', broken.targetsFile, '--only', 'alerts.rules-loaded'], { ...broken.env });
      expect(run.report?.results[0]).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(`group ${RULE_GROUP_NAMES.probes} missing`),
      });
      const healthy = await runCli(['--targets', platform.targetsFile, '--only', 'alerts.rules-loaded'], {
        ...platform.env,
      });
      expect(healthy.report?.results[0]?.status).toBe('pass');
    } finally {
      await broken.close();
    }
  });
});
