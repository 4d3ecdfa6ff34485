/**
 * The bundled probe runner (`npm run bundle`, what the container image runs) works alone: copied
 * by itself into a temporary folder outside the repository, with no node_modules anywhere above
 * it, `node probe-runner.mjs --demo` runs every probe against the loopback platform it carries and
 * writes the JSON report to stdout, as the CronJob runs it (`--json /dev/stdout`). The bundle is
 * bundleProbeRunner's, as `npm run bundle` builds it, in .build/test/: built again only when
 * something it was built from changed (its build record, src/tooling/build-record.mjs), which the
 * tests at the end prove on an entry of their own (bundling the runner's ~1500 modules costs about
 * 5 s of CPU, mostly in esbuild's own process, which a warm run of the suite no longer pays).
 *
 * The demo holds gateway.latency to the real p95 budget (1.5 s), which a loaded machine may miss:
 * the test asserts that the probe ran and measured, and that the exit code follows the report,
 * never that this machine was fast.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  linkSync,
  mkdtempSync,
  rmSync,
  closeSync,
  copyFileSync,
  createReadStream,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { main as bundleMain } from '../../scripts/bundle.js';
import { RUNNER_UID } from '../../src/constructs/probe-runner.js';
import { BESIDE_A_BUNDLE } from '../../src/core/beside-bundle.mjs';
import { buildRecordFile } from '../../src/tooling/build-record.mjs';
import { bundleProbeRunner } from '../../src/tooling/bundle.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import type { ProbeReport } from '../../src/probes/types.js';
import { NO_PROBE_DEADLINE_MS } from '../support/deadlines.js';
import { runMain } from '../support/run-script.js';
import { relink, write } from '../support/files.js';
import { otherUser } from '../support/other-user.js';
import { tempDir } from '../support/temp.js';
import { writeKubeconfig } from '../../src/loopback/kubeconfig.js';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs node with its stdout on a named pipe, as a container's stdout is under containerd (the
 * shim's FIFOs; CRI-O's conmon gives a pipe): `--json /dev/stdout` opens it again by that name.
 * (Node's own `spawn` pipes are sockets, which Linux refuses to reopen through /proc: ENXIO.)
 */
async function runNode(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const fifo = join(tempDir('probe-bundle-fifo-'), 'stdout');
  execFileSync('mkfifo', [fifo]);
  // Read-write: opening a FIFO this way never blocks; the reader below sees the end of the output
  // once the child (the only writer left after this descriptor is closed) exits.
  const writer = openSync(fifo, 'r+');
  const reading = new Promise<string>((resolve, reject) => {
    let text = '';
    createReadStream(fifo)
      .on('data', (d) => (text += d.toString()))
      .on('end', () => resolve(text))
      .on('error', reject);
  });
  const ran = new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
    // A minimal environment: no NODE_PATH, no npm variables, nothing pointing back at the repository.
    const child = spawn(process.execPath, [...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', CI: 'true', ...env },
      stdio: ['ignore', writer, 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
  closeSync(writer);
  const { status, stderr } = await ran;
  return { status, stdout: await reading, stderr };
}

const REAL_ROOT = realpathSync(REPO_ROOT);
const REAL_MODULES = realpathSync(join(REPO_ROOT, 'node_modules'));

/**
 * A bundle input as a repository path (`src/...`, `node_modules/<package>/...`). esbuild names its
 * inputs by their real paths, relative to the repository: with node_modules a symbolic link (a
 * shared install, a CI cache) a package file comes out as `../<elsewhere>/node_modules/...`, so
 * each input is resolved through the links and placed under node_modules when it is inside it.
 */
function repoPath(input: string): string {
  const real = realpathSync(resolve(REPO_ROOT, input));
  const inModules = relative(REAL_MODULES, real);
  const path =
    inModules.startsWith('..') || isAbsolute(inModules) ? relative(REAL_ROOT, real) : join('node_modules', inModules);
  return path.split(sep).join('/');
}

/** No node_modules folder in `dir` or any folder above it (node would resolve packages there). */
function noNodeModulesAbove(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) return false;
    if (d === parse(d).root) return true;
  }
}

/** Where the tests keep the runner's bundle between runs (not `npm run bundle`'s .build/probe-runner.mjs). */
const RUNNER = join(REPO_ROOT, '.build', 'test', 'probe-runner.mjs');

let alone: string;
/** The inode of the runner's bundle after beforeAll: a build replaces the file by a rename. */
let runnerInode: number;
let inputs: readonly string[];
let run: Run;
let report: ProbeReport;
/** A folder holding the bundle, the two files `npm run bundle` writes beside it, and ENV's file: the runner's environments. */
let withEnvironment: string;
const ENV = 'backstage-wus2-v4';

beforeAll(async () => {
  const bundle = await bundleProbeRunner(RUNNER);
  const built = bundle.path;
  runnerInode = statSync(built).ino;
  inputs = bundle.inputs.map(repoPath);
  alone = tempDir('probe-bundle-alone-');
  copyFileSync(built, join(alone, 'probe-runner.mjs'));
  run = await runNode(alone, [
    'probe-runner.mjs',
    '--demo',
    '--timeout',
    String(NO_PROBE_DEADLINE_MS / 1000),
    '--json',
    '/dev/stdout',
  ]);
  // A report on stdout is the whole of it: every other line goes to stderr (docs/probes.md "Report files").
  report = JSON.parse(run.stdout) as ProbeReport;
  // As `npm run bundle -- --out <folder>/probe-runner.mjs` leaves it, with an environment file beside it.
  withEnvironment = tempDir('probe-bundle-env-');
  for (const file of [built, `${built}.inputs.json`, buildRecordFile(built)])
    copyFileSync(file, join(withEnvironment, basename(file)));
  copyFileSync(join(REPO_ROOT, 'src', 'environments', `${ENV}.yaml`), join(withEnvironment, `${ENV}.yaml`));
});

describe('the bundled probe runner, alone in a folder without node_modules', () => {
  it('is written with exactly the files the one list names beside it (src/core/beside-bundle.mjs)', () => {
    const name = basename(RUNNER);
    expect(
      readdirSync(dirname(RUNNER))
        .filter((f) => /^probe-runner\.mjs\.[a-z-]+\.json$/.test(f))
        .sort(),
    ).toEqual(BESIDE_A_BUNDLE.map((suffix) => `${name}${suffix}`).sort());
  });

  it('is one file, in a folder with no node_modules above it', () => {
    expect(noNodeModulesAbove(alone)).toBe(true);
    // The run below is the proof that every package is inside: node could not load one from here.
    expect(readdirSync(alone)).toEqual(['probe-runner.mjs']);
  });

  it('names its own command in --help and in a usage error (node probe-runner.mjs: no npm in the image)', async () => {
    const help = await runNode(alone, ['probe-runner.mjs', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('Usage: node probe-runner.mjs [options]');
    expect(help.stdout).toContain('\n  node probe-runner.mjs --demo\n');
    expect(help.stdout).not.toContain('npm run probe');
    const typo = await runNode(alone, ['probe-runner.mjs', '--hepl']);
    expect({ status: typo.status, stderr: typo.stderr }).toEqual({
      status: 2,
      stderr: 'probe: unknown option --hepl (did you mean --help?); usage: node probe-runner.mjs --help\n',
    });
  });

  it('runs every probe of --demo and writes the JSON report to stdout, alone', () => {
    expect(shapes(run.stderr)).toEqual(expectedShapes(report)); // no failure, no warning, no trace: nothing else
    expect(report.environment).toBe('demo');
    expect(report.results.map((r) => r.id)).toHaveLength(15);
    const others = report.results.filter((r) => r.id !== 'gateway.latency');
    expect(others.map((r) => `${r.id} ${r.status}`)).toEqual(others.map((r) => `${r.id} pass`));
    // gateway.latency ran and measured (pass or over the demo's budget on a slow machine).
    const latency = report.results.find((r) => r.id === 'gateway.latency');
    expect(['pass', 'fail']).toContain(latency?.status);
    expect(latency?.detail).toMatch(/^100 Echo calls: p50 /);
  });

  it('exits as the report says: 0 when every probe passed, 1 otherwise', () => {
    const failed = report.summary.failed + report.summary.errors;
    expect(run.status).toBe(failed === 0 ? 0 : 1);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      `${report.summary.passed} passed, ${report.summary.failed} failed, 0 errors, 0 skipped, 0 known gaps`,
    );
  });

  it("is made only of packages `npm ci --omit=dev` installs, as the Dockerfile's build stage does", () => {
    // The lockfile marks `dev: true` every package only the devDependencies need: what --omit=dev
    // leaves out, so a bundle reaching one builds here but fails, or differs, in `docker build`.
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const packageDirs = new Set(
      inputs.flatMap((i) => /^(?:node_modules\/(?:@[^/]+\/)?[^/]+\/)+/.exec(i)?.[0].slice(0, -1) ?? []),
    );
    expect(
      packageDirs.size,
      `no bundle input under node_modules/ (inputs: ${inputs.slice(0, 3).join(', ')}...)`,
    ).toBeGreaterThan(0);
    expect([...packageDirs].filter((d) => lock.packages[d] === undefined)).toEqual([]);
    expect([...packageDirs].filter((d) => lock.packages[d]?.dev === true)).toEqual([]);
  });

  it('carries the data the probes read (the engine API contract): no file of the repository is needed', () => {
    expect(report.results.find((r) => r.id === 'endpoints.health')?.status).toBe('pass');
    expect(run.stdout).not.toMatch(/cannot read the engine API contract|ENOENT/);
  });
});

/** Each stderr line with its variable parts named: a result's row is its label and probe id. */
function shapes(stderr: string): string[] {
  return stderr.split('\n').map((line) =>
    line
      .replace(/^Probing demo: 15 probe\(s\), .*$/, 'Probing demo: 15 probe(s), <key>, <kubernetes>')
      .replace(/^STATUS +PROBE +CATEGORY +TIME {2}DETAIL$/, '<header>')
      .replace(/^([A-Z]+) +([a-z0-9.-]+) +[a-z]+ +\S+ {2}\S.*$/, '$1 $2')
      .replace(/^ {4}\{.*\}$/, '<evidence>'),
  );
}

/** The stderr of a --demo run whose JSON report went to stdout, in shapes(): every line it may hold, in order. */
function expectedShapes(r: ProbeReport): string[] {
  const notable = r.results.filter((x) => x.status !== 'pass');
  const { passed, failed, errors } = r.summary;
  return [
    'Starting loopback stand-ins of a healthy platform (Kubernetes API, Mimir, Arcade API, MCP gateway, reference server)...',
    'Probing demo: 15 probe(s), <key>, <kubernetes>',
    '<header>',
    ...r.results.map((x) => `${x.status.toUpperCase()} ${x.id}`),
    ...(notable.length === 0 ? [] : ['', 'Evidence of what did not pass:']),
    ...notable.flatMap((x) => [`  ${x.id} (${x.status.toUpperCase()}):`, '<evidence>']),
    'wrote JSON report to /dev/stdout',
    `${passed} passed, ${failed} failed, ${errors} errors, 0 skipped, 0 known gaps`,
    '',
  ];
}

/** Who runs the EACCES case's bundle (test/support/other-user.ts): nobody when this is root; why it cannot, else. */
const OTHER = otherUser();
if ('missing' in OTHER) console.log(`[probe-runner-bundle] EACCES case skipped: ${OTHER.missing}`);

/** A kubeconfig to a port nothing listens on, outside `folder`: were the report not refused, the run would end at once. */
function deadKubeconfig(folder: string): string {
  return writeKubeconfig('https://127.0.0.1:1', 't', { dir: tempDir(`${basename(folder)}-kubeconfig-`) });
}

/** The run refused before any probe: `output` (`--json <file>`) is one of its inputs, named `input`. */
function refusedAsInput(output: string, input: string): Run {
  return {
    status: 2,
    stdout: '',
    stderr:
      'probe: configuration error (no probe was run):\n' +
      `${output}: is one of this command's inputs, ${input}: writing there would replace it; nothing written ` +
      "(fix: give a path outside the repository's sources, dist/ and the folders the command reads, e.g. a new file " +
      "at the repository's top)\n",
  };
}

describe('the bundled probe runner in a folder holding an environment file (its environments folder)', () => {
  it('refuses --json over that environment file, before any probe: exit 2, the file unchanged', async () => {
    const file = join(withEnvironment, `${ENV}.yaml`);
    const before = readFileSync(file, 'utf8');
    const refused = await runNode(withEnvironment, ['probe-runner.mjs', '--env', ENV, '--json', file], {
      KUBECONFIG: deadKubeconfig(withEnvironment),
    });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(refused).toEqual(refusedAsInput(`--json ${file}`, `${file}, read by --env`));
  });

  // The repository is the nearest folder at or above the environments holding a package.json
  // (src/core/command-inputs.ts repositoryAbove): one at exactly two above counted (36fe663), and
  // before it only a folder named src/environments/; one or three deep wrote over the checkout.
  const CHECKOUT_FILE = '{"name":"a-checkout"}\n';
  it.each([
    ['--json', 'package.json', 'one folder', ['out'], 'package.json'],
    ['--junit', 'package.json', 'two folders', ['out', 'runner'], 'package.json'],
    ['--markdown', 'src/main.ts', 'three folders', ['out', 'a', 'b'], 'src'],
  ])(
    "refuses %s over a checkout's %s %s into it: exit 2, the file unchanged",
    async (option, target, _deep, under, name) => {
      const checkout = tempDir('probe-bundle-checkout-');
      const file = join(checkout, target);
      write(join(checkout, 'package.json'), CHECKOUT_FILE);
      write(file, CHECKOUT_FILE);
      const runner = join(checkout, ...under);
      for (const copied of ['probe-runner.mjs', `${ENV}.yaml`])
        write(join(runner, copied), readFileSync(join(withEnvironment, copied), 'utf8'));
      const refused = await runNode(runner, ['probe-runner.mjs', '--env', ENV, option, file], {
        KUBECONFIG: deadKubeconfig(runner),
      });
      expect(readFileSync(file, 'utf8')).toBe(CHECKOUT_FILE);
      expect(refused).toEqual(refusedAsInput(`${option} ${file}`, `the repository's own ${name}`));
    },
  );

  it('reads only the environment files there, not the two files the bundle wrote beside it', async () => {
    const unknown = await runNode(withEnvironment, ['probe-runner.mjs', '--env', 'nosuch']);
    expect(readdirSync(withEnvironment).sort()).toEqual(
      [`${ENV}.yaml`, 'probe-runner.mjs', 'probe-runner.mjs.built-from.json', 'probe-runner.mjs.inputs.json'].sort(),
    );
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(`--env nosuch: no such environment (fix: use one of ${ENV})\n`);
  });

  it.skipIf('missing' in OTHER)(
    'an environment file this user may not read: exit 2, one line naming it, EACCES and the fix (as nobody when root)',
    () => {
      // Root reads every file: as nobody then, in a folder of /tmp itself, which nobody may reach.
      const asNobody = process.getuid?.() === 0;
      const dir = mkdtempSync(join(asNobody ? '/tmp' : tmpdir(), 'probe-bundle-eacces-'));
      try {
        chmodSync(dir, 0o755);
        copyFileSync(join(withEnvironment, 'probe-runner.mjs'), join(dir, 'probe-runner.mjs'));
        copyFileSync(join(withEnvironment, `${ENV}.yaml`), join(dir, `${ENV}.yaml`));
        chmodSync(join(dir, `${ENV}.yaml`), 0o000);
        const run = spawnSync(process.execPath, ['probe-runner.mjs', '--env', ENV], {
          cwd: dir,
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', CI: 'true' },
          ...('as' in OTHER ? OTHER.as : {}),
        });
        expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
        expect(run.stderr.split('\n')).toContain(
          `  - ${ENV}.yaml: cannot be read (EACCES): it may not be read by this user ` +
            '(fix: grant read permission on it, or on the folders on its way)',
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

/**
 * Docker is not on these machines, so the image is never built here: what can be checked without
 * it is checked on the files (a build would refuse a missing BASE_IMAGE by itself).
 */
describe('the bundled probe runner under SIGTERM during --wait (a CronJob pod killed mid-run)', () => {
  it('ends the run itself: exit 143, the interrupt as its last line, no summary, the process gone', async () => {
    // The run waits up to 600 s for a revision the demo's release never reaches: only the signal
    // can end it soon. Both streams go to one pipe (sh's exec 2>&1), so their order is the order written.
    const tmp = tempDir('probe-bundle-term-');
    const child = spawn(
      'sh',
      [
        '-c',
        'exec "$0" "$@" 2>&1',
        process.execPath,
        join(alone, 'probe-runner.mjs'),
        '--demo',
        '--wait',
        '600',
        '--revision',
        '0000000',
      ],
      {
        cwd: tmp,
        env: { PATH: process.env.PATH ?? '', CI: 'true', TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    const closed = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
    // The report's header is printed as the run starts (the line view, CI set).
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        if (/^STATUS +PROBE +CATEGORY +TIME {2}DETAIL$/m.test(output)) resolve();
      });
      void closed.then(() => reject(new Error(`the runner ended before its run started:\n${output}`)));
    });
    child.kill('SIGTERM');
    // Without the interrupt reaching the run, its --wait loop held the process for the 600 s: the test's timeout.
    expect({ code: await closed, last: output.trimEnd().split('\n').at(-1) }, output).toEqual({
      code: 143,
      last: "probe: interrupted by SIGTERM: stopped the run; the demo's stand-ins were stopped and their kubeconfig folder removed; no report written",
    });
    expect(output).not.toMatch(/\d+ passed, \d+ failed|\n\s+at /);
  });
});

describe('the Dockerfile and .dockerignore that build the image from this bundle', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.trim());
  const stages = instructions
    .join('\n')
    .split(/^(?=FROM )/m)
    .slice(1);

  it('takes the base image only as a build argument, with no default, for both stages', () => {
    expect(instructions[0]).toBe('ARG BASE_IMAGE');
    expect(instructions.filter((i) => i.startsWith('FROM '))).toEqual([
      'FROM ${BASE_IMAGE} AS build',
      'FROM ${BASE_IMAGE}',
    ]);
  });

  it('bundles in a build stage without dev dependencies, and ships only the bundle, as a numeric non-root user', () => {
    expect(stages[0]).toMatch(/^RUN npm ci --omit=dev .*--ignore-scripts$/m);
    expect(stages[0]).toMatch(/^RUN npm run bundle -- --out \/out\/probe-runner\.mjs$/m);
    const runtime = stages[1]!.split('\n').filter(Boolean);
    expect(runtime.filter((i) => /^(COPY|ADD|RUN) /.test(i))).toEqual([
      'COPY --from=build /out/probe-runner.mjs /app/probe-runner.mjs',
    ]);
    // The uid the CronJob's securityContext runs as (runAsNonRoot needs a number to check).
    expect(runtime).toContain(`USER ${RUNNER_UID}:${RUNNER_UID}`);
    expect(runtime).toContain('ENTRYPOINT ["node", "/app/probe-runner.mjs"]');
  });

  it('sends the build exactly the folders the bundle is made from (plus the lockfile), nothing else', () => {
    const sourceFolders = [...new Set(inputs.map((i) => i.split('/')[0]!))].filter((f) => f !== 'node_modules').sort();
    const copied = [...stages[0]!.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    // package.json is also an input of the bundle itself (the OTLP push's User-Agent carries its version).
    const needed = new Set(['package-lock.json', 'package.json', 'tsconfig.json', ...sourceFolders]);
    expect(copied.sort()).toEqual([...needed].sort());
    const allowed = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    expect(allowed.sort()).toEqual(copied.sort());
    expect(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')).toMatch(/^\*$/m);
  });
});

/**
 * An entry of the test's own importing `./sub/dep.js`, where sub/dep.ts is a symbolic link to
 * one.ts (whose value the test changes) or two.ts, bundled by bundleProbeRunner with the runner's
 * settings (a few modules: milliseconds, where the runner's take seconds). `bundle` tells whether
 * the call wrote the bundle (its inode: every build replaces the file by a rename) and what it holds.
 */
function project() {
  const dir = tempDir('arcade-runner-bundle-');
  write(join(dir, 'entry.ts'), "import { value } from './sub/dep.js';\nconsole.log(value);\n");
  write(join(dir, 'one.ts'), "export const value: string = 'one';\n");
  write(join(dir, 'two.ts'), "export const value: string = 'two';\n");
  relink(join(dir, 'sub', 'dep.ts'), '../one.ts');
  const out = join(dir, 'out', 'probe-runner.mjs');
  const bundle = async () => {
    const { path, inputs, built } = await bundleProbeRunner(out, join(dir, 'entry.ts'));
    return { path, inputs, built, inode: statSync(out).ino, text: readFileSync(out, 'utf8') };
  };
  const repoRelative = (file: string) => relative(REPO_ROOT, join(dir, file)).split(sep).join('/');
  return { dir, out, bundle, inputs: ['entry.ts', 'one.ts'].map(repoRelative).sort() };
}

describe.concurrent("the runner bundle's build record (bundleProbeRunner, src/tooling/build-record.mjs)", () => {
  it('is not built again when nothing changed: the same file, the same inputs (from the list kept beside it)', async () => {
    const p = project();
    const first = await p.bundle();
    expect(first).toMatchObject({ path: p.out, inputs: p.inputs, built: true });
    expect(first.text).toContain('"one"');
    expect(await p.bundle()).toEqual({ ...first, built: false }); // same inode: not written again
  });

  it('a bundle with a second hard link: a build replaces the name given; the other name keeps the older bundle', async () => {
    const p = project();
    const first = await p.bundle();
    const kept = join(p.dir, 'kept.mjs');
    linkSync(p.out, kept); // e.g. a release folder hard-linking the last good bundle
    write(join(p.dir, 'one.ts'), "export const value: string = 'changed';\n");
    const changed = await p.bundle();
    expect(changed.built).toBe(true);
    expect(changed.text).toContain('"changed"');
    expect(readFileSync(kept, 'utf8')).toBe(first.text);
    // A new file under the name given (written through, it would keep the inode and both names).
    expect(changed.inode).not.toBe(first.inode);
    expect(statSync(p.out).nlink).toBe(1);
  });

  it('a changed source builds again, also one put back with an older time than the bundle', async () => {
    const p = project();
    const first = await p.bundle();
    write(join(p.dir, 'one.ts'), "export const value: string = 'changed';\n");
    const changed = await p.bundle();
    expect(changed).toMatchObject({ inputs: p.inputs, built: true });
    expect(changed.inode).not.toBe(first.inode);
    expect(changed.text).toContain('"changed"');

    write(join(p.dir, 'one.ts'), "export const value: string = 'one';\n"); // a minute old: by content, not by time
    const restored = await p.bundle();
    expect(restored.inode).not.toBe(changed.inode);
    expect(restored.text).toBe(first.text);
  });

  it('a symbolic link on the way an import is written, in a folder holding no input, pointed elsewhere builds again', async () => {
    // esbuild lists where the link led (one.ts): sub/ holds no input, only the import's way names it.
    const p = project();
    const first = await p.bundle();
    relink(join(p.dir, 'sub', 'dep.ts'), '../two.ts');
    const relinked = await p.bundle();
    expect(relinked.inode).not.toBe(first.inode);
    expect(relinked.text).toContain('"two"');
    expect(await p.bundle()).toEqual({ ...relinked, built: false });
  });

  it('a scoped package installed in a nearer node_modules whose scope folder was there, which an unchanged import now resolves to, builds again', async () => {
    // sub/use.ts imports @s/x, found in node_modules/; sub/node_modules/@s/ (holding another
    // package) is tried first, and only its listing shows the @s/x installed there.
    const dir = tempDir('arcade-runner-bundle-');
    const x = (modules: string, value: string) => {
      write(join(modules, '@s', 'x', 'package.json'), '{"name":"@s/x","version":"1.0.0"}\n');
      write(join(modules, '@s', 'x', 'index.js'), `exports.value = '${value}';\n`);
    };
    x(join(dir, 'node_modules'), 'from the farther @s/x');
    write(join(dir, 'sub', 'use.ts'), "export { value } from '@s/x';\n");
    write(join(dir, 'sub', 'node_modules', '@s', 'other', 'index.js'), 'exports.other = 1;\n');
    write(join(dir, 'entry.ts'), "import { value } from './sub/use.js';\nconsole.log(value);\n");
    const out = join(dir, 'out', 'probe-runner.mjs');
    const first = await bundleProbeRunner(out, join(dir, 'entry.ts'));
    expect(readFileSync(out, 'utf8')).toContain('"from the farther @s/x"');
    expect((await bundleProbeRunner(out, join(dir, 'entry.ts'))).built).toBe(false);

    x(join(dir, 'sub', 'node_modules'), 'from the nearer @s/x');
    const nearer = await bundleProbeRunner(out, join(dir, 'entry.ts'));
    expect({ first: first.built, nearer: nearer.built }).toEqual({ first: true, nearer: true });
    expect(readFileSync(out, 'utf8')).toContain('"from the nearer @s/x"');
  });

  it('`npm run bundle` keeps the same record: an up-to-date bundle is not written again, and it says so', async () => {
    // Built or found up to date by beforeAll, with nothing it was built from changed since.
    const run = await runMain(bundleMain, ['--out', RUNNER]);
    const mb = (statSync(RUNNER).size / 1e6).toFixed(1);
    expect(run).toEqual({
      status: 0,
      stdout: `bundle: .build/test/probe-runner.mjs is up to date (${mb} MB); run it with: node ${RUNNER} --demo\n`,
      stderr: '',
    });
    expect(statSync(RUNNER).ino).toBe(runnerInode);
    // The record holds what an import's way passed and each file read (esbuild's metafile, imports included).
    const record = JSON.parse(readFileSync(buildRecordFile(RUNNER), 'utf8')) as Record<string, Record<string, string>>;
    expect(Object.keys(record.inputs ?? {})).toContain(join(REPO_ROOT, 'scripts', 'probe.ts'));
    // package.json is read through otlp-export.ts's exact import: the root's other names (bench.json, a swap file) are not recorded.
    const root = join(REPO_ROOT, 'package.json');
    expect(record.inputs).toHaveProperty([root]);
    expect(record.passed).toHaveProperty([root], 'file');
    // A folder an import resolved a name in is listed (so the next assertion reads a real field).
    expect(record.folders).toHaveProperty([join(REPO_ROOT, 'scripts')]);
    expect(Object.keys(record.folders ?? {})).not.toContain(dirname(root));
  });

  it('`npm run bundle --out <link>` follows the link: the file it leads to is the bundle, the link stays a link', async () => {
    // Up to date through the link: the record beside RUNNER is read; not followed, a new bundle would replace the link.
    const dir = tempDir('arcade-bundle-link-');
    const link = join(dir, 'runner.mjs');
    symlinkSync(RUNNER, link);
    const run = await runMain(bundleMain, ['--out', 'runner.mjs'], { cwd: dir });
    const mb = (statSync(RUNNER).size / 1e6).toFixed(1);
    expect(run).toEqual({
      status: 0,
      stdout: `bundle: ${relative(dir, RUNNER)} is up to date (${mb} MB); run it with: node ${RUNNER} --demo\n`,
      stderr: '',
    });
    expect(readlinkSync(link)).toBe(RUNNER);
    expect(readdirSync(dir)).toEqual(['runner.mjs']); // nothing written beside the link
    expect(statSync(RUNNER).ino).toBe(runnerInode);
  });
});
