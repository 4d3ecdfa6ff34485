#!/usr/bin/env tsx
/**
 * npm run rules: the continuous-evidence alert rules in the tenant's Mimir ruler.
 *
 *   npm run rules -- --env staging            # check: what differs (exit 1 when anything does)
 *   npm run rules -- --env staging --sync     # create, replace, delete the stack's groups until they match
 *
 * Only the stack's groups (named `arcade-evidence-[a-z0-9-]+`) are ever written or deleted; any other group in
 * the namespace is left as it is and listed, and the run exits 1 while it is there (docs/alerts.md
 * "What the sync owns").
 */
import { ConfigurationError, UsageError } from '../src/core/command-error.js';
import { defineScript } from '../src/core/script.js';
import { runCommand, scriptMain } from '../src/core/script-main.js';

const script = defineScript({
  name: 'rules',
  description: `Compares the environment's alert rule groups (docs/alerts.md; the same groups as
dist/<env>.mimir-rules.yaml) with what the tenant's Mimir ruler holds in the environment's ruler
namespace (continuous.alerts.ruler: URL, tenant and namespace default from collector.mimir), through
Mimir's ruler configuration API with X-Scope-OrgID. Without --sync nothing is written and every
difference is shown, rule field by rule field. With --sync the stack's groups in the namespace (those
named arcade-evidence-[a-z0-9-]+) are made exactly the environment's (changed groups replaced, the stack's
groups it no longer has deleted; other namespaces are never touched), then read back. A group of any
other name in the namespace is not the stack's: never deleted or replaced, listed with the fix, and
the run exits 1 while it is there. Running it again changes nothing.`,
  options: {
    env: { type: 'string', value: '<name>', description: 'environment (default: the only one)' },
    sync: {
      type: 'boolean',
      description: "write: create, replace and delete the stack's groups until the ruler matches",
    },
    check: { type: 'boolean', description: 'read and compare only (the default); exit 1 when anything differs' },
    timeout: {
      type: 'number',
      value: '<seconds>',
      unit: 'seconds',
      above: 0,
      default: 10,
      description: 'per request to the ruler',
    },
    environments: {
      type: 'string',
      value: '<dir>',
      description: 'folder of environment files (default: src/environments)',
    },
  },
  environment: {
    MIMIR_TOKEN: 'bearer token for a Mimir behind an authenticating proxy (sent as Authorization; never printed)',
  },
  interrupted:
    'without --sync nothing written; with --sync the ruler may hold part of the changes (run it again: it converges)',
  exitCodes: {
    0: "the ruler namespace holds exactly the environment's groups and nothing else (after --sync: it does now)",
    1:
      "the stack's groups differ (check), a group that is not the stack's is in the namespace " +
      '(check and --sync: left as it is), another environment syncs into the same ruler namespace ' +
      '(check: reported after the comparison), or the ruler could not be read or written',
    2:
      'also: the environment does not load its rules into a Mimir ruler (continuous mode off, no mimir-ruler ' +
      'evaluator), or --sync while another environment syncs into the same ruler namespace (nothing sent)',
  },
  examples: [
    'npm run rules -- --env backstage-wus2-v4',
    'npm run rules -- --env backstage-wus2-v4 --sync',
    'MIMIR_TOKEN=... npm run rules -- --env backstage-wus2-v4 --sync --timeout 30',
  ],
});

/** Heading of the clash a check reports (a sync refuses it as an invalid environment definition, exit 2). */
const CLASH_HEADING = 'another environment syncs into this ruler namespace (--sync is refused until one of them moves)';

/** The command (src/core/script-main.ts): tests call it in process. */
export const main = scriptMain(script, async (options, { io, path, print, warn }) => {
  if (options.sync && options.check) throw new UsageError('--check and --sync exclude each other (fix: give one)');
  const { EnvironmentError, loadEnvironment } = await import('../src/environments/load.js');
  const { continuousPlan } = await import('../src/environments/continuous.js');
  const { alertScope } = await import('../src/charts/alerts-chart.js');
  const { alertRuleGroups } = await import('../src/evidence/alerts.js');
  const { engineJobOf } = await import('../src/synth.js');
  const { syncRules } = await import('../src/evidence/ruler-sync.js');
  const selected = loadEnvironment(options.env, options.environments ? path(options.environments) : undefined);
  for (const w of selected.warnings) warn(w);
  // Another environment syncing into this ruler namespace would have each sync replace the other's groups:
  // a sync is refused before anything is sent; a check only reads, so it runs and fails on the clash.
  const clashes = selected.rulerClashes;
  if (clashes.length > 0 && options.sync) throw new EnvironmentError([...clashes]);
  const { env } = selected;
  const plan = continuousPlan(env);
  if (!plan) {
    throw new ConfigurationError(
      `${env.name}: the continuous mode is off, so there are no rules to load (fix: turn it on, docs/continuous-evidence.md "Turning it on")`,
    );
  }
  if (!plan.alerts.ruler) {
    throw new ConfigurationError(
      `${env.name}: continuous.alerts.evaluators has no 'mimir-ruler', so its rules are not the Mimir ruler's ` +
        `(fix: add mimir-ruler, or use the PrometheusRule in dist/${env.name}/alerts.yaml)`,
    );
  }
  const token = io.env.MIMIR_TOKEN;
  const target = {
    ...plan.alerts.ruler,
    ...(token ? { token } : {}),
    timeoutMs: options.timeout * 1000,
  };
  try {
    const result = await syncRules(target, alertRuleGroups(alertScope(env, plan, engineJobOf(env))), options.sync);
    print(result.text);
    return result.ok && clashes.length === 0 ? 0 : 1;
  } finally {
    // Shown when the ruler could not be read too: the clash is wrong whatever the ruler holds.
    if (clashes.length > 0) print(new EnvironmentError([...clashes], CLASH_HEADING).message);
  }
});

await runCommand(import.meta.url, script, main);
