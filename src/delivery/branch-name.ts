/**
 * Whether `--branch <name>` is a branch name git takes (git-check-ref-format(1), `--branch`), told
 * before any work: otherwise the export plans, previews and then fails at `git checkout -b` with
 * git's own words and no fix. Kept free of imports: scripts/export.ts checks it with its options.
 * test/delivery/branch-name.test.ts puts a table of names, and names made from the characters these
 * rules are about, to git's own `git check-ref-format --branch`: they take exactly what git takes,
 * but for '@' and a part over PART_BYTES, refused on purpose.
 */

/** The longest name of one `/`-separated part: git writes the ref as a file, and `<part>.lock` must fit in 255 bytes. */
const PART_BYTES = 250;

/** What is wrong with `name` as a branch name, or undefined when git takes it. */
export function branchNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.startsWith('-')) return "starts with '-' (git would read it as an option)";
  if (name === 'HEAD') return "is 'HEAD', which git reserves";
  // git (2.39 tried) creates a branch '@', but reads '@' as HEAD wherever a revision is named: refused.
  if (name === '@')
    return "is '@', which git reads as HEAD wherever a revision is named (git checkout @, git push origin @)";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what git refuses
  const bad = /[\u0000-\u0020\u007f~^:?*[\\]/.exec(name)?.[0];
  if (bad !== undefined) return `holds ${JSON.stringify(bad)} (no spaces, control characters or ~ ^ : ? * [ \\)`;
  for (const seq of ['..', '@{', '//']) if (name.includes(seq)) return `holds '${seq}'`;
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.'))
    return "starts or ends with '/', or ends with '.'";
  for (const part of name.split('/')) {
    if (part.startsWith('.') || part.endsWith('.lock'))
      return `has a part '${part}' that starts with '.' or ends with '.lock'`;
    if (Buffer.byteLength(part) > PART_BYTES) return `has a part longer than ${PART_BYTES} bytes`;
  }
  return undefined;
}
