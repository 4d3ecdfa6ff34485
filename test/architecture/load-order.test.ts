/**
 * Every module loads on its own, whatever is imported first. An import cycle can leave a value
 * undefined while its module is being evaluated (`ReferenceError: Cannot access 'X' before
 * initialization`); `src/environments/schema.ts` and `src/environments/probes.ts` once imported
 * each other and worked only when something else loaded first. tsx's `tsImport` loads each entry
 * in a fresh module namespace (node's own ESM loader), so no earlier import hides a cycle.
 *
 * The loads run in a worker thread of their own: `tsImport` registers tsx's loader hooks, which
 * node never removes, and registered in the test worker they would sit in front of every later
 * import of the files that worker runs next (measured: those files' package imports cost about
 * 1-2.5 s more CPU). A worker thread has its own loader, and its hooks end with it.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

/**
 * The worker: for each message `{ file, path }`, `tsImport`s the file in a new namespace (a fresh
 * module graph of ours) and answers the `typeof` of the value at `path` in its exports, or the
 * load's error.
 */
const LOADER = `
const { parentPort, workerData } = require('node:worker_threads');
parentPort.on('message', async ({ file, path }) => {
  try {
    const { tsImport } = await import(workerData.tsx);
    let value = await tsImport(file, workerData.parent);
    for (const key of path) value = value?.[key];
    parentPort.postMessage({ type: typeof value });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.stack || err) });
  }
});`;

let worker: Worker | undefined;
afterAll(() => worker?.terminate());

/** `typeof` the value at `path` in the exports of `file`, loaded first in a fresh module graph. */
function typeAtFirstLoad(file: string, path: readonly string[]): Promise<string> {
  worker ??= new Worker(LOADER, {
    eval: true,
    workerData: {
      tsx: import.meta.resolve('tsx/esm/api'),
      parent: import.meta.url,
    },
  });
  const loader = worker;
  return new Promise((resolve, reject) => {
    loader.once('message', (answer: { type?: string; error?: string }) =>
      answer.error === undefined ? resolve(answer.type ?? 'undefined') : reject(new Error(answer.error)),
    );
    loader.once('error', reject);
    loader.postMessage({ file: pathToFileURL(join(REPO_ROOT, file)).href, path });
  });
}

describe('load order', () => {
  test('src/environments/probes.ts loads first in a fresh module graph', async () => {
    expect(await typeAtFirstLoad('src/environments/probes.ts', ['targetsFromEnvironment'])).toBe('function');
  });

  test('src/environments/schema.ts loads first in a fresh module graph', async () => {
    expect(await typeAtFirstLoad('src/environments/schema.ts', ['EnvironmentSchema', 'shape', 'probes'])).toBe(
      'object',
    );
  });
});
