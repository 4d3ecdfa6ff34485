/**
 * `npm run probe` runs its bundle (src/tooling/bundle.ts bundleProbeCli, scripts/probe.ts): built
 * again exactly when something it was built from changed, with the real esbuild on an entry of the
 * test's own (whether a call built is read from the entry's inode: every build replaces it by a
 * rename), and run from source as users run it. What the run itself does (exit codes, output, the
 * OpenTelemetry SDK loaded only with --otlp) is proven on the spawned script by
 * test/probes/probe-script.test.ts and redaction-e2e.test.ts, which run the same bundle.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRecordFile } from '../../src/tooling/build-record.js';
import { bundleProbeCli, PROBE_CLI_BUNDLE, REPO_ROOT } from '../../src/tooling/bundle.js';
import { spawnScript } from '../support/spawn-script.js';
import { tempDir } from '../support/temp.js';

/** Writes `file` with a modification time a minute in the past (older than any build's start). */
function write(file: string, text: string): void {
  writeFileSync(file, text);
  const time = Date.now() / 1000 - 60;
  utimesSync(file, time, time);
}

describe.concurrent('the probe CLI bundle (src/tooling/bundle.ts bundleProbeCli)', () => {
  it('a current bundle is reused; a changed source builds again, its lazy import a chunk of its own', async () => {
    const dir = tempDir('arcade-probe-bundle-');
    write(join(dir, 'entry.ts'), "const { value } = await import('./dep.js');\nconsole.log(value);\n");
    write(join(dir, 'dep.ts'), "export const value: string = 'one';\n");
    const out = join(dir, 'out', 'probe.mjs');
    const bundle = async () => {
      await bundleProbeCli(out, join(dir, 'entry.ts'));
      return { inode: statSync(out).ino, output: execFileSync(process.execPath, [out], { encoding: 'utf8' }) };
    };
    const first = await bundle();
    expect(first.output).toBe('one\n');
    expect(readFileSync(out, 'utf8')).not.toContain('"one"'); // in the chunk, not the entry
    expect(Object.keys(JSON.parse(readFileSync(buildRecordFile(out), 'utf8')).inputs)).toContain(join(dir, 'dep.ts'));
    expect(await bundle()).toEqual(first); // same inode: not built again

    write(join(dir, 'dep.ts'), "export const value: string = 'two';\n");
    const changed = await bundle();
    expect(changed.inode).not.toBe(first.inode);
    expect(changed.output).toBe('two\n');
    expect(await bundle()).toEqual(changed);
  });

  it('npm run probe from source finds --env through the bundle, which holds the probes but not the OpenTelemetry SDK', async () => {
    // No Kubernetes configuration: the run stops with exit 2 right after loading the environment
    // file, which it can only have found if the bundle's src/environments/ is the repository's.
    const r = await spawnScript(join(REPO_ROOT, 'scripts', 'probe.ts'), ['--env', 'backstage-wus2-v4'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: tempDir('arcade-probe-home-'), CI: 'true' },
    });
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('configuration error (no probe was run)');
    expect(r.stderr).toContain('KUBECONFIG is not set');
    expect(r.status).toBe(2);
    const inputs = Object.keys(JSON.parse(readFileSync(buildRecordFile(PROBE_CLI_BUNDLE), 'utf8')).inputs);
    for (const file of ['scripts/probe.ts', 'src/probes/cli.ts', 'src/probes/otlp-export.ts'])
      expect(inputs).toContain(join(REPO_ROOT, file));
    expect(inputs.some((f) => f.includes('/node_modules/@kubernetes/client-node/'))).toBe(true);
    expect(inputs.filter((f) => f.includes('/node_modules/@opentelemetry/'))).toEqual([]);
  });
});
