/**
 * Flux build check of one environment folder: `kustomization.yaml` lists exactly the files in
 * the folder (so Flux applies what was reviewed, nothing more or less), and the folder builds
 * with `kubectl kustomize` when kubectl is on PATH (otherwise that part is skipped with a note).
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describeChildFailure, timedOut } from '../core/child-failure.js';
import { isKustomizeConfig, KUSTOMIZATION_FILE } from '../core/manifests.js';
import { withoutRepositoryLocation } from '../core/git-location.js';
import { runProgram } from '../core/run-program.js';
import type { Finding } from './finding.js';
import { parseDocuments, type EnvironmentFolder } from './manifests.js';
import { isRecord } from '../core/is-record.js';

export interface FluxBuildOptions {
  /** Root that reported paths are relative to. */
  readonly root: string;
  /** kubectl to build with; `false` skips the build. @default 'kubectl' (skipped when not on PATH) */
  readonly kubectl?: string | false;
  /** @default 60000 */
  readonly timeoutMs?: number;
  /** The folder is not what synth writes (synth.not-synthesized, checked first): the build is not run. */
  readonly notSynthesized?: boolean;
}

export interface FluxBuildResult {
  readonly findings: readonly Finding[];
  /** Why the kustomize build was not run, when it was not. */
  readonly skipped?: string;
}

/**
 * A `resources` entry kustomize would fetch over the network: a URL (`https://`, `ssh://`, ...),
 * go-getter's `git::`, an scp-like `git@host:repo`, or a `host.tld/path` (kustomize's own remote
 * shorthand, `github.com/org/repo//path?ref=`).
 */
function isRemoteResource(resource: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(resource) ||
    /^git::/i.test(resource) ||
    /^[^\s/@:]+@[^\s/:]+:/.test(resource) ||
    /^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(:\d+)?\//i.test(resource)
  );
}

/**
 * Findings that keep the build from running: the folder names what is not one of its files (a
 * remote or missing resource, a transform such as `bases`/`components`/`helmCharts` that may
 * fetch, a link leading outside dist/), which `kubectl kustomize` would fetch or read.
 */
const BEFORE_BUILD = new Set([
  'flux.remote-resource',
  'flux.missing-file',
  'flux.not-a-file',
  'flux.kustomization-transform',
  'flux.link-outside',
]);

export async function checkFluxBuild(env: EnvironmentFolder, options: FluxBuildOptions): Promise<FluxBuildResult> {
  const findings: Finding[] = [];
  const file = relative(options.root, join(env.dir, KUSTOMIZATION_FILE)) || KUSTOMIZATION_FILE;
  const kpath = join(env.dir, KUSTOMIZATION_FILE);
  const fail = (rule: string, message: string, fix: string, path?: string) =>
    findings.push({ severity: 'error', area: 'flux', file, rule, message, fix, ...(path ? { path } : {}) });
  const folder = relative(options.root, env.dir) || '.';
  for (const link of env.linksOutside)
    findings.push({
      severity: 'error',
      area: 'flux',
      file: link.entry === '.' ? folder : `${folder}/${link.entry}`,
      rule: 'flux.link-outside',
      message:
        `${link.entry === '.' ? 'the folder' : link.entry} is a symbolic link to ${link.target}, outside the dist folder: ` +
        'Flux would apply what nobody reviewed in dist/ (the gate does not read it)',
      fix: 'replace the link with the file itself: npm run synth writes plain files',
    });
  if (env.linksOutside.some((l) => l.entry === '.' || l.entry === KUSTOMIZATION_FILE))
    return { findings, skipped: `kubectl kustomize ${folder} not run: it leads outside the dist folder` };
  if (!existsSync(kpath)) {
    fail(
      'flux.no-kustomization',
      `dist/${env.name}/ has no ${KUSTOMIZATION_FILE}: Flux would generate one and apply every file it finds`,
      'npm run synth (it writes kustomization.yaml listing every file)',
    );
    return { findings };
  }
  const docs = parseDocuments(readFileSync(kpath, 'utf8'));
  const doc = docs[0];
  const value = isRecord(doc?.value) ? doc.value : {};
  if (value.kind !== 'Kustomization' || !isKustomizeConfig(value)) {
    fail(
      'flux.no-kustomization',
      `${KUSTOMIZATION_FILE} is not a kustomize.config.k8s.io Kustomization${doc?.problem ? ` (${doc.problem})` : ''}`,
      'npm run synth',
    );
  }
  if (docs.length > 1) {
    fail(
      'flux.kustomization-extra-document',
      `${KUSTOMIZATION_FILE} holds ${docs.length} documents: kustomize reads the first and silently ignores the rest`,
      'npm run synth (it writes one document)',
    );
  }
  const resources = Array.isArray(value.resources) ? value.resources.map(String) : [];
  const files = env.entries.filter((e) => e !== KUSTOMIZATION_FILE);
  for (const f of files) {
    if (!resources.includes(f))
      fail(
        'flux.unlisted-file',
        `${f} is in the folder but not listed in resources: Flux would not apply it`,
        `npm run synth (or remove ${f})`,
        'resources',
      );
  }
  resources.forEach((r, i) => {
    if (isRemoteResource(r))
      fail(
        'flux.remote-resource',
        `resources lists ${r}, a remote resource: kustomize would fetch it over the network, and Flux apply what nobody reviewed in dist/`,
        'remove it: every resource is a file of the folder (npm run synth writes them; vendor what it holds through src/)',
        `resources[${i}]`,
      );
    else if (!files.includes(r))
      fail(
        'flux.missing-file',
        `resources lists ${r}, which is not in the folder: the build fails`,
        'npm run synth',
        `resources[${i}]`,
      );
    // `files` holds the folder's entries, subfolders and links too: kustomize would build a folder's
    // own kustomization.yaml (which may fetch https://... or read ../../outside), so only a regular
    // file (not a link) is one of the folder's files.
    else if (!lstatSync(join(env.dir, r), { throwIfNoEntry: false })?.isFile())
      fail(
        'flux.not-a-file',
        `resources lists ${r}, which is not a file of the folder (a folder or a link): kustomize would build what it leads to, which nobody reviewed in dist/`,
        `remove ${r} from the folder (the link, or the folder and what it holds), then npm run synth: it writes plain files and lists only those`,
        `resources[${i}]`,
      );
  });
  for (const key of Object.keys(value)) {
    if (!['apiVersion', 'kind', 'resources'].includes(key)) {
      fail(
        'flux.kustomization-transform',
        `${KUSTOMIZATION_FILE} sets "${key}": Flux would apply objects that differ from the reviewed files`,
        `remove ${key}; change the stack and run npm run synth instead`,
        key,
      );
    }
  }

  if (findings.some((f) => BEFORE_BUILD.has(f.rule)))
    return {
      findings,
      skipped:
        `kubectl kustomize ${folder} not run: the folder names what is not one of its files ` +
        '(a remote or missing resource, a transform, a link outside the dist folder; above), which the build would fetch or read',
    };
  if (options.notSynthesized)
    return {
      findings,
      skipped: `kubectl kustomize ${folder} not run: the folder is not what npm run synth writes (above)`,
    };
  if (options.kubectl === false) return { findings, skipped: 'kubectl kustomize not run (disabled)' };
  const kubectl = options.kubectl ?? 'kubectl';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxBuffer = 64 * 1024 * 1024;
  // Started as git, helm and the export's kubectl are (runProgram: SIGKILL at the timeout, so a kubectl
  // that does not end on SIGTERM cannot hold the gate), and without GIT_DIR and the like, as the
  // export's kubectl (src/core/git-location.ts).
  const run = await runProgram(kubectl, ['kustomize', env.dir], {
    env: withoutRepositoryLocation(process.env),
    timeoutMs,
    maxBuffer,
    encoding: 'utf8',
  });
  if (run.error?.code === 'ENOENT') {
    return {
      findings,
      skipped: `kubectl not on PATH: "kubectl kustomize dist/${env.name}" not run (the file list was still checked)`,
    };
  }
  if (run.error) {
    // The finding's fix is the one fix (a timeout's is not said in the message too).
    const command = {
      command: `kubectl kustomize ${folder}`,
      program: kubectl,
      timeoutMs,
      maxBuffer,
      timeoutFix: null,
    };
    fail(
      'flux.kustomize-build',
      describeChildFailure(command, { error: run.error, stderr: run.stderr }),
      timedOut({ error: run.error })
        ? `run kubectl kustomize ${folder} to see where it waits`
        : 'fix the folder so it builds (npm run synth writes a buildable one)',
    );
  }
  return { findings };
}
