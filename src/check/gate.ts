/**
 * The manifest quality gate: schema validation, workload policies, Secret/ConfigMap references,
 * the cluster's scrape convention, secret scanning, the Flux build check and unresolved values,
 * over every environment folder in dist/ (and, for secrets, every file git tracks). Pure
 * orchestration: the checks live in their own files.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadEnvironment } from '../environments/load.js';
import { isKustomizeConfig, objectKey } from '../core/manifests.js';
import { splitApiVersion } from './core-validate.js';
import { vendoredCrds, type CrdSchemas } from './crd-cache.js';
import { POLICY_EXCEPTIONS, type PolicyException } from './exceptions.js';
import { renderedEngineConfig, validateEngineConfig } from './engine-config.js';
import type { Finding } from './finding.js';
import { checkFluxBuild } from './flux-build.js';
import { loadDist, refOf } from './manifests.js';
import { checkScrapeConvention } from './monitoring.js';
import { checkPolicies, exceptionFindings, type AppliedException } from './policy.js';
import type { PlacedObject } from './workloads.js';
import { checkReferences } from './references.js';
import { validateSchema } from './schema.js';
import { MAX_SCANNED_BYTES, scanFiles, TrackedFilesError, trackedTextFiles, type ScanFile } from './secrets.js';
import { unresolvedWarnings } from './unresolved.js';
import { checkSynthesized, type Synthesize } from './synthesized.js';
import { isRecord } from '../core/is-record.js';

export interface GateOptions {
  /** Repository root: reported paths are relative to it; `git ls-files` runs there. */
  readonly root: string;
  /** @default `<root>/dist` */
  readonly distDir?: string;
  /** Schemas of custom resources. @default the vendored CRDs in contracts/crds (`vendoredCrds()`) */
  readonly crds?: CrdSchemas;
  /** @default POLICY_EXCEPTIONS (src/check/exceptions.ts) */
  readonly exceptions?: readonly PolicyException[];
  /** Scan every file git tracks under `root`, not only dist/. @default true */
  readonly scanRepository?: boolean;
  /** kubectl for the kustomize build; `false` skips it. @default 'kubectl' when on PATH */
  readonly kubectl?: string | false;
  /**
   * What synth writes for an environment (scripts/check.ts: a fresh in-memory synthesis); each
   * folder must be exactly that (`synth.*`). @default not compared (a test's hand-made folder)
   */
  readonly synthesized?: Synthesize;
  /** The environment files, named like the dist/ folders (the scrape convention). @default `<root>/src/environments` */
  readonly environmentsDir?: string;
}

export interface GateStats {
  readonly environments: number;
  readonly objects: number;
  readonly workloads: number;
  readonly filesScanned: number;
}

export interface GateReport {
  /** Errors and warnings, sorted by file and line. */
  readonly findings: readonly Finding[];
  readonly excepted: readonly AppliedException[];
  /** What was skipped or not evaluated, and why. */
  readonly notes: readonly string[];
  readonly stats: GateStats;
}

export function errorsOf(report: GateReport): Finding[] {
  return report.findings.filter((f) => f.severity === 'error');
}

export async function runGate(options: GateOptions): Promise<GateReport> {
  const root = options.root;
  const distDir = options.distDir ?? join(root, 'dist');
  const exceptions = options.exceptions ?? POLICY_EXCEPTIONS;
  const environmentsDir = options.environmentsDir ?? join(root, 'src', 'environments');
  const findings: Finding[] = [];
  const excepted: AppliedException[] = [];
  const notes: string[] = [];
  let objects = 0;
  let workloads = 0;
  /** `Kind apiVersion` -> CEL rules of its CRD schema that ajv cannot evaluate. */
  const unevaluatedCel = new Map<string, number>();

  if (!existsSync(distDir)) {
    findings.push({
      severity: 'error',
      area: 'flux',
      file: relative(root, distDir) || distDir,
      rule: 'flux.no-dist',
      message: 'no dist/ folder to check',
      fix: 'npm run synth',
    });
    return { findings, excepted, notes, stats: { environments: 0, objects: 0, workloads: 0, filesScanned: 0 } };
  }
  const envs = loadDist(distDir, root);
  if (envs.length === 0) {
    findings.push({
      severity: 'error',
      area: 'flux',
      file: relative(root, distDir) || distDir,
      rule: 'flux.no-dist',
      message: 'dist/ holds no environment folder',
      fix: 'npm run synth',
    });
  }
  const crds = options.crds ?? vendoredCrds();
  if (crds.size() === 0)
    notes.push(`no CRD schema in ${crds.where}: every custom resource fails schema.missing (fix: ${crds.fix})`);

  for (const env of envs) {
    const placed: PlacedObject[] = [];
    const seen = new Map<string, string>();
    for (const file of env.files) {
      for (const doc of file.documents) {
        if (!doc.object) {
          // kustomization.yaml is build configuration (no metadata.name): flux-build checks it.
          if (isRecord(doc.value) && isKustomizeConfig(doc.value)) continue;
          findings.push({
            severity: 'error',
            area: 'schema',
            file: file.file,
            line: doc.line,
            rule: 'schema.not-an-object',
            message: `document ${doc.index + 1}: ${doc.problem ?? 'not a Kubernetes object'}`,
            fix: doc.fix ?? 'give apiVersion, kind and metadata.name (or remove the document)',
          });
          continue;
        }
        const o = doc.object;
        if (isKustomizeConfig(o)) continue;
        objects++;
        placed.push({ object: o, file: file.file, line: doc.line });
        // Identity as the API server sees it: the group too (two kinds of one name may differ by group).
        const id = `${splitApiVersion(o.apiVersion).group}/${objectKey(o)}`;
        const first = seen.get(id);
        if (first)
          findings.push({
            severity: 'error',
            area: 'flux',
            file: file.file,
            line: doc.line,
            object: refOf(o),
            rule: 'flux.duplicate-object',
            message: `the same object is also defined in ${first}`,
            fix: 'give every object a unique kind/namespace/name',
          });
        else seen.set(id, `${file.file}:${doc.line}`);

        const schema = await validateSchema(o, crds);
        if (schema.celRules) unevaluatedCel.set(`${o.kind} ${o.apiVersion}`, schema.celRules);
        for (const p of schema.problems) {
          findings.push({
            severity: 'error',
            area: 'schema',
            file: file.file,
            line: doc.line,
            object: refOf(o),
            path: p.path,
            rule: p.rule,
            message: p.message,
            fix: p.fix,
          });
        }
        const engine = renderedEngineConfig(o);
        if (engine) {
          const at = { area: 'engine-config' as const, file: file.file, line: doc.line, object: refOf(o) };
          if (engine.config !== undefined) {
            for (const p of await validateEngineConfig(engine.config)) {
              findings.push({
                ...at,
                severity: 'error',
                path: `spec.values.engine.extraConfig.${p.path}`.replace(/\.$/, ''),
                rule: p.rule,
                message: p.message,
                fix: p.fix,
              });
            }
          }
          for (const target of engine.fromReferences) {
            findings.push({
              ...at,
              severity: 'warning',
              path: 'spec.valuesFrom',
              rule: 'engine-config.not-validated',
              message:
                `${target} is set from a Secret or ConfigMap at deploy time (a targetPath overrides inline ` +
                `values), so its value is not checked against the engine config schema`,
              fix: 'render engine config inline with ${env:NAME} references to Secret-backed variables (docs/chart-values.md)',
            });
          }
        }
        findings.push(...unresolvedWarnings(o, file.file, doc.line));
      }
    }
    findings.push(...checkReferences(placed));
    const folder = relative(root, env.dir) || env.dir;
    findings.push(
      ...checkScrapeConvention(folder, placed, () => loadEnvironment(env.name, environmentsDir).env.monitoring),
    );
    const policy = checkPolicies(placed, exceptions);
    findings.push(...policy.findings);
    excepted.push(...policy.excepted);
    workloads += policy.workloads;
    // The synthesis comparison first: a folder that is not what synth writes (a `sub/` folder with its
    // own kustomization.yaml, a hand-edited file) is not built, so kubectl kustomize never follows what
    // nobody reviewed. A folder with a link leading outside dist/ is not compared (that would read the
    // linked file): flux.link-outside already fails it, and the build is not run either.
    const synth =
      options.synthesized && env.linksOutside.length === 0
        ? checkSynthesized(env.name, env.dir, folder, options.synthesized)
        : [];
    const build = await checkFluxBuild(env, {
      root,
      ...(options.kubectl !== undefined ? { kubectl: options.kubectl } : {}),
      ...(synth.length > 0 ? { notSynthesized: true } : {}),
    });
    findings.push(...build.findings, ...synth);
    if (build.skipped) notes.push(build.skipped);
  }
  findings.push(...exceptionFindings(exceptions, excepted, 'src/check/exceptions.ts'));
  if (unevaluatedCel.size > 0) {
    const kinds = [...unevaluatedCel].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} (${n})`);
    notes.push(
      `CRD CEL rules (x-kubernetes-validations) not evaluated: ${kinds.join(', ')}; kubectl apply --dry-run=server against the cluster is the proof`,
    );
  }

  // Secret scan: dist/ (parsed above) plus every tracked file.
  const scan = new Map<string, ScanFile>();
  for (const env of envs)
    for (const f of env.files) scan.set(f.file, { file: f.file, content: f.content, documents: f.documents });
  if (options.scanRepository ?? true) {
    try {
      const tracked = await trackedTextFiles(root);
      for (const f of tracked.files) {
        if (scan.has(f.file)) continue;
        const documents = crds.documentsOf?.(join(root, f.file), f.content); // the vendored CRDs: parsed once
        scan.set(f.file, documents ? { ...f, documents } : f);
      }
      if (tracked.tooLarge.length > 0)
        notes.push(
          `not scanned for secrets, over ${MAX_SCANNED_BYTES / 1024 / 1024} MB: ${tracked.tooLarge.join(', ')}`,
        );
    } catch (err) {
      // git's failure (TrackedFilesError: its message and fix), or a listed file that could not be read.
      const failure =
        err instanceof TrackedFilesError
          ? err
          : {
              message: `reading the tracked files failed: ${(err as Error).message.split('\n')[0]}`,
              fix: 'let the gate read every tracked file (or pass --dist-only to scan dist/ only)',
            };
      findings.push({
        severity: 'error',
        area: 'secret',
        file: '.',
        rule: 'secret.scan-failed',
        message: failure.message,
        fix: failure.fix,
      });
    }
  } else {
    notes.push('repository scan disabled: only dist/ was scanned for secrets');
  }
  findings.push(...(await scanFiles([...scan.values()])));

  findings.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      a.rule.localeCompare(b.rule) ||
      (a.path ?? '').localeCompare(b.path ?? ''),
  );
  return {
    findings,
    excepted,
    notes,
    stats: { environments: envs.length, objects, workloads, filesScanned: scan.size },
  };
}
