/**
 * Loads and validates environment files (`src/environments/*.yaml`).
 *
 * Every problem is reported as `<file>: <field path>: <what is wrong> (fix: <what to do>)`, all
 * problems of all files at once, so a person fixes them in one pass.
 */
import { readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { isWithin } from '../core/path-within.mjs';
import { printableCapped } from '../core/printable.js';
import { EnvironmentError, shownProblem } from './environment-error.js';
import { EnvironmentSchema, type Environment } from './schema.js';
import { at } from '../core/at.js';
import { rulerClashes } from './ruler-clash.js';
import { readEnvironmentFile } from './read-file.js';
import { yamlValue } from '../core/yaml-input.js';
import { BESIDE_A_BUNDLE } from '../core/beside-bundle.mjs';

export { EnvironmentError };

const here = fileURLToPath(new URL('.', import.meta.url));
/**
 * Folder of the committed environment files: next to this module, or, from a bundle under the
 * repository's .build/ (the synth's .build/main.cjs), the repository's src/environments/.
 */
export const ENVIRONMENTS_DIR = here.includes('/.build/')
  ? join(here.slice(0, here.lastIndexOf('/.build/')), 'src', 'environments')
  : here;

/** A loaded environment and the file it came from. */
export interface LoadedEnvironment {
  readonly file: string;
  readonly env: Environment;
}

/** A key or path segment of the file, as a problem names it: escaped, at most 100 characters. */
const keyShown = (key: PropertyKey) => printableCapped(String(key), 100);

function pathOf(issue: z.core.$ZodIssue): string {
  return issue.path.length === 0 ? '(top level)' : issue.path.map(keyShown).join('.');
}

/** What the document holds at an issue's path: `absent` when the field is not there at all. */
function foundAt(input: unknown, path: readonly PropertyKey[]): string {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return 'absent';
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  if (current === undefined) return 'absent';
  if (current === null) return 'an empty value';
  if (Array.isArray(current)) return 'a list';
  return typeof current === 'object' ? 'a map' : `a ${typeof current}`;
}

function fixFor(issue: z.core.$ZodIssue, input: unknown): string {
  // zod 4 does not keep the input in its issues: read the document to tell "missing" from "wrong type".
  const found = foundAt(input, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return (
        `remove ${issue.keys.map((k) => `'${keyShown(k)}'`).join(', ')} or correct the spelling ` +
        '(see src/environments/schema.ts for the fields)'
      );
    case 'invalid_type':
      return found === 'absent'
        ? `add the field (expected ${issue.expected}), or mark it { unresolved: "<why it is unknown>" } where the schema allows`
        : `give a value of type ${issue.expected} instead of ${found}`;
    case 'invalid_value':
      return `use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return (
        `${found === 'absent' ? 'add the field: ' : ''}give a value of the documented type, or { ` +
        `unresolved: "<why it is unknown>" } where the value is not known yet`
      );
    case 'invalid_key':
      return 'rename the key as the message says';
    default:
      return 'correct the value as the message says';
  }
}

/**
 * Formats zod issues as `<file>: <path>: <message> (fix: …)` lines; `input` is the document that
 * was validated (to tell a missing field from one of the wrong type).
 */
export function describeIssues(file: string, error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    // A union of "value or unresolved marker" reports both branches: keep the value's message.
    let message = issue.message;
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const first = issue.errors[0]?.[0];
      if (first) message = `${first.message}`;
    }
    // A record key that fails its pattern: zod says "Invalid key in record"; the pattern's message says what a key must be.
    const [inner] = issue.code === 'invalid_key' ? issue.issues : [];
    if (inner) message = `${message}: ${inner.message}`;
    // zod's own words, each key whole: a 50 000-character key made a 50 000-character line.
    if (issue.code === 'unrecognized_keys')
      message = `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.map((k) => `"${keyShown(k)}"`).join(', ')}`;
    return `${file}: ${pathOf(issue)}: ${message} (fix: ${fixFor(issue, input)})`;
  });
}

/** Parses and validates one environment's YAML text. Throws EnvironmentError naming the field. */
export function parseEnvironment(text: string, file: string): Environment {
  // An alias bomb or a syntax error is configuration too (src/core/yaml-input.ts).
  const input = yamlValue(text, { file, refuse: (problems) => new EnvironmentError(problems) });
  const parsed = EnvironmentSchema.safeParse(input);
  if (!parsed.success) throw new EnvironmentError(describeIssues(file, parsed.error, input));
  const expected = basename(file).replace(/\.ya?ml$/, '');
  if (parsed.data.name !== expected) {
    throw new EnvironmentError([
      `${file}: name: '${parsed.data.name}' does not match the file name (fix: set name: ${expected}, or rename the file to ${parsed.data.name}.yaml)`,
    ]);
  }
  return parsed.data;
}

/** What a folder of environment files holds: each environment's file, and what is wrong with its files. */
interface Discovery {
  readonly dir: string;
  /** Environment name -> its `<name>.yaml`, when there is one. */
  readonly files: ReadonlyMap<string, string>;
  /** Environment name -> problems with its files (a second or wrongly named file). */
  readonly problems: ReadonlyMap<string, readonly string[]>;
}

/** An environment file's one extension. */
const EXTENSION = '.yaml';
/** Other names an environment file might be given: refused, never read and never silently ignored. */
const OTHER_SPELLING = /\.(ya?ml|json)$/i;
/** Whether `f` is a file `npm run bundle` writes beside a runner, in the folder it reads as its environments. */
const besideABundle = (f: string) => BESIDE_A_BUNDLE.some((suffix) => f.endsWith(`.mjs${suffix}`));

/** A path as a person reads it: relative to the working folder when inside it, else absolute. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && isWithin(process.cwd(), path) ? rel : path;
}

/**
 * Lists `<dir>/<name>.yaml`, one per environment. A `.yml` (or `.YAML`, `.json`) file would
 * otherwise be read or ignored depending on the command: it is a problem of its environment,
 * naming both files when it sits beside the `.yaml`.
 */
function discover(dir: string): Discovery {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (err) {
    throw new EnvironmentError(
      [
        `${shown(dir)}: cannot read the folder of environment files ` +
          `(${(err as NodeJS.ErrnoException).code ?? (err as Error).message}) (fix: pass ` +
          `--environments <dir> with an existing folder)`,
      ],
      'no environments',
    );
  }
  const files = new Map<string, string>();
  const problems = new Map<string, string[]>();
  for (const f of entries) if (f.endsWith(EXTENSION)) files.set(f.slice(0, -EXTENSION.length), join(dir, f));
  for (const f of entries) {
    if (f.endsWith(EXTENSION) || !OTHER_SPELLING.test(f) || besideABundle(f)) continue;
    const name = f.replace(OTHER_SPELLING, '');
    const wanted = `${name}${EXTENSION}`;
    const problem = files.has(name)
      ? `${shown(join(dir, f))}: a second file for environment '${name}' beside ` +
        `${shown(join(dir, wanted))} (fix: keep one file, ${wanted}: move what ${f} holds into it ` +
        `and delete ${f})`
      : `${shown(join(dir, f))}: environment files end in ${EXTENSION} (fix: rename it to ${wanted})`;
    problems.set(name, [...(problems.get(name) ?? []), problem]);
  }
  return { dir, files, problems };
}

/** The environments of the folder, by name; none is an error. */
function namesOf(found: Discovery): string[] {
  const all = [...new Set([...found.files.keys(), ...found.problems.keys()])].sort();
  if (all.length === 0) {
    throw new EnvironmentError(
      [`${shown(found.dir)}: no environment files (fix: add <name>${EXTENSION}, see README "Adding an environment")`],
      'no environments',
    );
  }
  return all;
}

/** The problems of one environment: its files, then its content. Returns the environment when there are none. */
function check(found: Discovery, name: string): { loaded?: LoadedEnvironment; problems: string[] } {
  const problems = [...(found.problems.get(name) ?? [])];
  const file = found.files.get(name);
  if (!file) return { problems };
  const text = readEnvironmentFile(file, shown(file));
  if (typeof text !== 'string') return { problems: [...problems, text.problem] };
  try {
    const env = parseEnvironment(text, shown(file));
    return problems.length > 0 ? { problems } : { loaded: { file, env }, problems };
  } catch (err) {
    if (err instanceof EnvironmentError) return { problems: [...problems, ...err.problems] };
    throw err;
  }
}

/**
 * Loads every environment in `dir`, sorted by name: what synth and a diff of all environments
 * need. All files' problems are gathered into one EnvironmentError.
 */
export function loadEnvironments(dir: string = ENVIRONMENTS_DIR): LoadedEnvironment[] {
  const found = discover(dir);
  const all = namesOf(found);
  const loaded: LoadedEnvironment[] = [];
  const problems: string[] = [];
  for (const name of all) {
    // check() returns the environment exactly when it has no problem.
    const result = check(found, name);
    problems.push(...result.problems);
    if (result.loaded) loaded.push(result.loaded);
  }
  // Two environments syncing alert rules into one ruler namespace would overwrite each other's groups.
  problems.push(...rulerClashes(loaded.map((l) => ({ file: shown(l.file), env: l.env }))));
  if (problems.length > 0) throw new EnvironmentError(problems);
  return loaded;
}

/** One environment for a command that works on one, and what is wrong with the others. */
export interface SelectedEnvironment extends LoadedEnvironment {
  /**
   * Problems of the other environments' files, which the command does not use: for a warning,
   * so one unfinished environment does not block work on another.
   */
  readonly warnings: readonly string[];
  /**
   * This environment and another valid one sync their alert rules into one ruler namespace
   * (./ruler-clash.ts), one problem per other: `npm run rules -- --sync` refuses them, a check reports them (exit 1); others need not.
   */
  readonly rulerClashes: readonly string[];
}

/**
 * Loads one environment by name (`--env`), or the only one when `name` is undefined. Only this
 * environment must be valid: the others are checked for the warnings alone.
 */
export function loadEnvironment(name: string | undefined, dir: string = ENVIRONMENTS_DIR): SelectedEnvironment {
  const found = discover(dir);
  const all = namesOf(found);
  if (name === undefined && all.length > 1) {
    throw new EnvironmentError(
      [`--env is required: there are ${all.length} environments (${all.join(', ')}) (fix: pass --env <name>)`],
      'environment not chosen',
    );
  }
  const chosen = name ?? at(all, 0, 'environment');
  if (!all.includes(chosen)) {
    throw new EnvironmentError(
      [`--env ${chosen}: no such environment (fix: use one of ${all.join(', ')})`],
      'unknown environment',
    );
  }
  const own = check(found, chosen);
  if (!own.loaded) throw new EnvironmentError(own.problems);
  const others = all.filter((other) => other !== chosen).map((other) => ({ other, ...check(found, other) }));
  const placed = [own.loaded, ...others.flatMap((o) => (o.loaded ? [o.loaded] : []))];
  const clashes = rulerClashes(
    placed.map((l) => ({ file: shown(l.file), env: l.env })),
    chosen,
  );
  // Escaped: the other file's name and problems are its text (a key, a value, an unreadable file's name).
  const warnings = others
    .filter(({ problems }) => problems.length > 0)
    .map(({ other, problems }) =>
      shownProblem(
        problems.length === 1
          ? `environment '${other}' is invalid (not used here): ${problems[0]}`
          : `environment '${other}' is invalid (not used here; ${problems.length} problems, all shown with --env ${other}), the first: ${problems[0]}`,
      ),
    );
  return { ...own.loaded, warnings, rulerClashes: clashes };
}
