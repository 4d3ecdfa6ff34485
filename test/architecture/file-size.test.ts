/**
 * The file size rule (README.md "Architecture"): no file under src/ or scripts/ is over 300
 * lines unless it holds one concept that reads better whole and says so in the comment at its
 * top, `over 300 lines because …` (the reason follows). A file that grows past 300 lines
 * without one fails here, named with its line count, so the split-or-justify decision is made
 * when it happens and not found by a review later.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tempDir } from '../support/temp.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const LIMIT = 300;
const CHECKED = ['src', 'scripts'];

/** Lines as an editor counts them (a final newline ends the last line, it does not start one). */
function lineCount(text: string): number {
  const lines = text.split('\n').length;
  return text.endsWith('\n') ? lines - 1 : lines;
}

/**
 * The comment the file opens with (after a `#!` line): one block comment or a run of `//`
 * lines, its text with the comment markers and line breaks folded to single spaces.
 */
function leadingComment(text: string): string {
  const body = text.replace(/^#!.*\n/, '').trimStart();
  const block = /^\/\*[\s\S]*?\*\//.exec(body);
  const raw = block ? block[0] : (/^(\/\/.*\n)+/.exec(body)?.[0] ?? '');
  return raw
    .replace(/^\s*(\/\*+|\*\/|\*|\/\/)/gm, ' ')
    .replace(/\*\/\s*$/, ' ')
    .replace(/\s+/g, ' ');
}

/** The header that justifies a long file, with some reason after it. */
const JUSTIFIED = /over 300 lines because \S/i;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|mjs|js)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** `path (N lines)` for every checked file over the limit that does not say why at its top. */
function unjustifiedLongFiles(root: string): string[] {
  return CHECKED.flatMap((folder) => sourceFiles(join(root, folder)))
    .map((file) => ({ file, text: readFileSync(file, 'utf8') }))
    .filter(({ text }) => lineCount(text) > LIMIT && !JUSTIFIED.test(leadingComment(text)))
    .map(({ file, text }) => `${relative(root, file)} (${lineCount(text)} lines)`)
    .sort();
}

const fix =
  'split it where it holds several concepts, or, if it holds one that reads better whole, ' +
  `start its top comment with "over ${LIMIT} lines because <the reason>"`;

describe('file size', () => {
  test(`no file under ${CHECKED.join('/ or ')}/ is over ${LIMIT} lines without saying why at its top`, () => {
    const found = unjustifiedLongFiles(REPO_ROOT);
    expect(found, `over ${LIMIT} lines with no reason at the top (fix: ${fix}):\n${found.join('\n')}`).toEqual([]);
  });

  describe('the check itself', () => {
    const body = (lines: number) => Array.from({ length: lines }, (_, i) => `export const v${i} = ${i};`).join('\n');
    const plant = (files: Record<string, string>) => {
      const root = tempDir('file-size-');
      for (const folder of CHECKED) mkdirSync(join(root, folder, 'deep'), { recursive: true });
      for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
      return root;
    };

    test('names a planted long file under src/ and under scripts/, with its line count', () => {
      const root = plant({
        'src/deep/long.ts': `/** A module. */\n${body(LIMIT)}\n`,
        'scripts/long.ts': `#!/usr/bin/env tsx\n${body(LIMIT)}\n`,
        'src/exact.ts': `${body(LIMIT)}\n`,
      });
      expect(unjustifiedLongFiles(root)).toEqual(['scripts/long.ts (301 lines)', 'src/deep/long.ts (301 lines)']);
    });

    test('accepts the header in a block comment, wrapped across lines, or in // lines, after a #! line', () => {
      const root = plant({
        'src/block.ts': `/**\n * One thing. Over 300\n * lines because it is one walk.\n */\n${body(LIMIT)}\n`,
        'src/line.ts': `// over 300 lines because it is one table\n${body(LIMIT)}\n`,
        'scripts/entry.ts': `#!/usr/bin/env tsx\n/** over 300 lines because one flow. */\n${body(LIMIT)}\n`,
      });
      expect(unjustifiedLongFiles(root)).toEqual([]);
    });

    test('refuses the header below the top, and one that gives no reason', () => {
      const root = plant({
        'src/late.ts': `/** A module. */\n${body(LIMIT)}\n/** over 300 lines because it is long. */\n`,
        'src/bare.ts': `/** over 300 lines because */\n${body(LIMIT)}\n`,
      });
      expect(unjustifiedLongFiles(root)).toEqual(['src/bare.ts (301 lines)', 'src/late.ts (302 lines)']);
    });
  });
});
