/**
 * dist/ is the reviewed snapshot of what Flux applies: it must be exactly what the code and the
 * environment files synthesize today, byte for byte.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironments } from '../../src/environments/load.js';
import { folderFiles, synthAll } from '../../src/synth.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { DIST_MARKER, DIST_MARKER_TEXT } from '../../src/tooling/output-dir.js';

const DIST = join(REPO_ROOT, 'dist');
const FIX = 'run `npm run synth` and commit dist/ with the change that caused it';

function committedFiles(): string[] {
  return readdirSync(DIST, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(DIST.length + 1))
    .sort();
}

describe('committed dist/', () => {
  const outputs = synthAll(loadEnvironments().map((l) => l.env));
  const expected = new Map(outputs.flatMap((o) => [...o.files, ...o.extras].map((f) => [f.path, f.content] as const)));

  it('exists', () => {
    expect(existsSync(DIST), `dist/ is missing: ${FIX}`).toBe(true);
  });

  it('holds exactly the files synth produces (one folder per environment, and the marker at the top)', () => {
    expect(committedFiles(), `dist/ file list is stale: ${FIX}`).toEqual([DIST_MARKER, ...expected.keys()].sort());
    expect(readFileSync(join(DIST, DIST_MARKER), 'utf8')).toBe(DIST_MARKER_TEXT);
  });

  it('holds exactly the bytes synth produces', () => {
    for (const [path, content] of expected) {
      const committed = existsSync(join(DIST, path)) ? readFileSync(join(DIST, path), 'utf8') : '<missing>';
      expect(committed, `dist/${path} differs from a fresh synth: ${FIX}`).toBe(content);
    }
  });

  it('lists every file of an environment in its kustomization.yaml', () => {
    for (const o of outputs) {
      const kustomization = o.files.find((f) => f.path === `${o.env.name}/kustomization.yaml`);
      const listed = kustomization?.content.match(/^ {2}- (.+)$/gm)?.map((l) => l.slice(4)) ?? [];
      const others = folderFiles(o)
        .map((f) => f.path)
        .filter((p) => p !== 'kustomization.yaml');
      expect(listed.sort()).toEqual(others.sort());
    }
  });

  it("folderFiles: each file as in its environment's folder (what the gate, export and the kustomization compare)", () => {
    for (const o of outputs) {
      const inFolder = folderFiles(o);
      expect(inFolder.map((f) => `${o.env.name}/${f.path}`)).toEqual(o.files.map((f) => f.path));
      expect(inFolder.map((f) => f.content)).toEqual(o.files.map((f) => f.content));
      expect(readdirSync(join(DIST, o.env.name)).sort()).toEqual(inFolder.map((f) => f.path).sort());
    }
  });

  it('is deterministic: a second synth gives the same bytes', () => {
    const again = synthAll(loadEnvironments().map((l) => l.env));
    expect(again.flatMap((o) => [...o.files, ...o.extras])).toEqual(outputs.flatMap((o) => [...o.files, ...o.extras]));
  });
});
