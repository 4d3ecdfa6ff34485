/**
 * npm run check-values end to end (its command, in process), on the stack's real override list
 * (never hard-coded paths): chart defaults generated from that list, one path misspelled, a
 * generated values.schema.json, and --render through a stand-in `helm` put first on the PATH.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../scripts/check-values.js';
import {
  checkOverrides,
  formatChecks,
  formatDocuments,
  isProblem,
  releaseOverrides,
} from '../../src/chart-values/check.js';
import type { JsonSchema } from '../../src/chart-values/contract.js';
import { formatPath, parsePath, setAt } from '../../src/core/values-path.js';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironment } from '../synth/helpers.js';
import { tempDir } from '../support/temp.js';
import { runMain } from '../support/run-script.js';
import { type HelmStandin, startHelmStandin } from './helm-standin.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const { overrides } = releaseOverrides(fixtureEnvironment('staging'));

/** Chart defaults in which every override path exists, with a value different from ours. */
function defaultsFor(paths: readonly string[]): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  for (const p of paths) setAt(tree, parsePath(p), `chart-default:${p}`);
  return tree;
}

/** The first inline override whose last segment is a key, and a misspelling of it. */
const victim = overrides.find((o) => o.via === 'inline' && typeof parsePath(o.path).at(-1) === 'string')!;
const victimSegments = parsePath(victim.path);
const lastKey = victimSegments.at(-1) as string;
const chartSpelling = formatPath([
  ...victimSegments.slice(0, -1),
  `${lastKey.slice(0, -2)}${lastKey.at(-1)}${lastKey.at(-2)}`,
]);

function schemaFor(tree: unknown, drop?: string[]): unknown {
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree))
    return Array.isArray(tree) ? { type: 'array', items: schemaFor(tree[0]) } : {};
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tree)) {
    if (drop && drop.length === 1 && drop[0] === k) continue;
    properties[k] = schemaFor(v, drop && drop[0] === k ? drop.slice(1) : undefined);
  }
  return { type: 'object', properties, additionalProperties: false };
}

const workdirs: string[] = [];
function workdir(): string {
  const dir = tempDir('check-values-test-');
  workdirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of workdirs) rmSync(d, { recursive: true, force: true });
});

function writeYaml(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : stringify(value));
  return file;
}

/** The `helm` stand-in (./helm-standin.ts): one server for the file, a `helm` script per test folder. */
let standin: HelmStandin | undefined;
afterAll(() => standin?.close());

/** A bin folder holding `helm` (the stand-in) to put first on the PATH. */
async function helmBin(dir: string): Promise<string> {
  standin ??= await startHelmStandin();
  return standin.binIn(dir);
}

/** The command in process (its one spawn: test/scripts/every-script.test.ts), with `env` over the test's. */
function checkValues(args: string[], env: Record<string, string> = {}) {
  return runMain(main, ['--environments', FIXTURE_ENVIRONMENTS, '--env', 'staging', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });
}

describe('npm run check-values', () => {
  it('passes when every override path exists in the chart defaults', () => {
    const checks = checkOverrides(overrides, defaultsFor(overrides.map((o) => o.path)));
    expect(checks).toHaveLength(overrides.length);
    expect(checks.filter((c) => isProblem(c.defaults))).toEqual([]);
    expect(formatChecks(checks).match(/^ok {3}/gm)).toHaveLength(overrides.length);
  });

  it('catches a misspelled override path and names the nearest existing path (end to end: exit 1)', async () => {
    const dir = workdir();
    const paths = overrides.map((o) => (o.path === victim.path ? chartSpelling : o.path));
    const r = await checkValues(['--values', writeYaml(dir, 'values.yaml', defaultsFor(paths))]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`FAIL ${victim.path} (inline,`);
    expect(r.stdout).toContain(`Helm would silently ignore it (nearest existing path: ${chartSpelling})`);
    expect(r.stdout).toContain('check-values: FAILED: 1 path(s) Helm would ignore');
  });

  it('checks values.schema.json when given: an undeclared path fails', () => {
    const defaults = defaultsFor(overrides.map((o) => o.path));
    const ok = checkOverrides(overrides, defaults, schemaFor(defaults) as JsonSchema);
    expect(ok.filter((c) => isProblem(c.defaults) || isProblem(c.schema))).toEqual([]);
    expect(formatChecks(ok).match(/exists in values\.schema\.json/g)).toHaveLength(overrides.length);
    const dropped = victimSegments.filter((s): s is string => typeof s === 'string');
    const bad = checkOverrides(overrides, defaults, schemaFor(defaults, dropped) as JsonSchema);
    expect(bad.filter((c) => isProblem(c.schema)).map((c) => c.override.path)).toEqual([victim.path]);
    expect(formatChecks(bad)).toMatch(
      new RegExp(`FAIL ${victim.path.replace(/[.[\]]/g, '\\$&')}[^\n]*\n[^\n]*\n[^\n]*NOT in values\\.schema\\.json`),
    );
  });

  it('checks passed-through values like every key, and names the whole values documents it cannot see', () => {
    const fixture = fixtureEnvironment('staging');
    const adopting = releaseOverrides({
      ...fixture,
      release: {
        ...fixture.release,
        values: { replicaCount: 2, smtp: { host: 'smtp.example.com' } },
        valuesFrom: [
          { kind: 'ConfigMap', name: 'arcade-values' },
          { kind: 'ConfigMap', name: 'tuning', valuesKey: 'workers', targetPath: 'worker.count' },
        ],
      },
    });
    // The chart has replicaCount but no smtp section and no worker.count.
    const checks = checkOverrides(
      adopting.overrides,
      defaultsFor([...overrides.map((o) => o.path), 'replicaCount', 'worker.replicas']),
    );
    expect(checks.filter((c) => isProblem(c.defaults)).map((c) => c.override.path)).toEqual([
      'smtp.host',
      'worker.count',
    ]);
    const text = formatChecks(checks);
    expect(text).toContain(
      'ok   replicaCount (inline, environment: release.values (a value of the live release the stack does not model))',
    );
    expect(text).toContain(
      'FAIL worker.count (configmap, environment: release.valuesFrom[1]: ConfigMap tuning, key workers)',
    );
    expect(formatDocuments(adopting.documents)).toBe(
      'note ConfigMap arcade-values, key values.yaml (release.valuesFrom, whole document): its ' +
        'keys live in the GitOps repository, not here; npm run export resolves them and lists them ' +
        'against the live release',
    );
  });

  it('--render with helm on the PATH: every override changes the rendered chart', async () => {
    const dir = workdir();
    const defaults = writeYaml(dir, 'values.yaml', defaultsFor(overrides.map((o) => o.path)));
    const log = join(dir, 'helm.log');
    const r = await checkValues(['--values', defaults, '--render'], {
      PATH: `${await helmBin(dir)}${delimiter}${process.env.PATH}`,
      HELM_STANDIN_DEFAULTS: defaults,
      HELM_STANDIN_LOG: log,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.match(/^ok {3}render: .*changes the rendered chart$/gm)).toHaveLength(overrides.length);
    const calls = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);
    expect(calls).toHaveLength(overrides.length + 1);
    const env = fixtureEnvironment('staging');
    expect(calls[0]!.slice(0, 7)).toEqual([
      'template',
      env.release.releaseName,
      env.chart.url,
      '--version',
      env.chart.version,
      '--namespace',
      env.namespace,
    ]);
  });

  it('--render reports an override the chart ignores as changing nothing', async () => {
    const dir = workdir();
    const paths = overrides.map((o) => (o.path === victim.path ? chartSpelling : o.path));
    const defaults = writeYaml(dir, 'values.yaml', defaultsFor(paths));
    const r = await checkValues(['--values', defaults, '--render'], {
      PATH: `${await helmBin(dir)}${delimiter}${process.env.PATH}`,
      HELM_STANDIN_DEFAULTS: defaults,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`FAIL render: ${victim.path}: removing it changes nothing in the rendered chart`);
    expect(r.stdout.match(/^FAIL render:/gm)).toHaveLength(1);
    expect(r.stdout).toContain('1 override(s) with no effect on the rendered chart');
  });

  it('--render fails closed when helm fails or is not on the PATH', async () => {
    const dir = workdir();
    const defaults = writeYaml(dir, 'values.yaml', defaultsFor(overrides.map((o) => o.path)));
    const failing = await checkValues(['--values', defaults, '--render'], {
      PATH: `${await helmBin(dir)}${delimiter}${process.env.PATH}`,
      HELM_STANDIN_DEFAULTS: defaults,
      HELM_STANDIN_FAIL: '1',
    });
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain('chart "arcade" version "1.8.8" not found');
    const systemHelm = ['/bin/helm', '/usr/bin/helm'].some((p) => existsSync(p));
    if (systemHelm) return;
    const missing = await checkValues(['--values', defaults, '--render'], {
      PATH: [join(dir, 'empty'), dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter),
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('--render needs helm on the PATH');
  });

  it('refuses a values.schema.json its walk cannot read: exit 2, one line naming the file, the node and the fix', async () => {
    const dir = workdir();
    const defaults = writeYaml(dir, 'values.yaml', defaultsFor(overrides.map((o) => o.path)));
    const refused = async (schema: unknown) => {
      const file = join(dir, 'values.schema.json');
      writeFileSync(file, JSON.stringify(schema));
      const r = await checkValues(['--values', defaults, '--schema', file]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      return r.stderr.trimEnd().replace(file, '<file>');
    };
    const fix =
      "(fix: give the chart's own values.schema.json, at the top of what helm pull <chart> --version <version> --untar unpacks, or leave out --schema)";
    expect(await refused({ properties: { engine: { allOf: [{ $ref: '#/$defs/engine' }] } } })).toBe(
      `check-values: <file> at /properties/engine/allOf/0: $ref #/$defs/engine points nowhere ${fix}`,
    );
    expect(await refused({ properties: { labels: { patternProperties: { '[a-z': { type: 'string' } } } } })).toMatch(
      new RegExp(
        `^check-values: <file> at /properties/labels: patternProperties key "\\[a-z" is not a regular expression \\(.+\\) ${fix.replace(/[()<>.]/g, '\\$&')}$`,
      ),
    );
    expect(await refused({ properties: { engine: { anyOf: { type: 'object' } } } })).toBe(
      `check-values: <file> at /properties/engine: anyOf is not a list of schemas ${fix}`,
    );
  });
});
