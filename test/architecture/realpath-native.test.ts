/**
 * Every real path in src/ and scripts/ is the kernel's (`fs.realpathSync.native`), never node's
 * JavaScript `fs.realpathSync` (nor `fs.realpath` / `fs.promises.realpath`, the same walk): that
 * one resolves `..` in a link's target against the link's own folder, before following the links
 * before it, where the kernel follows them first. With `b -> /far/deep/z` and `app -> b/../sub` in
 * a checkout, `realpathSync('app')` is `<checkout>/sub` (inside) while every write through `app`
 * lands in `/far/deep/sub` (src/core/path-within.mjs says more). A call of the JavaScript one
 * fails here, named by file and line, so it cannot come back unseen; biome has no rule that
 * refuses one member of an import while allowing its `.native`.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tempDir } from '../support/temp.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const CHECKED = ['src', 'scripts'];

/** A call of node's JavaScript realpath: `realpathSync(`, `realpath(`, `promises.realpath(`; `.native` is not one. */
const JAVASCRIPT_REALPATH = /\brealpath(?:Sync)?\s*\(/;

/** `path:line: text` for every line of a checked file that calls node's JavaScript realpath. */
function javascriptRealpaths(root: string): string[] {
  return CHECKED.flatMap((folder) =>
    readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.(ts|mts|mjs|js|cjs)$/.test(entry.name))
      .flatMap((entry) => {
        const file = join(entry.parentPath, entry.name);
        return readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((text, i) =>
            JAVASCRIPT_REALPATH.test(text) ? [`${relative(root, file)}:${i + 1}: ${text.trim()}`] : [],
          );
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

  test('the check names each planted call by file and line, and takes .native and a mere import', () => {
    const root = tempDir('realpath-native-');
    for (const folder of CHECKED) mkdirSync(join(root, folder, 'deep'), { recursive: true });
    writeFileSync(
      join(root, 'src/deep/a.ts'),
      "import { realpathSync } from 'node:fs';\nconst r = realpathSync('x');\n",
    );
    writeFileSync(
      join(root, 'scripts/b.mjs'),
      "const n = realpathSync.native('x');\nawait fs.promises.realpath ('y');\n",
    );
    writeFileSync(join(root, 'src/c.mjs'), "import { realpath } from 'node:fs/promises';\nawait realpath('z');\n");
    expect(javascriptRealpaths(root)).toEqual([
      "scripts/b.mjs:2: await fs.promises.realpath ('y');",
      "src/c.mjs:2: await realpath('z');",
      "src/deep/a.ts:2: const r = realpathSync('x');",
    ]);
  });
});
