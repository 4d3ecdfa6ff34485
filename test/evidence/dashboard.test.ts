/**
 * The dashboard's structure, the rules Grafana and the metric contract impose on it. The Foundation
 * SDK publishes TypeScript types, not a JSON schema of the dashboard, so the build is type-checked
 * against Grafana's model at compile time and these tests check what the types cannot: ids and
 * grid, the one variable, every query on the data source variable, every metric from the contract
 * (src/evidence/metrics.ts) or the pinned collector (src/collector/self-metrics.ts), the windows.
 * The queries themselves run against a real Prometheus in ./dashboard-queries.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { COLLECTOR_DEFAULTS } from '../../src/collector/defaults.js';
import { COLLECTOR_SELF_METRICS, SCRAPE_UP_METRIC, SELF_METRICS_VERSION } from '../../src/collector/self-metrics.js';
import {
  buildEvidenceDashboard,
  DATASOURCE_VARIABLE,
  dashboardUid,
  evidenceDashboardJson,
} from '../../src/evidence/dashboard.js';
import type { DashboardScope } from '../../src/evidence/dashboard-queries.js';
import { EVIDENCE_METRICS, PROBE_STATUS_CODES } from '../../src/evidence/metrics.js';

const scope: DashboardScope = {
  environment: 'staging',
  namespace: 'arcade-staging',
  collectorLabel: { name: 'arcade_stack_collector', value: 'staging-wus2/arcade-staging/arcade-otel-collector' },
  engineJob: 'arcade_engine',
  scheduleMinutes: 5,
};

interface Panel {
  id?: number;
  type: string;
  title: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: { refId?: string; expr?: string; datasource?: { type?: string; uid?: string } }[];
  fieldConfig?: { defaults?: { mappings?: { type: string; options: Record<string, { text?: string }> }[] } };
}

const panelsOf = (s: DashboardScope) => (buildEvidenceDashboard(s).panels ?? []) as unknown as Panel[];
const exprsOf = (s: DashboardScope) => panelsOf(s).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));

/** Metric names a PromQL expression selects (`name{` or `name[`), function names excluded. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)].map((m) => m[1]!).filter((n) => n !== 'by');
}

describe('the continuous-evidence dashboard', () => {
  it('is the same JSON every time, with a uid Grafana accepts (at most 40 characters)', () => {
    expect(evidenceDashboardJson(scope)).toBe(evidenceDashboardJson({ ...scope }));
    expect(evidenceDashboardJson(scope).endsWith('}\n')).toBe(true);
    expect(buildEvidenceDashboard(scope).uid).toBe('arcade-evidence-staging');
    const long = dashboardUid('an-environment-name-long-enough-to-overflow');
    expect(long).toMatch(/^arcade-evidence-[0-9a-f]{24}$/);
    expect(long).toBe(dashboardUid('an-environment-name-long-enough-to-overflow'));
    expect(dashboardUid('an-environment-name-long-enough-to-overflow2')).not.toBe(long);
  });

  it('has the data source as its one variable, and every panel and query reads through it', () => {
    const built = buildEvidenceDashboard(scope);
    expect(built.templating?.list).toEqual([
      expect.objectContaining({ type: 'datasource', name: DATASOURCE_VARIABLE, query: 'prometheus' }),
    ]);
    const ref = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
    for (const panel of panelsOf(scope).filter((p) => p.type !== 'row')) {
      expect(panel.datasource, panel.title).toEqual(ref);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource, panel.title).toEqual(ref);
    }
  });

  it('gives every panel a unique id and a place on the 24-column grid that no other panel takes', () => {
    const panels = panelsOf(scope);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(panels.length);
    const cells = new Map<string, string>();
    for (const p of panels) {
      const g = p.gridPos;
      expect(g, p.title).toBeDefined();
      if (!g) continue;
      expect(g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0, `${p.title} ${JSON.stringify(g)}`).toBe(true);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          const taken = cells.get(`${x},${y}`);
          expect(taken, `${p.title} overlaps ${taken}`).toBeUndefined();
          cells.set(`${x},${y}`, p.title);
        }
      }
    }
  });

  it('gives each query of a panel its own refId, and no variable but the data source (what the tests run is what Grafana sends)', () => {
    for (const panel of panelsOf(scope)) {
      const refIds = (panel.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const t of panel.targets ?? []) {
        expect(t.expr, panel.title).toMatch(/\S/);
        expect(t.expr, panel.title).not.toContain('$');
      }
    }
  });

  it('selects only metrics of the contract and of the pinned collector, read for the image it deploys', () => {
    const latency = EVIDENCE_METRICS.gatewayLatency.prometheus;
    const known = new Set<string>([
      EVIDENCE_METRICS.probeStatus.prometheus,
      EVIDENCE_METRICS.probeDuration.prometheus,
      EVIDENCE_METRICS.lastRunTimestamp.prometheus,
      `${latency}_bucket`,
      `${latency}_count`,
      ...Object.values(COLLECTOR_SELF_METRICS),
      SCRAPE_UP_METRIC,
    ]);
    const used = new Set(exprsOf(scope).flatMap(metricNames));
    expect([...used].filter((n) => !known.has(n))).toEqual([]);
    // Every collector-health metric of the slice is on the dashboard.
    for (const name of Object.values(COLLECTOR_SELF_METRICS)) expect(used, name).toContain(name);
    expect(SELF_METRICS_VERSION).toBe(COLLECTOR_DEFAULTS.imageTag);
  });

  it("reads the runner's metrics only as the last run (last_over_time over two schedules), never with rate()", () => {
    const runner = Object.values(EVIDENCE_METRICS).map((m) => m.prometheus);
    for (const minutes of [5, 15]) {
      const exprs = exprsOf({ ...scope, scheduleMinutes: minutes }).filter((e) => runner.some((m) => e.includes(m)));
      expect(exprs.length).toBeGreaterThanOrEqual(8);
      for (const e of exprs) {
        expect(e, e).not.toMatch(/\b(i?rate|increase|delta)\(/);
        for (const m of runner.filter((name) => e.includes(name))) {
          const lookback = m === EVIDENCE_METRICS.lastRunTimestamp.prometheus ? '1d' : `${2 * minutes}m`;
          expect(e, e).toMatch(new RegExp(`last_over_time\\(${m}(_bucket|_count)?\\{[^}]*\\}\\[${lookback}\\]\\)`));
        }
      }
    }
  });

  it('names every status code on the status panels, in the contract order', () => {
    const statusPanels = panelsOf(scope).filter((p) => p.targets?.some((t) => t.expr?.includes('arcade_probe_status')));
    const withMappings = statusPanels.filter((p) => p.fieldConfig?.defaults?.mappings?.length);
    expect(withMappings.map((p) => p.title)).toEqual([
      'Worst status now',
      'Probe status now',
      'Probe status over time',
    ]);
    for (const panel of withMappings) {
      const options = panel.fieldConfig?.defaults?.mappings?.[0]?.options ?? {};
      expect(Object.fromEntries(Object.entries(options).map(([code, r]) => [r.text, Number(code)]))).toEqual(
        PROBE_STATUS_CODES,
      );
    }
  });
});
