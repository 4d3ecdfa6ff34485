/**
 * The build record (src/tooling/build-record.mjs buildRecord, currentBundle), on records written by
 * buildRecord itself and read by currentBundle, the functions every bundle's check runs (launch.mjs,
 * bundle.ts, script-bundle.ts): what a source esbuild was given is recorded as, what esbuild looks
 * up in the inputs' parent folders, and the shortcut of stat signatures (an input or folder whose
 * change time was older than the build's start less the margin is recorded with its signature,
 * and while that signature holds it is not read again). What a real build records is proven with
 * esbuild by synth-bundle.test.ts and script-bundle.test.ts. A record's hash or listing replaced
 * by a wrong one shows which was used: the signature, or the content.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRecord, buildRecordFile, currentBundle } from '../../src/tooling/build-record.mjs';
import { write, writeAt } from '../support/files.js';
import { tempDir } from '../support/temp.js';

/** Whole seconds, an hour ago: a time utimes puts back exactly. */
const AN_HOUR_AGO = Math.floor(Date.now() / 1000) - 3600;

/** The sources as the fixture writes them. */
const ENTRY = "import './dep.js';\n";
const DEP = "export const value = 'one';\n";

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Written {
  inputs: { [file: string]: string };
  folders: { [folder: string]: string };
  stats?: { [path: string]: string };
}

/**
 * A project in a folder of its own: `project/src/entry.ts` importing `./dep.js` (dep.ts), both
 * written an hour ago, and a bundle in `out/` (not beside an input: a new name there is a change).
 * `build` records it, `record` rewrites the record file, `current` is currentBundle's answer.
 */
function recorded() {
  const dir = tempDir('arcade-build-record-');
  const project = join(dir, 'project');
  const src = join(project, 'src');
  const entry = join(src, 'entry.ts');
  const dep = join(src, 'dep.ts');
  writeAt(entry, ENTRY, AN_HOUR_AGO);
  writeAt(dep, DEP, AN_HOUR_AGO);
  const out = join(dir, 'out', 'out.mjs');
  write(out, 'bundle\n');
  const recordFile = buildRecordFile(out);
  /**
   * Records the build as one that started `startedIn` ms from now; `given`: the sources esbuild was
   * given (bundle.ts LoadedFiles), each with the text it was given; any other input is hashed as a
   * file esbuild read itself. Whether it was recordable.
   */
  const build = (startedIn = 0, given: Readonly<Record<string, string>> = {}) => {
    const { text, recordable } = buildRecord('key', {
      entry: out,
      workingDir: project,
      startedAt: Date.now() + startedIn,
      inputs: { 'src/entry.ts': { imports: [{ original: './dep.js' }] }, 'src/dep.ts': { imports: [] } },
      loaded: new Map(Object.entries(given).map(([file, content]) => [file, sha256(content)])),
      outputs: [out],
    });
    writeFileSync(recordFile, text);
    return recordable;
  };
  return {
    dir,
    project,
    src,
    entry,
    dep,
    out,
    build,
    read: () => JSON.parse(readFileSync(recordFile, 'utf8')) as Written,
    record: (record: Written) => writeFileSync(recordFile, JSON.stringify(record)),
    current: () => currentBundle(recordFile, 'key'),
  };
}

describe('the build record (src/tooling/build-record.mjs buildRecord, currentBundle)', () => {
  it('holds a source as esbuild was given it: one copied in with an old time during the build (cp -p, rsync -t, tar x) builds again', () => {
    const r = recorded();
    // After esbuild read it, before the record is written: other bytes, a time long before the build.
    write(r.dep, "export const value = 'copied in';\n", 3600);
    expect(r.build(0, { [r.dep]: DEP })).toBe(true);
    expect(r.current()).toBeUndefined();
    write(r.dep, DEP, 3600); // put back: what the bundle was built from
    expect(r.current()).toBe(r.out);
  });

  it.each(['tsconfig.json', 'package.json', 'jsconfig.json'])(
    'a %s added in a parent folder of the inputs (holding none) builds again, as its change does',
    (name) => {
      const r = recorded();
      expect(r.build()).toBe(true);
      expect(r.current()).toBe(r.out);
      for (const parent of [r.project, r.dir]) {
        write(join(parent, name), '{}\n');
        expect(r.current()).toBeUndefined();
        expect(r.build()).toBe(true);
        expect(r.current()).toBe(r.out);
        write(join(parent, name), '{"compilerOptions":{}}\n');
        expect(r.current()).toBeUndefined();
        rmSync(join(parent, name));
        expect(r.build()).toBe(true);
      }
      // A nearer node_modules changes what a package name resolves to.
      mkdirSync(join(r.project, 'node_modules'));
      expect(r.current()).toBeUndefined();
    },
  );

  it('a file esbuild looks up in a parent folder saved during the build leaves it unrecorded; another name there does not matter', () => {
    const r = recorded();
    write(join(r.dir, 'notes.txt'), 'not read by esbuild\n', -60);
    expect(r.build()).toBe(true);
    write(join(r.dir, 'notes.txt'), 'edited\n', -60);
    expect(r.current()).toBe(r.out);
    write(join(r.project, 'package.json'), '{}\n', -60);
    expect(r.build()).toBe(false);
    expect(r.current()).toBeUndefined();
  });
});

describe('the build record: stat signatures stand for the content of what did not change', () => {
  it('an input and its folder unchanged since before the build started are not read again', () => {
    const r = recorded();
    expect(r.build(10_000)).toBe(true); // every change time here is older than that start less the margin
    expect(r.current()).toBe(r.out);
    const record = r.read();
    expect(Object.keys(record.stats ?? {}).sort()).toEqual([r.src, r.dep, r.entry].sort());
    // Wrong hashes and listing: still current, so the signatures decided, not the content.
    r.record({
      ...record,
      inputs: { ...record.inputs, [r.dep]: 'not its hash' },
      folders: { [r.src]: 'not its listing' },
    });
    expect(r.current()).toBe(r.out);
    // Without the signatures the same record is read by content: the wrong hash is seen.
    r.record({ ...record, inputs: { ...record.inputs, [r.dep]: 'not its hash' }, stats: {} });
    expect(r.current()).toBeUndefined();
  });

  it('an input written again, with the same size and its times put back, is read: changed content builds again', () => {
    const r = recorded();
    r.build(10_000);
    writeAt(r.dep, "export const value = 'two';\n", AN_HOUR_AGO); // same size, same modification time: only its change time moved
    expect(r.current()).toBeUndefined();
    writeAt(r.dep, DEP, AN_HOUR_AGO); // the content put back: current again, by content
    expect(r.current()).toBe(r.out);
  });

  it("a file added beside an input changes its folder's signature: the folder is listed again", () => {
    const r = recorded();
    r.build(10_000);
    writeAt(join(r.src, 'dep.js'), "export const value = 'js';\n", AN_HOUR_AGO);
    expect(r.current()).toBeUndefined();
  });

  it('an input or folder changed within the margin before the build started gets no signature: read every time', () => {
    const r = recorded();
    // Their change times are now, the build's start: too recent to stand for content.
    expect(r.build(0)).toBe(true); // their modification times are an hour old
    expect(r.read().stats).toEqual({});
    expect(r.current()).toBe(r.out);
  });
});

describe('the build record fails closed: what cannot be read means build again, never an error', () => {
  it('an input whose folder became a file (ENOTDIR), and a record with null where a map belongs', () => {
    const r = recorded();
    r.build(10_000);
    expect(r.current()).toBe(r.out);
    const record = r.read();
    // A path under a file: stat throws ENOTDIR (the old check threw it to the launcher, which took it for an unwritable .build/).
    const under = join(r.entry, 'inner.ts');
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
