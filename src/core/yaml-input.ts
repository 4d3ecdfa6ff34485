/**
 * The one place YAML from outside the program is parsed: environment files, dist/ and export
 * files, CRD files, values files, targets files, kustomize's and Mimir's answers. The yaml library
 * reports a syntax error in `doc.errors`, but throws from `toJS()` for an alias bomb
 * (`a: &a [x,x,…]`, `b: &b [*a,*a,…]`, …: `ReferenceError: Excessive alias count indicates a
 * resource exhaustion attack`, its guard against expanding billions of nodes). Reading each
 * document here turns both (and anything else the library throws) into a problem line, so every caller refuses the file with its own error (naming the file
 * and the fix, exit 2 for configuration) instead of ending on "unexpected error (a bug…)".
 */
import { LineCounter, parseAllDocuments, type DocumentOptions, type ParseOptions } from 'yaml';

/** What the yaml library was told: `uniqueKeys` (on by default) refuses a key given twice. */
export type YamlOptions = ParseOptions & DocumentOptions;

/** One document of a YAML text: its value, or what is wrong with it. */
export type YamlDocument =
  | { readonly index: number; readonly line: number; readonly value: unknown; readonly problem?: undefined }
  | {
      readonly index: number;
      readonly line: number;
      readonly value?: undefined;
      /** e.g. `YAML syntax: …`, without the file. */
      readonly problem: string;
      /** What to do about it, e.g. `correct the YAML at that line`. */
      readonly fix: string;
    };

const SYNTAX_FIX = 'correct the YAML at that line';
const ALIAS_FIX = 'write the repeated values out instead of through aliases (*name)';

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/** What the library threw while building a document's value, as a problem and its fix. */
function thrownProblem(err: unknown): { problem: string; fix: string } {
  if (err instanceof ReferenceError && /alias/i.test(err.message)) {
    return { problem: `YAML aliases: too many alias expansions (${firstLine(err)})`, fix: ALIAS_FIX };
  }
  return { problem: `YAML: ${firstLine(err)}`, fix: SYNTAX_FIX };
}

/**
 * Every document of a YAML text, each with its value or its problem; never throws. A text that
 * cannot be split into documents at all is one document with the problem.
 */
export function yamlDocuments(text: string, options: YamlOptions = {}): YamlDocument[] {
  const lineCounter = new LineCounter();
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { ...options, lineCounter });
  } catch (err) {
    return [{ index: 0, line: 1, ...thrownProblem(err) }];
  }
  const list = Array.isArray(docs) ? docs : [];
  return list.map((doc, index): YamlDocument => {
    const line = lineCounter.linePos(doc.range?.[0] ?? 0).line;
    const [error] = doc.errors;
    if (error) return { index, line, problem: `YAML syntax: ${firstLine(error)}`, fix: SYNTAX_FIX };
    try {
      return { index, line, value: doc.toJS() as unknown };
    } catch (err) {
      return { index, line, ...thrownProblem(err) };
    }
  });
}

/**
 * A document's YAML problem as one line: `<file>: <problem> (fix: <fix>[, or <otherwise>])`; undefined
 * when it has none. `doc` is a YamlDocument, or a reader's document that kept its problem and fix
 * (src/check/manifests.ts: a problem without a fix is not the yaml reader's).
 */
export function yamlProblemLine(
  file: string,
  doc: { readonly problem?: string; readonly fix?: string },
  otherwise?: string,
): string | undefined {
  if (doc.problem === undefined || doc.fix === undefined) return undefined;
  return `${file}: ${doc.problem} (fix: ${doc.fix}${otherwise ? `, or ${otherwise}` : ''})`;
}

/** How a caller refuses a file: its own error (its exit code) for the problem lines. */
export interface YamlSource {
  /** The file as the person names it. */
  readonly file: string;
  /** The caller's error for the file's problems (e.g. a ConfigurationError, exit 2). */
  readonly refuse: (problems: string[]) => Error;
  /** Another way out added to the fix, e.g. `move the file out of the folder`. */
  readonly otherwise?: string;
}

/** The values of every document of a file (empty documents are `null`); any problem throws the caller's error. */
export function yamlValues(text: string, source: YamlSource, options: YamlOptions = {}): unknown[] {
  const docs = yamlDocuments(text, options);
  const problems = docs.flatMap((d) => yamlProblemLine(source.file, d, source.otherwise) ?? []);
  if (problems.length > 0) throw source.refuse(problems);
  return docs.map((d) => d.value ?? null);
}

/** The value of a one-document file (`null` when it holds none); a problem, or a second document, throws the caller's error. */
export function yamlValue(text: string, source: YamlSource, options: YamlOptions = {}): unknown {
  const values = yamlValues(text, source, options);
  if (values.length > 1) {
    const fix = `keep one document (the file has ${values.length}, separated by ---)`;
    throw source.refuse([`${source.file}: more than one YAML document (fix: ${fix})`]);
  }
  return values[0] ?? null;
}
