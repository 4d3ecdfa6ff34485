/**
 * Checks a GitHub Actions workflow file (which Gitea and Forgejo Actions run too) with the parser
 * GitHub itself publishes (`@actions/workflow-parser`, the schema behind the Actions editor
 * tooling) and its expression parser (`@actions/expressions`), then our own rules:
 *
 * - the file parses and converts without an error (schema: keys, types, events, jobs, steps);
 * - every `${{ }}` expression and every `if:` parses, naming only known contexts and functions;
 * - every `npm run <script>` names a script of package.json;
 * - every action is pinned by a full 40-hex commit SHA (a tag can be moved, a commit cannot);
 * - no `run:` script holds an expression: values reach scripts through `env:` only, so no input,
 *   branch name or secret is pasted into shell source (GitHub's "script injection" guidance);
 * - `permissions:` is set at the top and never `write-all`.
 *
 * Returns every problem found, as text naming the file and where.
 */
import { Lexer, Parser } from '@actions/expressions';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parse } from 'yaml';

/** The contexts a workflow may read (docs.github.com "Contexts reference"). */
const CONTEXTS = [
  'github',
  'env',
  'vars',
  'job',
  'jobs',
  'steps',
  'runner',
  'secrets',
  'strategy',
  'matrix',
  'needs',
  'inputs',
];
/** The status-check functions and hashFiles, beyond the parser's well-known ones. */
const FUNCTIONS = [
  { name: 'always', minArgs: 0, maxArgs: 0 },
  { name: 'success', minArgs: 0, maxArgs: 0 },
  { name: 'failure', minArgs: 0, maxArgs: 0 },
  { name: 'cancelled', minArgs: 0, maxArgs: 0 },
  { name: 'hashFiles', minArgs: 1, maxArgs: 255 },
];

const SHA_PINNED = /^[^@\s]+@[0-9a-f]{40}$/;

/** Every `key: value` in the document with its path, depth first. */
function walk(node: unknown, path: string, visit: (path: string, key: string, value: unknown) => void): void {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) walk(item, `${path}[${i}]`, visit);
  } else if (node !== null && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      visit(`${path}.${key}`, key, value);
      walk(value, `${path}.${key}`, visit);
    }
}

function expressionProblem(expression: string): string | undefined {
  try {
    const tokens = new Lexer(expression).lex().tokens;
    new Parser(tokens, CONTEXTS, FUNCTIONS).parse();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export async function checkWorkflow(name: string, content: string, scripts: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  for (const e of parsed.context.errors.getErrors()) problems.push(`${name}: ${e.message}`);
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const e of template.errors ?? []) {
      const text = `${name}: ${e.Message}`;
      if (!problems.includes(text)) problems.push(text);
    }
  }

  const doc = parse(content) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') return [...problems, `${name}: not a YAML mapping`];
  const permissions = doc.permissions;
  if (permissions === undefined)
    problems.push(`${name}: no top-level permissions: (every job would get the default token scope)`);
  if (permissions === 'write-all') problems.push(`${name}: permissions: write-all`);

  walk(doc, '', (path, key, value) => {
    if (typeof value !== 'string') return;
    if (key === 'uses' && !value.startsWith('./') && !SHA_PINNED.test(value))
      problems.push(`${name} ${path}: ${value} is not pinned by a 40-hex commit SHA`);
    if (key === 'run') {
      if (value.includes('${{'))
        problems.push(`${name} ${path}: an expression in a run script (pass it through env: instead)`);
      for (const m of value.matchAll(/\bnpm run(?:-script)? ([A-Za-z0-9:_-]+)/g))
        if (!scripts.includes(m[1] ?? ''))
          problems.push(`${name} ${path}: npm run ${m[1]}: no such script in package.json`);
    }
    const expressions = [...value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1] ?? '');
    // An `if:` is an expression with or without the braces.
    if (key === 'if' && expressions.length === 0) expressions.push(value);
    for (const expression of expressions) {
      const problem = expressionProblem(expression.trim());
      if (problem) problems.push(`${name} ${path}: \${{ ${expression.trim()} }}: ${problem}`);
    }
  });
  return problems;
}
