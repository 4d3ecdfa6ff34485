/**
 * Bundles the synth entry (src/main.ts) into one CommonJS file outside dist/, so synth runs plain
 * JavaScript: no TypeScript transpiling on the synth path. Packages stay external (node loads
 * cdk8s from node_modules as usual) except zod; our code and the generated imports/ are bundled.
 *
 * Why CommonJS: cdk8s, cdk8s-plus-28, constructs and yaml are CommonJS packages. An ES module
 * importing them makes node run its CJS export lexer over each of them and over every file they
 * re-export (about 15-20 ms of every synth, the largest single cost found by profiling); a
 * `require` needs no lexing. `import.meta.url` (used to find src/environments/) is defined from
 * `__filename` in the bundle.
 *
 * Start-up cost, measured by `npm run bench` (docs/benchmarks.md): zod is ESM spread over about
 * a hundred files, so loading it as one bundled module saves about 15-20 ms per synth; yaml is
 * imported from the copy cdk8s already loads when it is the same version (see below); the
 * source map is a separate file (.build/main.cjs.map, used with `node --enable-source-maps`)
 * because an inline map makes node read and scan megabytes on every run. The bundle is built
 * again only when a file it was built from or a setting changed (./build-record.mjs): an unchanged
 * synth does not load esbuild at all. The scripts' own bundles (what `npm run <name>` runs): ./script-bundle.ts.
 */
import type { BuildOptions, Metafile, OnLoadResult, Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, sep } from 'node:path';
import { writeFileAtomically } from '../core/atomic-write.js';
import { INPUTS_LIST_SUFFIX } from '../core/beside-bundle.mjs';
import { buildRecord, buildRecordFile, settingsKey, upToDate } from './build-record.mjs';
import { REPO_ROOT } from './root.mjs';

/** Where the bundle lives: ignored by git, never inside dist/. */
export const SYNTH_BUNDLE = `${REPO_ROOT}.build/main.cjs`;
/** The probe runner bundled into one file (`npm run bundle`): what the container image runs. */
export const PROBE_RUNNER_BUNDLE = `${REPO_ROOT}.build/probe-runner.mjs`;
/** Packages bundled into the entry; every other package is loaded from node_modules. */
const BUNDLED_PACKAGES = /^zod(\/|$)/;

/**
 * cdk8s ships its own copy of yaml (a bundled dependency) and loads it at start-up. When that copy
 * is the same version as ours, the entry imports it rather than loading a second copy of the
 * same code (about 7 ms of every synth); otherwise ours. Returns the path to import, relative to
 * the bundle, or undefined for ours.
 */
function yamlLoadedByCdk8s(outfile: string): string | undefined {
  const ours = createRequire(`${REPO_ROOT}package.json`);
  const theirs = createRequire(ours.resolve('cdk8s'));
  const version = (req: NodeJS.Require) =>
    (JSON.parse(readFileSync(req.resolve('yaml/package.json'), 'utf8')) as { version?: string }).version;
  try {
    if (ours.resolve('yaml') === theirs.resolve('yaml') || version(ours) !== version(theirs)) return undefined;
  } catch {
    return undefined; // a layout we do not know: load our own copy
  }
  const path = relative(dirname(outfile), theirs.resolve('yaml')).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/**
 * Marks every bare import (a package or a node: builtin) external, except BUNDLED_PACKAGES; `yaml`
 * is imported from `yaml` when given (yamlLoadedByCdk8s).
 */
function externalPackages(yaml: string | undefined): Plugin {
  return {
    name: 'external-packages-except-bundled',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (BUNDLED_PACKAGES.test(args.path)) return undefined;
        return { path: args.path === 'yaml' && yaml ? yaml : args.path, external: true };
      });
    },
  };
}

/** A `require` for the CommonJS packages bundled into an ES module (they require node builtins). */
export const ESM_REQUIRE =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * How the probe's code is built with its packages in, for the runner image (bundleProbeRunner) and
 * for `npm run probe` (./script-bundle.ts): minified with its names kept (errors and the report name
 * classes), a `require` for the CommonJS packages. debug (under @kubernetes/client-node and the MCP
 * SDK) tries `require('supports-color')`, an optional peer that only a devDependency installs here:
 * left out, as the image's `npm ci --omit=dev` leaves it, so the bundle tested here is the one the
 * image runs (debug catches the failed require).
 */
export const PROBE_BUILD = {
  minify: true,
  keepNames: true,
  banner: { js: ESM_REQUIRE },
  external: ['supports-color'],
} satisfies BuildOptions;

/**
 * The files a build loads, each read once here and given to esbuild as read, with the sha256 of
 * those bytes: what the build record holds (./build-record.mjs), so a file changed while esbuild
 * ran, or copied in with old times (`cp -p`), is recorded as the bundle was built from it. Its
 * plugin goes last: another plugin that loads a file itself reads it through `read`.
 */
export class LoadedFiles {
  /** sha256 (hex) of the bytes esbuild was given, by absolute path. */
  readonly hashes = new Map<string, string>();

  /** The bytes of `path`, recorded as the ones esbuild is given. */
  read(path: string): Buffer {
    const bytes = readFileSync(path);
    this.hashes.set(path, createHash('sha256').update(bytes).digest('hex'));
    return bytes;
  }

  /**
   * Loads every JavaScript or TypeScript file no earlier plugin loaded, as esbuild would, through
   * `read` (asEsbuildWould). Not JSON: esbuild bundles a JSON file a plugin loaded otherwise (the
   * probe bundle's minified names came out different); esbuild reads those itself.
   */
  plugin(): Plugin {
    return {
      name: 'loaded-files-recorded',
      setup: (b) => {
        b.onLoad({ filter: /\.[cm]?[jt]sx?$/, namespace: 'file' }, (args) => asEsbuildWould(this.read(args.path)));
      },
    };
  }
}

/**
 * An onLoad result giving esbuild a file's bytes as it would have loaded them itself: its loader for the file's
 * name (`default`: ts for .ts and .mts, js for .js and .mjs), its folder to resolve its imports from (esbuild's default).
 */
export function asEsbuildWould(contents: Uint8Array): OnLoadResult {
  return { contents, loader: 'default' };
}

/**
 * Writes a build's output files (each atomically, in esbuild's order), then its record
 * (./build-record.mjs) to `recordFile`: built with `key` at `startedAt` from the files `loaded`
 * gave it, its entry `entry`.
 */
export function writeBuild(
  result: { readonly outputFiles: readonly BuildOutput[]; readonly metafile: Metafile },
  build: {
    readonly key: string;
    readonly entry: string;
    readonly startedAt: number;
    readonly recordFile: string;
    readonly loaded: LoadedFiles;
  },
): void {
  writeAtomically(result.outputFiles);
  const record = buildRecord(build.key, {
    entry: build.entry,
    workingDir: REPO_ROOT,
    startedAt: build.startedAt,
    inputs: result.metafile.inputs,
    loaded: build.loaded.hashes,
    outputs: result.outputFiles.map((f) => f.path),
  });
  writeFileAtomically(build.recordFile, record.text);
}

/** A file a build writes: one of esbuild's output files, or one of ours beside them. */
interface BuildOutput {
  readonly path: string;
  readonly contents: Uint8Array;
}

/** Writes a build's output files, each replaced atomically (never half-written). */
function writeAtomically(files: readonly BuildOutput[]): void {
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileAtomically(file.path, file.contents);
  }
}

/**
 * Builds the probe runner (scripts/probe.ts, `npm run probe`) into ONE self-contained ES module:
 * every package bundled (nothing is loaded from node_modules, so the image needs none), the data
 * the probes read imported into it (the engine API contract), the loopback stand-ins of `--demo`
 * included. `node probe-runner.mjs <probe options>` runs it anywhere node 20 runs.
 *
 * ESM, because @kubernetes/client-node is ESM only; a `require` is defined for the CommonJS
 * packages bundled in (they require node builtins). Minified with names kept (errors and stack
 * traces stay readable), about 5 MB; the packages' license comments are kept at the end.
 *
 * Built again only when something it was built from changed, as the synth bundle (./build-record.mjs,
 * its record `<outfile>.built-from.json`; bundling its ~1500 modules costs about 5 s of CPU, mostly
 * in esbuild's own process). The list of its inputs is written beside it (`<outfile>.inputs.json`,
 * an output of the build, so the record holds it too): an up-to-date call returns them without
 * building. `entry` is for tests (an entry whose sources a test may change).
 */
export function bundleProbeRunner(
  outfile: string = PROBE_RUNNER_BUNDLE,
  entry = `${REPO_ROOT}scripts/probe.ts`,
): Promise<ProbeRunnerBundle> {
  return buildOnce(outfile, () => buildProbeRunner(outfile, entry));
}

async function buildProbeRunner(outfile: string, entry: string): Promise<ProbeRunnerBundle> {
  const key = bundleKey({ entry, kind: 'probe-runner' });
  const listed = `${outfile}${INPUTS_LIST_SUFFIX}`;
  // The list is one of the outputs the record holds by content: up to date, it is as written here.
  if (upToDate(outfile, key))
    return { path: outfile, inputs: JSON.parse(readFileSync(listed, 'utf8')) as string[], built: false };
  const startedAt = Date.now();
  const { build } = await import('esbuild');
  const loaded = new LoadedFiles();
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: REPO_ROOT,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    ...PROBE_BUILD,
    define: { ARCADE_PROBE_RUNNER_BUNDLE: 'true' }, // its --help names `node <file>` (src/probes/cli-options.ts runnerCommand)
    logLevel: 'error',
    legalComments: 'eof',
    plugins: [loaded.plugin()],
    metafile: true,
    write: false,
  });
  const inputs = Object.keys(result.metafile.inputs).sort();
  const outputFiles = [...result.outputFiles, { path: listed, contents: Buffer.from(JSON.stringify(inputs)) }];
  writeBuild(
    { outputFiles, metafile: result.metafile },
    { key, entry: outfile, startedAt, recordFile: buildRecordFile(outfile), loaded },
  );
  return { path: outfile, inputs, built: true };
}

/** The probe runner's bundle: where it is, every file it was built from, and whether this call built it. */
export interface ProbeRunnerBundle {
  readonly path: string;
  /** Paths relative to the repository root (`src/...`, `node_modules/...`), as esbuild read them. */
  readonly inputs: readonly string[];
  /** false: it was up to date (./build-record.mjs) and nothing was written. */
  readonly built: boolean;
}

/**
 * The key of a bundle's settings (./build-record.mjs): `parts`, the esbuild version, this file,
 * tsconfig.json and package.json (settingsKey adds the recorder's own sources).
 */
function bundleKey(parts: Readonly<Record<string, string | undefined>>): string {
  const ours = createRequire(`${REPO_ROOT}package.json`);
  return settingsKey(parts, [
    ours.resolve('esbuild/package.json'),
    `${REPO_ROOT}src/tooling/bundle.ts`,
    `${REPO_ROOT}tsconfig.json`,
    `${REPO_ROOT}package.json`,
  ]);
}

/** Bundles being built by this process, by output file: concurrent callers share one build. */
const building = new Map<string, Promise<unknown>>();

function buildOnce<T>(outfile: string, build: () => Promise<T>): Promise<T> {
  const pending = (building.get(outfile) as Promise<T> | undefined) ?? build().finally(() => building.delete(outfile));
  building.set(outfile, pending);
  return pending;
}

/**
 * Builds .build/main.cjs from src/main.ts (about 50-100 ms, plus loading esbuild), unless it is up
 * to date: built with the same settings from files that are all unchanged (./build-record.mjs).
 * Returns the bundle path. `entry` is for tests (an entry whose sources a test may change).
 */
export function bundleSynthEntry(outfile: string = SYNTH_BUNDLE, entry = `${REPO_ROOT}src/main.ts`): Promise<string> {
  return buildOnce(outfile, () => buildSynthEntry(outfile, entry));
}

async function buildSynthEntry(outfile: string, entry: string): Promise<string> {
  const yaml = yamlLoadedByCdk8s(outfile);
  const key = bundleKey({ entry, yaml });
  if (upToDate(outfile, key)) return outfile;
  const startedAt = Date.now();
  // Loaded here, not at the top: only a build needs esbuild (an up-to-date bundle is checked without it).
  const { build } = await import('esbuild');
  const loaded = new LoadedFiles();
  // Written by us, each file to a temporary name then renamed: a synth starting in another
  // process while this one bundles reads the old bundle or the new one, never a half-written one.
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: REPO_ROOT,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [externalPackages(yaml), loaded.plugin()],
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    sourcemap: 'linked',
    logLevel: 'error',
    legalComments: 'none',
    metafile: true,
    write: false,
  });
  writeBuild(result, { key, entry: outfile, startedAt, recordFile: buildRecordFile(outfile), loaded });
  return outfile;
}
