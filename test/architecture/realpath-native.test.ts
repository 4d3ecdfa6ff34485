/**
 * Every real path in src/ and scripts/ is the kernel's (`fs.realpathSync.native`), never node's
 * JavaScript `fs.realpathSync` (nor `fs.realpath` / `fs.promises.realpath`, the same walk): that
 * one resolves `..` in a link's target against the link's own folder, before following the links
 * before it, where the kernel follows them first. With `b -> /far/deep/z` and `app -> b/../sub` in
 * a checkout, `realpathSync('app')` is `<checkout>/sub` (inside) while every write through `app`
 * lands in `/far/deep/sub` (src/core/path-within.mjs says more). A call of the JavaScript one
 * fails here, named by file and line, so it cannot come back unseen; biome has no rule that
 * refuses one member of an import while allowing its `.native`. Not only a call: any mention of
 * the name not followed by `.native` outside comments (an alias, a reference passed on, a string
 * key), but for the bare name in an import list, whose uses are then checked. Files are read by
 * TypeScript's own parser: a hand-made comment scanner was fooled by a quote in a regular
 * expression, `/[//]/` or a template holding a backtick, after which a `//` in a string hid uses.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import ts from 'typescript';
import { tempDir } from '../support/temp.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const CHECKED = ['src', 'scripts'];

/** node's JavaScript realpath, by name. */
const REALPATH = new Set(['realpath', 'realpathSync']);

/**
 * The expression `node` names: `fs.realpathSync` for its name, `fs['realpathSync']` for its key,
 * else `node` itself.
 */
function named(node: ts.Node): ts.Node {
  const { parent } = node;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return parent;
  if (ts.isElementAccessExpression(parent) && parent.argumentExpression === node) return parent;
  return node;
}

/** Whether `expression` is followed by `.native` (or `['native']`): the kernel's. */
function nativeAfter(expression: ts.Node): boolean {
  const { parent } = expression;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === expression) return parent.name.text === 'native';
  if (ts.isElementAccessExpression(parent) && parent.expression === expression) {
    const key = parent.argumentExpression;
    return ts.isStringLiteralLike(key) && key.text === 'native';
  }
  return false;
}

/**
 * Whether a string literal `node` names a member: `fs['realpathSync']`, a property name
 * (`{ 'realpathSync': canon } = fs`), an import's or export's name. Any other string is text.
 */
function keyOf(node: ts.StringLiteralLike): boolean {
  const { parent } = node;
  if (ts.isElementAccessExpression(parent)) return parent.argumentExpression === node;
  if (ts.isModuleDeclaration(parent)) return false; // declare module '…'
  return ('name' in parent && parent.name === node) || ('propertyName' in parent && parent.propertyName === node);
}

/**
 * Where `source` mentions realpath or realpathSync not followed by `.native`, read by TypeScript's
 * own parser (so a comment, a string, a regular expression or a template hides nothing and fakes
 * nothing; a .mjs/.js file is parsed as JavaScript): an identifier (a call, a reference passed on
 * such as `paths.map(realpathSync)` or `promisify(fs.realpath)`, an alias `{ realpathSync as rp }`
 * or `{ realpathSync: canon } = fs`), or a string literal naming a member (`fs['realpathSync']`).
 * The one exception is the bare name in an import list, whose every use is then an identifier
 * checked the same way. Offsets of the mentions' starts.
 */
function mentions(file: string, source: string): number[] {
  const kind = /\.[mc]?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, kind);
  const found: number[] = [];
  const visit = (node: ts.Node): void => {
    const isName = ts.isIdentifier(node) && REALPATH.has(node.text);
    const isKey = ts.isStringLiteralLike(node) && REALPATH.has(node.text) && keyOf(node);
    const bareImport = ts.isImportSpecifier(node.parent) && node.parent.propertyName === undefined;
    if ((isName || isKey) && !bareImport && !nativeAfter(named(node))) found.push(node.getStart(sf));
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return found;
}

/** `path:line: text` for every line of a checked file that mentions node's JavaScript realpath. */
function javascriptRealpaths(root: string): string[] {
  return CHECKED.flatMap((folder) =>
    readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.(ts|mts|cts|mjs|js|cjs)$/.test(entry.name))
      .flatMap((entry) => {
        const file = join(entry.parentPath, entry.name);
        const source = readFileSync(file, 'utf8');
        const lines = source.split('\n');
        const found = new Set(mentions(file, source).map((at) => source.slice(0, at).split('\n').length));
        return [...found].map((line) => `${relative(root, file)}:${line}: ${lines[line - 1]?.trim()}`);
      }),
  ).sort();
}

describe('real paths are the kernel’s', () => {
  test('no file under src/ or scripts/ calls fs.realpathSync or fs.realpath (only their .native)', () => {
    const found = javascriptRealpaths(REPO_ROOT);
    expect(
      found,
      `node's JavaScript realpath resolves a link target's .. before following the links before it (fix: realpathSync.native):\n${found.join('\n')}`,
    ).toEqual([]);
  });

  test('the check names each planted use by file and line, and takes .native, a bare import and comments', () => {
    const root = tempDir('realpath-native-');
    for (const folder of CHECKED) mkdirSync(join(root, folder, 'deep'), { recursive: true });
    writeFileSync(
      join(root, 'src/deep/a.ts'),
      "import { realpathSync } from 'node:fs';\nconst r = realpathSync('x');\nconst k = realpathSync.native('k');\n",
    );
    writeFileSync(
      join(root, 'scripts/b.mjs'),
      "const n = realpathSync.native('x');\nawait fs.promises.realpath ('y');\nconst m = fs.realpathSync\n  .native('m');\n",
    );
    writeFileSync(join(root, 'src/c.mjs'), "import { realpath } from 'node:fs/promises';\nawait realpath('z');\n");
    // The aliased and passed-on forms, each on its own line; comments and a URL before one are no cover.
    writeFileSync(
      join(root, 'src/deep/d.ts'),
      [
        "import {\n  statSync,\n  realpathSync as rp,\n} from 'node:fs';",
        'const { realpathSync: canon } = fs;',
        'const all = paths.map(realpathSync);',
        'const later = promisify(fs.realpath);',
        "const keyed = fs['realpathSync'](x);",
        "const url = 'http://x/y'; realpath(url);",
        '// realpathSync(x) in a comment is no use',
        '/* nor realpath(x) in a block',
        '   over lines */ const fine = 1;',
        "const re = /a\\/*/; const after = realpathSync('r');",
        // A quote in a regular expression, `//` in a character class, a template holding a backtick:
        // none opens a string or a comment, so the `//` and `/*` after them hide nothing.
        "const q = /['\"]/; const u = 'http://x'; realpathSync(u);",
        'const cls = /[//]/; realpath(cls);',
        "const t = `${'`'}`; const s = '//'; realpathSync(s);",
        "const t2 = `a${'`'}b`; const s2 = '/*'; fs['realpath'](s2); // */",
        // Text is no mention; .native after a key or over lines is the kernel's.
        "log('realpathSync'); const k2 = fs['realpathSync'].native(k); const k3 = fs.realpath\n  ['native'];",
      ].join('\n'),
    );
    writeFileSync(join(root, 'scripts/e.mjs'), "const { 'realpathSync': c } = fs;\nconst re = /'/; c(realpath);\n");
    expect(javascriptRealpaths(root)).toEqual([
      "scripts/b.mjs:2: await fs.promises.realpath ('y');",
      "scripts/e.mjs:1: const { 'realpathSync': c } = fs;",
      "scripts/e.mjs:2: const re = /'/; c(realpath);",
      "src/c.mjs:2: await realpath('z');",
      "src/deep/a.ts:2: const r = realpathSync('x');",
      "src/deep/d.ts:13: const re = /a\\/*/; const after = realpathSync('r');",
      "src/deep/d.ts:14: const q = /['\"]/; const u = 'http://x'; realpathSync(u);",
      'src/deep/d.ts:15: const cls = /[//]/; realpath(cls);',
      "src/deep/d.ts:16: const t = `${'`'}`; const s = '//'; realpathSync(s);",
      "src/deep/d.ts:17: const t2 = `a${'`'}b`; const s2 = '/*'; fs['realpath'](s2); // */",
      'src/deep/d.ts:3: realpathSync as rp,',
      'src/deep/d.ts:5: const { realpathSync: canon } = fs;',
      'src/deep/d.ts:6: const all = paths.map(realpathSync);',
      'src/deep/d.ts:7: const later = promisify(fs.realpath);',
      "src/deep/d.ts:8: const keyed = fs['realpathSync'](x);",
      "src/deep/d.ts:9: const url = 'http://x/y'; realpath(url);",
    ]);
  });
});
