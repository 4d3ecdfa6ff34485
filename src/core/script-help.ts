/**
 * A script's `--help` text, generated from its spec (script-spec.ts): usage, description, options
 * with their defaults, environment variables, exit codes, examples, wrapped at 100 columns.
 */
import {
  describeNumber,
  isRequired,
  placeholder,
  type OptionSpec,
  type OptionTable,
  type ScriptSpec,
} from './script-spec.js';
import { ends } from './at.js';

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
  const indent = ' '.repeat(text.search(/[^ ]|$/));
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

/**
 * The description's lines, each wrapped at `width`; the words a hand line too long pushes out
 * start the next line when that one continues the same paragraph (not blank, not indented, no
 * list mark), so a sentence never breaks after one lone word ("(those" then "named ...").
 */
function reflow(lines: readonly string[], width: number): string[] {
  const out: string[] = [];
  let carry = '';
  lines.forEach((written, i) => {
    const line = carry === '' ? written : `${carry} ${written}`;
    const wrapped = wrap(line, width);
    const next = lines[i + 1];
    const continues = next !== undefined && /^[^\s\-*\d]/.test(next) && /^\S/.test(line);
    carry = wrapped.length > 1 && continues ? (wrapped.pop() ?? '') : '';
    out.push(...wrapped);
  });
  return out;
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
  const { last } = ends(option.description.split('\n'), 'description lines');
  return option.description.includes('\n') || last.length + note.length > 60
    ? `${option.description}\n${note}`
    : `${option.description} ${note}`;
}

/** The usage line's arguments, generated: required options first, then `[options]`. */
function generatedUsage<T extends OptionTable>(spec: ScriptSpec<T>): string {
  const required = Object.entries(spec.options)
    .filter(([, o]) => isRequired(o))
    .map(([name, o]) => `--${name}${placeholder(o)}`);
  const optional = Object.values(spec.options).some((o) => !isRequired(o));
  const args = [...required, ...(optional ? ['[options]'] : [])];
  return `npm run ${spec.name}${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
}

/**
 * `text` with `npm run <name> -- ` (and a bare `npm run <name>`) said as `command` instead: the
 * command a bundle is run with (the probe runner's `node probe-runner.mjs`, where there is no npm).
 */
export function asCommand(text: string, name: string, command: string | undefined): string {
  if (command === undefined) return text;
  return text
    .replaceAll(`npm run ${name} -- `, `${command} `)
    .replace(new RegExp(`npm run ${name}(?![\\w-])`, 'g'), command);
}

/** What SIGINT/SIGTERM leaves of a command that is not interruptible: said when it comes, and in --help. */
export function interruptedLeaves(spec: { readonly interrupted?: string }): string {
  return spec.interrupted ?? 'stopped before it finished';
}

/** The --help text, generated from the table; `command`: the command it runs as, when not `npm run <name>` (asCommand). */
export function helpText<T extends OptionTable>(spec: ScriptSpec<T>, command?: string): string {
  const options: [string, string][] = Object.entries(spec.options).map(([name, o]) => [
    `--${name}${placeholder(o)}`,
    optionText(o),
  ]);
  options.push(['-h, --help', 'print this help and exit']);
  const sections = [
    `Usage: ${asCommand(spec.usage ?? generatedUsage(spec), spec.name, command)}`,
    reflow(spec.description.trim().split('\n'), HELP_WIDTH).join('\n'),
    `Options:\n${table(options)}`,
  ];
  if (spec.environment) sections.push(`Environment:\n${table(Object.entries(spec.environment))}`);
  const two = 'bad usage or configuration (nothing was done)';
  sections.push(
    `Exit codes:\n${table([
      ['0', spec.exitCodes[0]],
      ['1', spec.exitCodes[1]],
      ['2', spec.exitCodes[2] ? `${two}; ${spec.exitCodes[2]}` : two],
      [
        '130, 143',
        spec.interruptible
          ? (spec.exitCodes[130] ?? 'interrupted by SIGINT or SIGTERM (cleaned up)')
          : `interrupted by SIGINT or SIGTERM: ${interruptedLeaves(spec)}`,
      ],
    ])}`,
  );
  const examples = spec.examples.map((e) => asCommand(e, spec.name, command));
  if (examples.length > 0) sections.push(`Examples:\n${indentLines(examples.join('\n'), '  ')}`);
  return sections.join('\n\n');
}
