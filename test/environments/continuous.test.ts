/**
 * The continuous mode's settings: off by default and never half-rendered. Turned on, every value
 * it needs must be known (synth refuses otherwise, naming each field and the fix); while off,
 * synth lists what it still needs as a note, and its markers are not counted as rendered
 * unresolved values (export would refuse them, yet nothing of the mode is rendered).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { continuousNeeds, continuousPlan } from '../../src/environments/continuous.js';
import { ENVIRONMENTS_DIR, loadEnvironment, parseEnvironment } from '../../src/environments/load.js';
import { formatNotes, synthEnvironment } from '../../src/synth.js';
import { environmentProblems, FIXTURE_ENVIRONMENTS, fixtureEnvironment } from '../synth/helpers.js';

const PRODUCTION = join(ENVIRONMENTS_DIR, 'backstage-wus2-v4.yaml');
const STAGING = join(FIXTURE_ENVIRONMENTS, 'staging.yaml');

/** An environment file's text after an edit of its parsed document. */
function edited(source: string, edit: (doc: ReturnType<typeof parseDocument>) => void): string {
  const doc = parseDocument(readFileSync(source, 'utf8'));
  edit(doc);
  return doc.toString();
}

describe('the test fixture environment (continuous mode on)', () => {
  const env = fixtureEnvironment('staging');

  it('resolves every value, the ruler from the collector Mimir settings', () => {
    expect(continuousNeeds(env)).toEqual([]);
    expect(continuousPlan(env)).toEqual({
      scheduleMinutes: 5,
      schedule: '*/5 * * * *',
      dashboard: { namespace: 'observability', labels: { grafana_dashboard: '1' } },
      alerts: {
        evaluators: ['mimir-ruler', 'prometheus-rule'],
        ruleLabels: { release: 'kube-prometheus-stack' },
        runbookUrl: 'https://git.example.com/platform/arcade-stack/blob/main/docs/alerts.md',
        labels: { team: 'platform' },
        ruler: {
          url: 'http://mimir-nginx.mimir.observability-wus2/prometheus',
          tenant: 'k8s-backstage-v4',
          namespace: 'arcade-stack-staging',
        },
      },
      runner: {
        image:
          'registry.example.com/platform/arcade-probes:0.1.0@sha256:2222222222222222222222222222222222222222222222222222222222222222',
        baseImage: 'node:20-bookworm-slim@sha256:3333333333333333333333333333333333333333333333333333333333333333',
        apiKey: { provider: 'external-secrets', remoteKey: 'arcade/staging/probes', property: 'api-key' },
        secretName: 'arcade-probes-api-key',
        apiServerPorts: [443],
        resources: { requests: { cpu: '50m', memory: '192Mi' }, limits: { cpu: '500m', memory: '384Mi' } },
      },
    });
    expect(synthEnvironment(env).notes).toEqual([]);
  });

  it('takes an explicit ruler URL, tenant and namespace over the derived ones', () => {
    const text = edited(STAGING, (d) =>
      d.setIn(['continuous', 'alerts', 'ruler'], {
        url: 'https://mimir.example.com/prom/',
        tenant: 'other',
        namespace: 'arcade',
      }),
    );
    expect(continuousPlan(parseEnvironment(text, 'staging.yaml'))?.alerts.ruler).toEqual({
      url: 'https://mimir.example.com/prom',
      tenant: 'other',
      namespace: 'arcade',
    });
  });

  it('with no evaluator, needs no runbook URL and names no ruler', () => {
    const text = edited(STAGING, (d) => {
      d.setIn(['continuous', 'alerts', 'evaluators'], []);
      d.deleteIn(['continuous', 'alerts', 'ruleLabels']);
      d.deleteIn(['continuous', 'alerts', 'runbookUrl']);
    });
    expect(continuousPlan(parseEnvironment(text, 'staging.yaml'))?.alerts).toEqual({
      evaluators: [],
      labels: { team: 'platform' },
    });
  });
});

describe('an environment that turns the mode on without every value', () => {
  it('is refused, each missing field named with its fix', () => {
    const problems = environmentProblems(
      edited(STAGING, (d) => {
        d.deleteIn(['continuous', 'dashboard', 'namespace']);
        d.setIn(['continuous', 'alerts', 'runbookUrl'], { unresolved: 'docs host not decided yet' });
        d.deleteIn(['continuous', 'alerts', 'ruleLabels']);
      }),
      'staging.yaml',
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(
      new RegExp(
        /^staging\.yaml: continuous\.dashboard\.namespace: continuous\.enabled is true, but this/.source +
          / value is missing \(the namespace the cluster's Grafana dashboard sidecar watches .*\);/.source +
          / Flux applies dist\/staging\/ as one unit, .* give it, or set continuous\.enabled: false/.source,
      ),
    );
    expect(problems[1]).toMatch(
      /^staging\.yaml: continuous\.alerts\.runbookUrl: .*missing \(unresolved: docs host not decided yet\)/,
    );
    expect(problems[2]).toMatch(
      /^staging\.yaml: continuous\.alerts\.ruleLabels: .*missing \(the labels the evaluating Prometheus' ruleSelector matches/,
    );
  });

  it('is refused for the production environment as it stands, naming the seven values synth lists', () => {
    const problems = environmentProblems(
      edited(PRODUCTION, (d) => d.setIn(['continuous', 'enabled'], true)),
      'backstage-wus2-v4.yaml',
    );
    expect(problems.map((p) => p.split(': ')[1])).toEqual([
      'continuous.dashboard.namespace',
      'continuous.dashboard.labels',
      'continuous.alerts.evaluators',
      'continuous.alerts.runbookUrl',
      'continuous.runner.image',
      'continuous.runner.baseImage',
      'continuous.runner.apiKey',
    ]);
  });

  it('with the Mimir ruler and a push URL that is not Mimir, asks for the ruler URL', () => {
    const problems = environmentProblems(
      edited(STAGING, (d) => d.setIn(['collector', 'mimir', 'pushUrl'], 'https://metrics.example.com/write')),
      'staging.yaml',
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^staging\.yaml: continuous\.alerts\.ruler\.url: .*collector\.mimir\.pushUrl https:\/\/metrics\.example\.com\/write is not Mimir's \/api\/v1\/push/,
      ),
    ]);
  });
});

describe('settings refused whether on or off', () => {
  it.each([
    [
      'a schedule that does not divide the hour',
      ['scheduleMinutes'],
      7,
      /continuous\.scheduleMinutes: must divide the hour evenly/,
    ],
    [
      'an alert label the rules set themselves',
      ['alerts', 'labels'],
      { namespace: 'elsewhere' },
      /continuous\.alerts\.labels\.namespace: 'namespace' is set by every alert itself/,
    ],
    [
      'an evaluator named twice',
      ['alerts', 'evaluators'],
      ['mimir-ruler', 'mimir-ruler'],
      /continuous\.alerts\.evaluators: name each evaluator once/,
    ],
    [
      'an unknown evaluator',
      ['alerts', 'evaluators'],
      ['grafana'],
      /continuous\.alerts\.evaluators: Invalid option: expected one of "mimir-ruler"\|"prometheus-rule"/,
    ],
  ])('%s', (_what, path, value, expected) => {
    const problems = environmentProblems(
      edited(PRODUCTION, (d) => d.setIn(['continuous', ...path], value)),
      'backstage-wus2-v4.yaml',
    );
    expect(problems).toEqual([expect.stringMatching(expected)]);
  });

  it.each([
    [
      'an image without a digest',
      ['runner', 'image'],
      'registry.example.com/arcade-probes:0.1.0',
      /continuous\.runner\.image: must be an image reference pinned by digest/,
    ],
    [
      'a base image by tag only',
      ['runner', 'baseImage'],
      'node:20-bookworm-slim',
      /continuous\.runner\.baseImage: must be an image reference pinned by digest, such as node:20-bookworm-slim@sha256:/,
    ],
    [
      'a short digest',
      ['runner', 'image'],
      'r.example.com/p@sha256:abc',
      /continuous\.runner\.image: must be an image reference pinned by digest/,
    ],
    [
      'a CPU limit that is not a quantity',
      ['runner', 'resources'],
      { requests: { cpu: '50m', memory: '192Mi' }, limits: { cpu: 'half', memory: '384Mi' } },
      /continuous\.runner\.resources\.limits\.cpu: must be a Kubernetes quantity such as '50m', '0\.5', '192Mi' or '1Gi'/,
    ],
    [
      'a negative memory request',
      ['runner', 'resources'],
      { requests: { cpu: '50m', memory: '-192Mi' }, limits: { cpu: '500m', memory: '384Mi' } },
      /continuous\.runner\.resources\.requests\.memory: must be a Kubernetes quantity/,
    ],
  ])('the runner: %s', (_what, path, value, expected) => {
    const problems = environmentProblems(
      edited(STAGING, (d) => d.setIn(['continuous', ...path], value)),
      'staging.yaml',
    );
    expect(problems).toEqual([expect.stringMatching(expected)]);
  });

  it('the runner takes any quantity the API server reads (src/core/quantity.ts), e.g. 0.05, 0.5Gi, 400M', () => {
    const resources = { requests: { cpu: '0.05', memory: '0.5Gi' }, limits: { cpu: '1', memory: '400M' } };
    const env = parseEnvironment(
      edited(STAGING, (d) => d.setIn(['continuous', 'runner', 'resources'], resources)),
      'staging.yaml',
    );
    expect(env.continuous.runner.resources).toEqual(resources);
  });

  it("the runner's key in the other provider's form, or sealed for another Secret", () => {
    const sealed = { ciphertext: 'A'.repeat(64), boundTo: 'arcade-staging/arcade-probes-api-key' };
    const wrongForm = environmentProblems(
      edited(STAGING, (d) => d.setIn(['continuous', 'runner', 'apiKey'], sealed)),
      'staging.yaml',
    );
    expect(wrongForm).toEqual([
      expect.stringMatching(
        /continuous\.runner\.apiKey: .*secrets\.provider is external-secrets: give \{ remoteKey, property \}/,
      ),
    ]);
    // A sealed environment: ciphertext bound to another Secret cannot be decrypted where the runner reads it.
    const production = edited(PRODUCTION, (d) =>
      d.setIn(['continuous', 'runner', 'apiKey'], { ...sealed, boundTo: 'arcade/other-secret' }),
    );
    expect(continuousNeeds(parseEnvironment(production, 'backstage-wus2-v4.yaml')).at(-1)).toEqual({
      path: 'continuous.runner.apiKey',
      fix: expect.stringMatching(
        /^sealed for arcade\/other-secret, but the runner's Secret is arcade\/arcade-probes-api-key/,
      ),
    });
  });

  it('ruleLabels without a PrometheusRule to carry them', () => {
    const problems = environmentProblems(
      edited(STAGING, (d) => d.setIn(['continuous', 'alerts', 'evaluators'], ['mimir-ruler'])),
      'staging.yaml',
    );
    expect(problems).toEqual([expect.stringMatching(/continuous\.alerts\.ruleLabels: no PrometheusRule is rendered/)]);
  });
});

describe('the production environment (continuous mode off)', () => {
  const { env } = loadEnvironment('backstage-wus2-v4');
  const output = synthEnvironment(env);

  it('renders none of it and lists what is missing as a note', () => {
    expect(env.continuous.enabled).toBe(false);
    expect(continuousPlan(env)).toBeUndefined();
    expect(output.notes).toHaveLength(1);
    const note = formatNotes([output]);
    expect(note.split('\n').map((line) => line.replace(/: .*/, ''))).toEqual([
      'backstage-wus2-v4',
      '  - continuous.dashboard.namespace',
      '  - continuous.dashboard.labels',
      '  - continuous.alerts.evaluators',
      '  - continuous.alerts.runbookUrl',
      '  - continuous.runner.image',
      '  - continuous.runner.baseImage',
      '  - continuous.runner.apiKey',
    ]);
    expect(note).toMatch(/^backstage-wus2-v4: continuous mode is off \(rendered: nothing\); to turn it on, give/);
  });

  it('does not count its markers among the rendered unresolved values', () => {
    expect(output.unresolved.length).toBeGreaterThan(0);
    expect(output.unresolved.filter((u) => u.path.startsWith('continuous.'))).toEqual([]);
  });

  it('an environment without the section has the mode off, every value listed as needed', () => {
    const text = edited(PRODUCTION, (d) => d.delete('continuous'));
    const bare = parseEnvironment(text, 'backstage-wus2-v4.yaml');
    expect(bare.continuous).toMatchObject({ enabled: false, scheduleMinutes: 5 });
    expect(continuousNeeds(bare).map((n) => [n.path, n.fix.startsWith('unresolved:')])).toEqual([
      ['continuous.dashboard.namespace', false],
      ['continuous.dashboard.labels', false],
      ['continuous.alerts.evaluators', false],
      ['continuous.alerts.runbookUrl', false],
      ['continuous.runner.image', false],
      ['continuous.runner.baseImage', false],
      ['continuous.runner.apiKey', false],
    ]);
    // The key's fix names the Secret it must be sealed for (the production provider is SealedSecrets).
    expect(continuousNeeds(bare).find((n) => n.path === 'continuous.runner.apiKey')?.fix).toMatch(
      /sealed for arcade\/arcade-probes-api-key: printf %s "\$KEY" \| kubeseal --raw --scope strict --namespace arcade --name arcade-probes-api-key/,
    );
  });
});
