/**
 * `check-values --render`: the strongest proof that an override does something. Renders the
 * chart with `helm template` once with every override and once without each one; an override
 * whose removal leaves the rendered manifests byte-identical changes nothing.
 *
 * helm runs as itself (execFile through src/core/run-program.ts: no shell between, as git runs), with a timeout
 * that kills it; zx's `$` started a bash for each of the calls (one per override, and one more).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { which } from 'zx';
import type { Override } from '../charts/arcade-values.js';
import type { HelmValues } from '../constructs/oci-helm-release.js';
import { type ChildCommand, describeChildFailure } from '../core/child-failure.js';
import { CommandError } from '../core/command-error.js';
import { runProgram } from '../core/run-program.js';
import { temporaryFolder } from '../core/temporary-folder.js';
import { deleteAt, parsePath, setAt } from '../core/values-path.js';

/** helm is missing, failed or timed out: --render proved nothing (exit 1, never assumed fine). */
export class HelmRenderError extends CommandError {}

export interface RenderOptions {
  /** Chart reference for helm (oci:// URL, repo/chart, or a local path). */
  readonly chart: string;
  /** Passed as --version when set. */
  readonly version?: string;
  readonly releaseName: string;
  readonly namespace: string;
  /** Timeout of each helm call, in milliseconds: helm is then killed. @default 120000 */
  readonly timeoutMs?: number;
  /** helm calls at once. @default 8 */
  readonly concurrency?: number;
  /** The environment helm is found in (PATH) and runs with. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export interface RenderFinding {
  readonly override: Override;
  /** True when rendering without this override gives the same manifests. */
  readonly noEffect: boolean;
}

/** The helm binary on `env`'s PATH, or undefined. */
export async function findHelm(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return (await which('helm', { nothrow: true, ...(env.PATH !== undefined ? { path: env.PATH } : {}) })) ?? undefined;
}

/** The most a helm call may print: a rendered chart is some hundred KiB (execFile's default cap is 1 MiB). */
const MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * `helm <args>`: its stdout, or why it failed, naming the command (describeChildFailure: exit
 * code, signal, timeout with its limit and the fix, not started, helm's last lines). Never throws.
 */
function runHelm(
  helm: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ ok: true; stdout: string } | { ok: false; why: string }> {
  const command: ChildCommand = {
    command: `helm ${args.join(' ')}`,
    program: helm,
    timeoutMs,
    maxBuffer: MAX_OUTPUT,
    timeoutFix:
      "check that the chart's registry answers (helm show chart <chart>), or pull the chart (helm pull <chart> --untar) and pass --chart <folder>",
    missingFix: 'install helm 3.8+, or run without --render',
  };
  // helm template reads no input: its stdin is closed at once, so an open stdin cannot keep it waiting.
  return runProgram(helm, args, { env, timeoutMs, maxBuffer: MAX_OUTPUT, encoding: 'utf8' }).then(
    ({ error, stdout, stderr }) =>
      error === null ? { ok: true, stdout } : { ok: false, why: describeChildFailure(command, { error, stderr }) },
  );
}

/** The values helm renders with: inline values plus a visible placeholder at each Secret/ConfigMap target. */
export function renderValues(values: HelmValues, overrides: readonly Override[]): Record<string, unknown> {
  const tree = structuredClone(values) as Record<string, unknown>;
  for (const o of overrides)
    if (o.via !== 'inline') setAt(tree, parsePath(o.path), `check-values-placeholder:${o.path}`);
  return tree;
}

export async function renderOverrides(
  values: HelmValues,
  overrides: readonly Override[],
  options: RenderOptions,
): Promise<RenderFinding[]> {
  const env = options.env ?? process.env;
  const helm = await findHelm(env);
  if (!helm)
    throw new HelmRenderError('--render needs helm on the PATH (fix: install helm 3.8+, or run without --render)');
  // Removed at the end, and by an interrupt (the command is not interruptible: no finally runs then).
  const folder = temporaryFolder('check-values-');
  const dir = folder.path;
  try {
    const render = async (tree: Record<string, unknown>, name: string): Promise<string> => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, stringify(tree));
      const version = options.version ? ['--version', options.version] : [];
      const args = [
        'template',
        options.releaseName,
        options.chart,
        ...version,
        '--namespace',
        options.namespace,
        '--values',
        file,
      ];
      const run = await runHelm(helm, args, env, options.timeoutMs ?? 120_000);
      if (!run.ok) throw new HelmRenderError(run.why);
      return run.stdout;
    };
    const full = renderValues(values, overrides);
    const reference = await render(full, 'all');
    const findings: RenderFinding[] = [];
    const queue = overrides.map((override, i) => ({ override, i }));
    const concurrency = Math.max(1, options.concurrency ?? 8);
    for (let start = 0; start < queue.length; start += concurrency) {
      const batch = queue.slice(start, start + concurrency);
      const results = await Promise.all(
        batch.map(async ({ override, i }) => {
          const without = structuredClone(full);
          deleteAt(without, parsePath(override.path));
          return { override, noEffect: (await render(without, `without-${i}`)) === reference };
        }),
      );
      findings.push(...results);
    }
    return findings;
  } finally {
    folder.remove();
  }
}
