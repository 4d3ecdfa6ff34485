/**
 * `check-values --render`'s helm call (src/chart-values/render.ts) when helm does not finish as it
 * should, against the helm stand-in (./helm-standin.ts) put first on the PATH: a helm killed by a
 * signal is named with that signal (never called timed out), and a helm that never answers is
 * killed at the timeout and reported as timed out. Either way --render proved nothing: an error.
 */
import { rmSync } from 'node:fs';
import { delimiter } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HelmRenderError, renderOverrides } from '../../src/chart-values/render.js';
import { tempDir } from '../support/temp.js';
import { type HelmStandin, startHelmStandin } from './helm-standin.js';

let standin: HelmStandin | undefined;
const dirs: string[] = [];
afterAll(async () => {
  await standin?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** One render (the reference one: no override) with the stand-in's `fail` mode, and what it threw. */
async function renderFailing(fail: string, timeoutMs?: number): Promise<unknown> {
  standin ??= await startHelmStandin();
  const dir = tempDir('render-test-');
  dirs.push(dir);
  const env = { PATH: `${standin.binIn(dir)}${delimiter}${process.env.PATH}`, HELM_STANDIN_FAIL: fail };
  const options = { chart: 'oci://example.test/arcade', releaseName: 'arcade', namespace: 'arcade', env };
  return renderOverrides({}, [], timeoutMs === undefined ? options : { ...options, timeoutMs }).then(
    () => 'rendered',
    (err: unknown) => err,
  );
}

describe('check-values --render when helm does not finish', () => {
  it('a helm killed by a signal is named with the signal, not called timed out', async () => {
    const err = await renderFailing('signal');
    expect(err).toBeInstanceOf(HelmRenderError);
    expect((err as Error).message).toMatch(
      /^helm template arcade oci:\/\/example\.test\/arcade --namespace arcade --values \S+\/all\.yaml was stopped by SIGKILL$/,
    );
  });

  it('a helm that fails is named with its exit code and the last lines it wrote', async () => {
    const err = await renderFailing('1');
    expect(err).toBeInstanceOf(HelmRenderError);
    expect((err as Error).message).toMatch(
      new RegExp(
        '^helm template arcade oci://example\\.test/arcade --namespace arcade --values \\S+/all\\.yaml failed \\(exit 1\\): ' +
          'Error: chart "arcade" version "1\\.8\\.8" not found$',
      ),
    );
  });

  it('a helm that never answers is killed at the timeout and reported as timed out, with the fix', async () => {
    // The stand-in holds the call forever, so the timeout wins on any machine, whatever its speed.
    const err = await renderFailing('hang', 200);
    expect(err).toBeInstanceOf(HelmRenderError);
    expect((err as Error).message).toMatch(
      new RegExp(
        '^helm template arcade oci://example\\.test/arcade --namespace arcade --values \\S+/all\\.yaml timed out after 200 ms ' +
          "and was stopped \\(fix: check that the chart's registry answers \\(helm show chart <chart>\\), or pull the chart " +
          '\\(helm pull <chart> --untar\\) and pass --chart <folder>\\)$',
      ),
    );
  });
});
