/**
 * The cluster's scrape convention over one dist/<env>/ folder: every ServiceMonitor and
 * PodMonitor carries the environment's scrape labels and none of its exclusion labels (the
 * environment's `monitoring` section; on backstage-wus2-v4 `release: prometheus-operator`, never
 * `grafana-agent: external`). A monitor that breaks it passes every schema yet is never scraped,
 * which only the post-deploy probe would notice.
 *
 * The convention is read from the environment file named like the folder; a folder holding
 * monitors whose environment cannot be read fails (`monitoring.no-environment`): no convention,
 * no evidence, never a pass.
 */
import { basename } from 'node:path';
import { EnvironmentError } from '../environments/load.js';
import { describeBreach, MONITOR_KINDS, scrapeBreaches, type ScrapeConvention } from '../core/scrape-convention.js';
import { childPath, type Finding } from './finding.js';
import { refOf } from './manifests.js';
import type { PlacedObject } from './workloads.js';

export const MONITORING_RULES = {
  /** A monitor lacks one of the scrape labels (or gives it another value). */
  scrapeLabel: 'monitoring.scrape-label',
  /** A monitor carries one of the exclusion labels. */
  excluded: 'monitoring.excluded',
  /** The folder holds monitors but its environment (the convention) cannot be read. */
  noEnvironment: 'monitoring.no-environment',
} as const;

/** The string-valued labels of an object's `metadata.labels` (anything else is the schema's concern). */
function stringLabels(labels: unknown): Record<string, string> {
  if (typeof labels !== 'object' || labels === null) return {};
  return Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * Findings for the monitors among `placed` (objects of one environment folder). `convention` is
 * called only when there is a monitor to judge; what it throws becomes `monitoring.no-environment`.
 */
export function checkScrapeConvention(
  folder: string,
  placed: readonly PlacedObject[],
  convention: () => ScrapeConvention,
): Finding[] {
  const monitors = placed.filter((p) => MONITOR_KINDS.includes(p.object.kind));
  if (monitors.length === 0) return [];
  let scrape: ScrapeConvention;
  try {
    scrape = convention();
  } catch (err) {
    const cause = err instanceof EnvironmentError ? err.problems.join('; ') : (err as Error).message;
    return [
      {
        severity: 'error',
        area: 'monitoring',
        file: folder,
        rule: MONITORING_RULES.noEnvironment,
        message: `${monitors.length} ServiceMonitor/PodMonitor(s), but the scrape convention of environment '${basename(folder)}' cannot be read: ${cause}`,
        fix: `add or correct src/environments/${basename(folder)}.yaml (its monitoring section gives the convention)`,
      },
    ];
  }
  return monitors.flatMap(({ object, file, line }) =>
    scrapeBreaches(stringLabels(object.metadata.labels), scrape).map(
      (breach): Finding => ({
        severity: 'error',
        area: 'monitoring',
        file,
        line,
        object: refOf(object),
        path: childPath('metadata.labels', breach.key),
        rule: breach.kind === 'missing' ? MONITORING_RULES.scrapeLabel : MONITORING_RULES.excluded,
        message: `${object.kind} ${describeBreach(breach)}`,
        fix:
          breach.kind === 'missing'
            ? `set the label ${breach.key}: ${breach.value} (the construct does it from the environment's monitoring.scrapeLabels), then npm run synth`
            : `remove the label ${breach.key} (or correct monitoring.exclusionLabels in the environment), then npm run synth`,
      }),
    ),
  );
}
