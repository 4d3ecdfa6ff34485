/**
 * Argument checking shared by the review and delivery scripts (diff, export, check-values,
 * drift): known options only, values where values are due, flags without values. Throws
 * UsageError; the entry script prints it with its usage text and exits 2.
 */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliSpec {
  /** Options taking a value (`--env <name>`). */
  readonly options: readonly string[];
  /** Flags without a value (`--commit`). */
  readonly flags?: readonly string[];
}

export interface Cli {
  readonly help: boolean;
  option(name: string): string | undefined;
  /** A repeatable option's values, in order (`--keep a --keep b`). */
  options(name: string): string[];
  flag(name: string): boolean;
}

/** Checks zx's parsed `argv` against the spec; unknown options and positional arguments throw. */
export function parseCli(argv: Readonly<Record<string, unknown>> & { readonly _: readonly unknown[] }, spec: CliSpec): Cli {
  const known = new Set(['_', 'help', 'h', ...spec.options, ...(spec.flags ?? [])]);
  const unknown = Object.keys(argv).filter((k) => !known.has(k));
  const help = argv.help === true || argv.h === true;
  if (!help && (unknown.length > 0 || argv._.length > 0)) {
    throw new UsageError(`unknown argument(s) ${[...unknown.map((k) => `--${k}`), ...argv._.map(String)].join(', ')}`);
  }
  return {
    help,
    option(name) {
      const v = argv[name];
      if (v === undefined) return undefined;
      if ((typeof v !== 'string' && typeof v !== 'number') || v === '') throw new UsageError(`--${name} needs a value`);
      return String(v);
    },
    options(name) {
      const v = argv[name];
      if (v === undefined) return [];
      return (Array.isArray(v) ? v : [v]).map((one: unknown) => {
        if ((typeof one !== 'string' && typeof one !== 'number') || one === '') throw new UsageError(`--${name} needs a value`);
        return String(one);
      });
    },
    flag(name) {
      const v = argv[name];
      if (v !== undefined && typeof v !== 'boolean') throw new UsageError(`--${name} takes no value`);
      return v === true;
    },
  };
}
