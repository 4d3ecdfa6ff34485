/**
 * The command line a script declares (see script.ts, the harness): the typed option table, the
 * script's spec (defineScript) and the strict parser (parseCommandLine).
 *
 * - Strict parsing. node's `parseArgs` splits the arguments (`--name value`, `--name=value`,
 *   `-h`, `--`); the parser then checks every token itself. An unknown option, a positional
 *   argument, a missing or empty value, a value given to a flag and an option given twice are
 *   usage errors (exit 2), an unknown option with the nearest known one ("did you mean").
 *   Values stay strings unless the table says `number`: an all-digit `--revision 1234567` is
 *   not turned into a number (zx's minimist `argv` did that). A value option takes the next
 *   argument even when it starts with one dash, so `--timeout -1` is refused for its range,
 *   not as "ambiguous"; a following `--option` means the value is missing.
 * - Messages never echo a positional argument or the value of an unknown option: either may be
 *   a secret typed in the wrong place (`npm run seal` reads its value from stdin only).
 */
import { parseArgs } from 'node:util';
import { UsageError } from './command-error.js';
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
  /** What 0 and 1 mean (2: beyond "bad usage or configuration"; 130: what an interrupt of an interruptible one leaves). */
  readonly exitCodes: { readonly 0: string; readonly 1: string; readonly 2?: string; readonly 130?: string };
  readonly examples: readonly string[];
  /**
   * SIGINT/SIGTERM abort `context.signal` instead of ending the process, so the command stops
   * its children and removes its temporary files; it then throws Interrupted. A second signal
   * ends the process at once. @default false (the signal ends the process, as usual)
   */
  readonly interruptible?: boolean;
  /**
   * For a command that is not interruptible (refused with `interruptible`): what SIGINT/SIGTERM leaves,
   * said as `<name>: interrupted by <signal>: <this>` before the signal ends the process (script.ts
   * sayInterrupted) and in --help's 130, 143 row. @default `stopped before it finished`
   */
  readonly interrupted?: string;
  /**
   * For a command that runs git: the repository it uses, as the line that ignores GIT_DIR and the
   * like from the environment ends (src/core/git-location.ts), printed once before any work, e.g.
   * `the export uses the checkout given by --repo`. @default none: nothing is said
   */
  readonly gitRepository?: string;
}

/** Defines a script (typed: the literal table gives each option its value type). */
export function defineScript<const T extends OptionTable>(spec: ScriptSpec<T>): ScriptSpec<T> {
  for (const [name, option] of Object.entries(spec.options)) {
    if (name === 'help') throw new Error(`${spec.name}: --help is the harness' own option`);
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      throw new Error(`${spec.name}: option name '${name}' must be lower-case kebab-case`);
    if (option.type === 'choice' && option.default !== undefined && !option.choices.includes(option.default))
      throw new Error(`${spec.name}: --${name} default '${option.default}' is not one of its choices`);
  }
  if (spec.interruptible && spec.interrupted !== undefined)
    throw new Error(`${spec.name}: interruptible: true ignores interrupted: give one of them`);
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

/** The value placeholder after an option's name in usage lines and messages: ` <a|b>`, ` <file> ...`. */
export function placeholder(option: OptionSpec): string {
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

export /** A string or choice option the table marks `required`. */
function isRequired(option: OptionSpec): boolean {
  return (option.type === 'string' || option.type === 'choice') && option.required === true;
}

export function describeNumber(option: NumberOption): string {
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
