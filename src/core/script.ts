/**
 * The script harness: every entry point under scripts/ declares its command line as one typed
 * option table and runs through runScript(), so every command parses, documents and fails the
 * same way:
 *
 * - Strict parsing. node's `parseArgs` splits the arguments (`--name value`, `--name=value`,
 *   `-h`, `--`); the harness then checks every token itself. An unknown option, a positional
 *   argument, a missing or empty value, a value given to a flag and an option given twice are
 *   usage errors (exit 2), an unknown option with the nearest known one ("did you mean").
 *   Values stay strings unless the table says `number`: an all-digit `--revision 1234567` is
 *   not turned into a number (zx's minimist `argv` did that). A value option takes the next
 *   argument even when it starts with one dash, so `--timeout -1` is refused for its range,
 *   not as "ambiguous"; a following `--option` means the value is missing.
 * - Messages never echo a positional argument or the value of an unknown option: either may be
 *   a secret typed in the wrong place (`npm run seal` reads its value from stdin only).
 * - `--help` (`-h`) is generated from the same table: usage, description, options with their
 *   defaults, environment variables, exit codes, examples.
 * - Exit codes: 0 success, 1 a finding or a failure, 2 bad usage or configuration; 130/143 when
 *   an interruptible command was stopped by SIGINT/SIGTERM (the shell's 128 + signal number).
 *   A failure the command expects (a CommandError: usage, configuration, refusal, finding; see
 *   src/core/command-error.ts) is printed as its message alone, `<command>: <message>`;
 *   anything else is a bug and keeps its stack trace.
 * - process.exit is never called: runScript sets process.exitCode and returns, so buffered output
 *   is flushed and a handle left open shows up as a hang in the tests rather than being hidden.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CommandError, UsageError, type InterruptSignal } from './command-error.js';
import { likelyTypoOf } from './edit-distance.js';

interface OptionBase {
  /** One or more lines for --help (continuation lines are indented by the harness). */
  readonly description: string;
}

/** `--name <value>`: a non-empty string. */
export interface StringOption extends OptionBase {
  readonly type: 'string';
  /** The value's name in --help, e.g. `<dir>`. */
  readonly value: string;
  /** Refused when absent (the usage line shows it without brackets). @default false */
  readonly required?: boolean;
  /** Applied when absent and shown in --help. */
  readonly default?: string;
}

/** `--name`: true when given; takes no value. */
export interface BooleanOption extends OptionBase {
  readonly type: 'boolean';
}

/** `--name <n>`: a decimal number, checked against the range. */
export interface NumberOption extends OptionBase {
  readonly type: 'number';
  readonly value: string;
  /** Whole numbers only. @default false */
  readonly integer?: boolean;
  /** Smallest accepted value (inclusive). */
  readonly min?: number;
  /** Values must be greater than this (exclusive), e.g. 0 for a timeout. */
  readonly above?: number;
  /** Largest accepted value (inclusive). */
  readonly max?: number;
  /** What the number counts, for messages ("a number of seconds > 0"). */
  readonly unit?: string;
  readonly default?: number;
}

/** `--name <value>`, repeatable: every value in order (empty when absent). */
export interface ListOption extends OptionBase {
  readonly type: 'list';
  readonly value: string;
}

/** `--name <a|b>`: one of a closed set. */
export interface ChoiceOption extends OptionBase {
  readonly type: 'choice';
  readonly choices: readonly string[];
  /** Refused when absent. @default false */
  readonly required?: boolean;
  readonly default?: string;
}

export type OptionSpec = StringOption | BooleanOption | NumberOption | ListOption | ChoiceOption;
export type OptionTable = Readonly<Record<string, OptionSpec>>;

type ValueOf<O extends OptionSpec> = O extends BooleanOption
  ? boolean
  : O extends ListOption
    ? readonly string[]
    : O extends ChoiceOption
      ? O extends { readonly required: true } | { readonly default: string }
        ? O['choices'][number]
        : O['choices'][number] | undefined
      : O extends NumberOption
        ? O extends { readonly default: number }
          ? number
          : number | undefined
        : O extends { readonly required: true } | { readonly default: string }
          ? string
          : string | undefined;

/** The parsed command line, typed from the table: one property per option, named as the option. */
export type OptionValues<T extends OptionTable> = { readonly [K in keyof T]: ValueOf<T[K]> };

export interface ScriptSpec<T extends OptionTable> {
  /** The npm script: `npm run <name>`; also the prefix of every message. */
  readonly name: string;
  /**
   * The usage line after "Usage: ", when the generated one (`npm run <name> -- <required> [options]`)
   * would not say enough, e.g. a choice between two options or a value on stdin.
   */
  readonly usage?: string;
  /** What the command does, for --help (lines wrapped by hand at about 100 columns). */
  readonly description: string;
  readonly options: T;
  /** Environment variables the command reads, with what for. */
  readonly environment?: Readonly<Record<string, string>>;
  /** What 0 and 1 mean for this command (and 2 beyond "bad usage or configuration", if anything). */
  readonly exitCodes: { readonly 0: string; readonly 1: string; readonly 2?: string };
  readonly examples: readonly string[];
  /**
   * SIGINT/SIGTERM abort `context.signal` instead of ending the process, so the command stops
   * its children and removes its temporary files; it then throws Interrupted. A second signal
   * ends the process at once. @default false (the signal ends the process, as usual)
   */
  readonly interruptible?: boolean;
}

export interface ScriptContext {
  /** Prints `<name>: warning: <message>` on stderr. */
  warn(message: string): void;
  /** Aborted (reason: the signal name) on SIGINT/SIGTERM when the script is interruptible. */
  readonly signal: AbortSignal;
}

/** Defines a script (typed: the literal table gives each option its value type). */
export function defineScript<const T extends OptionTable>(spec: ScriptSpec<T>): ScriptSpec<T> {
  for (const [name, option] of Object.entries(spec.options)) {
    if (name === 'help') throw new Error(`${spec.name}: --help is the harness' own option`);
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      throw new Error(`${spec.name}: option name '${name}' must be lower-case kebab-case`);
    if (option.type === 'choice' && option.default !== undefined && !option.choices.includes(option.default)) {
      throw new Error(`${spec.name}: --${name} default '${option.default}' is not one of its choices`);
    }
  }
  return spec;
}

/** `--help` was asked for: the caller prints helpText() and exits 0. */
export const HELP = Symbol('help');

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The option closest to an unknown one (a typo, or a prefix of a longer name). */
function nearest(name: string, known: readonly string[]): string | undefined {
  if (name.length >= 3) {
    const prefixed = known.filter((k) => k.startsWith(name));
    if (prefixed.length === 1) return prefixed[0];
  }
  return likelyTypoOf(name, known);
}

function describeNumber(option: NumberOption): string {
  const kind = `${option.integer ? 'a whole number' : 'a number'}${option.unit ? ` of ${option.unit}` : ''}`;
  const range = [
    option.min !== undefined ? `>= ${option.min}` : undefined,
    option.above !== undefined ? `> ${option.above}` : undefined,
    option.max !== undefined ? `<= ${option.max}` : undefined,
  ].filter((r): r is string => r !== undefined);
  return range.length > 0 ? `${kind} ${range.join(' and ')}` : kind;
}

function parseNumber(name: string, option: NumberOption, raw: string): number {
  const n = Number(raw);
  const ok =
    NUMBER.test(raw.trim()) &&
    Number.isFinite(n) &&
    (!option.integer || Number.isInteger(n)) &&
    (option.min === undefined || n >= option.min) &&
    (option.above === undefined || n > option.above) &&
    (option.max === undefined || n <= option.max);
  if (!ok) throw new UsageError(`--${name} must be ${describeNumber(option)} (got '${raw}')`);
  return n;
}

function parseChoice(name: string, option: ChoiceOption, raw: string): string {
  if (option.choices.includes(raw)) return raw;
  const guess = likelyTypoOf(raw, option.choices);
  throw new UsageError(
    `--${name} must be one of ${option.choices.join(', ')} (got '${raw}'${guess ? `; did you mean ${guess}?` : ''})`,
  );
}

/**
 * Parses `args` against the table. Returns HELP when --help/-h is given (anywhere: it wins over
 * every other argument); throws UsageError for anything the table does not allow.
 */
export function parseCommandLine<T extends OptionTable>(
  options: T,
  args: readonly string[],
): OptionValues<T> | typeof HELP {
  // Non-strict parseArgs only splits the arguments; every rule is checked below, with messages
  // that name the option and never echo a value that may be a secret.
  const declared: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, option] of Object.entries(options))
    declared[name] = { type: option.type === 'boolean' ? 'boolean' : 'string' };
  const { tokens } = parseArgs({
    args: [...args],
    options: declared,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return HELP;

  const known = Object.keys(options);
  const raw = new Map<string, string[]>();
  let positionals = 0;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals++;
      continue;
    }
    const option = options[token.name];
    if (!option) {
      const guess = nearest(token.name, [...known, 'help']);
      throw new UsageError(`unknown option ${token.rawName}${guess ? ` (did you mean --${guess}?)` : ''}`);
    }
    if (option.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`--${token.name} takes no value`);
    } else if (token.value === undefined || token.value === '') {
      throw new UsageError(
        `--${token.name} needs a value ${option.type === 'choice' ? `<${option.choices.join('|')}>` : option.value}`,
      );
    } else if (!token.inlineValue && token.value.startsWith('--')) {
      throw new UsageError(
        `--${token.name} needs a value ${option.type === 'choice' ? `<${option.choices.join('|')}>` : option.value}, ` +
          `not another option (for a value starting with --, write --${token.name}=<value>)`,
      );
    }
    const seen = raw.get(token.name) ?? [];
    if (seen.length > 0 && option.type !== 'list')
      throw new UsageError(`--${token.name} is given more than once (give it once)`);
    raw.set(token.name, [...seen, token.value ?? '']);
  }
  if (positionals > 0) {
    throw new UsageError(
      `${positionals} positional argument(s) refused: options only, as --name <value> (not echoed: it may be a secret)`,
    );
  }

  const missing = Object.entries(options)
    .filter(([name, option]) => isRequired(option) && !raw.has(name))
    .map(([name, option]) => `--${name}${placeholder(option)}`);
  if (missing.length > 0) throw new UsageError(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required`);

  const values: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(options)) {
    const given = raw.get(name);
    const last = given?.[given.length - 1];
    switch (option.type) {
      case 'boolean':
        values[name] = given !== undefined;
        break;
      case 'list':
        values[name] = given ?? [];
        break;
      case 'number':
        values[name] = last !== undefined ? parseNumber(name, option, last) : option.default;
        break;
      case 'choice':
        values[name] = last !== undefined ? parseChoice(name, option, last) : option.default;
        break;
      case 'string':
        values[name] = last ?? option.default;
        break;
    }
  }
  return values as OptionValues<T>;
}

function placeholder(option: OptionSpec): string {
  switch (option.type) {
    case 'boolean':
      return '';
    case 'choice':
      return ` <${option.choices.join('|')}>`;
    case 'list':
      return ` ${option.value} ...`;
    default:
      return ` ${option.value}`;
  }
}

function indentLines(text: string, indent: string): string {
  return text
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : `${indent}${line}`))
    .join('\n');
}

/** Help text is wrapped to this many columns (lines written by hand stay as they are when they fit). */
const HELP_WIDTH = 100;

/**
 * Splits a line longer than `width` at spaces (a longer word stays whole); continuation lines
 * keep the line's indentation. Shorter lines stay as written.
 */
function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const indent = /^ */.exec(text)![0];
  const lines: string[] = [];
  let line = '';
  for (const word of text.slice(indent.length).split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(`${indent}${line}`);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, `${indent}${line}`];
}

/** Rows of `left  description`, the description wrapped and its extra lines aligned under its first. */
function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.min(Math.max(...rows.map(([left]) => left.length)) + 2, 28);
  const indent = `  ${' '.repeat(width)}`;
  return rows
    .map(([left, text]) => {
      const lines = text.split('\n').flatMap((l) => wrap(l, HELP_WIDTH - indent.length));
      const first = left.length + 2 > width ? `  ${left}\n${indent}${lines[0]}` : `  ${left.padEnd(width)}${lines[0]}`;
      return [first, ...lines.slice(1).map((l) => `${indent}${l}`)].join('\n');
    })
    .join('\n');
}

/** An option's description with what the table says of it (repeatable, range, default) on its own line when long. */
function optionText(option: OptionSpec): string {
  const notes: string[] = [];
  if (option.type === 'list') notes.push('repeatable');
  if (option.type === 'number') notes.push(describeNumber(option));
  if ('default' in option && option.default !== undefined) notes.push(`default: ${option.default}`);
  if (notes.length === 0) return option.description;
  const note = `(${notes.join('; ')})`;
  const last = option.description.split('\n').at(-1)!;
  return option.description.includes('\n') || last.length + note.length > 60
    ? `${option.description}\n${note}`
    : `${option.description} ${note}`;
}

/** The usage line's arguments, generated: required options first, then `[options]`. */
function isRequired(option: OptionSpec): boolean {
  return (option.type === 'string' || option.type === 'choice') && option.required === true;
}

function generatedUsage<T extends OptionTable>(spec: ScriptSpec<T>): string {
  const required = Object.entries(spec.options)
    .filter(([, o]) => isRequired(o))
    .map(([name, o]) => `--${name}${placeholder(o)}`);
  const optional = Object.values(spec.options).some((o) => !isRequired(o));
  const args = [...required, ...(optional ? ['[options]'] : [])];
  return `npm run ${spec.name}${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
}

/** The --help text, generated from the table. */
export function helpText<T extends OptionTable>(spec: ScriptSpec<T>): string {
  const options: [string, string][] = Object.entries(spec.options).map(([name, o]) => [
    `--${name}${placeholder(o)}`,
    optionText(o),
  ]);
  options.push(['-h, --help', 'print this help and exit']);
  const sections = [
    `Usage: ${spec.usage ?? generatedUsage(spec)}`,
    spec.description
      .trim()
      .split('\n')
      .flatMap((line) => wrap(line, HELP_WIDTH))
      .join('\n'),
    `Options:\n${table(options)}`,
  ];
  if (spec.environment) sections.push(`Environment:\n${table(Object.entries(spec.environment))}`);
  const two = 'bad usage or configuration (nothing was done)';
  sections.push(
    `Exit codes:\n${table([
      ['0', spec.exitCodes[0]],
      ['1', spec.exitCodes[1]],
      ['2', spec.exitCodes[2] ? `${two}; ${spec.exitCodes[2]}` : two],
      ...(spec.interruptible
        ? ([['130, 143', 'interrupted by SIGINT or SIGTERM (cleaned up)']] as [string, string][])
        : []),
    ])}`,
  );
  if (spec.examples.length > 0) sections.push(`Examples:\n${indentLines(spec.examples.join('\n'), '  ')}`);
  return sections.join('\n\n');
}

/** Reads a file an option names; one that cannot be read is a usage error naming the option. */
export function readOptionFile(option: string, path: string): string {
  try {
    return readFileSync(resolve(path), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UsageError(`--${option} ${path}: cannot read it (${code}) (fix: give the path of an existing file)`);
  }
}

/**
 * Checks, before any work, that a file an option names can be written: its folder exists and is
 * writable, and the path is not a folder. Returns the resolved path; a usage error otherwise, so
 * a long run is not lost to a typo in a report path.
 */
export function outputFile(option: string, path: string): string {
  const file = resolve(path);
  const problem = (() => {
    try {
      if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) return 'is a folder';
      if (!statSync(dirname(file)).isDirectory()) return `${dirname(file)} is not a folder`;
      accessSync(dirname(file), constants.W_OK);
      return undefined;
    } catch (err) {
      return `cannot write there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
  })();
  if (problem)
    throw new UsageError(`--${option} ${path}: ${problem} (fix: give a file path in an existing, writable folder)`);
  return file;
}

/** The exit code and the text for an error that ended a command. */
export function describeFailure(name: string, err: unknown): { code: number; text: string } {
  if (err instanceof UsageError)
    return { code: err.exitCode, text: `${name}: ${err.message}; usage: npm run ${name} -- --help` };
  if (err instanceof CommandError) return { code: err.exitCode, text: `${name}: ${err.message}` };
  const trace = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  return { code: 1, text: `${name}: unexpected error (a bug: please report it with this trace):\n${trace}` };
}

/**
 * Runs an entry point's body and sets process.exitCode from what it returns, or from the error
 * it throws (describeFailure). For entry points that parse their own arguments (the probe CLI,
 * which tests run in-process); every other script uses runScript.
 */
export async function runEntry(name: string, body: () => Promise<number> | number): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (err) {
    const failure = describeFailure(name, err);
    process.stderr.write(`${failure.text}\n`);
    process.exitCode = failure.code;
  }
}

/** An AbortSignal aborted by the first SIGINT/SIGTERM; a second one ends the process at once. */
function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handlers = new Map<InterruptSignal, () => void>();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const handler = () => {
      controller.abort(signal);
      dispose(); // a second signal takes the default action: the process ends at once
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  function dispose() {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
  return { signal: controller.signal, dispose };
}

/**
 * Parses the process's arguments with the script's table, answers --help, runs `main` and sets
 * the exit code: what `main` returns (default 0), or describeFailure() of what it throws.
 */
export async function runScript<T extends OptionTable>(
  spec: ScriptSpec<T>,
  // biome-ignore lint/suspicious/noConfusingVoidType: a main that returns nothing means exit 0; `void` lets it omit the return
  main: (options: OptionValues<T>, context: ScriptContext) => Promise<number | void> | number | void,
  args: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const interrupts = spec.interruptible ? interruptSignal() : undefined;
  const context: ScriptContext = {
    warn: (message) => process.stderr.write(`${spec.name}: warning: ${message}\n`),
    signal: interrupts?.signal ?? new AbortController().signal,
  };
  try {
    await runEntry(spec.name, async () => {
      const options = parseCommandLine(spec.options, args);
      if (options === HELP) {
        process.stdout.write(`${helpText(spec)}\n`);
        return 0;
      }
      return (await main(options, context)) ?? 0;
    });
  } finally {
    interrupts?.dispose();
  }
}
