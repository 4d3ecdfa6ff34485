/**
 * Two environments whose alert rules go to the same Mimir ruler namespace: the same ruler URL, tenant
 * and `continuous.alerts.ruler.namespace` once defaults are applied (./continuous.ts
 * `continuousPlan`). `npm run rules -- --sync` makes the stack's groups in its namespace exactly its
 * environment's (docs/alerts.md "What the sync owns"), and both environments make groups of the same
 * names (`arcade-evidence-probes`, …), so each sync would replace the other's: the alerts would
 * carry whichever environment synced last. Refused where environments are loaded together
 * (./load.ts `loadEnvironments`: synth, diff of all, review), naming both files, the field and the
 * fix; and by `npm run rules` for the environment it syncs (./load.ts `loadEnvironment` hands it the
 * clashes with the other valid environments).
 *
 * The default namespace, `arcade-stack-<env>`, is each environment's own (two environments never
 * share a name), so a clash needs one set by hand: the same namespace in two files, or one file
 * naming another environment's default. URLs compare as parsed (host case, a default port and a
 * trailing `/` aside); tenants and namespaces compare exactly, as Mimir does.
 */
import { continuousPlan } from './continuous.js';
import type { Environment } from './schema.js';

/** An environment and its file as shown to people. */
interface Placed {
  readonly file: string;
  readonly env: Environment;
}

const FIELD = 'continuous.alerts.ruler.namespace';

/** Where the environment's rules are synced, as a comparable key, or undefined when it syncs none. */
function rulerOf(env: Environment): { key: string; url: string; tenant: string; namespace: string } | undefined {
  const ruler = continuousPlan(env)?.alerts.ruler;
  if (!ruler) return undefined;
  const url = new URL(ruler.url).href.replace(/\/+$/, '');
  return { ...ruler, url, key: JSON.stringify([url, ruler.tenant, ruler.namespace]) };
}

/** How the environment came by its namespace: set in its file, or the default. */
function howSet(placed: Placed): string {
  return placed.env.continuous.alerts.ruler.namespace === undefined
    ? `${placed.env.name}: the default arcade-stack-${placed.env.name}`
    : `${placed.env.name}: set in its file`;
}

/** The problem of two environments sharing one ruler namespace. */
function clash(a: Placed, b: Placed, at: { url: string; tenant: string; namespace: string }): string {
  return (
    `${a.file} and ${b.file}: ${FIELD}: both environments sync their alert rules into ruler namespace ` +
    `'${at.namespace}' of tenant '${at.tenant}' at ${at.url} (${howSet(a)}; ${howSet(b)}), so each ` +
    "one's `npm run rules -- --sync` would replace the groups of the same names the other wrote " +
    `(fix: give each environment a ${FIELD} of its own; removing the field from a file gives it ` +
    'arcade-stack-<env>, which no other environment has)'
  );
}

/**
 * Every pair of `all` that share a ruler namespace, one problem each (pairs in the order given);
 * with `only`, just the pairs that include that environment (by name). Call it on valid environments.
 */
export function rulerClashes(all: readonly Placed[], only?: string): string[] {
  const problems: string[] = [];
  const seen: { placed: Placed; key: string }[] = [];
  for (const placed of all) {
    const ruler = rulerOf(placed.env);
    if (!ruler) continue;
    for (const earlier of seen) {
      if (earlier.key !== ruler.key) continue;
      if (only !== undefined && earlier.placed.env.name !== only && placed.env.name !== only) continue;
      problems.push(clash(earlier.placed, placed, ruler));
    }
    seen.push({ placed, key: ruler.key });
  }
  return problems;
}
