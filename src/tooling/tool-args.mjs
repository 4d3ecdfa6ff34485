// The command line of the plain-node tools npm runs without the script harness (npm run typecheck,
// npm run layers: src/tooling/typecheck.mjs, layers.mjs), which take no option but --help, so that
// README's "Every script answers --help" holds for them too: `--help` (`-h`) prints the tool's own
// help (what it runs, its exit codes) and exits 0; anything else is refused in one line, exit 2,
// before anything runs. Plain JavaScript so node starts them without tsx.

/**
 * The exit code when `args` are answered here (--help: 0; anything else: 2, with `name`'s usage
 * line on stderr), or undefined when there are none and the tool runs.
 * @param {string} name the npm script's name
 * @param {string} help the whole --help text
 * @param {readonly string[]} args
 * @param {{ stdout: { write(text: string): unknown }, stderr: { write(text: string): unknown } }} io
 * @returns {number | undefined}
 */
export function answerToolArgs(name, help, args, io = process) {
  if (args.length === 0) return undefined;
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    io.stdout.write(`${help}\n`);
    return 0;
  }
  const [first] = args;
  const what = first?.startsWith('-') ? `unknown option ${first}` : `unexpected argument ${first}`;
  io.stderr.write(
    `${name}: ${what}: it takes no option but --help (fix: npm run ${name}, or npm run ${name} -- --help)\n`,
  );
  return 2;
}
