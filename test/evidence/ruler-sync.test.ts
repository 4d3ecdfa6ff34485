/**
 * `npm run rules`: the alert groups into the tenant's Mimir ruler, against a loopback stand-in of
 * Mimir's ruler configuration API (test/support/mimir-ruler.ts, written from Mimir's docs and
 * pkg/ruler/api.go). A check reads only and shows every difference; a sync makes the stack's groups
 * in its ruler namespace exactly the environment's, and a second sync sends nothing; a group that
 * is not the stack's fails the run, a plain check too (which groups are the stack's, redirects,
 * names shown escaped: ruler-owns.test.ts); the tenant header is on every request; a token is sent
 * and never shown.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseDocument } from 'yaml';
import { main } from '../../scripts/rules.js';
import { MAX_ANSWER_BYTES, syncRules } from '../../src/evidence/ruler-sync.js';
import { describeBytes } from '../../src/core/capped-body.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { startEndlessBody } from '../support/endless-body.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';
import { FIXTURE_ENVIRONMENTS } from '../synth/helpers.js';
import { rulerFixture } from './ruler-fixture.js';
import { SETTLE } from '../support/deadlines.js';

const { TOKEN, plan, wanted, NS, TENANT, ruler, target, stored, writes, notAlone, inSyncNotAlone } =
  await rulerFixture();

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
      await vi.waitFor(() => expect(endless.hungUp()).toBe(1), SETTLE);
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

  it('another environment syncing into the same ruler namespace: --sync refuses (exit 2, nothing sent); --check reads and fails on it (exit 1)', async () => {
    const { dir, doc, run } = stagingAtStandIn();
    doc.set('name', 'prod');
    doc.setIn(['continuous', 'alerts', 'ruler'], { url: `${ruler.url}/`, namespace: NS });
    writeFileSync(join(dir, 'prod.yaml'), doc.toString());
    const problem =
      `${join(dir, 'staging.yaml')} and ${join(dir, 'prod.yaml')}: continuous.alerts.ruler.namespace: both environments ` +
      `sync their alert rules into ruler namespace '${NS}' of tenant '${TENANT}' at ${ruler.url} ` +
      `(staging: the default ${NS}; prod: set in its file), so each one's \`npm run rules -- --sync\` would replace ` +
      'the groups of the same names the other wrote (fix: give each environment a continuous.alerts.ruler.namespace of its own; ' +
      'removing the field from a file gives it arcade-stack-<env>, which no other environment has)';
    const sync = await run('--sync');
    expect(sync.status).toBe(2);
    expect(sync.stderr).toContain(`invalid environment definition:\n  - ${problem}\n`);
    expect(ruler.requests).toEqual([]);

    // The groups as wanted already: the check's exit 1 is the clash's alone, reported after the comparison.
    ruler.store.set(TENANT, new Map([[NS, JSON.parse(JSON.stringify(wanted))]]));
    const check = await run('--check');
    expect(check.status, check.stderr).toBe(1);
    expect(check.stdout).toBe(
      `in sync: 2 group(s) as wanted (tenant ${TENANT}, ruler namespace ${NS} at ${ruler.url})\n` +
        'another environment syncs into this ruler namespace (--sync is refused until one of them moves):\n' +
        `  - ${problem}\n`,
    );
    expect(ruler.requests.length).toBeGreaterThan(0);
    expect(writes()).toEqual([]);
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
      expect(r.stdout).toContain(`  ! "team-slo": not the stack's: left as it is`);
      expect(r.stdout).toContain('set continuous.alerts.ruler.namespace to a namespace of the stack');
    }
    expect(sync.stdout).toContain('  + arcade-evidence-probes: created');
    expect(ruler.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(stored()).toEqual([theirs, ...JSON.parse(JSON.stringify(wanted))]);

    // The stack's groups as wanted now: a plain check still exits 1, for the group that is not the stack's alone.
    ruler.requests.length = 0;
    const recheck = await run();
    expect(recheck.status, recheck.stderr).toBe(1);
    expect(recheck.stdout).toBe(
      [...inSyncNotAlone(), `  ! "team-slo": not the stack's: left as it is`, `${notAlone(1)}\n`].join('\n'),
    );
    expect(writes()).toEqual([]);

    ruler.store.get(TENANT)!.set('team', stored()!.splice(0, 1));
    const moved = await run('--sync');
    expect(moved.status, moved.stderr).toBe(0);
    expect(moved.stdout).toBe(
      `in sync: 2 group(s) as wanted (tenant ${TENANT}, ruler namespace ${NS} at ${ruler.url})\n`,
    );
  });
});
