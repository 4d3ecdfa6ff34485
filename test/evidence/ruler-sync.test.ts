/**
 * `npm run rules`: the alert groups into the tenant's Mimir ruler, against a loopback stand-in of
 * Mimir's ruler configuration API (test/support/mimir-ruler.ts, written from Mimir's docs and
 * pkg/ruler/api.go). A check reads only and shows every difference; a sync makes the stack's groups
 * (`arcade-evidence-*`) in its ruler namespace exactly the environment's, and a second sync sends
 * nothing; a group of any other name is never sent a request, is listed, and fails the run; the
 * tenant header is on every request; a token is sent and never shown.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDocument } from 'yaml';
import { main } from '../../scripts/rules.js';
import { alertScope } from '../../src/charts/alerts-chart.js';
import { continuousPlan } from '../../src/environments/continuous.js';
import { alertRuleGroups, RULE_GROUP_NAMES, type RuleGroup } from '../../src/evidence/alerts.js';
import { isStackGroup } from '../../src/evidence/ruler-plan.js';
import { MAX_ANSWER_BYTES, type RulerTarget, syncRules } from '../../src/evidence/ruler-sync.js';
import { describeBytes } from '../../src/core/capped-body.js';
import { engineJobOf } from '../../src/synth.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { startEndlessBody } from '../support/endless-body.js';
import { type MimirRulerStandIn, startMimirRuler } from '../support/mimir-ruler.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironment } from '../synth/helpers.js';

const TOKEN = 'mimir-token-canary-7f3a9c21';
const staging = fixtureEnvironment('staging');
const plan = continuousPlan(staging)!;
const wanted: RuleGroup[] = alertRuleGroups(alertScope(staging, plan, engineJobOf(staging)));
const NS = plan.alerts.ruler!.namespace;
const TENANT = plan.alerts.ruler!.tenant;

let ruler: MimirRulerStandIn;
let target: RulerTarget;

beforeAll(async () => {
  ruler = await startMimirRuler({ token: TOKEN });
  target = { url: ruler.url, tenant: TENANT, namespace: NS, token: TOKEN, timeoutMs: 10_000 };
});
afterAll(async () => {
  await ruler?.close();
});
beforeEach(() => {
  ruler.store.clear();
  ruler.requests.length = 0;
});

const stored = () => ruler.store.get(TENANT)?.get(NS);
const writes = () => ruler.requests.filter((r) => r.method !== 'GET');

describe('npm run rules against a Mimir ruler', () => {
  it('the environment names the ruler from the collector Mimir settings: URL with the Prometheus prefix, tenant, own namespace', () => {
    expect(plan.alerts.ruler).toEqual({
      url: 'http://mimir-nginx.mimir.observability-wus2/prometheus',
      tenant: 'k8s-backstage-v4',
      namespace: 'arcade-stack-staging',
    });
  });

  it('a check of an empty tenant shows what is missing and writes nothing', async () => {
    const result = await syncRules(target, wanted, false);
    expect(result.ok).toBe(false);
    expect(result.text).toContain(`differs from tenant ${TENANT}, ruler namespace ${NS}`);
    expect(result.text).toContain('+ arcade-evidence-probes: missing, would be created (2 rules)');
    expect(result.text).toContain('+ arcade-evidence-telemetry: missing, would be created (3 rules)');
    expect(writes()).toEqual([]);
    expect(ruler.requests).toEqual([
      {
        method: 'GET',
        path: `/prometheus/config/v1/rules/${NS}`,
        tenant: TENANT,
        contentType: undefined,
        authorization: `Bearer ${TOKEN}`,
      },
    ]);
  });

  it('a sync loads every group, one POST each as application/yaml with the tenant, and reads back; again, it sends nothing', async () => {
    const first = await syncRules(target, wanted, true);
    expect(first.ok).toBe(true);
    expect(first.text).toContain('+ arcade-evidence-probes: created');
    expect(writes().map((r) => [r.method, r.path, r.contentType, r.tenant])).toEqual([
      ['POST', `/prometheus/config/v1/rules/${NS}`, 'application/yaml', TENANT],
      ['POST', `/prometheus/config/v1/rules/${NS}`, 'application/yaml', TENANT],
    ]);
    expect(JSON.parse(JSON.stringify(stored()))).toEqual(JSON.parse(JSON.stringify(wanted)));

    ruler.requests.length = 0;
    const second = await syncRules(target, wanted, true);
    expect(second).toMatchObject({ ok: true });
    expect(second.text).toBe(`in sync: 2 group(s) as wanted (tenant ${TENANT}, ruler namespace ${NS} at ${ruler.url})`);
    expect(writes()).toEqual([]);
  });

  it("a changed rule, a retired group of the stack's, one not the stack's: the sync fixes the stack's, leaves the rest, fails", async () => {
    await syncRules(target, wanted, true);
    const namespaces = ruler.store.get(TENANT)!;
    const [probes, telemetry] = namespaces.get(NS)!;
    const edited = structuredClone(telemetry!);
    (edited.rules[0] as { for: string }).for = '30m';
    const handMade = { name: 'hand-made', rules: [{ alert: 'Mine', expr: 'vector(1)' }] };
    const retired = { name: 'arcade-evidence-retired', rules: [{ alert: 'Old', expr: 'vector(1)' }] };
    namespaces.set(NS, [probes!, edited, structuredClone(handMade), retired]);
    namespaces.set('someone-else', [{ name: 'theirs', rules: [{ alert: 'Theirs', expr: 'vector(1)' }] }]);
    ruler.requests.length = 0;

    const leftAlone = [
      "  ! hand-made: not the stack's: left as it is",
      `ruler namespace ${NS} is not the stack's alone: 1 group(s) above are not arcade-evidence-*, ` +
        'so the stack never deletes or replaces them, and exits 1 while they are there (fix: move them to another ' +
        "ruler namespace, or set continuous.alerts.ruler.namespace to a namespace of the stack's own)",
    ];
    const check = await syncRules(target, wanted, false);
    expect(check.ok).toBe(false);
    expect(check.text.split('\n')).toEqual([
      `differs from tenant ${TENANT}, ruler namespace ${NS} at ${ruler.url}:`,
      '  ~ arcade-evidence-telemetry: differs, would be replaced',
      '      ArcadeCollectorSendFailures.for: "30m" -> "5m"',
      "  - arcade-evidence-retired: the stack's, no longer the environment's, would be deleted",
      '  = arcade-evidence-probes: as wanted',
      ...leftAlone,
    ]);
    expect(writes()).toEqual([]);

    const sync = await syncRules(target, wanted, true);
    expect(sync.ok).toBe(false);
    expect(sync.text.split('\n')).toEqual([
      `synced tenant ${TENANT}, ruler namespace ${NS} at ${ruler.url}:`,
      '  ~ arcade-evidence-telemetry: replaced',
      '      ArcadeCollectorSendFailures.for: "30m" -> "5m"',
      '  - arcade-evidence-retired: deleted',
      '  = arcade-evidence-probes: as wanted',
      ...leftAlone,
    ]);
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /prometheus/config/v1/rules/${NS}`,
      `DELETE /prometheus/config/v1/rules/${NS}/arcade-evidence-retired`,
    ]);
    expect(
      stored()
        ?.map((g) => g.name)
        .sort(),
    ).toEqual(['arcade-evidence-probes', 'arcade-evidence-telemetry', 'hand-made']);
    expect(stored()?.find((g) => g.name === 'hand-made')).toEqual(handMade);
    expect(namespaces.get('someone-else')?.map((g) => g.name)).toEqual(['theirs']);
  });

  it("a sync never sends a DELETE or a POST for a group not the stack's, however named; again, it sends nothing, still fails", async () => {
    const foreign = [
      'hand-made',
      'arcade-evidence',
      'Arcade-Evidence-probes',
      'team/arcade-evidence-x',
      'x-arcade-evidence-y',
    ];
    const theirs = foreign.map((name) => ({ name, rules: [{ alert: 'Theirs', expr: 'vector(1)' }] }));
    const old = { name: 'arcade-evidence-old', rules: [{ alert: 'Old', expr: 'vector(1)' }] };
    ruler.store.set(TENANT, new Map([[NS, [...structuredClone(theirs), old]]]));

    const sync = await syncRules(target, wanted, true);
    expect(sync.ok).toBe(false);
    expect(ruler.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /prometheus/config/v1/rules/${NS}`,
      `POST /prometheus/config/v1/rules/${NS}`,
      `POST /prometheus/config/v1/rules/${NS}`,
      `DELETE /prometheus/config/v1/rules/${NS}/arcade-evidence-old`,
      `GET /prometheus/config/v1/rules/${NS}`,
    ]);
    expect(sync.plan).toMatchObject({ remove: ['arcade-evidence-old'], foreign: [...foreign].sort() });
    for (const name of foreign) expect(sync.text).toContain(`  ! ${name}: not the stack's: left as it is`);
    expect(stored()?.filter((g) => foreign.includes(g.name))).toEqual(theirs);

    ruler.requests.length = 0;
    const again = await syncRules(target, wanted, true);
    expect(again.ok).toBe(false);
    expect(again.text.split('\n').slice(0, 2)).toEqual([
      `in sync: 2 group(s) as wanted (tenant ${TENANT}, ruler namespace ${NS} at ${ruler.url})`,
      "  ! Arcade-Evidence-probes: not the stack's: left as it is",
    ]);
    expect(again.text).toContain(`ruler namespace ${NS} is not the stack's alone: 5 group(s) above`);
    expect(writes()).toEqual([]);
  });

  it("a group named as one the stack makes is the stack's by the rule, whoever wrote it: replaced by the environment's", async () => {
    const impostor = { name: RULE_GROUP_NAMES.probes, rules: [{ alert: 'Mine', expr: 'vector(1)' }] };
    ruler.store.set(TENANT, new Map([[NS, [impostor]]]));
    const sync = await syncRules(target, wanted, true);
    expect(sync.ok).toBe(true);
    expect(sync.text).toContain('  ~ arcade-evidence-probes: replaced');
    expect(JSON.parse(JSON.stringify(stored()))).toEqual(JSON.parse(JSON.stringify([wanted[1], wanted[0]])));
  });

  it("every group the environment has is the stack's by the rule (its name starts with the prefix)", () => {
    expect(Object.values(RULE_GROUP_NAMES).every(isStackGroup)).toBe(true);
    expect(wanted.map((g) => isStackGroup(g.name))).toEqual([true, true]);
    expect(['arcade-evidence', 'hand-made', ' arcade-evidence-x'].some(isStackGroup)).toBe(false);
  });

  it('a refusal names the status and the fix, and never shows the token (even when the answer echoes it)', async () => {
    const wrong = { ...target, token: `${TOKEN}-wrong` };
    const error = await syncRules(wrong, wanted, false).catch((e: Error) => e);
    expect(String(error)).toMatch(
      /reading namespace arcade-stack-staging: the ruler answered 401 unauthorized \(fix: the tenant .* or MIMIR_TOKEN\)/,
    );
    expect(String(error)).not.toContain(TOKEN);

    const unreachable = await syncRules({ ...target, url: 'http://127.0.0.1:1/prometheus' }, wanted, true).catch(
      (e: Error) => e,
    );
    expect(String(unreachable)).toMatch(
      /GET http:\/\/127\.0\.0\.1:1\/prometheus\/config\/v1\/rules\/arcade-stack-staging: no answer/,
    );
  });

  it('an endless answer is refused naming the cap, the rest never read', async () => {
    const endless = await startEndlessBody();
    try {
      const error = await syncRules({ ...target, url: `${endless.url}/prometheus` }, wanted, false).catch(
        (e: Error) => e,
      );
      expect(String(error)).toContain(
        `GET ${endless.url}/prometheus/config/v1/rules/${NS}: the answer's body is larger than ${describeBytes(MAX_ANSWER_BYTES)}, the most read from it`,
      );
      expect(String(error)).not.toContain(TOKEN);
      await vi.waitFor(() => expect(endless.hungUp()).toBe(1));
    } finally {
      await endless.close();
    }
  });

  it('the stand-in refuses what Mimir refuses: no tenant, an invalid group', async () => {
    const noTenant = await fetch(`${ruler.url}/config/v1/rules/${NS}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect([noTenant.status, await noTenant.text()]).toEqual([401, 'no org id']);
    const bad = await fetch(`${ruler.url}/config/v1/rules/${NS}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'X-Scope-OrgID': TENANT, 'Content-Type': 'application/yaml' },
      body: 'name: g\nrules:\n  - alert: A\n',
    });
    expect([bad.status, await bad.text()]).toEqual([400, `group "g", rule 1: field 'expr' must be set in rule`]);
  });
});

describe('the npm run rules command', () => {
  /** The staging fixture pointed at the stand-in, in a folder of its own, and the command run on it. */
  function stagingAtStandIn() {
    const dir = tempDir('rules-env-');
    const doc = parseDocument(readFileSync(join(FIXTURE_ENVIRONMENTS, 'staging.yaml'), 'utf8'));
    doc.setIn(['continuous', 'alerts', 'ruler'], { url: ruler.url });
    writeFileSync(join(dir, 'staging.yaml'), doc.toString());
    // The command in process, with MIMIR_TOKEN in its own environment (its one spawn: every-script.test.ts).
    const run = (...args: string[]) =>
      runMain(main, ['--env', 'staging', '--environments', dir, ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, MIMIR_TOKEN: TOKEN },
      });
    return { dir, doc, run };
  }

  it('checks (exit 1), syncs (exit 0); MIMIR_TOKEN never in the output; refuses an environment without the ruler (exit 2)', async () => {
    const { dir, doc, run } = stagingAtStandIn();

    const check = await run();
    expect(check.status, check.stderr).toBe(1);
    expect(check.stdout).toContain('would be created');
    const sync = await run('--sync');
    expect(sync.status, sync.stderr).toBe(0);
    expect(sync.stdout).toContain('synced tenant k8s-backstage-v4, ruler namespace arcade-stack-staging');
    expect(JSON.parse(JSON.stringify(stored()))).toEqual(JSON.parse(JSON.stringify(wanted)));
    for (const r of [check, sync]) expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);

    doc.setIn(['continuous', 'alerts', 'evaluators'], ['prometheus-rule']);
    doc.deleteIn(['continuous', 'alerts', 'ruler']);
    writeFileSync(join(dir, 'staging.yaml'), doc.toString());
    const none = await run('--sync');
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("continuous.alerts.evaluators has no 'mimir-ruler'");
  });

  it("exits 1 on check and on sync while a group that is not the stack's is in the namespace (the sync done otherwise), 0 once it is moved", async () => {
    const { run } = stagingAtStandIn();
    const theirs = { name: 'team-slo', rules: [{ record: 'team:slo', expr: 'vector(1)' }] };
    ruler.store.set(TENANT, new Map([[NS, [structuredClone(theirs)]]]));

    const check = await run();
    expect(check.status, check.stderr).toBe(1);
    const sync = await run('--sync');
    expect(sync.status, sync.stderr).toBe(1);
    for (const r of [check, sync]) {
      expect(r.stdout).toContain("  ! team-slo: not the stack's: left as it is");
      expect(r.stdout).toContain('set continuous.alerts.ruler.namespace to a namespace of the stack');
    }
    expect(sync.stdout).toContain('  + arcade-evidence-probes: created');
    expect(ruler.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(stored()).toEqual([theirs, ...JSON.parse(JSON.stringify(wanted))]);

    ruler.store.get(TENANT)!.set('team', stored()!.splice(0, 1));
    const moved = await run('--sync');
    expect(moved.status, moved.stderr).toBe(0);
    expect(moved.stdout).toBe(
      `in sync: 2 group(s) as wanted (tenant ${TENANT}, ruler namespace ${NS} at ${ruler.url})\n`,
    );
  });
});
