/**
 * Which of the evaluation's criteria each probe gives evidence for: the one place this is
 * written (`criteria`, since a probe's `category` is its kind of check, README "Probes").
 *
 * The criteria, with their provenance: the deployment is evaluated against criteria grouped in
 * numbered categories; the proof-of-concept notes name six of them (recorded in the project's
 * facts, "The evaluation the deployment serves"): cat 1 functional, cat 2 identity and
 * auth, cat 4 SDK and deploy, cat 5 observability, cat 8 deployment and operations, cat 9
 * developer experience. The names of categories 3, 6 and 7 are not recorded, so nothing here
 * claims evidence for them. Copied, not read: the product never reads the facts file.
 *
 * A test (test/probes/criteria.test.ts) holds this file to the registry: every probe maps to at
 * least one known criterion, every mapping names a registered probe, and every criterion is
 * either covered by a probe or listed in NOT_COVERED with the reason. The Markdown report gains a
 * section per criterion from it (report.ts). docs/probes.md "Evidence by evaluation criterion".
 */

/** The evaluation's criteria, numbered as the evaluation numbers its categories. */
export const CRITERIA = {
  'cat-1': { number: 1, name: 'functional', scope: 'tools execute as the calling user; the Whoami exec-proof' },
  'cat-2': { number: 2, name: 'identity and auth', scope: 'upstream IdP, per-user OAuth' },
  'cat-4': { number: 4, name: 'SDK and deploy' },
  'cat-5': { number: 5, name: 'observability', scope: 'metrics, logs, traces' },
  'cat-8': { number: 8, name: 'deployment and operations' },
  'cat-9': { number: 9, name: 'developer experience' },
} as const satisfies Record<string, Criterion>;

/** A criterion as the notes name it; `scope` only where they say what it covers. */
interface Criterion {
  readonly number: number;
  readonly name: string;
  readonly scope?: string;
}

export type CriterionId = keyof typeof CRITERIA;

/** Each probe id, and the criteria it gives evidence for, with why (for the person who reads the report). */
export const PROBE_CRITERIA: Readonly<Record<string, readonly CriterionId[]>> = {
  // The release Flux applies is the one pinned, reconciled and ready: the deploy itself.
  'flux.release-ready': ['cat-4', 'cat-8'],
  // The workloads it runs are ready and none is crashlooping.
  'k8s.workloads-ready': ['cat-8'],
  // The datastores are the managed ones, their Secrets synced (operations, not the chart's own).
  'datastores.managed': ['cat-8'],
  // The deployed engine and its hosts answer.
  'endpoints.health': ['cat-4', 'cat-8'],
  // The gateway lists exactly the expected tools, for every user.
  'gateway.tools-list': ['cat-1'],
  // Tools execute as the calling user (Whoami) and do what they say (Echo, Add).
  'gateway.exec-proof': ['cat-1', 'cat-2'],
  // A call to a tool that does not exist fails cleanly.
  'gateway.unknown-tool': ['cat-1'],
  // A wrong or missing key is refused.
  'gateway.rejects-bad-key': ['cat-2'],
  // The per-user OAuth token of the OAuth tool.
  'oauth.token-status': ['cat-2'],
  // Tools execute within the latency budget: the gateway in use, not just up.
  'gateway.latency': ['cat-1', 'cat-8'],
  // The telemetry path: collector, engine export, Mimir, scrape conventions.
  'otel.collector-ready': ['cat-5'],
  'otel.engine-export-clean': ['cat-5'],
  'otel.metrics-in-mimir': ['cat-5'],
  'monitoring.servicemonitors': ['cat-5'],
  // The alert rules that watch all of the above are loaded where they are evaluated.
  'alerts.rules-loaded': ['cat-5', 'cat-8'],
};

/** Criteria no probe gives evidence for, and why: the report says so instead of staying silent. */
export const NOT_COVERED: Readonly<Partial<Record<CriterionId, string>>> = {
  'cat-9':
    'developer experience is not a property of the live platform: the repository serves it (README, --demo, the reports themselves), no probe measures it',
};

/** The criteria a probe gives evidence for (none for an id this file does not know). */
export function criteriaOf(probeId: string): readonly CriterionId[] {
  return PROBE_CRITERIA[probeId] ?? [];
}

/** `Cat 1: functional (tools execute as the calling user; …)`, or without the scope when none is recorded. */
export function criterionTitle(id: CriterionId): string {
  const c: Criterion = CRITERIA[id];
  return `Cat ${c.number}: ${c.name}${c.scope ? ` (${c.scope})` : ''}`;
}
