/** Helpers for the synth tests: load environments, parse synthesized YAML back into objects. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { EnvironmentError, parseEnvironment } from '../../src/environments/load.js';
import type { Environment } from '../../src/environments/schema.js';
import type { EnvironmentOutput } from '../../src/synth.js';

export const FIXTURE_ENVIRONMENTS = fileURLToPath(new URL('../fixtures/environments/', import.meta.url));

/** A Kubernetes object as parsed from YAML (tests read fields by path). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown> & { [key: string]: unknown };
  [key: string]: unknown;
}

export function fixtureEnvironment(name: string): Environment {
  const file = `${FIXTURE_ENVIRONMENTS}${name}.yaml`;
  return parseEnvironment(readFileSync(file, 'utf8'), file);
}

/** The problems an environment file's text is rejected with; throws when it is accepted. */
export function environmentProblems(text: string, file: string): string[] {
  try {
    parseEnvironment(text, file);
  } catch (err) {
    if (err instanceof EnvironmentError) return [...err.problems];
    throw err;
  }
  throw new Error(`expected ${file} to be rejected, but it was accepted`);
}

/** Parses a multi-document YAML stream into objects (comments dropped). */
export function parseObjects(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** All objects of one environment's output, with the file each came from. */
export function objectsOf(output: EnvironmentOutput): (K8sObject & { file: string })[] {
  return output.files
    .filter((f) => !f.path.endsWith('/kustomization.yaml'))
    .flatMap((f) => parseObjects(f.content).map((o) => ({ ...o, file: f.path })));
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(`no ${kind} ${name} in [${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}]`);
  return found;
}
