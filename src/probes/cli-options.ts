/**
 * The command line of `npm run probe`: its options, environment, exit codes and examples (the
 * script harness parses and documents them from PROBE_SCRIPT's table), and `parseProbeArgs`,
 * which checks what the table cannot (--env with --targets, --revision's shape, probe ids).
 * The command itself is cli.ts.
 */
import { PROBE_IDS } from './probe-ids.js';
import { UsageError } from '../core/command-error.js';
import { createRedactor, redactedWriter } from '../core/redact.js';
import { printableCapped } from '../core/printable.js';
import { defineScript, describeFailure, HELP, helpText, parseCommandLine } from '../core/script.js';
import { shellWord } from '../core/shell-word.js';
import { isAbsolute, relative } from 'node:path';

/** `true` in the probe runner's one-file bundle only (esbuild's define: src/tooling/bundle.ts buildProbeRunner). */
declare const ARCADE_PROBE_RUNNER_BUNDLE: boolean | undefined;

/**
 * The command this process is run as, when it is not `npm run probe`: in the bundled probe runner
 * (the image's; no npm there) `node <its file>`, relative to the working folder when inside it.
 */
export function runnerCommand(): string | undefined {
  if (typeof ARCADE_PROBE_RUNNER_BUNDLE === 'undefined') return undefined;
  const file = process.argv[1] ?? 'probe-runner.mjs';
  const near = relative(process.cwd(), file);
  return `node ${shellWord(near === '' || near.startsWith('..') || isAbsolute(near) ? file : near)}`;
}

/** The command line of `npm run probe`: parsed and documented by the script harness. */
export const PROBE_SCRIPT = defineScript({
  name: 'probe',
  description: `Post-deploy evaluation probes: proves, with evidence, that the Arcade deployment is healthy and
that the gateway does what it must. Read-only: nothing is written to the cluster, no OAuth flow
is started. ARCADE_API_KEY never appears in any output or report, whole or in part (any 8
characters of it, in any encoding). Report paths are checked before any probe runs. Every detail
is printed in full, in the documented order; colour follows NO_COLOR, FORCE_COLOR and TERM=dumb.

Probes: ${PROBE_IDS.join(', ')}`,
  options: {
    env: {
      type: 'string',
      value: '<name>',
      description: "targets from the environment's probes section (default: the only environment)",
    },
    targets: {
      type: 'string',
      value: '<file>',
      description: 'targets from a YAML file instead (shape in docs/probes.md)',
    },
    only: { type: 'string', value: '<id,...>', description: 'run only these probes (comma-separated ids)' },
    skip: { type: 'string', value: '<id,...>', description: 'do not run these probes' },
    json: { type: 'string', value: '<file>', description: 'write the JSON report (- for standard output)' },
    junit: { type: 'string', value: '<file>', description: 'write JUnit XML (- for standard output)' },
    markdown: {
      type: 'string',
      value: '<file>',
      description: 'write a Markdown summary (for a pull request or an evaluation document)',
    },
    wait: {
      type: 'number',
      value: '<seconds>',
      unit: 'seconds',
      min: 0,
      description: 'retry the deployment probes until they pass or this deadline (after a merge)',
    },
    revision: {
      type: 'string',
      value: '<git-sha>',
      description: 'flux.release-ready also requires the Flux Kustomization to have applied this commit',
    },
    concurrency: {
      type: 'number',
      value: '<n>',
      integer: true,
      min: 1,
      default: 16,
      description: 'probes running at once',
    },
    timeout: {
      type: 'number',
      value: '<seconds>',
      unit: 'seconds',
      above: 0,
      default: 20,
      description: 'per probe attempt',
    },
    otlp: {
      type: 'string',
      value: '<url>',
      description:
        "push the run's results as OTLP metrics to this OTLP/HTTP metrics URL (the collector's .../v1/metrics); " +
        'a failed delivery is reported and never changes the exit code',
    },
    demo: {
      type: 'boolean',
      description: 'start loopback stand-ins of a healthy platform and probe them (no cluster needed)',
    },
  },
  environment: {
    ARCADE_API_KEY: 'the Arcade API key (shown as its last 4 characters at most)',
    KUBECONFIG: 'kubeconfig for the Kubernetes probes (or the in-cluster service account)',
  },
  exitCodes: {
    0: 'nothing failed or errored (skips and known gaps allowed)',
    1: 'a probe failed or errored, or a report file could not be written (the others and the summary are)',
    2: 'a report path that cannot be written included; always before any probe runs',
  },
  interruptible: true,
  examples: [
    'KUBECONFIG=~/.kube/backstage ARCADE_API_KEY=... npm run probe -- --env backstage-wus2-v4',
    'npm run probe -- --env backstage-wus2-v4 --wait 600 --revision 3f2c1ab   # right after a merge',
    'npm run probe -- --env backstage-wus2-v4 --json probe.json --junit probe.xml --markdown probe.md',
    'npm run probe -- --demo',
    'npm run probe -- --env backstage-wus2-v4 --otlp http://arcade-otel-collector.arcade.svc:4318/v1/metrics',
  ],
});

export interface ProbeOptions {
  readonly env?: string;
  readonly targets?: string;
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
  readonly json?: string;
  readonly junit?: string;
  readonly markdown?: string;
  readonly waitSeconds?: number;
  readonly revision?: string;
  readonly concurrency: number;
  readonly timeoutSeconds: number;
  /** `--otlp`: the OTLP/HTTP metrics URL, checked by `otlpUrl`. */
  readonly otlp?: string;
  readonly demo: boolean;
  readonly help: boolean;
}

/** The example every `--otlp` error shows: the stack's collector, from inside the cluster. */
const OTLP_EXAMPLE = 'http://arcade-otel-collector.arcade.svc:4318/v1/metrics';

/**
 * `--otlp`'s value: an http(s) URL with a path (the exporter posts to it as given: the collector's
 * OTLP receiver takes metrics at `/v1/metrics`) and no credentials (the URL is printed and written
 * into the reports). Throws UsageError naming the flag and the fix.
 */
export function otlpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--otlp must be an OTLP/HTTP metrics URL, e.g. ${OTLP_EXAMPLE} (got '${value}')`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(
      `--otlp takes OTLP over HTTP (protobuf), not ${url.protocol.replace(/:$/, '')} (fix: an http:// or https:// URL, e.g. ${OTLP_EXAMPLE})`,
    );
  if (url.username || url.password)
    throw new UsageError(
      '--otlp: the URL carries credentials, which would be printed and written into the reports ' +
        '(fix: drop the user:password@ part; the collector in the cluster needs none)',
    );
  if (url.pathname === '/' || url.pathname === '')
    throw new UsageError(
      `--otlp ${url.origin} has no path; the exporter posts to the URL as given and the collector takes ` +
        `OTLP metrics at /v1/metrics (fix: --otlp ${url.origin}/v1/metrics)`,
    );
  return url.href;
}

function ids(value: string | undefined, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = new Set(PROBE_IDS);
  const unknown = list.filter((id) => !known.has(id));
  if (list.length === 0) throw new UsageError(`${option} needs at least one probe id`);
  if (unknown.length > 0)
    throw new UsageError(
      `${option}: unknown probe id(s) ${unknown.map((id) => printableCapped(id, 80)).join(', ')} (known: ${[...known].join(', ')})`,
    );
  return list;
}

/** Parses the command line (the harness checks options and numbers). Throws UsageError. */
/** Whether the probe `id` runs under `--only`/`--skip` (the one selection rule: parsing refuses one that leaves none). */
export function isSelected(id: string, only?: readonly string[], skip?: readonly string[]): boolean {
  return (only === undefined || only.includes(id)) && !skip?.includes(id);
}

export function parseProbeArgs(args: readonly string[]): ProbeOptions {
  const v = parseCommandLine(PROBE_SCRIPT.options, args);
  if (v === HELP) return { concurrency: 16, timeoutSeconds: 20, demo: false, help: true };
  if (v.env !== undefined && v.targets !== undefined) throw new UsageError('give --env or --targets, not both');
  if (v.demo && (v.env !== undefined || v.targets !== undefined))
    throw new UsageError('--demo brings its own targets: drop --env/--targets');
  if (v.revision !== undefined && !/^[0-9a-fA-F]{7,40}$/.test(v.revision)) {
    throw new UsageError(
      `--revision must be a git commit sha (7 to 40 hex digits), got '${printableCapped(v.revision, 80)}'`,
    );
  }
  const only = ids(v.only, '--only');
  const skip = ids(v.skip, '--skip');
  // Before anything runs (--demo's stand-ins included): a selection that leaves nothing is usage.
  if (!PROBE_IDS.some((id) => isSelected(id, only, skip))) throw new UsageError('--only/--skip leave no probe to run');
  return {
    env: v.env,
    targets: v.targets,
    only,
    skip,
    json: v.json,
    junit: v.junit,
    markdown: v.markdown,
    waitSeconds: v.wait,
    revision: v.revision?.toLowerCase(),
    concurrency: v.concurrency,
    timeoutSeconds: v.timeout,
    ...(v.otlp !== undefined ? { otlp: otlpUrl(v.otlp) } : {}),
    demo: v.demo,
    help: false,
  };
}

/** Where `answerUsage` writes, and the API key its messages are redacted of. */
export interface UsageIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * Answers what needs no probe, from the option table alone: `--help` (exit 0) and bad usage
 * (exit 2, the message redacted of ARCADE_API_KEY like every other output of the command).
 * Undefined when there is work to do. The command (cli.ts) starts with it, and scripts/probe.ts
 * calls it before it loads the command, so a typo costs no probe, zod or yaml.
 */
export function answerUsage(args: readonly string[], io: UsageIo): number | undefined {
  try {
    if (!parseProbeArgs(args).help) return undefined;
    io.stdout.write(`${helpText(PROBE_SCRIPT, runnerCommand())}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const stderr = redactedWriter(io.stderr, createRedactor([io.env.ARCADE_API_KEY]));
    stderr.write(`${describeFailure(PROBE_SCRIPT.name, err, runnerCommand()).text}\n`);
    return 2;
  }
}
