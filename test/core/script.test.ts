/**
 * The script harness in-process: strict parsing with typed values, the messages of every usage
 * error (naming the option and the fix, never echoing a value that may be a secret), --help
 * generated from the table, and the exit code and text of each kind of failure.
 * (test/scripts/every-script.test.ts proves every script under scripts/ goes through it.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../src/environments/load.js';
import { CommandError, ConfigurationError, Interrupted, UsageError } from '../../src/core/command-error.js';
import {
  defineScript,
  describeFailure,
  HELP,
  helpText,
  outputFile,
  parseCommandLine,
  OPTION_FILE_MAX_BYTES,
  readOptionFile,
  type OptionValues,
} from '../../src/core/script.js';
import { tempDir } from '../support/temp.js';

const script = defineScript({
  name: 'demo',
  description: 'A command with one option of each kind.',
  options: {
    out: { type: 'string', value: '<dir>', description: 'output folder' },
    revision: { type: 'string', value: '<sha>', description: 'a commit' },
    repo: { type: 'string', value: '<dir>', required: true, description: 'the checkout' },
    'dry-run': { type: 'boolean', description: 'write nothing' },
    timeout: { type: 'number', value: '<seconds>', unit: 'seconds', above: 0, default: 20, description: 'per call' },
    runs: { type: 'number', value: '<n>', integer: true, min: 1, max: 50, description: 'how many' },
    from: { type: 'list', value: '<file>', description: 'inputs' },
    only: { type: 'choice', choices: ['synth', 'probes'], description: 'one part' },
  },
  environment: { KUBECONFIG: 'the kubeconfig' },
  exitCodes: { 0: 'done', 1: 'a finding' },
  examples: ['npm run demo -- --repo ../x'],
});

type Values = OptionValues<typeof script.options>;

function parse(...args: string[]): Values {
  const values = parseCommandLine(script.options, ['--repo', 'r', ...args]);
  if (values === HELP) throw new Error('unexpected --help');
  return values;
}

function usageError(args: string[]): string {
  try {
    parseCommandLine(script.options, args);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no usage error for ${args.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('gives each option its typed value, defaults applied, strings never turned into numbers', () => {
    const v = parse(
      '--out',
      'dist',
      '--revision',
      '0123456',
      '--dry-run',
      '--runs',
      '3',
      '--from',
      'a',
      '--from=b',
      '--only',
      'probes',
    );
    expect(v).toEqual({
      out: 'dist',
      revision: '0123456',
      repo: 'r',
      'dry-run': true,
      timeout: 20,
      runs: 3,
      from: ['a', 'b'],
      only: 'probes',
    });
    expect(parse()).toEqual({
      out: undefined,
      revision: undefined,
      repo: 'r',
      'dry-run': false,
      timeout: 20,
      runs: undefined,
      from: [],
      only: undefined,
    });
  });

  it('refuses an unknown option with exit-2 usage error and the nearest known one', () => {
    expect(usageError(['--outt', '/tmp/x'])).toBe('unknown option --outt (did you mean --out?)');
    expect(usageError(['--hepl'])).toBe('unknown option --hepl (did you mean --help?)');
    expect(usageError(['--dry'])).toBe('unknown option --dry (did you mean --dry-run?)');
    expect(usageError(['-x'])).toBe('unknown option -x');
    expect(usageError(['--zzzzzz'])).toBe('unknown option --zzzzzz');
  });

  it('never echoes the value of an unknown option or a positional argument (either may be a secret)', () => {
    const secret = 'hunter2-correct-horse';
    const messages = [
      usageError(['--repo', 'r', `--password=${secret}`]),
      usageError(['--repo', 'r', '--password', secret]),
      usageError(['--repo', 'r', secret]),
    ];
    for (const m of messages) expect(m).not.toContain(secret);
    expect(messages[2]).toBe(
      '1 positional argument(s) refused: options only, as --name <value> (not echoed: it may be a secret)',
    );
  });

  it('checks numbers against their range and says why (a leading dash is a value, not "ambiguous")', () => {
    expect(parse('--timeout', '0.5').timeout).toBe(0.5);
    expect(parse('--timeout=7').timeout).toBe(7);
    expect(usageError(['--repo', 'r', '--timeout', '-1'])).toBe("--timeout must be a number of seconds > 0 (got '-1')");
    expect(usageError(['--repo', 'r', '--timeout', '0'])).toBe("--timeout must be a number of seconds > 0 (got '0')");
    for (const bad of ['abc', '0x10', '1e400', 'Infinity', ' ']) {
      expect(usageError(['--repo', 'r', '--timeout', bad])).toMatch(/^--timeout must be a number of seconds > 0/);
    }
    expect(usageError(['--repo', 'r', '--runs', '1.5'])).toBe(
      "--runs must be a whole number >= 1 and <= 50 (got '1.5')",
    );
    expect(usageError(['--repo', 'r', '--runs', '51'])).toBe("--runs must be a whole number >= 1 and <= 50 (got '51')");
  });

  it('refuses a missing or empty value, a value on a flag, a repeated option, and a bad choice', () => {
    expect(usageError(['--repo', 'r', '--out'])).toBe('--out needs a value <dir>');
    expect(usageError(['--repo', 'r', '--out='])).toBe('--out needs a value <dir>');
    expect(usageError(['--repo', 'r', '--out', '--dry-run'])).toBe(
      '--out needs a value <dir>, not another option (for a value starting with --, write --out=<value>)',
    );
    expect(parse('--out=--odd').out).toBe('--odd');
    expect(usageError(['--repo', 'r', '--dry-run=yes'])).toBe('--dry-run takes no value');
    expect(usageError(['--repo', 'r', '--out', 'a', '--out', 'b'])).toBe(
      '--out is given more than once (give it once)',
    );
    expect(usageError(['--repo', 'r', '--only', 'probe'])).toBe(
      "--only must be one of synth, probes (got 'probe'; did you mean probes?)",
    );
  });

  it('names every missing required option at once', () => {
    expect(usageError([])).toBe('--repo <dir> is required');
  });

  it('answers --help and -h before anything else is checked', () => {
    expect(parseCommandLine(script.options, ['--bogus', '--help'])).toBe(HELP);
    expect(parseCommandLine(script.options, ['-h'])).toBe(HELP);
  });
});

describe('helpText', () => {
  it('is generated from the table: usage, options with notes and defaults, environment, exit codes, examples', () => {
    const text = helpText(script);
    expect(text.split('\n')[0]).toBe('Usage: npm run demo -- --repo <dir> [options]');
    expect(text).toContain('A command with one option of each kind.');
    expect(text).toMatch(/^ {2}--timeout <seconds> +per call \(a number of seconds > 0; default: 20\)$/m);
    expect(text).toMatch(/^ {2}--from <file> \.\.\. +inputs \(repeatable\)$/m);
    expect(text).toMatch(/^ {2}--only <synth\|probes> +one part$/m);
    expect(text).toMatch(/^ {2}--repo <dir> +the checkout$/m); // required: shown in the usage line
    expect(text).toMatch(/^ {2}-h, --help +print this help and exit$/m);
    expect(text).toMatch(/Environment:\n {2}KUBECONFIG +the kubeconfig/);
    expect(text).toMatch(
      new RegExp(
        /Exit codes:\n {2}0 +done\n {2}1 +a finding\n {2}2 +bad usage or configuration \(nothing was done\)\n/.source +
          / {2}130, 143 +interrupted by SIGINT or SIGTERM: stopped before it finished\n\nExamples:\n {2}npm run demo -- --repo \.\.\/x$/
            .source,
      ),
    );
  });

  it('wraps long descriptions at 100 columns, aligned under the first line', () => {
    const long = defineScript({
      ...script,
      options: { out: { type: 'string', value: '<dir>', description: `${'word '.repeat(30)}end` } },
    });
    const lines = helpText(long).split('\n');
    const at = lines.findIndex((l) => l.startsWith('  --out <dir>'));
    expect(lines[at]!.length).toBeLessThanOrEqual(100);
    expect(lines[at + 1]).toMatch(/^ {2}\s+word word .*end$/);
    expect(lines[at + 1]!.indexOf('word')).toBe(lines[at]!.indexOf('word'));
  });

  it("carries a too-long hand line's last words into the line that continues its paragraph", () => {
    const description = [
      `${'word '.repeat(19)}it goes on (those`,
      'named here) and ends.',
      '',
      `${'word '.repeat(19)}a paragraph ends`,
      '',
      `${'word '.repeat(19)}then a list`,
      '- an item',
    ].join('\n');
    const lines = helpText({ ...script, description })
      .split('\n')
      .slice(2, 11);
    expect(lines).toEqual([
      `${'word '.repeat(19)}it`,
      'goes on (those named here) and ends.',
      '',
      `${'word '.repeat(19)}a`,
      'paragraph ends',
      '',
      `${'word '.repeat(19)}then`,
      'a list',
      '- an item',
    ]);
  });

  it('lists 130 and 143 for a command that cleans up on SIGINT/SIGTERM', () => {
    expect(helpText({ ...script, interruptible: true })).toMatch(
      /^ {2}130, 143 +interrupted by SIGINT or SIGTERM \(cleaned up\)$/m,
    );
  });

  it('lists 130 and 143 for any other command, with what its interrupt leaves', () => {
    expect(helpText({ ...script, interrupted: 'nothing written' })).toMatch(
      /^ {2}130, 143 +interrupted by SIGINT or SIGTERM: nothing written$/m,
    );
    expect(helpText(script)).toMatch(/^ {2}130, 143 +interrupted by SIGINT or SIGTERM: stopped before it finished$/m);
  });

  it('refuses interruptible: true with an interrupted text, which it would never say', () => {
    expect(() => defineScript({ ...script, interruptible: true, interrupted: 'nothing written' })).toThrow(
      'demo: interruptible: true ignores interrupted: give one of them',
    );
  });

  it('refuses a table that redefines --help or misspells a default', () => {
    expect(() => defineScript({ ...script, options: { help: { type: 'boolean', description: 'x' } } })).toThrow(
      /--help is the harness' own option/,
    );
    expect(() =>
      defineScript({
        ...script,
        options: { only: { type: 'choice', choices: ['a'], default: 'b', description: 'x' } },
      }),
    ).toThrow(/default 'b' is not one of its choices/);
  });
});

describe('files named by options', () => {
  it('outputFile: checked before any work, a usage error naming the option when it cannot be written', () => {
    const dir = tempDir('arcade-script-out-');
    const inputs = { repoRoot: tempDir('arcade-script-repo-') };
    expect(outputFile('json', join(dir, 'report.json'), inputs)).toBe(join(dir, 'report.json'));
    expect(() => outputFile('json', join(dir, 'missing', 'report.json'), inputs)).toThrow(
      new UsageError(
        `--json ${join(dir, 'missing', 'report.json')}: cannot write there (ENOENT) ` +
          '(fix: give a file path in an existing, writable folder, or - for standard output)',
      ),
    );
    expect(() => outputFile('json', dir, inputs)).toThrow(/^--json .*: is a folder \(fix: /);
    expect(outputFile('json', '-', inputs)).toBe('-');
    expect(outputFile('json', '/dev/stdout', inputs)).toBe('/dev/stdout');
    expect(() => outputFile('json', '/dev/stdin', inputs)).toThrow(/^--json \/dev\/stdin: is standard input \(fix: /);
    expect(() => outputFile('json', '/dev/fd/987', inputs)).toThrow(
      /^--json \/dev\/fd\/987: file descriptor 987 is not open \(fix: /,
    );
  });

  it('readOptionFile: the text, or a usage error naming the option', () => {
    const dir = tempDir('arcade-script-in-');
    writeFileSync(join(dir, 'values.yaml'), 'a: 1\n');
    expect(readOptionFile('values', join(dir, 'values.yaml'))).toBe('a: 1\n');
    expect(readOptionFile('values', 'values.yaml', dir)).toBe('a: 1\n');
    // Missing reads 'no such file', as kubeconfig's and diff --gate's do (it read 'cannot read it (ENOENT)').
    expect(() => readOptionFile('values', join(dir, 'nope.yaml'))).toThrow(
      /^--values .*nope\.yaml: no such file \(fix: give the path of an existing file\)$/,
    );
    // A folder is named as one (it was 'cannot read it (EISDIR)'), with the caller's fix when it gives one.
    expect(() => readOptionFile('values', dir)).toThrow(
      new UsageError(`--values ${dir}: a folder, not a file (fix: give the path of an existing file)`),
    );
    expect(() => readOptionFile('cert', dir, undefined, 'give the PEM file')).toThrow(
      new UsageError(`--cert ${dir}: a folder, not a file (fix: give the PEM file)`),
    );
  });

  it('readOptionFile reads only a regular file, up to OPTION_FILE_MAX_BYTES (a FIFO and /dev/zero: test/seal/cert-path.test.ts)', () => {
    // A device is not read (/dev/null read as empty; /dev/zero until memory ran out).
    expect(() => readOptionFile('cert', '/dev/null')).toThrow(
      new UsageError('--cert /dev/null: not a regular file (fix: give the path of an existing file)'),
    );
    const dir = tempDir('arcade-script-big-');
    writeFileSync(join(dir, 'at-cap.pem'), Buffer.alloc(OPTION_FILE_MAX_BYTES, 'a'));
    expect(readOptionFile('cert', join(dir, 'at-cap.pem')).length).toBe(OPTION_FILE_MAX_BYTES);
    writeFileSync(join(dir, 'big.pem'), Buffer.alloc(OPTION_FILE_MAX_BYTES + 1, 'a'));
    expect(() => readOptionFile('cert', join(dir, 'big.pem'), undefined, 'give the PEM file')).toThrow(
      new UsageError(`--cert ${join(dir, 'big.pem')}: larger than 16 MiB, the most read (fix: give the PEM file)`),
    );
  });
});

describe('describeFailure', () => {
  it('prints an expected failure as one line without a stack, with the exit code of its kind', () => {
    expect(describeFailure('demo', new UsageError('--out needs a value <dir>'))).toEqual({
      code: 2,
      text: 'demo: --out needs a value <dir>; usage: npm run demo -- --help',
    });
    expect(describeFailure('demo', new ConfigurationError('x.yaml: broken (fix: y)'))).toEqual({
      code: 2,
      text: 'demo: x.yaml: broken (fix: y)',
    });
    expect(describeFailure('demo', new CommandError('refused (fix: z)'))).toEqual({
      code: 1,
      text: 'demo: refused (fix: z)',
    });
    expect(describeFailure('demo', new Interrupted('SIGINT', 'interrupted'))).toEqual({
      code: 130,
      text: 'demo: interrupted',
    });
    expect(describeFailure('demo', new Interrupted('SIGTERM', 'interrupted')).code).toBe(143);
  });

  it('gives an invalid environment exit 2 and its problem list', () => {
    const failure = describeFailure('demo', new EnvironmentError(['a.yaml: name: wrong (fix: b)']));
    expect(failure).toEqual({
      code: 2,
      text: 'demo: invalid environment definition:\n  - a.yaml: name: wrong (fix: b)',
    });
  });

  it('prints anything else as a bug, with its stack', () => {
    const failure = describeFailure('demo', new TypeError('x is undefined'));
    expect(failure.code).toBe(1);
    expect(failure.text).toMatch(
      /^demo: unexpected error \(a bug: please report it with this trace\):\nTypeError: x is undefined\n\s+at /,
    );
  });
});
