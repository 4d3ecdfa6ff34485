/**
 * Loads and validates environment files (`src/environments/*.yaml`).
 *
 * Every problem is reported as `<file>: <field path>: <what is wrong> (fix: <what to do>)`, all
 * problems of all files at once, so a person fixes them in one pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ProblemsError } from '../shared/problems-error.js';
import { EnvironmentSchema, type Environment } from './schema.js';

/** Folder of the committed environment files (next to this module, also in the bundle). */
export const ENVIRONMENTS_DIR = fileURLToPath(new URL('.', import.meta.url)).includes('/.build/')
  ? join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'environments')
  : fileURLToPath(new URL('.', import.meta.url));

export class EnvironmentError extends ProblemsError {
  constructor(problems: readonly string[]) {
    super('invalid environment definition', problems);
    this.name = 'EnvironmentError';
  }
}

/** A loaded environment and the file it came from. */
export interface LoadedEnvironment {
  readonly file: string;
  readonly env: Environment;
}

function pathOf(issue: z.core.$ZodIssue): string {
  return issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.');
}

function fixFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `remove ${issue.keys.map((k) => `'${k}'`).join(', ')} or correct the spelling (see src/environments/schema.ts for the fields)`;
    case 'invalid_type':
      return issue.input === undefined
        ? `add the field (expected ${issue.expected}), or mark it { unresolved: "<why it is unknown>" } where the schema allows`
        : `give a value of type ${issue.expected}`;
    case 'invalid_value':
      return `use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'give a value of the documented type, or { unresolved: "<why it is unknown>" } where the value is not known yet';
    default:
      return 'correct the value as the message says';
  }
}

/** Formats zod issues as `<file>: <path>: <message> (fix: …)` lines. */
export function describeIssues(file: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    // A union of "value or unresolved marker" reports both branches: keep the value's message.
    let message = issue.message;
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const first = issue.errors[0]?.[0];
      if (first) message = `${first.message}`;
    }
    return `${file}: ${pathOf(issue)}: ${message} (fix: ${fixFor(issue)})`;
  });
}

/** Parses and validates one environment's YAML text. Throws EnvironmentError naming the field. */
export function parseEnvironment(text: string, file: string): Environment {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new EnvironmentError(doc.errors.map((e) => `${file}: YAML syntax: ${e.message.split('\n')[0]} (fix: correct the YAML at that line)`));
  }
  const parsed = EnvironmentSchema.safeParse(doc.toJS());
  if (!parsed.success) throw new EnvironmentError(describeIssues(file, parsed.error));
  const expected = basename(file).replace(/\.ya?ml$/, '');
  if (parsed.data.name !== expected) {
    throw new EnvironmentError([
      `${file}: name: '${parsed.data.name}' does not match the file name (fix: set name: ${expected}, or rename the file to ${parsed.data.name}.yaml)`,
    ]);
  }
  return parsed.data;
}

/**
 * Loads every `*.yaml` environment in `dir`, sorted by name. All files' problems are gathered
 * into one EnvironmentError.
 */
export function loadEnvironments(dir: string = ENVIRONMENTS_DIR): LoadedEnvironment[] {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const loaded: LoadedEnvironment[] = [];
  const problems: string[] = [];
  for (const f of files) {
    const path = join(dir, f);
    const shown = relative(process.cwd(), path) || path;
    try {
      loaded.push({ file: path, env: parseEnvironment(readFileSync(path, 'utf8'), shown) });
    } catch (err) {
      if (err instanceof EnvironmentError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length > 0) throw new EnvironmentError(problems);
  if (loaded.length === 0) {
    throw new EnvironmentError([`${dir}: no environment files (fix: add <name>.yaml, see README "Adding an environment")`]);
  }
  return loaded;
}

/** Loads one environment by name. */
export function loadEnvironment(name: string, dir: string = ENVIRONMENTS_DIR): LoadedEnvironment {
  const all = loadEnvironments(dir);
  const found = all.find((l) => l.env.name === name);
  if (!found) {
    throw new EnvironmentError([
      `--env ${name}: no such environment (fix: use one of ${all.map((l) => l.env.name).join(', ')})`,
    ]);
  }
  return found;
}
