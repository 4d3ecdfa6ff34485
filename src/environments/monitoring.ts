/**
 * The `monitoring` section of an environment: the cluster's scrape convention, the one source for
 * the ServiceMonitors synth renders, the quality gate's `monitoring.*` rules over dist/<env>/ and
 * the `monitoring.servicemonitors` probe (src/core/scrape-convention.ts says what "follows the
 * convention" means).
 *
 * Defaults are the facts observed on backstage-wus2-v4 (FACTS "Telemetry", docs/facts.md): Grafana
 * Agent Operator (`MetricsInstance main`, namespace `monitoring`) scrapes every ServiceMonitor and
 * PodMonitor except those labelled `grafana-agent: external`, and the convention for apps is a
 * ServiceMonitor labelled `release: prometheus-operator`. Another cluster names its own.
 */
import { z } from 'zod';
import { labelMap } from './collector.js';

/** `release: prometheus-operator` (observed convention for apps, FACTS "Telemetry"). */
export const DEFAULT_SCRAPE_LABELS: Readonly<Record<string, string>> = { release: 'prometheus-operator' };
/** `grafana-agent: external` (observed: Grafana Agent skips monitors labelled so, FACTS "Telemetry"). */
export const DEFAULT_EXCLUSION_LABELS: Readonly<Record<string, string>> = { 'grafana-agent': 'external' };

export const MonitoringSettingsSchema = z
  .object({
    /** Labels every ServiceMonitor/PodMonitor carries so that the cluster's scraper selects it. @default { release: prometheus-operator } */
    scrapeLabels: labelMap('scrapeLabels').default({ ...DEFAULT_SCRAPE_LABELS }),
    /** Labels that make the cluster's scraper skip a monitor: never set, refused by the gate. @default { grafana-agent: external } */
    exclusionLabels: labelMap('exclusionLabels').default({ ...DEFAULT_EXCLUSION_LABELS }),
  })
  .strict()
  .superRefine((m, ctx) => {
    for (const [key, value] of Object.entries(m.exclusionLabels)) {
      if (m.scrapeLabels[key] === value) {
        ctx.addIssue({
          code: 'custom',
          path: ['exclusionLabels', key],
          message: `${key}: ${value} is both a scrape label and an exclusion label, so no monitor could be scraped; remove it from one of them`,
        });
      }
    }
  })
  .prefault({});
