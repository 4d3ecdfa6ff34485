/**
 * The Mimir probes' one request (src/probes/cluster/mimir-get.ts) against a broken or hostile
 * Mimir whose answer never ends (test/support/endless-body.ts): `otel.metrics-in-mimir` and
 * `alerts.rules-loaded` each end in `error` naming the cap they read up to and the setting to
 * check with its fix, with the tenant header sent, and the connection closed by the probe rather
 * than read to the end.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { type Platform, startPlatform } from '../../src/loopback/platform.js';
import { MAX_QUERY_ANSWER_BYTES } from '../../src/probes/cluster/mimir-metrics.js';
import { MAX_RULES_LIST_BYTES } from '../../src/probes/cluster/rules-loaded.js';
import { describeBytes } from '../../src/core/capped-body.js';
import { TEST_TIMEOUT_MS, SETTLE } from '../support/deadlines.js';
import { type EndlessBody, startEndlessBody } from '../support/endless-body.js';
import { tempDir } from '../support/temp.js';
import { result, runCli } from './helpers.js';

describe('a Mimir answering an endless body', { timeout: TEST_TIMEOUT_MS }, () => {
  let platform: Platform;
  let endless: EndlessBody;
  let targetsFile: string;

  beforeAll(async () => {
    [platform, endless] = await Promise.all([startPlatform(), startEndlessBody()]);
    const base = `${endless.url}/prometheus`;
    const { mimir, ruler } = platform.targets;
    targetsFile = join(tempDir('mimir-get-'), 'targets.yaml');
    writeFileSync(
      targetsFile,
      stringify({ ...platform.targets, mimir: { ...mimir, queryUrl: base }, ruler: { ...ruler, url: base } }),
    );
  });
  afterAll(async () => {
    await Promise.all([platform?.close(), endless?.close()]);
  });

  it('both probes end in error naming the cap they read up to and the setting to fix; the probe hung up', async () => {
    const run = await runCli(
      ['--targets', targetsFile, '--only', 'otel.metrics-in-mimir,alerts.rules-loaded'],
      platform.env,
    );
    expect(run.code, run.stderr).toBe(1);
    const fix = (field: string, environmentField: string) =>
      `(fix: check ${field} in the targets; in an environment ${environmentField}, ` +
      "or collector.mimir.pushUrl it is derived from when unset: it must lead to Mimir's Prometheus API base, <mimir>/prometheus)";
    const metrics = result(run.report, 'otel.metrics-in-mimir');
    expect(metrics).toMatchObject({
      status: 'error',
      detail: expect.stringContaining(
        `Mimir answered 200 at ${endless.url}/prometheus: the answer's body is larger than ${describeBytes(MAX_QUERY_ANSWER_BYTES)}, the most read from it`,
      ),
    });
    const queryFix = fix('mimir.queryUrl', 'probes.mimir.queryUrl');
    expect(metrics.detail.slice(-queryFix.length)).toBe(queryFix);
    const rules = result(run.report, 'alerts.rules-loaded');
    expect(rules).toMatchObject({
      status: 'error',
      detail: expect.stringContaining(
        `/prometheus/api/v1/rules: HTTP 200, the answer's body is larger than ${describeBytes(MAX_RULES_LIST_BYTES)}, the most read from it`,
      ),
    });
    const rulerFix = fix('ruler.url', 'continuous.alerts.ruler.url');
    expect(rules.detail.slice(-rulerFix.length)).toBe(rulerFix);
    // otel.metrics-in-mimir is retried ('eventual'): each attempt asks the same query.
    expect([...new Set(endless.paths)].sort()).toEqual([
      expect.stringMatching(/^\/prometheus\/api\/v1\/query\?query=count/),
      '/prometheus/api/v1/rules',
    ]);
    // Every request names the tenant (the loopback platform's query and ruler targets share one).
    const { tenant } = platform.targets.mimir;
    expect(tenant).toMatch(/\S/);
    expect(endless.headers.map((h) => h['x-scope-orgid'])).toEqual(endless.paths.map(() => tenant));
    await vi.waitFor(() => expect(endless.hungUp()).toBe(endless.paths.length), SETTLE);
  });
});
