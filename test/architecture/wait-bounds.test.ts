/**
 * Every `vi.waitFor` in the tests gives its options (test/support/deadlines.ts `SETTLE`): without
 * them vitest gives up after 1 s, a wall-clock bound a loaded machine exceeded (forge.test.ts's
 * "every attempt timed out" failed so once while the stand-in was still recording the requests
 * given up). A call with one argument fails here, named by file and line. Files are read by
 * TypeScript's own parser, so a mention in a comment or a string is not a call.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

/** `file:line` of each `vi.waitFor(...)`/`vi.waitUntil(...)` call in `source` given fewer than two arguments. */
function unbounded(file: string, source: string): string[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      /^vi\.wait(For|Until)$/.test(node.expression.getText(tree)) &&
      node.arguments.length < 2
    ) {
      const { line } = tree.getLineAndCharacterOfPosition(node.getStart(tree));
      found.push(`${file}:${line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}

describe('vi.waitFor bounds', () => {
  it('every call in test/ passes its options (SETTLE), never the 1 s default', () => {
    const files = readdirSync(join(REPO_ROOT, 'test'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    const found = files.flatMap((f) =>
      unbounded(relative(REPO_ROOT, join(REPO_ROOT, 'test', f)), readFileSync(join(REPO_ROOT, 'test', f), 'utf8')),
    );
    expect(found, 'give each vi.waitFor SETTLE (test/support/deadlines.ts) as its second argument').toEqual([]);
  });

  it('finds a call with the default, and not a mention in a comment or a string', () => {
    const source = [
      '// vi.waitFor(() => x)',
      "const s = 'vi.waitFor(() => x)';",
      'await vi.waitFor(() => expect(a).toBe(1));',
      'await vi.waitFor(() => expect(a).toBe(1), SETTLE);',
      'await vi.waitUntil(() => a);',
    ].join('\n');
    expect(unbounded('t.ts', source)).toEqual(['t.ts:3', 't.ts:5']);
  });
});
