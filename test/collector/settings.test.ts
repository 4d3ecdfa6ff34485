/**
 * The `collector` section of an environment: defaults from the facts, and invalid values
 * rejected with the file, the field and the fix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { CollectorResourcesSchema } from '../../src/environments/collector.js';
import { ENVIRONMENTS_DIR, loadEnvironment } from '../../src/environments/load.js';
import { environmentProblems } from '../synth/helpers.js';

const FILE = 'environments/backstage-wus2-v4.yaml';

/** The production file with a `collector:` section set to `collector`. */
function withCollector(collector: unknown): string {
  const doc = parseDocument(readFileSync(join(ENVIRONMENTS_DIR, 'backstage-wus2-v4.yaml'), 'utf8'));
  doc.set('collector', doc.createNode(collector));
  return doc.toString();
}

const problemsOf = (collector: unknown): string[] => environmentProblems(withCollector(collector), FILE);

describe('collector defaults', () => {
  it('are the facts: contrib image pinned, 2 replicas, remote write to the observed Mimir URL and tenant', () => {
    const { collector } = loadEnvironment('backstage-wus2-v4').env;
    expect(collector).toEqual({
      image: { repository: 'otel/opentelemetry-collector-contrib', tag: '0.159.0' },
      replicas: 2,
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      mode: 'remote-write',
      mimir: { pushUrl: 'http://mimir-nginx.mimir.observability-wus2/api/v1/push', tenant: 'k8s-backstage-v4' },
      deltaToCumulative: false,
      scrapeInterval: '60s',
      networkPolicy: {},
      monitoringNamespace: 'monitoring',
    });
  });
});

describe('invalid collector settings name the field and the fix', () => {
  it('an unpinned image tag', () => {
    expect(problemsOf({ image: { tag: 'latest' } })).toEqual([
      expect.stringMatching(
        /^environments\/backstage-wus2-v4\.yaml: collector\.image\.tag: must be an exact collector version such as '0\.159\.0' \(never 'latest'\) \(fix: /,
      ),
    ]);
  });

  it('a memory limit the collector cannot derive its limits from', () => {
    expect(problemsOf({ resources: { limits: { memory: '1G' } } })).toEqual([
      expect.stringMatching(/collector\.resources\.limits\.memory: must be a memory quantity of whole MiB/),
    ]);
  });

  it('CPU and memory as the collector reads them (src/core/quantity.ts): any quantity of whole MiB, any CPU above zero', () => {
    const accepted = CollectorResourcesSchema.parse({
      limits: { cpu: '1.5', memory: '0.5Gi' },
      requests: { cpu: '2e-1' },
    });
    expect(accepted).toEqual({ requests: { cpu: '2e-1', memory: '256Mi' }, limits: { cpu: '1.5', memory: '0.5Gi' } });
    expect(problemsOf({ resources: { requests: { cpu: '0m', memory: '1.5Mi' } } })).toEqual([
      expect.stringMatching(/collector\.resources\.requests\.cpu: must be a CPU quantity such as '250m' or '1'/),
      expect.stringMatching(/collector\.resources\.requests\.memory: must be a memory quantity of whole MiB/),
    ]);
  });

  it('an unknown mode, with the allowed values', () => {
    expect(problemsOf({ mode: 'both' })).toEqual([
      expect.stringMatching(/collector\.mode: .*\(fix: use one of "remote-write", "scrape"\)/),
    ]);
  });

  it('an empty tenant', () => {
    expect(problemsOf({ mimir: { tenant: '' } })).toContainEqual(
      expect.stringMatching(/collector\.mimir\.tenant: must name the Mimir tenant/),
    );
  });

  it('a push URL that is not http(s)', () => {
    expect(problemsOf({ mimir: { pushUrl: 'mimir:9009' } })).toEqual([
      expect.stringMatching(/collector\.mimir\.pushUrl: must be an http:\/\/ or https:\/\/ URL/),
    ]);
  });

  it('an egress description without a destination, or pods without their namespace', () => {
    expect(problemsOf({ networkPolicy: { mimirEgress: { ports: [80] } } })).toEqual([
      expect.stringMatching(
        /collector\.networkPolicy\.mimirEgress: mimirEgress names no destination; give cidrs or namespaceLabels, or remove mimirEgress to leave egress open/,
      ),
    ]);
    expect(
      problemsOf({ networkPolicy: { mimirEgress: { cidrs: ['10.0.0.0/8'], podLabels: { app: 'mimir' } } } }),
    ).toEqual([
      expect.stringMatching(/collector\.networkPolicy\.mimirEgress\.podLabels: podLabels needs namespaceLabels/),
    ]);
    expect(problemsOf({ networkPolicy: { mimirEgress: { cidrs: ['mimir.example.com'] } } })).toEqual([
      expect.stringMatching(/collector\.networkPolicy\.mimirEgress\.cidrs\.0: must be a CIDR/),
    ]);
  });

  it('a Mimir egress in scrape mode (nothing is pushed)', () => {
    expect(problemsOf({ mode: 'scrape', networkPolicy: { mimirEgress: { cidrs: ['10.0.0.0/8'] } } })).toEqual([
      expect.stringMatching(
        /collector\.networkPolicy\.mimirEgress: mode is 'scrape', so the collector sends nothing to Mimir/,
      ),
    ]);
  });

  it('a misspelled field', () => {
    expect(problemsOf({ replica: 3 })).toEqual([
      expect.stringMatching(/collector: .*\(fix: remove 'replica' or correct the spelling/),
    ]);
  });
});
