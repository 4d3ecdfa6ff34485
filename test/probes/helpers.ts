/**
 * Shared helpers for the probe tests: run the CLI in-process against a platform stand-in with
 * captured output, read back its JSON report, and the "each broken X fails exactly its probe" cases.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runProbeCli, type CliIo } from '../../src/probes/cli.js';
import { startPlatform, type PlatformOptions } from '../../src/loopback/platform.js';
import type { ProbeReport, ProbeResult, ProbeStatus } from '../../src/probes/types.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { CHILD_TIMEOUT_MS, NO_PROBE_DEADLINE_MS } from '../support/deadlines.js';
import { tempDir } from '../support/temp.js';
import { scriptCommand } from '../support/spawn-script.js';

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: ProbeReport | undefined;
  /** The other report files, when asked for. */
  readonly junit?: string;
  readonly markdown?: string;
}

/**
 * Runs `npm run probe` in-process; `--json` goes to a temporary file read back into `report`.
 * Unless the arguments set `--timeout`, probes get NO_PROBE_DEADLINE_MS (test/support/deadlines.ts):
 * a slow machine must not turn a probe into a timeout error.
 */
export async function runCli(
  args: readonly string[],
  env: Record<string, string | undefined>,
  options: { files?: boolean; tty?: boolean } & Pick<CliIo, 'clock' | 'retry' | 'otlpDeadlineMs'> = {},
): Promise<Captured> {
  const dir = tempDir('arcade-probe-run-');
  let stdout = '';
  let stderr = '';
  try {
    const json = join(dir, 'report.json');
    const extra = options.files ? ['--junit', join(dir, 'report.xml'), '--markdown', join(dir, 'report.md')] : [];
    const deadline = args.includes('--timeout') ? [] : ['--timeout', String(NO_PROBE_DEADLINE_MS / 1000)];
    const code = await runProbeCli(
      [...args, ...(args.includes('--help') ? [] : ['--json', json, ...deadline]), ...extra],
      {
        env: { CI: 'true', ...env },
        stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false, columns: 140 },
        stderr: { write: (s: string) => (stderr += s) },
        retry: options.retry ?? { attempts: 2, backoffMs: 10, maxBackoffMs: 20 },
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.otlpDeadlineMs ? { otlpDeadlineMs: options.otlpDeadlineMs } : {}),
      },
    );
    const read = (f: string) => {
      try {
        return readFileSync(join(dir, f), 'utf8');
      } catch {
        return undefined;
      }
    };
    const text = read('report.json');
    return {
      code,
      stdout,
      stderr,
      report: text ? (JSON.parse(text) as ProbeReport) : undefined,
      ...(options.files ? { junit: read('report.xml'), markdown: read('report.md') } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** id -> status of a report. */
export function statuses(report: ProbeReport | undefined): Record<string, ProbeStatus> {
  return Object.fromEntries((report?.results ?? []).map((r) => [r.id, r.status]));
}

/** The ids whose status is fail or error. */
export function failing(report: ProbeReport | undefined): string[] {
  return (report?.results ?? []).filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.id);
}

export function result(report: ProbeReport | undefined, id: string): ProbeResult {
  const r = report?.results.find((x) => x.id === id);
  if (!r) throw new Error(`no result for ${id}`);
  return r;
}

/**
 * Starts a fresh loopback platform (5 latency calls unless told otherwise), runs the CLI against
 * its targets with `args`, closes it, and returns the run with the writes the cluster saw.
 */
export async function runScenario(
  options: PlatformOptions,
  args: readonly string[] = [],
  io: Pick<CliIo, 'clock' | 'retry'> = {},
) {
  const platform = await startPlatform({ latencyCalls: 5, ...options });
  try {
    const run = await runCli(['--targets', platform.targetsFile, ...args], platform.env, io);
    return {
      ...run,
      writes: platform.kube.writes(),
      appliedSha: platform.appliedSha,
      apiKey: platform.env.ARCADE_API_KEY,
    };
  } finally {
    await platform.close();
  }
}

/** What a case's failing probe must report, when the case checks its verdict and cause too. */
export interface ExpectedFailure {
  readonly status: ProbeStatus;
  /** The cause, in the result's detail. */
  readonly detail: RegExp;
}

/**
 * One test per case (call inside a `describe`): a fresh platform with the case's fault, probed
 * with every probe, fails exactly the probe named (fail or error; every other probe passes,
 * skips or is a known gap), exits 1, and the cluster saw no write. A case with an
 * `ExpectedFailure` also checks that probe's status and cause, that every other probe passed, and
 * that the API key is in no output and that no probe put it in its result (the runner's redaction
 * would show it as a marker).
 */
export function itFailsExactly<F>(
  cases: readonly (readonly [name: string, fault: F, probeId: string, expected?: ExpectedFailure])[],
  platform: (fault: F) => PlatformOptions,
): void {
  for (const [name, fault, id, expected] of cases) {
    it(name, async () => {
      const run = await runScenario(platform(fault));
      expect(failing(run.report)).toEqual([id]);
      expect(run.code).toBe(1);
      expect(run.writes).toEqual([]);
      if (!expected) return;
      const failed = result(run.report, id);
      expect(failed.status).toBe(expected.status);
      expect(failed.detail).toMatch(expected.detail);
      const others = Object.entries(statuses(run.report)).filter(([other]) => other !== id);
      expect(others.filter(([, status]) => status !== 'pass')).toEqual([]);
      for (const text of [JSON.stringify(run.report), run.stdout, run.stderr]) expect(text).not.toContain(run.apiKey);
      // No probe put the key in its result either: the runner would have redacted it to a marker.
      expect(JSON.stringify(run.report?.results)).not.toContain('[redacted');
    });
  }
}

/**
 * A preload for a spawned script: at exit it writes the packages whose CommonJS files the process
 * loaded (Node's CommonJS cache lists every such file; the OpenTelemetry SDK is CommonJS) to the
 * file named by ARCADE_TEST_LOADED_PACKAGES, as a JSON array of package names.
 */
const LOADED_PACKAGES_PRELOAD = `
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const cache = createRequire(${JSON.stringify(REPO_ROOT)}).cache;
process.on('exit', () => {
  const names = new Set();
  for (const file of Object.keys(cache)) {
    const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file);
    if (m) names.add(m[1]);
  }
  writeFileSync(process.env.ARCADE_TEST_LOADED_PACKAGES, JSON.stringify([...names].sort()));
});`;

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** With `loadedPackages`: the packages the process loaded CommonJS files of. */
  readonly packages?: readonly string[];
}

/**
 * Spawns the script asynchronously (the stand-ins live in this process and must keep serving).
 * `loadedPackages`: also report which packages the process loaded (a preload, written at exit).
 */
export async function probeScript(
  args: string[],
  env: Record<string, string | undefined>,
  options: { loadedPackages?: boolean } = {},
): Promise<ScriptRun> {
  const dir = options.loadedPackages ? tempDir('probe-packages-') : undefined;
  const packagesFile = dir ? join(dir, 'packages.json') : undefined;
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    ...process.env,
    CI: 'true',
    KUBECONFIG: undefined,
    ARCADE_API_KEY: undefined,
    KUBERNETES_SERVICE_HOST: undefined,
    ...env,
    ...(packagesFile ? { ARCADE_TEST_LOADED_PACKAGES: packagesFile } : {}),
  })) {
    if (v !== undefined) merged[k] = v;
  }
  const preload = packagesFile
    ? ['--import', `data:text/javascript,${encodeURIComponent(LOADED_PACKAGES_PRELOAD)}`]
    : [];
  try {
    // As `npm run probe` runs it (the plain-node launcher, without npm's start-up).
    const run = await spawnNode([...preload, ...scriptCommand(join(REPO_ROOT, 'scripts', 'probe.ts'), args)], merged);
    if (!packagesFile) return run;
    return { ...run, packages: JSON.parse(readFileSync(packagesFile, 'utf8')) as string[] };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** `node <args>` in the repository, asynchronously: a loopback stand-in in this process must keep serving it. */
function spawnNode(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
