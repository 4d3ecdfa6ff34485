/**
 * The synth bundle is built again exactly when something it was built from changed
 * (src/tooling/build-record.mjs), with the real esbuild on an entry of the test's own whose source
 * the test changes: whether a call built is read from the bundle's inode (every build replaces the
 * file by a rename), what it was built from from its content.
 */
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRecordFile } from '../../src/tooling/build-record.mjs';
import { bundleSynthEntry, REPO_ROOT, SYNTH_BUNDLE } from '../../src/tooling/bundle.js';
import { tempDir } from '../support/temp.js';

/** Writes `file` with a modification time `ageSeconds` in the past (negative: the future). */
function write(file: string, text: string, ageSeconds = 60): void {
  writeFileSync(file, text);
  const time = Date.now() / 1000 - ageSeconds;
  utimesSync(file, time, time);
}

/** A folder with an entry importing a dependency whose value the test changes. */
function project(value: string) {
  const dir = tempDir('arcade-bundle-');
  write(join(dir, 'entry.ts'), "import { value } from './dep.js';\nconsole.log(value);\n");
  write(join(dir, 'dep.ts'), `export const value: string = '${value}';\n`);
  const out = join(dir, 'out', 'main.cjs');
  const bundle = async () => {
    await bundleSynthEntry(out, join(dir, 'entry.ts'));
    return { inode: statSync(out).ino, text: readFileSync(out, 'utf8') };
  };
  return { dep: join(dir, 'dep.ts'), out, bundle };
}

describe.concurrent('the synth bundle (src/tooling/bundle.ts bundleSynthEntry)', () => {
  it('is not built again when nothing changed; a changed source, a bundle edited or a map removed build again', async () => {
    const p = project('one');
    const first = await p.bundle();
    expect(first.text).toContain('"one"');
    expect(Object.keys(JSON.parse(readFileSync(buildRecordFile(p.out), 'utf8')).inputs)).toContain(p.dep);
    expect(await p.bundle()).toEqual(first); // same inode: not written again

    write(p.dep, "export const value: string = 'two';\n");
    const changed = await p.bundle();
    expect(changed.inode).not.toBe(first.inode);
    expect(changed.text).toContain('"two"');

    // Put back with an older time than the bundle's: by content, not by time.
    write(p.dep, "export const value: string = 'one';\n", 3600);
    const restored = await p.bundle();
    expect(restored.inode).not.toBe(changed.inode);
    expect(restored.text).toBe(first.text);

    writeFileSync(p.out, `${restored.text}// edited by hand\n`);
    const repaired = await p.bundle();
    expect(repaired.text).toBe(first.text);

    rmSync(`${p.out}.map`);
    const remapped = await p.bundle();
    expect(remapped.inode).not.toBe(repaired.inode);
    expect(statSync(`${p.out}.map`).isFile()).toBe(true);
    expect(await p.bundle()).toEqual(remapped);
  });

  it('a build whose source changed while esbuild ran is not recorded: the next call builds again', async () => {
    const p = project('one');
    write(p.dep, "export const value: string = 'saved during the build';\n", -60);
    const first = await p.bundle();
    expect(first.text).toContain('"saved during the build"');
    expect((await p.bundle()).inode).not.toBe(first.inode);
  });

  it('a bundled package whose package.json alone changed (its main, exports or sideEffects) builds again', async () => {
    const p = project('one');
    const zod = join(dirname(p.dep), 'node_modules', 'zod');
    mkdirSync(zod, { recursive: true });
    write(join(zod, 'a.js'), "exports.value = 'from a';\n");
    write(join(zod, 'b.js'), "exports.value = 'from b';\n");
    write(join(zod, 'package.json'), '{"name":"zod","version":"1.0.0","main":"a.js"}\n');
    write(join(dirname(p.dep), 'entry.ts'), "import { value } from 'zod';\nconsole.log(value);\n");
    const first = await p.bundle();
    expect(first.text).toContain('"from a"');
    expect(Object.keys(JSON.parse(readFileSync(buildRecordFile(p.out), 'utf8')).inputs)).toContain(
      join(zod, 'package.json'),
    );
    expect(await p.bundle()).toEqual(first);

    write(join(zod, 'package.json'), '{"name":"zod","version":"1.0.1","main":"b.js"}\n');
    const upgraded = await p.bundle();
    expect(upgraded.inode).not.toBe(first.inode);
    expect(upgraded.text).toContain('"from b"');
  });

  it('a file added beside an input, to which an unchanged import now resolves, builds again', async () => {
    const p = project('one');
    const first = await p.bundle();
    expect(first.text).toContain('"one"');
    // './dep.js' resolved to dep.ts; a dep.js beside it is what the same import names now.
    write(join(dirname(p.dep), 'dep.js'), "export const value = 'from dep.js';\n");
    const shadowed = await p.bundle();
    expect(shadowed.inode).not.toBe(first.inode);
    expect(shadowed.text).toContain('"from dep.js"');
    expect(await p.bundle()).toEqual(shadowed);
  });

  it('a record of other settings is not used', async () => {
    const p = project('one');
    const first = await p.bundle();
    const record = JSON.parse(readFileSync(buildRecordFile(p.out), 'utf8')) as Record<string, unknown>;
    writeFileSync(buildRecordFile(p.out), JSON.stringify({ ...record, key: '0'.repeat(64) }));
    expect((await p.bundle()).inode).not.toBe(first.inode);
  });

  it("the synth bundle's record holds src/main.ts, what it imports and the bundled zod", async () => {
    await bundleSynthEntry();
    const inputs = Object.keys(JSON.parse(readFileSync(buildRecordFile(SYNTH_BUNDLE), 'utf8')).inputs);
    for (const file of ['src/main.ts', 'src/synth.ts', 'src/environments/schema.ts'])
      expect(inputs).toContain(join(REPO_ROOT, file));
    expect(inputs.some((f) => f.startsWith(join(REPO_ROOT, 'node_modules/zod/')))).toBe(true);
  });
});
