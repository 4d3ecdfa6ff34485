/**
 * Every module loads on its own, whatever is imported first. An import cycle can leave a value
 * undefined while its module is being evaluated (`ReferenceError: Cannot access 'X' before
 * initialization`); `src/environments/schema.ts` and `src/environments/probes.ts` once imported
 * each other and worked only when something else loaded first. tsx's `tsImport` loads each entry
 * in a fresh module namespace (node's own ESM loader), so no earlier import hides a cycle.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const load = (file: string) => tsImport(pathToFileURL(join(ROOT, file)).href, import.meta.url);

describe('load order', () => {
  test('src/environments/probes.ts loads first in a fresh module graph', async () => {
    const probes = (await load('src/environments/probes.ts')) as typeof import('../../src/environments/probes.js');
    expect(typeof probes.targetsFromEnvironment).toBe('function');
  });

  test('src/environments/schema.ts loads first in a fresh module graph', async () => {
    const schema = (await load('src/environments/schema.ts')) as typeof import('../../src/environments/schema.js');
    expect(schema.EnvironmentSchema.shape.probes).toBeDefined();
  });
});
