/**
 * A synth run stopped at its timeout (src/tooling/synth-run.ts): a stand-in entry, a node script
 * that waits and never writes, run as the real one is; the output folder is left as it was.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SynthFailed, synthesizeInto } from '../../src/tooling/synth-run.js';
import { tempDir } from '../support/temp.js';

describe('a synth run past its time', () => {
  it('is stopped, leaves the output as it was, and names the fix', async () => {
    const dir = tempDir('synth-run-');
    // In a folder whose name has a space and a quote: the fix's command quotes it for the shell.
    mkdirSync(join(dir, "Jo's checkout"));
    const bundle = join(dir, "Jo's checkout", 'main.cjs');
    writeFileSync(bundle, 'setTimeout(() => {}, 60_000);\n'); // ends on SIGTERM, as node does
    const out = join(dir, 'dist');
    mkdirSync(out);
    writeFileSync(join(out, 'kept.yaml'), 'kept: true\n');
    const printed: string[] = [];
    const sink = { write: (text: string) => printed.push(text) };
    const failed = await synthesizeInto({
      bundle,
      out,
      signal: new AbortController().signal,
      timeoutMs: 200,
      output: { stdout: sink, stderr: sink },
    }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(SynthFailed);
    expect((failed as SynthFailed).message).toBe(
      `timed out after 0.2 s and was stopped; ${out} was left unchanged (fix: the synth reads only the ` +
        'environment files, nothing from the network, and ends in seconds: run node ' +
        `'${dir}/Jo'\\''s checkout/main.cjs' --out "$(mktemp -d)" to see where it waits)`,
    );
    expect(readdirSync(out)).toEqual(['kept.yaml']);
    expect(existsSync(`${out}.synth-${process.pid}`)).toBe(false);
    expect(printed).toEqual([]);
  });
});
