/**
 * Every script runs with plain node from its bundle (src/tooling/launch.mjs, script-bundle.ts,
 * script-bundles.mjs): built again exactly when something it was built from changed, with the real
 * esbuild on an entry of the test's own (whether a call built is read from the entry's path: every
 * build writes a generation folder of its own), old generations pruned unless a living process
 * uses them, and the launcher run as `npm run` runs it. What each script's run does (exit codes,
 * output, signals, stdin, the OpenTelemetry SDK loaded only with --otlp) is proven on the spawned
 * scripts by test/scripts/every-script.test.ts, the probe, seal, synth and export script tests,
 * which run the same launcher.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/bundle.js';
import { bundleScript } from '../../src/tooling/script-bundle.js';
import { scriptBundleFolder, scriptRecordFile } from '../../src/tooling/script-bundles.mjs';
import { spawnScript } from '../support/spawn-script.js';
import { tempDir } from '../support/temp.js';

/** Writes `file` with a modification time a minute in the past (older than any build's start). */
function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  const time = Date.now() / 1000 - 60;
  utimesSync(file, time, time);
}

/** A pid no process has: Linux hands out pids below pid_max, which is at most 2^22. */
const NO_PROCESS = 2 ** 22;

/** A script of the test's own, lazily importing a dependency, and a bundle folder for it. */
function project() {
  const dir = tempDir('arcade-script-bundle-');
  write(
    join(dir, 'scripts', 'entry.ts'),
    "const { value } = await import('./dep.js');\nconsole.log(value, import.meta.url, 'import.meta.url');\n",
  );
  write(join(dir, 'scripts', 'dep.ts'), "export const value: string = 'one';\n");
  const folder = join(dir, '.build', 'scripts', 'entry');
  const generations = () => readdirSync(folder).filter((f) => f !== 'bundle.built-from.json');
  const bundle = async () => {
    const entry = await bundleScript(join(dir, 'scripts', 'entry.ts'), folder);
    return { entry, output: execFileSync(process.execPath, [entry], { encoding: 'utf8' }) };
  };
  return { dir, folder, generations, bundle };
}

describe.concurrent('the scripts bundles (src/tooling/script-bundle.ts, script-bundles.mjs)', () => {
  it('a current bundle is reused; a changed source builds a generation of its own', async () => {
    const p = project();
    const first = await p.bundle();
    // import.meta.url is the source file's (a string naming it is left alone), the lazy import a chunk.
    expect(first.output).toBe(`one ${pathToFileURL(join(p.dir, 'scripts', 'entry.ts')).href} import.meta.url\n`);
    expect(readFileSync(first.entry, 'utf8')).not.toContain('"one"');
    const record = JSON.parse(readFileSync(scriptRecordFile(p.folder), 'utf8'));
    expect(record.entry).toBe(first.entry);
    expect(Object.keys(record.inputs)).toContain(join(p.dir, 'scripts', 'dep.ts'));
    expect(await p.bundle()).toEqual(first); // the same generation: not built again

    write(join(p.dir, 'scripts', 'dep.ts'), "export const value: string = 'two';\n");
    const changed = await p.bundle();
    expect(changed.entry).not.toBe(first.entry);
    expect(changed.output).toMatch(/^two /);
    // The first generation's builder (this process) is alive, so it stays until a build after it.
    expect(p.generations().sort()).toEqual(
      [dirname(first.entry), dirname(changed.entry)].map((d) => d.split('/').pop()).sort(),
    );
  });

  it('a build prunes every other generation but one a living process runs from or still builds', async () => {
    const p = project();
    const gone = join(p.folder, `${NO_PROCESS}-dead`);
    const running = join(p.folder, `${NO_PROCESS}-running`);
    const building = join(p.folder, `${process.pid}-building`);
    const abandoned = join(p.folder, `${NO_PROCESS}-abandoned`);
    write(join(gone, 'entry.mjs'), '');
    write(join(running, 'entry.mjs'), '');
    write(join(running, `.running-${process.pid}`), ''); // this process runs from it
    write(join(building, 'entry.mjs'), '');
    write(join(abandoned, 'entry.mjs'), '');
    write(join(abandoned, `.running-${NO_PROCESS}`), ''); // its run has ended without removing its mark
    const built = await p.bundle();
    const kept = [dirname(built.entry), running, building].map((d) => d.split('/').pop());
    expect(p.generations().sort()).toEqual(kept.sort());
    expect(existsSync(join(running, `.running-${process.pid}`))).toBe(true);
  });

  it('npm run probe finds --env from its bundle, which holds the probes but not the OpenTelemetry SDK', async () => {
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
    const record = JSON.parse(readFileSync(scriptRecordFile(scriptBundleFolder('probe')), 'utf8'));
    const inputs = Object.keys(record.inputs);
    for (const file of ['scripts/probe.ts', 'src/probes/cli.ts', 'src/probes/otlp-export.ts'])
      expect(inputs).toContain(join(REPO_ROOT, file));
    expect(inputs.some((f) => f.includes('/node_modules/@kubernetes/client-node/'))).toBe(true);
    expect(inputs.filter((f) => f.includes('/node_modules/@opentelemetry/'))).toEqual([]);
  });

  it('in a checkout whose .build/ cannot be written, a script runs from source after a warning naming the folder and the fix', async () => {
    const root = tempDir('arcade-launch-');
    for (const path of ['src', 'scripts', 'imports', 'package.json', 'tsconfig.json'])
      cpSync(join(REPO_ROOT, path), join(root, path), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    writeFileSync(join(root, '.build'), 'a file where the folder should be\n');
    const r = await spawnScript(join(root, 'scripts', 'crds.ts'), ['--hepl'], { cwd: root });
    expect(r.stderr).toBe(
      `crds: warning: cannot write its bundle in ${join(root, '.build', 'scripts', 'crds')} (ENOTDIR); running scripts/crds.ts ` +
        `from source, which starts slower (fix: make ${join(root, '.build')} a folder this user may write)\n` +
        'crds: unknown option --hepl (did you mean --help?); usage: npm run crds -- --help\n',
    );
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  });
});
