/**
 * Report formats: the JSON shape the issue fixes, well-formed JUnit XML (escaping included),
 * Markdown for a pull request, and the summary line's counting (the terminal: terminal.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  buildReport,
  EVIDENCE_EXCERPT,
  evidenceExcerpt,
  exitCodeOf,
  summaryLine,
  toJson,
  toJunit,
  toMarkdown,
} from '../../src/probes/report.js';
import type { ProbeResult } from '../../src/probes/types.js';

const r = (
  id: string,
  status: ProbeResult['status'],
  detail = `${id} detail`,
  category: ProbeResult['category'] = 'deployment',
): ProbeResult => ({
  id,
  category,
  title: `Title of ${id}`,
  status,
  durationMs: 12,
  attempts: status === 'skip' ? 0 : 1,
  detail,
  evidence: { seen: id },
});

const results = [
  r('flux.release-ready', 'pass'),
  r('k8s.workloads-ready', 'fail', 'pod/x <crash> & "quotes" | pipe\u0007'),
  r('otel.metrics-in-mimir', 'error', 'Mimir answered 503', 'observability'),
  r('otel.engine-export-clean', 'skip', 'engineSelector is unresolved: x', 'observability'),
  r('oauth.token-status', 'known-gap', 'pending', 'gateway'),
];
const report = buildReport('backstage-wus2-v4', new Date('2025-01-01T00:00:00Z'), 1234, results);

/** A small XML well-formedness check: one root, balanced tags, quoted attributes, valid entities. */
function assertWellFormedXml(text: string): void {
  const body = text.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let consumed = 0;
  for (let m = token.exec(body); m; m = token.exec(body)) {
    consumed = token.lastIndex;
    if (m[5] !== undefined) {
      if (stack.length === 0 && m[5].trim() !== '') throw new Error(`text outside the root: ${m[5]}`);
      const bad = m[5].match(/&(?!(amp|lt|gt|quot|apos);)/);
      if (bad) throw new Error(`bad entity in ${m[5]}`);
      continue;
    }
    for (const a of m[3]!.matchAll(/="([^"]*)"/g))
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(a[1]!)) throw new Error(`bad entity in attribute ${a[1]}`);
    if (m[1]) {
      if (stack.pop() !== m[2]) throw new Error(`unbalanced </${m[2]}>`);
    } else if (!m[4]) {
      if (stack.length === 0) roots++;
      stack.push(m[2]!);
    } else if (stack.length === 0) roots++;
  }
  if (consumed !== body.length) throw new Error(`unparsable XML at ${body.slice(consumed, consumed + 40)}`);
  if (stack.length > 0 || roots !== 1) throw new Error(`unclosed ${stack.join(',')} or ${roots} roots`);
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(text)) throw new Error('control character in XML');
}

describe('probe reports', () => {
  it('JSON has exactly the issue shape and counts', () => {
    const parsed = JSON.parse(toJson(report)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['environment', 'startedAt', 'durationMs', 'summary', 'results']);
    expect(parsed.summary).toEqual({ passed: 1, failed: 1, errors: 1, skipped: 1, knownGaps: 1 });
    expect(parsed).toMatchObject({
      environment: 'backstage-wus2-v4',
      startedAt: '2025-01-01T00:00:00.000Z',
      durationMs: 1234,
    });
    const first = (parsed.results as Record<string, unknown>[])[0]!;
    expect(Object.keys(first)).toEqual([
      'id',
      'category',
      'title',
      'status',
      'durationMs',
      'attempts',
      'detail',
      'evidence',
    ]);
  });

  it('summary line: the JSON summary in words, each status counted once; exit code 1 on any fail/error', () => {
    expect(summaryLine(report)).toBe('1 passed, 1 failed, 1 errors, 1 skipped, 1 known gaps');
    const many = buildReport('e', new Date(), 1, [
      r('a', 'pass'),
      r('b', 'pass'),
      r('c', 'error'),
      r('d', 'error'),
      r('e', 'error'),
      r('f', 'known-gap'),
      r('g', 'known-gap'),
    ]);
    expect(summaryLine(many)).toBe('2 passed, 0 failed, 3 errors, 0 skipped, 2 known gaps');
    const s = many.summary;
    expect(summaryLine(many)).toBe(
      `${s.passed} passed, ${s.failed} failed, ${s.errors} errors, ${s.skipped} skipped, ${s.knownGaps} known gaps`,
    );
    expect(exitCodeOf(report)).toBe(1);
    const gapsOnly = buildReport('e', new Date(), 1, [r('a', 'pass'), r('b', 'known-gap'), r('c', 'skip')]);
    expect(exitCodeOf(gapsOnly)).toBe(0);
  });

  it('JUnit XML is well formed, escapes details, and maps statuses to failure/error/skipped', () => {
    const xml = toJunit(report);
    assertWellFormedXml(xml);
    expect(xml).toContain(
      '<testsuites name="arcade probes backstage-wus2-v4" tests="5" failures="1" errors="1" skipped="2"',
    );
    expect(xml).toContain('<testcase classname="probes.deployment" name="k8s.workloads-ready" time="0.012">');
    expect(xml).toContain('<failure message="pod/x &lt;crash&gt; &amp; &quot;quotes&quot; | pipe" type="fail">');
    expect(xml).toContain('<error message="Mimir answered 503" type="error">');
    expect(xml).toContain('<skipped message="known-gap: pending"/>');
    expect(xml.match(/<testsuite /g)).toHaveLength(3);
  });

  it('the well-formedness check itself rejects broken XML', () => {
    expect(() => assertWellFormedXml('<a><b></a>')).toThrow();
    expect(() => assertWellFormedXml('<a x="1 & 2"/>')).toThrow();
  });

  it('Markdown has the summary, one table row per probe (pipes escaped) and evidence of what did not pass', () => {
    const md = toMarkdown(report);
    expect(md).toContain('## Arcade probes: backstage-wus2-v4');
    expect(md).toContain('1 passed, 1 failed, 1 errors, 1 skipped, 1 known gaps in 1.234 s');
    expect(md).toContain('| Probe | Category | Status | Duration | Attempts | Detail |');
    expect(md.split('\n').filter((l) => l.startsWith('| `'))).toHaveLength(5);
    expect(md).toContain('\\| pipe');
    expect(md).toContain('| `oauth.token-status` | functional gateway | ⚠️ known-gap |');
    expect(md).toContain('<details><summary><code>otel.metrics-in-mimir</code>: error</summary>');
    expect(md).not.toContain('<code>flux.release-ready</code>');
  });

  it('Markdown has a section per evaluation criterion with its evidence, in the criteria order', () => {
    const md = toMarkdown(report);
    const section = md.slice(md.indexOf('### Evidence by evaluation criterion'));
    const part = (title: string) => {
      const start = section.indexOf(`#### ${title}\n`);
      expect(start, title).toBeGreaterThan(0);
      const end = section.indexOf('\n#### ', start + 1);
      return section.slice(start, end === -1 ? undefined : end).trim();
    };
    expect(section.match(/^#### .*$/gm)).toEqual([
      '#### Cat 1: functional (tools execute as the calling user; the Whoami exec-proof)',
      '#### Cat 2: identity and auth (upstream IdP, per-user OAuth)',
      '#### Cat 4: SDK and deploy',
      '#### Cat 5: observability (metrics, logs, traces)',
      '#### Cat 8: deployment and operations',
      '#### Cat 9: developer experience',
    ]);
    // No probe of cat 1 ran in this report: said, not left blank.
    expect(part('Cat 1: functional (tools execute as the calling user; the Whoami exec-proof)')).toContain(
      'None of its probes ran in this run (--only, --skip).',
    );
    expect(part('Cat 2: identity and auth (upstream IdP, per-user OAuth)')).toContain(
      '- `oauth.token-status` ⚠️ known-gap: pending (evidence: `{"seen":"oauth.token-status"}`)',
    );
    expect(
      part('Cat 5: observability (metrics, logs, traces)')
        .split('\n')
        .filter((l) => l.startsWith('- ')),
    ).toEqual([
      '- `otel.metrics-in-mimir` ⛔ error: Mimir answered 503 (evidence: `{"seen":"otel.metrics-in-mimir"}`)',
      '- `otel.engine-export-clean` ⏭️ skip: engineSelector is unresolved: x (evidence: `{"seen":"otel.engine-export-clean"}`)',
    ]);
    expect(part('Cat 8: deployment and operations')).toContain(
      '- `flux.release-ready` ✅ pass: flux.release-ready detail',
    );
    expect(part('Cat 8: deployment and operations')).toContain('- `k8s.workloads-ready` ❌ fail:');
    expect(part('Cat 9: developer experience')).toMatch(
      /^Not covered by any probe: developer experience is not a property/m,
    );
  });

  it('cuts evidence excerpts to EVIDENCE_EXCERPT characters, on one line, with no backtick to break the code span', () => {
    const long = evidenceExcerpt({ text: 'x'.repeat(500), quote: '`rm`' });
    expect(long).toHaveLength(EVIDENCE_EXCERPT);
    expect(long.endsWith('…')).toBe(true);
    expect(evidenceExcerpt({ quote: '`rm`', lines: 'a\nb' })).toBe('{"quote":"\'rm\'","lines":"a\\nb"}');
  });
});
