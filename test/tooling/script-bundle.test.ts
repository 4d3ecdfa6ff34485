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
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { bundleScript } from '../../src/tooling/script-bundle.js';
import { startTime } from '../../src/tooling/processes.mjs';
import {
  BuildLockTimeout,
  buildLockFile,
  buildOnce,
  currentScriptBundle,
  InvalidBundleWait,
  lockWait,
  pruneGeneration,
  pruneGenerations,
  scriptBundleFolder,
  scriptBundleKey,
  scriptRecordFile,
} from '../../src/tooling/script-bundles.mjs';
import { relink, write } from '../support/files.js';
import { scriptCommand, spawnScript } from '../support/spawn-script.js';
import { tempDir } from '../support/temp.js';

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

  it('a symbolic link beside an input pointed elsewhere builds again', async () => {
    // esbuild lists the file a link leads to: pointed at another file, no input's content changed.
    const p = project();
    write(join(p.dir, 'scripts', 'dep-one.ts'), "export const value: string = 'one';\n");
    write(join(p.dir, 'scripts', 'dep-two.ts'), "export const value: string = 'two';\n");
    relink(join(p.dir, 'scripts', 'dep.ts'), 'dep-one.ts');
    expect((await p.bundle()).output).toMatch(/^one /);
    relink(join(p.dir, 'scripts', 'dep.ts'), 'dep-two.ts');
    expect((await p.bundle()).output).toMatch(/^two /);
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
    // The launcher in a checkout of its own, running a script of the test's own: its import of
    // './dep.js' resolves only through tsx (to dep.ts), and its exit code is its own. src/core: the
    // build record's path rules (path-within.mjs) are the core's.
    const root = tempDir('arcade-launch-');
    for (const path of ['src/tooling', 'src/core', 'package.json', 'tsconfig.json'])
      cpSync(join(REPO_ROOT, path), join(root, path), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    write(
      join(root, 'scripts', 'fallback.ts'),
      "import { value } from './dep.js';\nconsole.log(value, import.meta.url);\nprocess.exitCode = 3;\n",
    );
    write(join(root, 'scripts', 'dep.ts'), "export const value: string = 'from source';\n");
    writeFileSync(join(root, '.build'), 'a file where the folder should be\n');
    const r = await spawnScript(join(root, 'scripts', 'fallback.ts'), [], { cwd: root });
    expect(r.stderr).toBe(
      `fallback: warning: cannot write its bundle in ${join(root, '.build', 'scripts', 'fallback')} (ENOTDIR); running scripts/fallback.ts ` +
        `from source, which starts slower (fix: make ${join(root, '.build')} a folder this user may write)\n`,
    );
    expect(r.stdout).toBe(`from source ${pathToFileURL(join(root, 'scripts', 'fallback.ts')).href}\n`);
    expect(r.status).toBe(3);
  });
});

/** A checkout of our own (the launcher and its builder, node_modules linked) for scripts of the tests' own. */
/**
 * A checkout of its own per test (src, package.json, tsconfig.json, node_modules linked): a bundle's
 * record holds the names in each folder of its inputs, so a script another concurrent test wrote
 * into a shared scripts/ folder would make this test's fresh bundle stale, and its second launcher
 * build again (seen once in a full run).
 */
function launcherCheckout(): string {
  const root = tempDir('arcade-launch-lock-');
  // With their times, as a checkout has them: a package.json or tsconfig.json modified during a
  // build (here, within its 2 s margin) leaves the build unrecorded (build-record.mjs).
  for (const path of ['src', 'package.json', 'tsconfig.json'])
    cpSync(join(REPO_ROOT, path), join(root, path), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

/**
 * scripts/<name>.ts in the checkout: prints `started`, then waits for the file named by its
 * argument before it prints `done`; its bundle folder, and what is in it but the record.
 */
function holdingScript(name: string) {
  const root = launcherCheckout();
  write(
    join(root, 'scripts', `${name}.ts`),
    "import { existsSync } from 'node:fs';\nimport { setTimeout as sleep } from 'node:timers/promises';\n" +
      "console.log('started');\nwhile (!existsSync(process.argv[2] ?? '')) await sleep(10);\nconsole.log('done');\n",
  );
  const folder = join(root, '.build', 'scripts', name);
  const files = () => readdirSync(folder).filter((f) => f !== 'bundle.built-from.json');
  return { file: join(root, 'scripts', `${name}.ts`), root, folder, files, go: join(root, `${name}.go`) };
}

/** Spawns the launcher running `file`; `started` resolves once it printed its first line. */
function launch(file: string, args: readonly string[], cwd: string) {
  const child = spawn(process.execPath, scriptCommand(file, args), { cwd });
  let stdout = '';
  let stderr = '';
  const started = new Promise<void>((resolve) =>
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve();
    }),
  );
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  return { pid: child.pid, started, ended };
}

describe('the recorder itself changed (build-record.mjs settingsKey)', () => {
  it('a bundle recorded by an older recorder (build-record.mjs, build-record-paths.mjs, path-within.mjs) builds again', async () => {
    // In a checkout of its own, whose recorder files the test may change: each run of the launcher
    // names the generation it ran from; a build makes a new one.
    const root = launcherCheckout();
    write(join(root, 'scripts', 'rec.ts'), 'console.log(import.meta.url);\n');
    const folder = join(root, '.build', 'scripts', 'rec');
    const current = async () => {
      const r = await spawnScript(join(root, 'scripts', 'rec.ts'), [], { cwd: root });
      expect([r.status, r.stderr]).toEqual([0, '']);
      return JSON.parse(readFileSync(scriptRecordFile(folder), 'utf8')).entry as string;
    };
    let before = await current();
    expect(await current()).toBe(before); // unchanged: not built again
    for (const file of [
      'src/tooling/build-record.mjs',
      'src/tooling/build-record-paths.mjs',
      'src/core/path-within.mjs',
    ]) {
      writeFileSync(join(root, file), `${readFileSync(join(root, file), 'utf8')}// a newer recorder\n`);
      const after = await current();
      expect(after, file).not.toBe(before);
      before = after;
    }
  });
});

describe.concurrent('one build of a script at a time, across processes (script-bundles.mjs buildOnce)', () => {
  it('two launchers started at once on a stale bundle: one builds, the other waits for it; both run from that build', async () => {
    const s = holdingScript('twice');
    const [a, b] = [launch(s.file, [s.go], s.root), launch(s.file, [s.go], s.root)];
    let generation: string | undefined;
    try {
      await Promise.all([a.started, b.started]);
      // Both are running (they wait for the go file): one generation, both runs' marks in it, no lock.
      const [first, ...others] = s.files();
      generation = first;
      expect(others).toEqual([]);
      expect(readdirSync(join(s.folder, generation ?? '')).sort()).toEqual(
        [`.running-${a.pid}`, `.running-${b.pid}`, 'twice.mjs'].sort(),
      );
    } finally {
      // Whatever failed above, the two runs end: they wait for this file (a failure once left them polling for good).
      writeFileSync(s.go, '');
    }
    for (const run of await Promise.all([a.ended, b.ended]))
      expect(run).toEqual({ status: 0, stdout: 'started\ndone\n', stderr: '' });
    expect(s.files()).toEqual([generation]);
  });

  it('a lock left by a process that is gone is taken over: the build runs and leaves no lock', async () => {
    // buildOnce as the launcher calls it (launch.mjs: the record's check, then bundleScript), in this
    // process: the launcher's own use of the lock is proven by the tests before and after this one.
    const p = project();
    write(buildLockFile(p.folder), `${NO_PROCESS} 0123456789abcdef\n`);
    const entry = join(p.dir, 'scripts', 'entry.ts');
    const key = scriptBundleKey(entry);
    const built = await buildOnce(
      p.folder,
      () => currentScriptBundle(p.folder, key),
      () => bundleScript(entry, p.folder),
    );
    expect(execFileSync(process.execPath, [built], { encoding: 'utf8' })).toMatch(/^one /);
    expect(p.generations()).toEqual([dirname(built).split('/').pop()]); // and no build.lock
    expect(JSON.parse(readFileSync(scriptRecordFile(p.folder), 'utf8')).entry).toBe(built);
  });

  it('a living builder is waited for at most ARCADE_BUNDLE_WAIT seconds, then the run stops naming the lock and the fix', async () => {
    const s = holdingScript('waited');
    const lock = buildLockFile(s.folder);
    write(lock, `${process.pid} 0123456789abcdef\n`); // this process holds it, and builds nothing
    writeFileSync(s.go, ''); // a run would end at once
    const r = await spawnScript(s.file, [s.go], { cwd: s.root, env: { ...process.env, ARCADE_BUNDLE_WAIT: '0' } });
    expect(r.stderr).toBe(
      `waited: gave up after 0 s waiting for process ${process.pid} to build the bundle (it holds the lock ${lock}) ` +
        `(fix: if process ${process.pid} is not building it, remove ${lock} and run again; ARCADE_BUNDLE_WAIT=<seconds> waits longer)\n`,
    );
    expect(r.stdout).toBe('');
    expect(r.status).toBe(1);
    expect(s.files()).toEqual(['build.lock']); // nothing built
    expect(readFileSync(lock, 'utf8')).toBe(`${process.pid} 0123456789abcdef\n`);
  });
});

describe('pruning and the lock while other processes come and go (script-bundles.mjs)', () => {
  it('a generation another process pruned first is passed over (no ENOENT)', () => {
    const folder = tempDir('arcade-prune-');
    expect(pruneGeneration(join(folder, `${NO_PROCESS}-pruned-by-another`))).toBe(false);
  });

  it("removes the token files of launchers killed before linking them, not a living process's or the lock", () => {
    const folder = tempDir('arcade-prune-');
    write(scriptRecordFile(folder), `${JSON.stringify({ entry: join(folder, 'current', 'entry.mjs') })}\n`);
    write(join(folder, 'current', 'entry.mjs'), '');
    const lock = buildLockFile(folder);
    for (const file of [lock, `${lock}.${NO_PROCESS}-0a1b2c3d`, `${lock}.${process.pid}-0a1b2c3d`])
      write(file, '1 2 3\n');
    expect(pruneGenerations(folder)).toEqual([]);
    expect(readdirSync(folder).sort()).toEqual(
      ['build.lock', `build.lock.${process.pid}-0a1b2c3d`, 'bundle.built-from.json', 'current'].sort(),
    );
  });

  it('a lock whose pid is now another process (another start time) is taken over; its own holder is waited for', async () => {
    const folder = tempDir('arcade-lock-');
    const lock = buildLockFile(folder);
    const build = async () => 'built';
    // This process's pid, with a start time it does not have: the builder that wrote it is gone.
    write(lock, `${process.pid} 1 0123456789abcdef\n`);
    expect(await buildOnce(folder, () => undefined, build, 0)).toBe('built');
    expect(existsSync(lock)).toBe(false);
    const held = `${process.pid} ${startTime(process.pid)} 0123456789abcdef\n`;
    write(lock, held);
    await expect(buildOnce(folder, () => undefined, build, 0)).rejects.toThrow(BuildLockTimeout);
    expect(readFileSync(lock, 'utf8')).toBe(held);
  });
});

describe('ARCADE_BUNDLE_WAIT (script-bundles.mjs lockWait)', () => {
  it('is a number of seconds, 0 or more; unset or empty is the default of 120', () => {
    expect([undefined, '', '0', '300', '2.5'].map((text) => lockWait(text))).toEqual([120, 120, 0, 300, 2.5]);
  });

  it.each(['2m', '-1', ' ', 'NaN', 'Infinity'])('refuses %j, naming the variable and the fix', (text) => {
    expect(() => lockWait(text)).toThrow(InvalidBundleWait);
    expect(() => lockWait(text)).toThrow(
      `ARCADE_BUNDLE_WAIT must be a number of seconds, 0 or more, not ${JSON.stringify(text)} ` +
        '(fix: unset it for the default of 120 s, or set e.g. ARCADE_BUNDLE_WAIT=300)',
    );
  });

  it('a refused value stops the launcher before anything runs: exit 2, one line, nothing on stdout', async () => {
    const r = await spawnScript(join(REPO_ROOT, 'scripts', 'synth.ts'), ['--help'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ARCADE_BUNDLE_WAIT: '2m' },
    });
    expect(r).toMatchObject({
      status: 2,
      stdout: '',
      stderr:
        'synth: ARCADE_BUNDLE_WAIT must be a number of seconds, 0 or more, not "2m" ' +
        '(fix: unset it for the default of 120 s, or set e.g. ARCADE_BUNDLE_WAIT=300)\n',
    });
  });
});
