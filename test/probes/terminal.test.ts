/**
 * What a person reads: every detail in full, wrapped to the terminal's width (80 and 200
 * columns) or unwrapped without a terminal; the documented order whatever the completion order;
 * colour as NO_COLOR / FORCE_COLOR / TERM=dumb say; a progress line at least every 10 s without a
 * terminal (fake timers: no real waiting); a live table (log-update) that stays within the
 * terminal's height, and the line view when it does not fit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  colorEnabled,
  liveRowsNeeded,
  liveView,
  liveViewAllowed,
  lineView,
  PROGRESS_EVERY_MS,
} from '../../src/probes/terminal.js';
import { systemClock } from '../../src/core/clock.js';
import { renderReport, unwrapped, wrapping } from '../../src/probes/terminal-report.js';
import { runProbeCli } from '../../src/probes/cli.js';
import { registry } from '../../src/probes/registry.js';
import type { Probe, ProbeResult, ProbeStatus } from '../../src/probes/types.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const strip = (text: string) => text.replace(ANSI, '');
/** Display columns of a line of this test's text (ASCII, `×` and `…` are one column each). */
const columns = (line: string) => [...strip(line)].length;
const words = (text: string) => text.split(/\s+/).filter(Boolean);

const LONG =
  'HelmRelease arcade/arcade is not Ready: install retries exhausted: Helm install failed for release arcade/arcade with chart arcade@1.8.8: ' +
  'failed post-install: 1 error occurred: * timed out waiting for the condition; last applied revision master@sha1:3f2c1ab9d0e4 × 2 pods';

const probes: Probe[] = registry.map((p) => ({
  id: p.id,
  category: p.category,
  title: p.title,
  needs: () => ({}),
  run: p.run,
}));
const STATUSES: ProbeStatus[] = ['pass', 'fail', 'error', 'skip', 'known-gap'];
const results: ProbeResult[] = probes.map((p, i) => ({
  id: p.id,
  category: p.category,
  title: p.title,
  status: STATUSES[i % STATUSES.length]!,
  durationMs: 100 + i,
  attempts: i === 1 ? 4 : 1,
  detail: i % 3 === 0 ? `${LONG} (${p.id})` : `short detail of ${p.id}`,
  evidence: {
    probe: p.id,
    observed: 'x'.repeat(i * 10),
    url: `https://api.arcade.st.dev/v1/tools/${'Very'.repeat(i * 4)}Long?user_id=a`,
    checks: [{ name: 'n', detail: LONG }],
  },
}));

function capture(extra: { isTTY?: boolean; columns?: number; rows?: number } = {}) {
  const chunks: string[] = [];
  return {
    chunks,
    text: () => chunks.join(''),
    stream: { write: (s: string) => void chunks.push(s), ...extra },
  };
}

/** Every word of every detail, and every value of the evidence of what did not pass, appears whole in the printed text. */
function expectEveryDetail(text: string, shown: readonly ProbeResult[]): void {
  const flat = words(strip(text)).join(' ');
  const dense = flat.replace(/ /g, '');
  for (const r of shown) {
    expect(flat, r.id).toContain(words(r.detail).join(' '));
    if (r.status !== 'fail' && r.status !== 'error' && r.status !== 'known-gap') continue;
    // As YAML on a terminal (folded, wrapped), as one JSON line without one: compare without whitespace.
    const e = r.evidence as { probe: string; observed: string; url: string; checks: { detail: string }[] };
    const section = dense.slice(
      dense.indexOf(`${r.id}(${r.status === 'known-gap' ? 'GAP' : r.status.toUpperCase()}):`),
    );
    for (const value of [e.probe, e.observed, e.url, e.checks[0]!.detail])
      expect(section, `evidence of ${r.id}`).toContain(value.replace(/ /g, ''));
  }
}

describe('the documented order', () => {
  it("is docs/probes.md's table order, which is the registry's (what the views print in)", () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'probes.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## The probes'), doc.indexOf('Statuses:'));
    const ids = [...table.matchAll(/^\| `([a-z0-9.-]+)` \|/gm)].map((m) => m[1]);
    expect(ids).toEqual(registry.map((p) => p.id));
  });
});

describe('the report on a terminal', () => {
  for (const width of [80, 200]) {
    it(`at ${width} columns: every detail and evidence in full, no line wider than the terminal, documented order`, async () => {
      const text = renderReport(results, await wrapping(width, false));
      const lines = text.split('\n');
      for (const line of lines) expect(columns(line), line).toBeLessThanOrEqual(width);
      expectEveryDetail(text, results);
      const order = lines.map((l) => /^(PASS|FAIL|ERROR|SKIP|GAP)\s+(\S+)/.exec(l)?.[2]).filter(Boolean);
      expect(order).toEqual(registry.map((p) => p.id));
      expect(text).toContain('(4 attempts)');
    });
  }

  it('at 200 columns the detail sits beside its row; at 80 under it', async () => {
    const wide = renderReport(results.slice(0, 1), await wrapping(200, false)).split('\n');
    expect(wide[1]).toMatch(/^ERROR|^PASS .*HelmRelease arcade\/arcade is not Ready/);
    const narrow = renderReport(results.slice(0, 1), await wrapping(80, false)).split('\n');
    expect(narrow[1]).toMatch(/^PASS\s+flux\.release-ready\s+deployment\s+100ms$/);
    expect(narrow[2]).toMatch(/^ {7}HelmRelease arcade\/arcade is not Ready/);
  });

  it('without a terminal: one unwrapped line per result, whole', () => {
    const text = renderReport(results, unwrapped(false));
    const rows = text.split('\n').filter((l) => /^(PASS|FAIL|ERROR|SKIP|GAP) /.test(l));
    expect(rows).toHaveLength(results.length);
    expect(rows[0]).toContain(`${LONG} (flux.release-ready)`);
    expect(text).not.toMatch(ANSI);
  });
});

describe('colour', () => {
  it('follows FORCE_COLOR, then NO_COLOR, then TERM=dumb, then whether it is a terminal', () => {
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' }, true)).toBe(true);
    expect(colorEnabled({ TERM: 'dumb' }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '', NO_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: 'false' }, true)).toBe(false);
  });

  it('colours only the status label, and not at all when off', async () => {
    const on = renderReport(results.slice(0, 2), await wrapping(120, true));
    expect(on).toContain('\u001b[32mPASS  \u001b[39m');
    expect(on).toContain('\u001b[31mFAIL  \u001b[39m');
    expect(strip(on)).toBe(renderReport(results.slice(0, 2), await wrapping(120, false)));
  });

  it('a live view only on a terminal, outside CI, and not for TERM=dumb', () => {
    expect(liveViewAllowed({ write: () => 0, isTTY: true }, {})).toBe(true);
    expect(liveViewAllowed({ write: () => 0, isTTY: false }, {})).toBe(false);
    expect(liveViewAllowed({ write: () => 0, isTTY: true }, { CI: 'true' })).toBe(false);
    expect(liveViewAllowed({ write: () => 0, isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
});

describe('the line view (CI, pipes, small terminals)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('prints in the documented order whatever order the results come in', () => {
    const out = capture();
    const view = lineView(out.stream, probes, unwrapped(false), systemClock);
    for (const [i, p] of probes.entries()) view.start(p, i);
    for (let i = results.length - 1; i >= 0; i--) view.result(results[i]!, i);
    view.end(results);
    const text = out.text();
    const order = text
      .split('\n')
      .map((l) => /^(PASS|FAIL|ERROR|SKIP|GAP)\s+(\S+)/.exec(l)?.[2])
      .filter(Boolean);
    expect(order).toEqual(registry.map((p) => p.id));
    expectEveryDetail(text, results);
  });

  it('a block is held until those above it are printed', () => {
    const out = capture();
    const view = lineView(out.stream, probes.slice(0, 3), unwrapped(false), systemClock);
    view.result(results[2]!, 2);
    view.result(results[1]!, 1);
    expect(out.text()).not.toContain(results[1]!.id);
    view.result(results[0]!, 0);
    expect(out.text().indexOf(results[0]!.id)).toBeLessThan(out.text().indexOf(results[1]!.id));
  });

  it(`without output, a progress line at least every ${PROGRESS_EVERY_MS / 1000} s, naming what runs and its attempts`, () => {
    const out = capture();
    const written: number[] = [];
    const stream = {
      write: (s: string) => {
        written.push(Date.now());
        return out.stream.write(s);
      },
    };
    const view = lineView(stream, probes.slice(0, 2), unwrapped(false), systemClock);
    const t0 = Date.now();
    view.start(probes[0]!, 0);
    view.start(probes[1]!, 1);
    view.result(results[1]!, 1); // held back: the first is still running (a --wait)
    for (let attempt = 2; attempt <= 40; attempt++) {
      vi.advanceTimersByTime(1_500);
      view.retry(probes[0]!, 0, attempt, { status: 'fail', detail: 'not ready', evidence: {} });
    }
    vi.advanceTimersByTime(2_000);
    view.result(results[0]!, 0);
    view.end(results.slice(0, 2));
    const gaps = [t0, ...written].map((t, i, all) => (i === 0 ? 0 : t - all[i - 1]!));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(PROGRESS_EVERY_MS);
    const progress = out.chunks.filter((c) => c.startsWith('… '));
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress[0]).toMatch(
      /^… 10 s: 1 of 2 done \(1 held back to keep the order\); running: flux\.release-ready \(attempt 7, last fail\)\n$/,
    );
    vi.advanceTimersByTime(60_000);
    expect(out.chunks.filter((c) => c.startsWith('… '))).toHaveLength(progress.length); // none after the end
  });
});

describe('the live view (a terminal with room)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** The number of lines each frame occupies, replaying log-update's cursor movement. */
  function maxLinesDrawn(chunks: readonly string[]): number {
    let line = 0;
    let max = 0;
    for (const chunk of chunks) {
      for (const m of chunk.matchAll(/\u001b\[(\d*)([ABEF])|\n/g)) {
        if (m[0] === '\n') line++;
        else if (m[2] === 'A' || m[2] === 'F') line -= Number(m[1] || 1);
        else line += Number(m[1] || 1);
        max = Math.max(max, line);
      }
    }
    return max;
  }

  it('redraws within the terminal height, then replaces itself with the full report', async () => {
    const out = capture({ isTTY: true, columns: 120, rows: liveRowsNeeded(probes.length) });
    const view = await liveView(out.stream, probes, true, systemClock);
    for (const [i, p] of probes.entries()) view.start(p, i);
    view.retry(probes[0]!, 0, 2, { status: 'fail', detail: 'not ready yet', evidence: {} });
    vi.advanceTimersByTime(3_000);
    for (const [i, r] of results.entries()) view.result(r, i);
    const live = out.chunks.length;
    expect(maxLinesDrawn(out.chunks)).toBeLessThanOrEqual(liveRowsNeeded(probes.length) - 1);
    expect(out.text()).toMatch(/\u001b\[\d+A/); // redrawn in place
    expect(out.text()).toContain('attempt 2, last fail: not ready yet');
    expect(out.text()).toContain(`0 of ${probes.length} done, ${probes.length} running, 3 s`);
    view.end(results);
    const report = out.chunks.slice(live).join('');
    expectEveryDetail(report, results);
    for (const line of strip(report).split('\n')) expect(columns(line)).toBeLessThanOrEqual(120);
  });

  it('a terminal too short for the table gets the line view: no cursor movement, one block per result', async () => {
    const out = capture({ isTTY: true, columns: 80, rows: liveRowsNeeded(probes.length) - 1 });
    const view = await liveView(out.stream, probes, false, systemClock);
    for (const [i, p] of probes.entries()) view.start(p, i);
    for (const [i, r] of results.entries()) view.result(r, i);
    view.end(results);
    expect(out.text()).not.toMatch(/\u001b\[\d*[ABEFK]/);
    expectEveryDetail(out.text(), results);
    expect(out.text().match(/^(PASS|FAIL|ERROR|SKIP|GAP) /gm)).toHaveLength(results.length);
  });

  it('a terminal that shrinks mid-run: the live table is cleared and the rest printed line by line, in order', async () => {
    const size = { rows: 40 };
    const out = capture({ isTTY: true, columns: 100 });
    const stream = {
      ...out.stream,
      get rows() {
        return size.rows;
      },
    };
    const view = await liveView(stream, probes, false, systemClock);
    for (const [i, p] of probes.entries()) view.start(p, i);
    view.result(results[0]!, 0);
    size.rows = 10;
    const before = out.chunks.length;
    for (let i = 1; i < results.length; i++) view.result(results[i]!, i);
    view.end(results);
    const after = out.chunks.slice(before).join('');
    expect(after).toMatch(/^(\u001b\[\?2026h)?\u001b\[2K/); // the live frame is erased first
    expectEveryDetail(after, results);
    expect(strip(after).match(/^(PASS|FAIL|ERROR|SKIP|GAP) /gm)).toHaveLength(results.length);
  });
});

describe('the CLI reads the terminal and the environment', () => {
  async function run(env: Record<string, string>, tty: boolean): Promise<string> {
    let stdout = '';
    const code = await runProbeCli(['--demo', '--only', 'endpoints.health,otel.metrics-in-mimir'], {
      env,
      stdout: { write: (s: string) => (stdout += s), isTTY: tty, columns: 100, rows: 40 },
      stderr: { write: () => true },
    });
    expect(code).toBe(0);
    return stdout;
  }
  const COLOUR = /\u001b\[3\dm/;
  const CURSOR = /\u001b\[\d*[ABEFGK]/;

  it('a terminal: live view and colour; NO_COLOR: live view without colour; TERM=dumb: neither; FORCE_COLOR through a pipe: colour only', async () => {
    const [tty, noColor, dumb, forced, pipe] = await Promise.all([
      run({}, true),
      run({ NO_COLOR: '1' }, true),
      run({ TERM: 'dumb' }, true),
      run({ FORCE_COLOR: '1', CI: 'true' }, false),
      run({ CI: 'true' }, false),
    ]);
    expect([COLOUR.test(tty), CURSOR.test(tty)]).toEqual([true, true]);
    expect([COLOUR.test(noColor), CURSOR.test(noColor)]).toEqual([false, true]);
    expect([COLOUR.test(dumb), CURSOR.test(dumb)]).toEqual([false, false]);
    expect([COLOUR.test(forced), CURSOR.test(forced)]).toEqual([true, false]);
    expect([COLOUR.test(pipe), CURSOR.test(pipe)]).toEqual([false, false]);
    for (const out of [tty, noColor, dumb, forced, pipe])
      expect(out.trimEnd().split('\n').pop()).toBe('2 passed, 0 failed, 0 errors, 0 skipped, 0 known gaps');
  }, 60_000); // five demo platforms at once: a generous ceiling for a loaded machine, not a timing assertion
});
