/**
 * Report paths: checked before the first probe runs (exit 2 naming the option and the fix, with
 * nothing probed and nothing left behind), and a write that still fails after the run loses
 * neither the summary nor the other reports (exit 1 naming it). Real files, the command in
 * process, and a loopback Mimir that removes the report folder mid-run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runProbeCli } from '../../src/probes/cli.js';
import { createRedactor } from '../../src/core/redact.js';
import { buildReport } from '../../src/probes/report.js';
import { checkReportFiles, reportFiles, ReportPathError, writeReportFiles } from '../../src/probes/report-files.js';
import { startPlatform } from '../../src/loopback/platform.js';
import { tempDir } from '../support/temp.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

function problems(opts: { json?: string; junit?: string; markdown?: string }): string[] {
  try {
    checkReportFiles(reportFiles(opts), { repoRoot: REPO_ROOT });
    return [];
  } catch (err) {
    if (err instanceof ReportPathError) return [...err.problems];
    throw err;
  }
}

describe('report paths, checked before the run', () => {
  it('a missing folder, a folder where a file should be, a file where a folder should be: each named with its fix', () => {
    const dir = tempDir('probe-paths-');
    writeFileSync(join(dir, 'plain-file'), 'x');
    mkdirSync(join(dir, 'out'));
    const found = problems({
      json: join(dir, 'nope', 'd', 'p.json'),
      junit: join(dir, 'out'),
      markdown: join(dir, 'plain-file', 'p.md'),
    });
    expect(found).toEqual([
      `--json ${join(dir, 'nope', 'd', 'p.json')}: the folder ${join(dir, 'nope', 'd')} does not ` +
        `exist (fix: create it first, mkdir -p ${join(dir, 'nope', 'd')}, or give a path in an ` +
        `existing folder)`,
      `--junit ${join(dir, 'out')} is a folder (fix: name a file in it, e.g. ${join(dir, 'out', 'probe.xml')})`,
      `--markdown ${join(dir, 'plain-file', 'p.md')}: ${join(dir, 'plain-file')} is not a folder (fix: give a path in an existing folder)`,
    ]);
    expect(problems({ json: '' })).toEqual(['--json needs a file path (fix: e.g. --json probe.json)']);
  });

  it('two options naming one file, however spelled (./, .., a symlinked folder), are refused', () => {
    const dir = tempDir('probe-paths-');
    mkdirSync(join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'link'));
    expect(problems({ json: join(dir, 'a', 'r.txt'), markdown: join(dir, 'a', '.', 'r.txt') })).toEqual([
      `--json ${join(dir, 'a', 'r.txt')} and --markdown ${join(dir, 'a', '.', 'r.txt')} name the same file; ` +
        'nothing written (fix: give --markdown a file of its own)',
    ]);
    expect(problems({ junit: join(dir, 'link', 'r.txt'), markdown: join(dir, 'a', '..', 'a', 'r.txt') })).toHaveLength(
      1,
    );
    expect(
      problems({ json: join(dir, 'a', 'r.json'), junit: join(dir, 'a', 'r.xml'), markdown: join(dir, 'link', 'r.md') }),
    ).toEqual([]);
  });

  it('a folder no file can be created in is refused by trying (holds for root too); a good check leaves nothing behind', () => {
    const dir = tempDir('probe-paths-');
    expect(problems({ json: join(dir, 'r.json'), junit: join(dir, 'r.xml') })).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
    if (existsSync('/proc/self')) {
      // procfs refuses new files to everyone, root included: the check must find that out.
      expect(problems({ json: '/proc/self/probe.json' })[0]).toMatch(
        /^--json \/proc\/self\/probe\.json: cannot create a file in \/proc\/self: E[A-Z]+ \(fix: /,
      );
    }
  });

  // In-process (the command is runProbeCli; a spawned script's exit 2 is proven for every script by
  // test/scripts/every-script.test.ts).
  it('npm run probe -- --json <missing folder>: exit 2 before any probe runs, naming the option and the fix', async () => {
    const platform = await startPlatform();
    const dir = tempDir('probe-paths-');
    try {
      const bad = join(dir, 'nonexistent', 'd', 'p.json');
      const run = { stdout: '', stderr: '' };
      const status = await runProbeCli(
        ['--targets', platform.targetsFile, '--markdown', join(dir, 'ok.md'), '--json', bad],
        {
          env: { CI: 'true', ...platform.env },
          stdout: { write: (s: string) => (run.stdout += s) },
          stderr: { write: (s: string) => (run.stderr += s) },
        },
      );
      expect(status).toBe(2);
      expect(run.stderr).toBe(
        `probe: configuration error (no probe was run):\n--json ${bad}: the folder ` +
          `${join(dir, 'nonexistent', 'd')} does not exist (fix: create it first, mkdir -p ` +
          `${join(dir, 'nonexistent', 'd')}, or give a path in an existing folder)\n`,
      );
      expect(run.stdout).toBe('');
      expect(platform.kube.requests).toEqual([]);
      expect(platform.arcade.requests).toEqual([]);
      expect(readdirSync(dir)).toEqual([]); // not even the Markdown report, nor a check file
    } finally {
      await platform.close();
    }
  });
});

describe('a report that cannot be written after the run', () => {
  it('the summary and the other reports are complete; exit 1 names the option and the file', async () => {
    const lost = tempDir('probe-lost-');
    const kept = tempDir('probe-kept-');
    // The platform's Mimir behind a proxy that first removes the folder the JSON report is to go to.
    const platform = await startPlatform();
    const upstream = new URL(platform.targets.mimir.queryUrl as string).origin;
    const mimir = createServer((req, res) => {
      rmSync(lost, { recursive: true, force: true });
      void fetch(`${upstream}${req.url}`, {
        headers: { 'x-scope-orgid': String(req.headers['x-scope-orgid'] ?? '') },
      }).then(async (answer) => {
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => mimir.listen(0, '127.0.0.1', resolve));
    try {
      const targets = join(kept, 'targets.yaml');
      const queryUrl = `http://127.0.0.1:${(mimir.address() as AddressInfo).port}${new URL(platform.targets.mimir.queryUrl as string).pathname}`;
      writeFileSync(targets, stringify({ ...platform.targets, mimir: { ...platform.targets.mimir, queryUrl } }));
      let stdout = '';
      let stderr = '';
      const json = join(lost, 'r.json');
      const code = await runProbeCli(
        ['--targets', targets, '--only', 'otel.metrics-in-mimir', '--json', json, '--markdown', join(kept, 'r.md')],
        {
          env: { CI: 'true', ...platform.env },
          stdout: { write: (s: string) => (stdout += s) },
          stderr: { write: (s: string) => (stderr += s) },
        },
      );
      expect(code).toBe(1);
      expect(stderr).toBe(
        `probe: could not write the JSON report (--json) to ${json}: ENOENT (open); the other reports and the summary below are complete\n`,
      );
      expect(stdout).toContain(`wrote Markdown report to ${join(kept, 'r.md')}`);
      expect(stdout.trimEnd().split('\n').pop()).toBe('1 passed, 0 failed, 0 errors, 0 skipped, 0 known gaps');
      expect(readFileSync(join(kept, 'r.md'), 'utf8')).toContain(
        '| `otel.metrics-in-mimir` | observability | ✅ pass |',
      );
      expect(readdirSync(kept).sort()).toEqual(['r.md', 'targets.yaml']); // no temporary file left
    } finally {
      mimir.closeAllConnections();
      await Promise.all([new Promise((resolve) => mimir.close(resolve)), platform.close()]);
    }
  });

  it('writeReportFiles writes each file on its own, redacted, and never throws', () => {
    const dir = tempDir('probe-write-');
    const key = `arc_${'k'.repeat(4)}${Date.now().toString(36)}secretsecret`;
    const report = buildReport('e', new Date(0), 1, [
      {
        id: 'a',
        category: 'deployment',
        title: 'A',
        status: 'fail',
        durationMs: 1,
        attempts: 1,
        detail: `server said ${key.slice(0, 12)}…`,
        evidence: { body: key },
      },
    ]);
    const files = reportFiles({
      json: join(dir, 'missing', 'r.json'),
      junit: join(dir, 'r.xml'),
      markdown: join(dir, 'r.md'),
    });
    const outcome = writeReportFiles(report, files, createRedactor([key]));
    expect(outcome.map((o) => [o.file.option, o.error])).toEqual([
      ['--json', 'ENOENT (open)'],
      ['--junit', undefined],
      ['--markdown', undefined],
    ]);
    for (const f of ['r.xml', 'r.md']) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text).toContain(`[redacted …${key.slice(-4)}]`);
      expect(text).not.toContain(key.slice(0, 8));
    }
  });
});

describe("reports on the process's streams (where a path leads: test/core/output-target.test.ts)", () => {
  it('standard input, a closed descriptor and two reports on one stream are refused before the run; /dev/null takes any number', () => {
    expect(problems({ json: '/dev/stdin' })).toEqual([
      '--json /dev/stdin is standard input (fix: give a file, or - for standard output)',
    ]);
    expect(problems({ json: '/dev/fd/987' })).toEqual([
      '--json /dev/fd/987: file descriptor 987 is not open (fix: give a file, or - for standard output)',
    ]);
    expect(problems({ json: '-', markdown: '/dev/stdout' })).toEqual([
      '--json - and --markdown /dev/stdout name the same file; nothing written (fix: give --markdown a file of its own)',
    ]);
    // What is written to /dev/null is dropped: nothing there can be lost (output-target.ts fileIdentity).
    expect(problems({ json: '/dev/null', junit: '/dev/null', markdown: '/dev/null' })).toEqual([]);
    expect(problems({ json: '-', junit: '/dev/stderr', markdown: '/dev/null' })).toEqual([]);
  });

  it('npm run probe -- --json - --junit /dev/stderr: the JSON alone on stdout, the XML on stderr after the lines before it', async () => {
    const platform = await startPlatform();
    try {
      let stdout = '';
      let stderr = '';
      const code = await runProbeCli(
        ['--targets', platform.targetsFile, '--only', 'otel.metrics-in-mimir', '--json', '-', '--junit', '/dev/stderr'],
        {
          env: { CI: 'true', ...platform.env },
          stdout: { write: (s: string) => (stdout += s) },
          stderr: { write: (s: string) => (stderr += s) },
        },
      );
      expect(code).toBe(0);
      // A report on stdout is the whole of it (docs/probes.md "Report files"): the lines go to stderr.
      expect(JSON.parse(stdout)).toMatchObject({ results: [{ id: 'otel.metrics-in-mimir', status: 'pass' }] });
      expect(stderr).toContain('wrote JSON report to -\n');
      expect(stderr).toContain('wrote JUnit report to /dev/stderr\n');
      const xml = stderr.slice(stderr.indexOf('<?xml '), stderr.indexOf('</testsuites>') + '</testsuites>'.length);
      expect(xml).toMatch(/<testcase [\s\S]*otel\.metrics-in-mimir/);
      expect(stderr.indexOf('<?xml ')).toBeGreaterThan(stderr.indexOf('otel.metrics-in-mimir')); // after the lines before it
      expect(existsSync('-')).toBe(false); // not a file named "-" in the working folder
    } finally {
      await platform.close();
    }
  });
});
