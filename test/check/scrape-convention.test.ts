/**
 * The gate's scrape-convention rules (`monitoring.scrape-label`, `monitoring.excluded`,
 * `monitoring.no-environment`): every ServiceMonitor/PodMonitor in dist/<env>/ is judged by the
 * convention in that environment's file. In-process over small dist/ folders, and end to end:
 * monitors planted beside a copy of the committed dist/ fail `npm run check` (its command, called
 * in process), which names the rule, the file and the object.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../scripts/check.js';
import type { Finding } from '../../src/check/finding.js';
import { runGate } from '../../src/check/gate.js';
import { formatFinding } from '../../src/check/report.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { runMain } from '../support/run-script.js';
import { FIXTURE_ENVIRONMENTS } from '../synth/helpers.js';
import { tempDir, writeDist, writeYaml } from './support.js';

type Rec = Record<string, unknown>;

const monitor = (kind: 'ServiceMonitor' | 'PodMonitor', name: string, labels: Record<string, string>): Rec => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind,
  metadata: { name, namespace: 'arcade', labels: { 'app.kubernetes.io/name': 'collector', ...labels } },
  spec: {
    selector: { matchLabels: { 'app.kubernetes.io/name': 'collector' } },
    ...(kind === 'ServiceMonitor'
      ? { endpoints: [{ port: 'metrics' }] }
      : { podMetricsEndpoints: [{ port: 'metrics' }] }),
  },
});

/** The findings of the monitoring rules, one line each, without the fix (asserted separately). */
const monitoringLines = (findings: readonly Finding[]) =>
  findings.filter((f) => f.area === 'monitoring').map((f) => formatFinding(f).replace(/ \(fix: .*$/, ''));

async function gate(root: string, environmentsDir: string) {
  return runGate({ root, scanRepository: false, kubectl: false, exceptions: [], environmentsDir });
}

describe('the scrape convention over dist/<env>/', () => {
  it("judges each monitor by its environment's convention (the staging fixture's, not production's)", async () => {
    const root = tempDir();
    writeDist(root, 'staging', {
      'monitors.yaml': [
        monitor('ServiceMonitor', 'follows', { release: 'kube-prometheus-stack' }),
        monitor('ServiceMonitor', 'production-label', { release: 'prometheus-operator' }),
        monitor('PodMonitor', 'unlabelled', {}),
        monitor('PodMonitor', 'skipped', {
          release: 'kube-prometheus-stack',
          'monitoring.example.com/scrape': 'false',
        }),
        monitor('ServiceMonitor', 'other-value', {
          release: 'kube-prometheus-stack',
          'monitoring.example.com/scrape': 'true',
        }),
      ],
    });
    const report = await gate(root, FIXTURE_ENVIRONMENTS);
    expect(monitoringLines(report.findings)).toEqual([
      'error   dist/staging/monitors.yaml:15 ServiceMonitor arcade/production-label ' +
        'metadata.labels.release: [monitoring.scrape-label] ServiceMonitor lacks label release: ' +
        "kube-prometheus-stack (has release: prometheus-operator), which the cluster's scraper " +
        'selects monitors by (never scraped)',
      'error   dist/staging/monitors.yaml:30 PodMonitor arcade/unlabelled ' +
        'metadata.labels.release: [monitoring.scrape-label] PodMonitor lacks label release: ' +
        "kube-prometheus-stack, which the cluster's scraper selects monitors by (never scraped)",
      'error   dist/staging/monitors.yaml:44 PodMonitor arcade/skipped ' +
        'metadata.labels["monitoring.example.com/scrape"]: [monitoring.excluded] PodMonitor ' +
        "carries monitoring.example.com/scrape: false, which makes the cluster's scraper skip it " +
        '(never scraped)',
    ]);
    const fixes = report.findings.filter((f) => f.area === 'monitoring').map((f) => f.fix);
    expect(fixes[0]).toBe(
      "set the label release: kube-prometheus-stack (the construct does it from the environment's monitoring.scrapeLabels), then npm run synth",
    );
    expect(fixes[2]).toBe(
      'remove the label monitoring.example.com/scrape (or correct monitoring.exclusionLabels in the environment), then npm run synth',
    );
  });

  it('fails closed when a folder holds monitors but its environment cannot be read; a folder without monitors needs none', async () => {
    const root = tempDir();
    writeDist(root, 'nowhere', {
      'monitors.yaml': [monitor('ServiceMonitor', 'orphan', { release: 'prometheus-operator' })],
    });
    writeDist(root, 'plain', {
      'config.yaml': [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'arcade' }, data: {} }],
    });
    const report = await gate(root, FIXTURE_ENVIRONMENTS);
    const found = report.findings.filter((f) => f.area === 'monitoring');
    expect(found).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: 'dist/nowhere',
        rule: 'monitoring.no-environment',
        message: expect.stringMatching(
          /^1 ServiceMonitor\/PodMonitor\(s\), but the scrape convention of environment 'nowhere' cannot be read: --env nowhere: no such environment/,
        ),
        fix: 'add or correct src/environments/nowhere.yaml (its monitoring section gives the convention)',
      }),
    ]);
  });
});

describe('npm run check with planted monitors', () => {
  it('a ServiceMonitor without the scrape label and a PodMonitor with the exclusion label fail it, naming the rule, the file and the object', async () => {
    // A copy of the committed production folder, judged by src/environments/backstage-wus2-v4.yaml.
    const dir = tempDir();
    const env = join(dir, 'dist', 'backstage-wus2-v4');
    cpSync(join(REPO_ROOT, 'dist', 'backstage-wus2-v4'), env, { recursive: true });
    writeYaml(join(env, 'planted.yaml'), [
      monitor('ServiceMonitor', 'no-scrape-label', {}),
      monitor('PodMonitor', 'excluded', { release: 'prometheus-operator', 'grafana-agent': 'external' }),
    ]);
    const kustomization = join(env, 'kustomization.yaml');
    const k = parse(readFileSync(kustomization, 'utf8')) as { resources: string[] };
    writeFileSync(kustomization, stringify({ ...k, resources: [...k.resources, 'planted.yaml'] }));
    const json = join(dir, 'report.json');
    const run = await runMain(main, ['--dist', join(dir, 'dist'), '--dist-only', '--skip-kustomize', '--json', json]);
    expect(run.status).toBe(1);
    const lines = run.stdout.split('\n').filter((l) => l.includes('[monitoring.'));
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          /^error {3}\S*dist\/backstage-wus2-v4\/planted\.yaml:1 ServiceMonitor/.source +
            / arcade\/no-scrape-label metadata\.labels\.release: \[monitoring\.scrape-label\]/.source +
            / ServiceMonitor lacks label release: prometheus-operator, /.source,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          /^error {3}\S*dist\/backstage-wus2-v4\/planted\.yaml:\d+ PodMonitor arcade\/excluded/.source +
            / metadata\.labels\.grafana-agent: \[monitoring\.excluded\] PodMonitor carries/.source +
            / grafana-agent: external, /.source,
        ),
      ),
    ]);
    // The committed monitors (monitoring.yaml) follow the convention: only the planted ones are reported.
    const report = JSON.parse(readFileSync(json, 'utf8')) as { passed: boolean; findings: Finding[] };
    expect(report.passed).toBe(false);
    expect(report.findings.filter((f) => f.area === 'monitoring').map((f) => [f.rule, f.object?.name])).toEqual([
      ['monitoring.scrape-label', 'no-scrape-label'],
      ['monitoring.excluded', 'excluded'],
    ]);
  });
});
