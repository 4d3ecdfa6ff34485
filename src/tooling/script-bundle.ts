/**
 * Builds the bundle `npm run <name>` runs (src/tooling/launch.mjs): scripts/<name>.ts and our
 * sources it imports, as ES modules for plain node, so no script starts through tsx's loader
 * (about 0.4-0.7 s of CPU per start, and every module through its hooks; docs/benchmarks.md
 * "(session 7, launcher)"). Built again only when something it was built from changed
 * (./build-record.mjs); where it lives, which build is current and how old builds are pruned:
 * ./script-bundles.mjs.
 *
 * Split (esbuild's `splitting`): each dynamic `import()` of ours is a chunk file beside the entry,
 * loaded only when reached, as from source, so --help and a mistyped option still answer before
 * the work's modules are loaded. Packages stay in node_modules (node loads them as from source),
 * except for probe, which bundles them as it has since session 6 (about 1200 modules of the MCP
 * SDK and the Kubernetes client in a few files), the OpenTelemetry packages aside (loaded only by
 * --otlp's chunk; test/probes/probe-script.test.ts proves it from node's CommonJS cache).
 *
 * `import.meta.url` in our files is the source file's URL, as from source (found relative to the
 * chunk, so a moved checkout still works): REPO_ROOT, src/environments/, createRequire and the
 * scripts' own entry check (runCommand, against `process.argv[1]`, which launch.mjs sets to the
 * source file) read it.
 */
import type { BuildOptions, Plugin } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { asEsbuildWould, LoadedFiles, PROBE_BUILD, writeBuild } from './bundle.js';
import { REPO_ROOT } from './root.mjs';
import {
  currentScriptBundle,
  pruneGenerations,
  scriptBundleFolder,
  scriptBundleKey,
  scriptRecordFile,
} from './script-bundles.mjs';

/** How each script's packages are built in; the default: left in node_modules. */
const PACKAGES: Readonly<Record<string, BuildOptions>> = {
  // As the runner image's bundle (PROBE_BUILD), but the OpenTelemetry packages stay in node_modules.
  probe: { ...PROBE_BUILD, external: [...PROBE_BUILD.external, '@opentelemetry/*'] },
};

/**
 * Gives `import.meta.url` in each of our files (not a package's) the source file's URL, relative
 * to the chunk it lands in (every chunk of a build is in `outdir`). esbuild's own define replaces
 * only real `import.meta.url` expressions (never one in a string or comment).
 */
function sourceUrls(outdir: string, loaded: LoadedFiles): Plugin {
  return {
    name: 'import-meta-url-of-the-source',
    setup(b) {
      b.onLoad({ filter: /\.(?:m?ts|m?js)$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const bytes = loaded.read(args.path);
        const text = bytes.toString('utf8');
        if (!text.includes('import.meta')) return asEsbuildWould(bytes); // as read: not read again by the LoadedFiles plugin
        const { transform } = await import('esbuild');
        const js = await transform(text, {
          loader: args.path.endsWith('ts') ? 'ts' : 'js',
          format: 'esm',
          define: { 'import.meta.url': '__sourceUrl' },
          tsconfigRaw: readFileSync(join(REPO_ROOT, 'tsconfig.json'), 'utf8'),
          sourcefile: args.path,
        });
        const source = relative(outdir, args.path).split(sep).join('/');
        const url = `const __sourceUrl = new URL(${JSON.stringify(source)}, import.meta.url).href;\n`;
        const hashbang = /^#!.*\n/.exec(js.code)?.[0] ?? ''; // stays first
        const contents = hashbang + url + js.code.slice(hashbang.length);
        return { contents, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/**
 * The entry of the current bundle of the script `entry` (scripts/<name>.ts) in `folder`, built
 * first when it is not up to date. `entry` and `folder` other than a script's are for tests.
 */
export async function bundleScript(
  entry: string,
  folder = scriptBundleFolder(basename(entry, '.ts')),
): Promise<string> {
  const key = scriptBundleKey(entry);
  const current = currentScriptBundle(folder, key);
  if (current !== undefined) return current;
  const startedAt = Date.now();
  const name = basename(entry, '.ts');
  // A generation of its own, named after this process (which keeps it from being pruned meanwhile).
  const generation = join(folder, `${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(generation, { recursive: true });
  const outfile = join(generation, `${name}.mjs`);
  try {
    return await buildGeneration(entry, folder, { key, startedAt, generation, outfile });
  } catch (err) {
    rmSync(generation, { recursive: true, force: true });
    throw err;
  }
}

async function buildGeneration(
  entry: string,
  folder: string,
  build: { key: string; startedAt: number; generation: string; outfile: string },
): Promise<string> {
  const { key, startedAt, generation, outfile } = build;
  const name = basename(entry, '.ts');
  const esbuild = await import('esbuild');
  const loaded = new LoadedFiles();
  const result = await esbuild.build({
    entryPoints: { [name]: entry },
    absWorkingDir: REPO_ROOT,
    outdir: generation,
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    splitting: true,
    logLevel: 'error',
    legalComments: 'none',
    plugins: [sourceUrls(generation, loaded), loaded.plugin()],
    ...(PACKAGES[name] ?? { packages: 'external' }),
    metafile: true,
    write: false,
  });
  writeBuild(result, { key, entry: outfile, startedAt, recordFile: scriptRecordFile(folder), loaded });
  pruneGenerations(folder);
  return outfile;
}
