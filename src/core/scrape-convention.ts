/**
 * The cluster's scrape convention: which labels make its scraper pick up a ServiceMonitor or
 * PodMonitor, and which make it skip one. One definition of "follows the convention" for the
 * construct that renders monitors, the quality gate over dist/ and the post-deploy probe.
 *
 * The values come from the environment file (`monitoring:` in src/environments/<env>.yaml, defaults
 * and provenance in src/environments/monitoring.ts and docs/facts.md); this module only knows the
 * shape, so constructs can take it as a plain prop without importing the environment schema.
 */

export interface ScrapeConvention {
  /** Labels every monitor must carry, each with exactly this value, for the scraper to select it. */
  readonly scrapeLabels: Readonly<Record<string, string>>;
  /** Labels (key and value) that make the scraper skip a monitor: no monitor may carry one. */
  readonly exclusionLabels: Readonly<Record<string, string>>;
}

/** The kinds the convention applies to (prometheus-operator's monitors, as Grafana Agent reads them). */
export const MONITOR_KINDS: readonly string[] = ['ServiceMonitor', 'PodMonitor'];

/** One way a monitor's labels break the convention. */
export type ScrapeBreach =
  | { readonly kind: 'missing'; readonly key: string; readonly value: string; readonly actual?: string }
  | { readonly kind: 'excluded'; readonly key: string; readonly value: string };

/** How `labels` break `convention`: each missing (or different) scrape label, each exclusion label carried. */
export function scrapeBreaches(labels: Readonly<Record<string, string>>, convention: ScrapeConvention): ScrapeBreach[] {
  const breaches: ScrapeBreach[] = [];
  for (const [key, value] of Object.entries(convention.scrapeLabels)) {
    if (labels[key] !== value)
      breaches.push({ kind: 'missing', key, value, ...(labels[key] !== undefined ? { actual: labels[key] } : {}) });
  }
  for (const [key, value] of Object.entries(convention.exclusionLabels)) {
    if (labels[key] === value) breaches.push({ kind: 'excluded', key, value });
  }
  return breaches;
}

/** One line for a person: `lacks label release: prometheus-operator (has release: other)`. */
export function describeBreach(breach: ScrapeBreach): string {
  if (breach.kind === 'excluded')
    return `carries ${breach.key}: ${breach.value}, which makes the cluster's scraper skip it (never scraped)`;
  const has = breach.actual !== undefined ? ` (has ${breach.key}: ${breach.actual})` : '';
  return `lacks label ${breach.key}: ${breach.value}${has}, which the cluster's scraper selects monitors by (never scraped)`;
}
