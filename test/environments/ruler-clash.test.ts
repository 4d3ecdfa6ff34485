/**
 * Two environments whose alert rules would go to one Mimir ruler namespace (same URL, tenant and
 * namespace): each `npm run rules -- --sync` would replace the other's groups, so loading them
 * together is refused naming both files, the field and the fix (src/environments/ruler-clash.ts).
 * Each environment's default namespace, `arcade-stack-<env>`, is its own. What
 * `npm run rules` does with it (--sync refuses, a check fails on it): test/evidence/ruler-sync.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { EnvironmentError, loadEnvironment, loadEnvironments } from '../../src/environments/load.js';
import { tempDir } from '../support/temp.js';
import { FIXTURE_ENVIRONMENTS } from '../synth/helpers.js';

type Ruler = { url?: string; tenant?: string; namespace?: string; cluster?: string };

/**
 * The staging fixture, and a copy of it named `prod`, each with the ruler settings given (and the
 * `cluster`, when given; the fixture's is staging-wus2 in both); the folder.
 */
function twoEnvironments(staging: Ruler, prod: Ruler): string {
  const dir = tempDir('ruler-clash-');
  for (const [name, { cluster, ...ruler }] of [
    ['staging', staging],
    ['prod', prod],
  ] as const) {
    const doc = parseDocument(readFileSync(join(FIXTURE_ENVIRONMENTS, 'staging.yaml'), 'utf8'));
    doc.set('name', name);
    if (cluster !== undefined) doc.set('cluster', cluster);
    if (Object.keys(ruler).length > 0) doc.setIn(['continuous', 'alerts', 'ruler'], ruler);
    writeFileSync(join(dir, `${name}.yaml`), doc.toString());
  }
  return dir;
}

function problemsLoading(dir: string): string[] {
  try {
    loadEnvironments(dir);
  } catch (err) {
    if (err instanceof EnvironmentError) return [...err.problems];
    throw err;
  }
  return [];
}

const URL_ = 'http://mimir-nginx.mimir.observability-wus2/prometheus';
const TENANT = 'k8s-backstage-v4';

/** The one problem of prod and staging sharing `namespace` (prod.yaml first: files load by name). */
const clash = (namespace: string, prodHow: string, stagingHow: string, url = URL_) =>
  'prod.yaml and staging.yaml: continuous.alerts.ruler.namespace: both environments sync their alert rules ' +
  `into ruler namespace '${namespace}' of tenant '${TENANT}' at ${url} (prod: ${prodHow}; staging: ${stagingHow}), ` +
  "so each one's `npm run rules -- --sync` would replace the groups of the same names the other wrote " +
  '(fix: give each environment a continuous.alerts.ruler.namespace of its own; removing the field from a file ' +
  'gives it arcade-stack-<env>, which no other environment has)';

describe('two environments syncing alert rules into one ruler namespace', () => {
  it('the same namespace set in both files is refused naming both files, the field and the fix', () => {
    const dir = twoEnvironments({ namespace: 'arcade-alerts' }, { namespace: 'arcade-alerts' });
    const problems = problemsLoading(dir).map((p) => p.replaceAll(`${dir}/`, ''));
    expect(problems).toEqual([clash('arcade-alerts', 'set in its file', 'set in its file')]);
  });

  it("a namespace set to another environment's default is refused too; the default is named as such", () => {
    const dir = twoEnvironments({}, { namespace: 'arcade-stack-staging' });
    const problems = problemsLoading(dir).map((p) => p.replaceAll(`${dir}/`, ''));
    expect(problems).toEqual([clash('arcade-stack-staging', 'set in its file', 'the default arcade-stack-staging')]);
  });

  it('the same ruler spelled with a trailing / and another host case is the same ruler', () => {
    const dir = twoEnvironments(
      { namespace: 'arcade-alerts', url: 'http://MIMIR-nginx.mimir.observability-wus2:80/prometheus/' },
      { namespace: 'arcade-alerts' },
    );
    const problems = problemsLoading(dir).map((p) => p.replaceAll(`${dir}/`, ''));
    expect(problems).toEqual([clash('arcade-alerts', 'set in its file', 'set in its file')]);
  });

  it('defaults, another tenant or another ruler are separate namespaces: the folder loads', () => {
    for (const [staging, prod] of [
      [{}, {}],
      [{ namespace: 'arcade-alerts' }, { namespace: 'arcade-alerts', tenant: 'another-tenant' }],
      [{ namespace: 'arcade-alerts' }, { namespace: 'arcade-alerts', url: 'http://mimir-two.example/prometheus' }],
    ] as const) {
      const dir = twoEnvironments(staging, prod);
      expect(problemsLoading(dir)).toEqual([]);
      expect(loadEnvironment('prod', dir).rulerClashes).toEqual([]);
    }
  });

  it('loading one environment hands the clash to the command (npm run rules: --sync refuses it, a check fails on it); the other loads', () => {
    const dir = twoEnvironments({ namespace: 'arcade-alerts' }, { namespace: 'arcade-alerts' });
    const one = loadEnvironment('prod', dir);
    expect(one.warnings).toEqual([]);
    expect(one.rulerClashes.map((p) => p.replaceAll(`${dir}/`, ''))).toEqual([
      clash('arcade-alerts', 'set in its file', 'set in its file'),
    ]);
  });

  describe('in two clusters: one ruler only when its host is one name for every cluster', () => {
    /** Hosts a cluster or a machine resolves to its own server: two clusters, two rulers. */
    const OWN = [
      'http://mimir-nginx.mimir.svc:8080/prometheus',
      'http://localhost:8080/prometheus',
      'http://mimir-nginx.mimir.svc.cluster.local./prometheus',
      'http://mimir-nginx.mimir/prometheus',
      'http://mimir/prometheus',
      'http://mimir.corp.local/prometheus',
      'http://mimir.eastus.internal/prometheus',
      'http://127.0.0.1:8080/prometheus',
      'http://10.2.0.15/prometheus',
      'http://172.31.255.1/prometheus',
      'http://192.168.1.20/prometheus',
      'http://169.254.10.1/prometheus',
      'http://[::1]:8080/prometheus',
      'http://[::ffff:10.0.0.7]/prometheus',
      'http://[fd12:3456::1]/prometheus',
      'http://[fe80::1]/prometheus',
      'http://mimir-nginx.mimir.svc.corp.example:8080/prometheus',
      'http://100.64.3.4/prometheus',
      'http://100.127.255.254/prometheus',
    ];
    /** Hosts that name one server from anywhere: two clusters, still one ruler. */
    const SHARED = [
      'https://mimir.example.com/prometheus',
      'https://mimir.svc.example.com/prometheus',
      'http://mimir-nginx.mimir.observability-wus2/prometheus',
      'http://172.32.0.1/prometheus',
      'http://203.0.113.10/prometheus',
      'http://[2001:db8::10]/prometheus',
      'http://100.128.0.1/prometheus',
      'https://svc.mimir.example.com/prometheus',
    ];
    const SAME = { namespace: 'arcade-alerts', tenant: TENANT };
    /** The URL as the message shows it: parsed, one trailing dot of the host and trailing slashes dropped. */
    const shownOf = (url: string) => {
      const parsed = new URL(url);
      parsed.hostname = parsed.hostname.replace(/\.$/, '');
      return parsed.href.replace(/\/+$/, '');
    };
    const inCluster = (cluster: string, url: string) => ({ ...SAME, url, cluster });

    it.each(OWN)('%s: two clusters load; in one cluster it is refused as before', (url) => {
      const apart = twoEnvironments(inCluster('aks-west', url), inCluster('aks-east', url));
      expect(problemsLoading(apart)).toEqual([]);
      expect(loadEnvironment('prod', apart).rulerClashes).toEqual([]);

      const together = twoEnvironments(inCluster('aks-east', url), inCluster('aks-east', url));
      const shown = shownOf(url);
      const problems = problemsLoading(together).map((p) => p.replaceAll(`${together}/`, ''));
      expect(problems).toEqual([clash('arcade-alerts', 'set in its file', 'set in its file', shown)]);
    });

    it.each(SHARED)('%s: refused in two clusters as in one', (url) => {
      const shown = shownOf(url);
      for (const [staging, prod] of [
        ['aks-west', 'aks-east'],
        ['aks-east', 'aks-east'],
      ] as const) {
        const dir = twoEnvironments(inCluster(staging, url), inCluster(prod, url));
        const problems = problemsLoading(dir).map((p) => p.replaceAll(`${dir}/`, ''));
        expect(problems).toEqual([clash('arcade-alerts', 'set in its file', 'set in its file', shown)]);
        expect(loadEnvironment('prod', dir).rulerClashes).toHaveLength(1);
      }
    });

    it('a fully qualified name (one trailing dot) is the same ruler as the name without it', () => {
      const dir = twoEnvironments(
        inCluster('aks-west', 'https://mimir.example.com./prometheus'),
        inCluster('aks-east', 'https://mimir.example.com/prometheus'),
      );
      const problems = problemsLoading(dir).map((p) => p.replaceAll(`${dir}/`, ''));
      expect(problems).toEqual([
        clash('arcade-alerts', 'set in its file', 'set in its file', 'https://mimir.example.com/prometheus'),
      ]);
    });
  });
});
