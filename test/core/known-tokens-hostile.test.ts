/**
 * Session 16's review: a megabyte of text shaped to make the token patterns backtrack (a prefix
 * repeated: a match could start at each repeat and scan to the end) is masked in linear time. Before
 * the mend `xoxb-` repeated 160 KB took 25 s in hideKnownTokens and `token.` repeated 20 KB did not
 * end in 120 s in hideTokenShapes.
 *
 * Each mask runs over each megabyte in a worker thread of its own test file (tsx's loader hooks,
 * registered there, end with it: test/architecture/load-order.test.ts), bounded: a mask still running
 * after BOUND_MS is stopped (a worker's terminate ends even a regular expression that backtracks)
 * and the test fails naming the mask and the shape, at once, instead of holding a test worker for
 * minutes. A bound against a hang, never a timing assertion: generous for a loaded machine
 * (test/support/deadlines.ts; measured times: docs/benchmarks.md).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { TEST_TIMEOUT_MS } from '../support/deadlines.js';

const MB = 1 << 20;
const SHAPES = [
  'xoxb-',
  'eyJ-',
  'eyJ.',
  'ghp_',
  'glpat-',
  'arc_',
  'AIza',
  'ya29.',
  'token.',
  'xoxe-1-',
  'a',
  // The escapes a token may follow (session 17): a double URL-encoded `=`, C's hex and octal, an ANSI code.
  '%253D',
  String.raw`\x3d`,
  String.raw`\0331`,
  '\x1b[2K',
  String.raw`\u001b[;`,
];
/** Each mask, by the module that exports it (a redactor's: `NO_SECRETS.text`, `withoutUserinfoOf` with no URL). */
const MASKS = ['hideKnownTokens', 'hideTokenShapes', 'NO_SECRETS.text', 'withoutUserinfoOf'] as const;

/** A GitHub key after the hostile megabyte (built from parts: the repository's secret scan reads this file). */
const KEY = `${'ghp'}_${'aB3dE5gH7j'.repeat(4).slice(0, 32)}WXYZ`;

/** The most one mask may run over one megabyte before it is stopped: half the test's own timeout. */
const BOUND_MS = TEST_TIMEOUT_MS / 2;

/**
 * The worker: for each message `{ shape, mask }`, the megabyte of `shape` then the key, masked by
 * `mask`; it answers the masked text's last 64 characters and whether the key is still in it whole.
 */
const MASKER = `
const { parentPort, workerData } = require('node:worker_threads');
let masks;
async function load() {
  const { tsImport } = await import(workerData.tsx);
  const from = (file) => tsImport(workerData.src + file, workerData.parent);
  const [known, redact, shapes] = await Promise.all([from('known-tokens.ts'), from('redact.ts'), from('token-shapes.ts')]);
  return {
    hideKnownTokens: known.hideKnownTokens,
    hideTokenShapes: shapes.hideTokenShapes,
    'NO_SECRETS.text': redact.NO_SECRETS.text,
    withoutUserinfoOf: (t) => redact.withoutUserinfoOf([], t),
  };
}
parentPort.on('message', async ({ shape, mask }) => {
  try {
    masks ??= await load();
    const text = shape.repeat(Math.ceil(${MB} / shape.length)) + ' ' + workerData.key;
    const masked = masks[mask](text);
    parentPort.postMessage({ tail: masked.slice(-64), whole: masked.includes(workerData.key) });
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.stack) || err) });
  }
});`;

let worker: Worker | undefined;
afterAll(() => worker?.terminate());

/** What `mask` leaves of the megabyte of `shape` and the key; rejects naming both when it runs past BOUND_MS. */
function maskInWorker(shape: string, mask: string): Promise<{ tail: string; whole: boolean }> {
  worker ??= new Worker(MASKER, {
    eval: true,
    workerData: {
      tsx: import.meta.resolve('tsx/esm/api'),
      parent: import.meta.url,
      src: `${pathToFileURL(join(REPO_ROOT, 'src', 'core')).href}/`,
      key: KEY,
    },
  });
  const masker = worker;
  return new Promise((resolve, reject) => {
    const bound = setTimeout(() => {
      worker = undefined; // the next mask starts a worker of its own
      void masker.terminate();
      reject(
        new Error(
          `${mask} over a megabyte of ${JSON.stringify(shape)} was still running after ${BOUND_MS / 1000} s and was ` +
            'stopped: one of its patterns backtracks (src/core/known-tokens.ts, token-shapes.ts: each must stay bounded and linear)',
        ),
      );
    }, BOUND_MS);
    masker.once('message', (answer: { tail?: string; whole?: boolean; error?: string }) => {
      clearTimeout(bound);
      if (answer.error !== undefined) reject(new Error(answer.error));
      else resolve({ tail: answer.tail ?? '', whole: answer.whole ?? true });
    });
    masker.postMessage({ shape, mask });
  });
}

describe('a megabyte of a repeated prefix', () => {
  it.each(SHAPES.flatMap((shape) => MASKS.map((mask) => [mask, shape] as const)))(
    '%s over %j: completes within its bound, and still hides a key planted after it',
    async (mask, shape) => {
      const { tail, whole } = await maskInWorker(shape, mask);
      expect(tail).toMatch(new RegExp(`…${KEY.slice(-4)}[\\]>]$`)); // an API key keeps its last 4 (the brief's …abcd)
      expect(whole).toBe(false);
    },
  );
});
