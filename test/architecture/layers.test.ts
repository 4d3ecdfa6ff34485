/**
 * The layers as written down and as enforced are one table: README.md "Architecture" lists, per
 * folder, what it may import; `.dependency-cruiser.mjs` (run by `npm run layers` in `npm test`)
 * enforces its `layers`. This test fails when the two differ, when a folder or top-level file
 * under src/ has no row (a new folder would be checked by no layer rule), when a row names
 * something that does not exist, or when the table allows a cycle between folders.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

type Layers = Record<string, readonly string[]>;

async function enforced(): Promise<Layers> {
  const config = (await import(pathToFileURL(join(REPO_ROOT, '.dependency-cruiser.mjs')).href)) as { layers: Layers };
  return config.layers;
}

/** `src/core/` → `src/core`; `src/synth.ts` stays. */
const key = (cell: string) => cell.replace(/\/$/, '');

/** The rows of the README's table under "Architecture": folder → what it may import. */
function documented(readme: string): Layers {
  const start = readme.indexOf('### Architecture');
  if (start < 0) throw new Error('README.md has no "### Architecture" section');
  const end = readme.indexOf('\n#', start + 1);
  const rows: Record<string, string[]> = {};
  for (const line of readme.slice(start, end < 0 ? undefined : end).split('\n')) {
    const row = /^\| `([^`]+)` \| (.+) \|$/.exec(line);
    if (!row) continue;
    const allowed = row[2]!.trim() === 'nothing' ? [] : [...row[2]!.matchAll(/`([^`]+)`/g)].map((m) => key(m[1]!));
    rows[key(row[1]!)] = allowed;
  }
  return rows;
}

/** The folder-level cycle the table allows, e.g. `['src/a', 'src/b', 'src/a']`, or undefined. */
function cycleIn(layers: Layers): string[] | undefined {
  const within = (target: string) => Object.keys(layers).filter((k) => k === target || k.startsWith(`${target}/`));
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]): string[] | undefined => {
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'open');
    for (const next of (layers[node] ?? []).flatMap(within)) {
      const found = visit(next, [...path, node]);
      if (found) return found;
    }
    state.set(node, 'done');
    return undefined;
  };
  for (const node of Object.keys(layers)) {
    const found = visit(node, []);
    if (found) return found;
  }
  return undefined;
}

describe('the architecture table', () => {
  test('README.md shows exactly the layers the checker enforces', async () => {
    const readme = documented(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
    expect(readme).toEqual(await enforced());
  });

  test('every folder and top-level file under src/ has a row, and every row exists', async () => {
    const layers = await enforced();
    const present = readdirSync(join(REPO_ROOT, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory() || d.name.endsWith('.ts'))
      .map((d) => `src/${d.name}`)
      .sort();
    const rows = Object.keys(layers).filter((k) => k.startsWith('src/'));
    expect(rows.sort()).toEqual(present);
    for (const target of Object.values(layers).flat()) {
      expect(existsSync(join(REPO_ROOT, target)), `${target} exists`).toBe(true);
    }
  });

  test('the table allows no cycle between folders', async () => {
    expect(cycleIn(await enforced())).toBeUndefined();
    // The check itself finds one: two folders that may import each other.
    expect(cycleIn({ 'src/a': ['src/b'], 'src/b': ['src/a'] })).toEqual(['src/a', 'src/b', 'src/a']);
  });
});
