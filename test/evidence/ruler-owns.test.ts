/**
 * Which groups `npm run rules` treats as the stack's, against the loopback Mimir ruler stand-in
 * (test/support/mimir-ruler.ts): only names of the stack's shape (`arcade-evidence-[a-z0-9-]+`) are
 * written or deleted; every other group gets no request, is listed (its name JSON-quoted, escaped
 * where it holds anything but printable characters), and fails the run; a redirect is never followed, so a write
 * is never re-aimed; a group without a name as text is refused naming the namespace.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RULE_GROUP_NAME, RULE_GROUP_NAMES } from '../../src/evidence/alerts.js';
import { isStackGroup } from '../../src/evidence/ruler-plan.js';
import { syncRules } from '../../src/evidence/ruler-sync.js';
import { rulerFixture } from './ruler-fixture.js';

const { wanted, NS, TENANT, ruler, target, stored, writes, notAlone, inSyncNotAlone } = await rulerFixture();

/** A ruler that answers GET with `groups` and every write with `status` pointing at the stand-in; what it received. */
async function redirecting(status: number, groups: readonly unknown[]) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/yaml' });
      res.end(stringify({ [NS]: groups }));
    } else {
      res.writeHead(status, { location: `${new URL(ruler.url).origin}${req.url}` });
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prometheus`;
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, seen, close };
}

describe('the groups npm run rules owns in its ruler namespace', () => {
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

    const leftAlone = [`  ! "hand-made": not the stack's: left as it is`, notAlone(1)];
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
      // the prefix, but not the shape: a proxy decoding %2F and resolving `..` would DELETE hand-made
      'arcade-evidence-/../hand-made',
      'arcade-evidence-a%2F..%2Fb',
      'arcade-evidence-Probes',
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
    for (const name of foreign)
      expect(sync.text).toContain(`  ! ${JSON.stringify(name)}: not the stack's: left as it is`);
    expect(stored()?.filter((g) => foreign.includes(g.name))).toEqual(theirs);

    ruler.requests.length = 0;
    const again = await syncRules(target, wanted, true);
    expect(again.ok).toBe(false);
    expect(again.text.split('\n')).toEqual([
      ...inSyncNotAlone(),
      ...[...foreign].sort().map((name) => `  ! ${JSON.stringify(name)}: not the stack's: left as it is`),
      notAlone(8),
    ]);
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

  it("every group the environment has is the stack's by the rule (its name of the stack's shape), the same percent-encoded", () => {
    expect(Object.values(RULE_GROUP_NAMES).every(isStackGroup)).toBe(true);
    expect(Object.values(RULE_GROUP_NAMES).every((name) => RULE_GROUP_NAME.test(name))).toBe(true);
    expect(wanted.map((g) => isStackGroup(g.name))).toEqual([true, true]);
    expect(wanted.map((g) => encodeURIComponent(g.name))).toEqual(wanted.map((g) => g.name));
    const notShaped = [
      'arcade-evidence',
      'arcade-evidence-',
      'hand-made',
      ' arcade-evidence-x',
      'arcade-evidence-x ',
      'arcade-evidence-/../hand-made',
      'arcade-evidence-a%2Fb',
      'arcade-evidence-Probes',
      'arcade-evidence-x\n',
    ];
    expect(notShaped.filter(isStackGroup)).toEqual([]);
  });

  const retired = { name: 'arcade-evidence-retired', rules: [{ alert: 'Old', expr: 'vector(1)' }] };
  it.each([
    { status: 301, method: 'DELETE', groups: [...wanted, retired], path: `${NS}/arcade-evidence-retired` },
    { status: 308, method: 'POST', groups: [], path: NS },
  ])('a $status to another address is not followed: the $method is sent once and fails naming the fix', async (c) => {
    const other = await redirecting(c.status, c.groups);
    try {
      const error = await syncRules({ ...target, url: other.url }, wanted, true).catch((e: Error) => e);
      expect(String(error)).toBe(
        `RulerError: ${c.method} ${other.url}/config/v1/rules/${c.path}: the ruler answered ${c.status}, a redirect to ` +
          `${new URL(ruler.url).origin}/prometheus/config/v1/rules/${c.path}, not followed: a write must not be re-aimed ` +
          '(fix: set continuous.alerts.ruler.url to the final address)',
      );
      expect(other.seen).toEqual([
        `GET /prometheus/config/v1/rules/${NS}`,
        `${c.method} /prometheus/config/v1/rules/${c.path}`,
      ]);
      expect(ruler.requests).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it.each([
    [{ name: 42, rules: [] }, '{"name":42,"rules":[]}'],
    [{ rules: [{ alert: 'A', expr: 'vector(1)' }] }, '{"rules":[{"alert":"A","expr":"vector(1)"}]}'],
    ['just text', '"just text"'],
  ])(
    'a group without a name as text (%j) is refused naming the namespace and what was there; nothing written',
    async (group, shown) => {
      ruler.store.set(TENANT, new Map([[NS, [...JSON.parse(JSON.stringify(wanted)), group as never]]]));
      const error = await syncRules(target, wanted, true).catch((e: Error) => e);
      expect(String(error)).toBe(
        `RulerError: reading namespace ${NS}: group 3 has no name as text (${shown}) (fix: the ruler's rule store ` +
          `holds a group it should not; read it with GET ${ruler.url}/config/v1/rules/${NS})`,
      );
      expect(writes()).toEqual([]);
    },
  );

  it('a name that is not plain text is escaped inside its JSON quotes: it cannot fake a plan line', async () => {
    const names = ['x\n  = arcade-evidence-probes: as wanted', 'team\u001b[2Kslo', 'rtl\u202eevil', 'équipe-slo'];
    const theirs = names.map((name) => ({ name, rules: [{ alert: 'Theirs', expr: 'vector(1)' }] }));
    ruler.store.set(TENANT, new Map([[NS, [...JSON.parse(JSON.stringify(wanted)), ...theirs]]]));
    const check = await syncRules(target, wanted, false);
    expect(check.ok).toBe(false);
    expect(check.text.split('\n')).toEqual([
      ...inSyncNotAlone(),
      `  ! "rtl\\u202eevil": not the stack's: left as it is`,
      `  ! "team\\u001b[2Kslo": not the stack's: left as it is`,
      `  ! "x\\n  = arcade-evidence-probes: as wanted": not the stack's: left as it is`,
      `  ! "équipe-slo": not the stack's: left as it is`,
      notAlone(4),
    ]);
    expect(stored()?.slice(2)).toEqual(theirs);
  });

  it('a name holding a quote or a backslash is shown in the same JSON form: no name reads as another', async () => {
    // As shown before, the second printed exactly as the first (a name with its own quotes and backslash).
    const names = ['rtl\u202eevil', '"rtl\\u202eevil"', "a: not the stack's", 'team\\slo', '"'];
    const theirs = names.map((name) => ({ name, rules: [{ alert: 'Theirs', expr: 'vector(1)' }] }));
    ruler.store.set(TENANT, new Map([[NS, [...JSON.parse(JSON.stringify(wanted)), ...theirs]]]));
    const check = await syncRules(target, wanted, false);
    expect(check.ok).toBe(false);
    const shown = check.text.split('\n').slice(inSyncNotAlone().length, -1);
    expect(shown).toEqual([
      `  ! "\\"": not the stack's: left as it is`,
      `  ! "\\"rtl\\\\u202eevil\\"": not the stack's: left as it is`,
      `  ! "a: not the stack's": not the stack's: left as it is`,
      `  ! "rtl\\u202eevil": not the stack's: left as it is`,
      `  ! "team\\\\slo": not the stack's: left as it is`,
    ]);
    // Each line's name reads back (JSON) as the group's name: one name, one line.
    const read = shown.map((line) => JSON.parse(line.slice('  ! '.length, line.lastIndexOf(": not the stack's"))));
    expect(read).toEqual([...names].sort());
  });
});
