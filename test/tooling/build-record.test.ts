/**
 * The build record's shortcut (src/tooling/build-record.mjs): an input or folder whose change time
 * was older than the build's start less the margin is recorded with its stat signature, and while
 * that signature holds it is not read again; anything else is hashed or listed as before. On
 * records written by buildRecord itself and read by currentBundle, the functions every bundle's
 * check runs (launch.mjs, bundle.ts, script-bundle.ts); what a real build records is proven with
 * esbuild by synth-bundle.test.ts and script-bundle.test.ts. A record's hash or listing replaced by
 * a wrong one shows which was used: the signature, or the content.
 */
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRecord, currentBundle } from '../../src/tooling/build-record.mjs';
import { tempDir } from '../support/temp.js';

/** Whole seconds, an hour ago: a time utimes puts back exactly. */
const AN_HOUR_AGO = Math.floor(Date.now() / 1000) - 3600;

function write(file: string, text: string): void {
  writeFileSync(file, text);
  utimesSync(file, AN_HOUR_AGO, AN_HOUR_AGO);
}

interface Written {
  inputs: { [file: string]: string };
  folders: { [folder: string]: string };
  stats?: { [path: string]: string };
}

/**
 * Two inputs and an output in a folder of their own, recorded as a build that started
 * `startedIn` ms from now; `record` rewrites the record file, `current` is currentBundle's answer.
 */
function recorded(startedIn: number) {
  const dir = tempDir('arcade-build-record-');
  write(join(dir, 'entry.ts'), "import './dep.js';\n");
  write(join(dir, 'dep.ts'), "export const value = 'one';\n");
  // The output and the record in a folder of their own: not beside an input (a new name there is a change).
  const out = join(tempDir('arcade-build-record-out-'), 'out.mjs');
  writeFileSync(out, 'bundle\n');
  const recordFile = `${out}.built-from.json`;
  const build = {
    entry: out,
    workingDir: dir,
    startedAt: Date.now() + startedIn,
    inputs: { 'entry.ts': { imports: [{ original: './dep.js' }] }, 'dep.ts': { imports: [] } },
    outputs: [out],
  };
  const { text, recordable } = buildRecord('key', build);
  writeFileSync(recordFile, text);
  return {
    dir,
    out,
    recordable,
    dep: join(dir, 'dep.ts'),
    read: () => JSON.parse(readFileSync(recordFile, 'utf8')) as Written,
    record: (record: Written) => writeFileSync(recordFile, JSON.stringify(record)),
    current: () => currentBundle(recordFile, 'key'),
  };
}

describe('the build record: stat signatures stand for the content of what did not change', () => {
  it('an input and its folder unchanged since before the build started are not read again', () => {
    const r = recorded(10_000); // every change time here is older than that start less the margin
    expect(r.recordable).toBe(true);
    expect(r.current()).toBe(r.out);
    const record = r.read();
    expect(Object.keys(record.stats ?? {}).sort()).toEqual([r.dir, r.dep, join(r.dir, 'entry.ts')].sort());
    // Wrong hashes and listing: still current, so the signatures decided, not the content.
    r.record({
      ...record,
      inputs: { ...record.inputs, [r.dep]: 'not its hash' },
      folders: { [r.dir]: 'not its listing' },
    });
    expect(r.current()).toBe(r.out);
    // Without the signatures the same record is read by content: the wrong hash is seen.
    r.record({ ...record, inputs: { ...record.inputs, [r.dep]: 'not its hash' }, stats: {} });
    expect(r.current()).toBeUndefined();
  });

  it('an input written again, with the same size and its times put back, is read: changed content builds again', () => {
    const r = recorded(10_000);
    write(r.dep, "export const value = 'two';\n"); // same size, same modification time: only its change time moved
    expect(r.current()).toBeUndefined();
    write(r.dep, "export const value = 'one';\n"); // the content put back: current again, by content
    expect(r.current()).toBe(r.out);
  });

  it("a file added beside an input changes its folder's signature: the folder is listed again", () => {
    const r = recorded(10_000);
    write(join(r.dir, 'dep.js'), "export const value = 'js';\n");
    expect(r.current()).toBeUndefined();
  });

  it('an input or folder changed within the margin before the build started gets no signature: read every time', () => {
    const r = recorded(0); // their change times are now, the build's start: too recent to stand for content
    expect(r.recordable).toBe(true); // their modification times are an hour old
    expect(r.read().stats).toEqual({});
    expect(r.current()).toBe(r.out);
  });
});

describe('the build record fails closed: what cannot be read means build again, never an error', () => {
  it('an input whose folder became a file (ENOTDIR), and a record with null where a map belongs', () => {
    const r = recorded(10_000);
    expect(r.current()).toBe(r.out);
    const record = r.read();
    // A path under a file: stat throws ENOTDIR (the old check threw it to the launcher, which took it for an unwritable .build/).
    const under = join(r.dir, 'entry.ts', 'inner.ts');
    r.record({
      ...record,
      inputs: { ...record.inputs, [under]: 'its hash' },
      stats: { ...record.stats, [under]: '1:2:3:4:5' },
    });
    expect(r.current()).toBeUndefined();
    for (const field of ['inputs', 'outputs', 'folders', 'passed', 'parents']) {
      r.record({ ...record, [field]: null } as unknown as Written);
      expect(r.current(), field).toBeUndefined();
    }
    r.record(record);
    expect(r.current()).toBe(r.out); // the record as written still matches: the checks above are not always "build"
  });
});
