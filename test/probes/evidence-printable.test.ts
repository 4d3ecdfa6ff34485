/**
 * Evidence quotes servers, tools and logs: the reports print it printably (src/probes/terminal-report.ts,
 * src/probes/report.ts). JSON.stringify and YAML both leave C1 controls (U+009B is CSI on some
 * terminals), U+2028 and bidi overrides raw; the terminal's evidence (without a terminal: one line
 * of JSON; with one: YAML) and the Markdown report's (its JSON block and its criteria excerpt)
 * show them as `\uXXXX` escapes.
 */
import { describe, expect, it } from 'vitest';
import { registry } from '../../src/probes/registry.js';
import { buildReport, toMarkdown } from '../../src/probes/report.js';
import { renderReport, unwrapped, wrapping } from '../../src/probes/terminal-report.js';
import type { ProbeResult } from '../../src/probes/types.js';

const probe = registry[0]!;
const result: ProbeResult = {
  id: probe.id,
  category: probe.category,
  title: probe.title,
  status: 'fail',
  durationMs: 1,
  attempts: 1,
  detail: 'failed',
  evidence: { line: 'a\u009b2J\u202eb\u2028c' },
};
const RAW = /[\u0080-\u009f\u2028\u202e]/;
const ESCAPED = 'a\\u009b2J\\u202eb\\u2028c';

describe("a probe's evidence with C1 controls, a line separator and a bidi override", () => {
  it('the terminal without a width: one line of JSON, escaped', () => {
    const text = renderReport([result], unwrapped(false));
    expect(text).not.toMatch(RAW);
    expect(text.split('\n')).toContain(`    {"line":"${ESCAPED}"}`);
  });

  it('the terminal at 80 columns: YAML, escaped', async () => {
    const text = renderReport([result], await wrapping(80, false));
    expect(text).not.toMatch(RAW);
    expect(text.split('\n')).toContain(`    line: "${ESCAPED}"`);
  });

  it('the Markdown report: the JSON block and the criteria excerpt, escaped', () => {
    const markdown = toMarkdown(buildReport('e', new Date('2026-12-03T00:00:00Z'), 1, [result]));
    expect(markdown).not.toMatch(RAW);
    expect(markdown.split('\n')).toContain(`  "line": "${ESCAPED}"`);
    expect(markdown).toContain(`{"line":"${ESCAPED}"}`);
  });
});
