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
 * key), but for the bare name in an import list, whose uses are then checked.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tempDir } from '../support/temp.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const CHECKED = ['src', 'scripts'];

/** A mention of node's realpath: the name itself, in code or in a string (`fs['realpathSync']`). */
const REALPATH = /\brealpath(?:Sync)?\b/g;
/** What makes a mention the kernel's: `.native` right after it. */
const NATIVE_AFTER = /^\s*\.\s*native\b/;
/** An import list: `import { a, b } from '…'` (a default import or `type` before it, over lines too). */
const IMPORT_LIST = /\bimport\s+(?:type\s+)?(?:[\w$]+\s*,\s*)?\{([^}]*)\}\s*from\s*['"][^'"]+['"]/g;

/**
 * `source` with its comments blanked (newlines kept, so lines and offsets stay): a comment may name
 * realpathSync freely. Strings are kept (`fs['realpathSync']` is a use) and skipped whole, so a
 * `//` inside one is not a comment; a backslash outside one (a regular expression's) escapes the
 * next character, so `/\/*\/` opens no comment.
 */
function withoutComments(source: string): string {
  const out = source.split('');
  let quote: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
    } else if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
    } else if (c === '/' && (source[i + 1] === '/' || source[i + 1] === '*')) {
      const close = source[i + 1] === '/' ? source.indexOf('\n', i) : source.indexOf('*/', i + 2) + 2;
      const stop = close <= 1 || close < i ? source.length : close;
      for (let j = i; j < stop; j++) if (out[j] !== '\n') out[j] = ' ';
      i = stop - 1;
    }
  }
  return out.join('');
}

/**
 * Where `code` (comments blanked) mentions realpath or realpathSync not followed by `.native`: a
 * call, a reference passed on (`paths.map(realpathSync)`, `promisify(fs.realpath)`), an alias
 * (`{ realpathSync as rp }`, `{ realpathSync: canon } = fs`), a string key. The one exception is
 * the bare name in an import list, whose every use is then a mention checked the same way.
 */
function mentions(code: string): number[] {
  const imported = new Set<number>();
  for (const list of code.matchAll(IMPORT_LIST)) {
    const names = list[1] ?? '';
    const at = (list.index ?? 0) + list[0].indexOf('{') + 1;
    let offset = 0;
    for (const entry of names.split(',')) {
      if (/^\s*realpath(?:Sync)?\s*$/.test(entry)) imported.add(at + offset + entry.search(/\S/));
      offset += entry.length + 1;
    }
  }
  return [...code.matchAll(REALPATH)]
    .filter((m) => !imported.has(m.index) && !NATIVE_AFTER.test(code.slice(m.index + m[0].length)))
    .map((m) => m.index);
}

/** `path:line: text` for every line of a checked file that mentions node's JavaScript realpath. */
function javascriptRealpaths(root: string): string[] {
  return CHECKED.flatMap((folder) =>
    readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.(ts|mts|mjs|js|cjs)$/.test(entry.name))
      .flatMap((entry) => {
        const file = join(entry.parentPath, entry.name);
        const source = readFileSync(file, 'utf8');
        const lines = source.split('\n');
        const found = new Set(mentions(withoutComments(source)).map((at) => source.slice(0, at).split('\n').length));
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
      ].join('\n'),
    );
    expect(javascriptRealpaths(root)).toEqual([
      "scripts/b.mjs:2: await fs.promises.realpath ('y');",
      "src/c.mjs:2: await realpath('z');",
      "src/deep/a.ts:2: const r = realpathSync('x');",
      "src/deep/d.ts:13: const re = /a\\/*/; const after = realpathSync('r');",
      'src/deep/d.ts:3: realpathSync as rp,',
      'src/deep/d.ts:5: const { realpathSync: canon } = fs;',
      'src/deep/d.ts:6: const all = paths.map(realpathSync);',
      'src/deep/d.ts:7: const later = promisify(fs.realpath);',
      "src/deep/d.ts:8: const keyed = fs['realpathSync'](x);",
      "src/deep/d.ts:9: const url = 'http://x/y'; realpath(url);",
    ]);
  });
});
