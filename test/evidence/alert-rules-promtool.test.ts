/**
 * The alert rules as an evaluator runs them: `promtool check rules` accepts the rule file, and
 * `promtool test rules` (Prometheus' own rule unit tests: input series, evaluation over time,
 * `for:`, labels and expanded annotations) passes every scenario of ./alert-scenarios.ts, which
 * covers each alert firing when it should and staying quiet otherwise. A rule file with one
 * threshold changed fails the same unit tests: they can fail.
 *
 * Debian's promtool (package `prometheus`, installed by .ci/run); without it the file skips and
 * says why.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ALERTS, type AlertingRule, alertRuleGroups, ruleFile } from '../../src/evidence/alerts.js';
import { findPromtool, promtool } from '../support/promtool.js';
import { tempDir } from '../support/temp.js';
import { type Check, type Row, SCENARIOS, scopeOf, type Timeline } from './alert-scenarios.js';

const binary = findPromtool();
const missing = 'missing' in binary ? binary.missing : undefined;
if (missing) console.log(`[alert-rules-promtool] skipped: the rule unit tests need promtool: ${missing}`);

const scope = scopeOf('staging', 'arcade-staging');
const groups = alertRuleGroups(scope);
const rules = new Map(groups.flatMap((g) => g.rules.map((r) => [r.alert, r] as const)));

/** `name{a="x"}` as promtool's input_series reads it. */
function seriesText(labels: Readonly<Record<string, string>>): string {
  const { __name__: name, ...rest } = labels;
  const pairs = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${name ?? ''}{${pairs.join(',')}}`;
}

/** One value per minute in promtool's notation: `_` for no sample. */
function valuesText(values: Timeline['values']): string {
  return values.map((v) => (v === undefined ? '_' : String(v))).join(' ');
}

/** The annotation templates the rules use, expanded as Prometheus' template engine does for one alert. */
function expand(template: string, row: Row): string {
  return template
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, name: string) => row.labels[name] ?? '')
    .replace(/\{\{ \$value \| printf "%\.2f" \}\}/g, row.value.toFixed(2))
    .replace(/\{\{ \$value \}\}/g, String(row.value));
}

function expectedAlerts(rule: AlertingRule, check: Check) {
  if (!check.fires) return [];
  return check.rows.map((row) => ({
    exp_labels: { ...row.labels, ...rule.labels },
    exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expand(v, row)])),
  }));
}

/** promtool's unit test file: one test per scenario, one alert_rule_test per check. */
function unitTests(ruleFileName: string) {
  return {
    rule_files: [ruleFileName],
    evaluation_interval: '1m',
    tests: SCENARIOS.map((scenario) => {
      const rule = rules.get(ALERTS[scenario.alert].name)!;
      return {
        name: scenario.title,
        interval: '1m',
        input_series: scenario
          .series(scope)
          .map((t) => ({ series: seriesText(t.labels), values: valuesText(t.values) })),
        alert_rule_test: scenario.checks(scope).map((check) => ({
          eval_time: `${check.minute}m`,
          alertname: rule.alert,
          exp_alerts: expectedAlerts(rule, check),
        })),
      };
    }),
  };
}

describe.skipIf(missing !== undefined)('the alert rules under promtool', () => {
  const dir = { path: tempDir('alert-rules-') };
  const bin = binary as { path: string };

  it('every alert has a scenario that fires it and one that does not', () => {
    for (const role of Object.keys(ALERTS) as (keyof typeof ALERTS)[]) {
      const checks = SCENARIOS.filter((s) => s.alert === role).flatMap((s) => s.checks(scope));
      expect(
        checks.some((c) => c.fires),
        `${role} fires somewhere`,
      ).toBe(true);
      expect(
        checks.some((c) => !c.fires && c.rows.length === 0),
        `${role} stays quiet somewhere`,
      ).toBe(true);
    }
  });

  it('promtool check rules accepts the rule file', () => {
    writeFileSync(join(dir.path, 'rules.yaml'), stringify(ruleFile(groups), { lineWidth: 0 }));
    const run = promtool(bin, ['check', 'rules', 'rules.yaml'], dir.path);
    expect(run.output).toContain(`SUCCESS: ${rules.size} rules found`);
    expect(run.status, run.output).toBe(0);
  });

  /**
   * One `promtool test rules` over both unit-test files, the stack's rules and a copy with one
   * threshold loosened (promtool tests each file on its own and reports each under its name); the
   * two tests below read their own file's part.
   */
  let unitRun:
    | { readonly status: number | null; readonly output: string; readonly parts: Map<string, string> }
    | undefined;
  function unitTestRun() {
    if (unitRun) return unitRun;
    const loose = groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) =>
        r.alert === ALERTS.probeFailing.name ? { ...r, expr: r.expr.replace(/>= 2$/, '>= 1') } : r,
      ),
    }));
    expect(loose.flatMap((g) => g.rules).find((r) => r.alert === ALERTS.probeFailing.name)?.expr).toMatch(/>= 1$/);
    writeFileSync(join(dir.path, 'rules.yaml'), stringify(ruleFile(groups), { lineWidth: 0 }));
    writeFileSync(join(dir.path, 'tests.yaml'), stringify(unitTests('rules.yaml'), { lineWidth: 0 }));
    writeFileSync(join(dir.path, 'loose.yaml'), stringify(ruleFile(loose), { lineWidth: 0 }));
    writeFileSync(join(dir.path, 'loose-tests.yaml'), stringify(unitTests('loose.yaml'), { lineWidth: 0 }));
    const run = promtool(bin, ['test', 'rules', 'tests.yaml', 'loose-tests.yaml'], dir.path);
    // "Unit Testing:  <file>" opens each file's part.
    const parts = new Map(
      run.output
        .split(/^Unit Testing: +/m)
        .slice(1)
        .map((part) => [part.slice(0, part.indexOf('\n')).trim(), part] as const),
    );
    expect([...parts.keys()], run.output).toEqual(['tests.yaml', 'loose-tests.yaml']);
    unitRun = { ...run, parts };
    return unitRun;
  }

  it('promtool test rules passes every scenario (each alert fires when it should, and only then)', () => {
    const part = unitTestRun().parts.get('tests.yaml') ?? '';
    expect(part.split('\n')[1]?.trim(), part).toBe('SUCCESS');
    expect(part).not.toContain('FAILED');
  });

  it('the same unit tests fail on a rule file whose probe alert fires on a single failed run', () => {
    const run = unitTestRun();
    expect(run.status).toBe(1);
    const part = run.parts.get('loose-tests.yaml') ?? '';
    expect(part.split('\n')[1]?.trim(), part).toBe('FAILED:');
    expect(part).toContain(ALERTS.probeFailing.name);
  });
});
