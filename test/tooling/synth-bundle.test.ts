/**
 * The synth bundle is built again exactly when something it was built from changed
 * (src/tooling/build-record.mjs), with the real esbuild on an entry of the test's own whose source
 * the test changes: whether a call built is read from the bundle's inode (every build replaces the
 * file by a rename), what it was built from from its content.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRecordFile } from '../../src/tooling/build-record.mjs';
import { bundleSynthEntry, SYNTH_BUNDLE } from '../../src/tooling/bundle.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { relink, write } from '../support/files.js';
import { tempDir } from '../support/temp.js';

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
  return { dir, dep: join(dir, 'dep.ts'), out, bundle };
}

interface Bundle {
  inode: number;
  text: string;
}

/** A JavaScript module exporting `value`. @param value plain text, no quote */
const exporting = (value: string) => `exports.value = '${value}';\n`;

/** The first bundle holds `value`, and the next call does not build it again (same inode). */
async function builtOnce(bundle: () => Promise<Bundle>, value: string): Promise<Bundle> {
  const first = await bundle();
  expect(first.text).toContain(`"${value}"`);
  expect(await bundle()).toEqual(first);
  return first;
}

/** The next call builds again (a new inode) a bundle holding `value`; the one after does not. */
async function builtAgain(bundle: () => Promise<Bundle>, before: Bundle, value: string): Promise<Bundle> {
  const after = await bundle();
  expect(after.inode).not.toBe(before.inode);
  expect(after.text).toContain(`"${value}"`);
  expect(await bundle()).toEqual(after);
  return after;
}

/**
 * A project whose entry imports `specifier` from a stand-in zod (the synth bundle bundles zod
 * alone) with `manifest` in its package.json and one file, `file`, exporting 'from <file>'; built
 * once (builtOnce).
 */
async function bundledZod(manifest: Readonly<Record<string, unknown>>, specifier: string, file: string) {
  const p = project('one');
  const zod = join(p.dir, 'node_modules', 'zod');
  write(join(zod, 'package.json'), `${JSON.stringify({ name: 'zod', version: '1.0.0', ...manifest })}\n`);
  write(join(zod, file), exporting(`from ${file}`));
  write(join(p.dir, 'entry.ts'), `import { value } from '${specifier}';\nconsole.log(value);\n`);
  return { zod, bundle: p.bundle, first: await builtOnce(p.bundle, `from ${file}`) };
}

/**
 * A project (`<top>/app`) whose sub/use.ts imports `specifier` from a stand-in zod reached through a
 * symbolic link, as npm link or a workspace installs it (`app/node_modules/zod -> ../../zod`, so
 * esbuild names its files by their real path, `<top>/zod/...`, outside any node_modules), with
 * `manifest` in its package.json and one file, `file`, exporting 'from <file>'; built once.
 */
async function linkedZod(manifest: Readonly<Record<string, unknown>>, specifier: string, file: string) {
  const top = tempDir('arcade-bundle-');
  const app = join(top, 'app');
  const zod = join(top, 'zod');
  write(join(zod, 'package.json'), `${JSON.stringify({ name: 'zod', version: '1.0.0', ...manifest })}\n`);
  write(join(zod, file), exporting(`from ${file}`));
  relink(join(app, 'node_modules', 'zod'), '../../zod');
  write(join(app, 'sub', 'use.ts'), `export { value } from '${specifier}';\n`);
  write(join(app, 'entry.ts'), "import { value } from './sub/use.js';\nconsole.log(value);\n");
  const out = join(app, 'out', 'main.cjs');
  const bundle = async () => {
    await bundleSynthEntry(out, join(app, 'entry.ts'));
    return { inode: statSync(out).ino, text: readFileSync(out, 'utf8') };
  };
  return { top, app, zod, bundle, first: await builtOnce(bundle, `from ${file}`) };
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

  it('a build while a file esbuild reads itself changed (a bundled package.json saved during it) is not recorded: the next call builds again', async () => {
    // Our sources are recorded as esbuild was given them (below); a package's package.json esbuild
    // reads itself, after which only its time can tell.
    const p = project('one');
    const zod = join(p.dir, 'node_modules', 'zod');
    write(join(zod, 'index.js'), "exports.value = 'from zod';\n");
    write(join(zod, 'package.json'), '{"name":"zod","version":"1.0.0","main":"index.js"}\n', -60);
    write(join(p.dir, 'entry.ts'), "import { value } from 'zod';\nconsole.log(value);\n");
    const first = await p.bundle();
    expect(first.text).toContain('"from zod"');
    expect((await p.bundle()).inode).not.toBe(first.inode);
  });

  it('a symbolic link on the way an import is written, in a folder holding no input or a linked folder, pointed elsewhere builds again', async () => {
    // esbuild lists where the links led (one.ts, v1/dep.ts): sub/ and lib/ hold no input.
    const p = project('one');
    write(join(p.dir, 'one.ts'), "export const value: string = 'one';\n");
    write(join(p.dir, 'two.ts'), "export const value: string = 'two';\n");
    write(join(p.dir, 'v1', 'dep.ts'), "export const other: string = 'v1';\n");
    write(join(p.dir, 'v2', 'dep.ts'), "export const other: string = 'v2';\n");
    relink(join(p.dir, 'sub', 'dep.ts'), '../one.ts');
    relink(join(p.dir, 'lib', 'shared'), '../v1');
    write(
      join(p.dir, 'entry.ts'),
      "import { value } from './sub/dep.js';\nimport { other } from './lib/shared/dep.js';\nconsole.log(value, other);\n",
    );
    const first = await p.bundle();
    expect(first.text).toMatch(/"one"[\s\S]*"v1"/);
    expect(await p.bundle()).toEqual(first);

    relink(join(p.dir, 'sub', 'dep.ts'), '../two.ts');
    const file = await p.bundle();
    expect(file.inode).not.toBe(first.inode);
    expect(file.text).toMatch(/"two"[\s\S]*"v1"/);

    relink(join(p.dir, 'lib', 'shared'), '../v2'); // the same names, other files
    const folder = await p.bundle();
    expect(folder.inode).not.toBe(file.inode);
    expect(folder.text).toMatch(/"two"[\s\S]*"v2"/);
    expect(await p.bundle()).toEqual(folder);
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

  it("a file added in a bundled package's own folder, to which an unchanged subpath import now resolves (no exports), builds again", async () => {
    // zod/v4 resolves to v4/index.js; a v4.js beside the folder is taken first. The package's
    // folder holds no input (its files are under v4/): only its listing sees the new name.
    const { zod, bundle, first } = await bundledZod({}, 'zod/v4', 'v4/index.js');
    write(join(zod, 'v4.js'), exporting('from v4.js'));
    await builtAgain(bundle, first, 'from v4.js');
  });

  it("a file added in a folder on a bundled package's deeper subpath, to which an unchanged import now resolves (no exports), builds again", async () => {
    // zod/a/b resolves to a/b/index.js; a b.js in a/ is taken first. a/ holds no input and is not
    // the package's folder: only its listing, the folder of the first name esbuild tried, sees it.
    const { zod, bundle, first } = await bundledZod({}, 'zod/a/b', 'a/b/index.js');
    write(join(zod, 'a', 'b.js'), exporting('from a/b.js'));
    await builtAgain(bundle, first, 'from a/b.js');
  });

  it("a name added beside a bundled package's exports target builds nothing: exports map a subpath to one file", async () => {
    const exports = { './a/b': './a/b/index.js' };
    const { zod, bundle, first } = await bundledZod({ exports }, 'zod/a/b', 'a/b/index.js');
    write(join(zod, 'a', 'b.js'), exporting('from a/b.js')); // not what zod/a/b names
    expect(await bundle()).toEqual(first);
  });

  it("a file added where a bundled package's main or its own name is tried first (no exports) builds again", async () => {
    // zod's main dist/lib resolves to dist/lib/index.js: a dist/lib.js is taken first, and a
    // zod.js beside the package's folder before both (node_modules/zod.js, as node resolves).
    const { zod, bundle, first } = await bundledZod({ main: 'dist/lib' }, 'zod', 'dist/lib/index.js');
    write(join(zod, 'dist', 'lib.js'), exporting('from dist/lib.js'));
    const main = await builtAgain(bundle, first, 'from dist/lib.js');
    write(join(dirname(zod), 'zod.js'), exporting('from zod.js'));
    await builtAgain(bundle, main, 'from zod.js');
  });

  it('a package installed in a nearer node_modules, which an unchanged import now resolves to, builds again', async () => {
    // sub/use.ts imports zod, found in node_modules/; sub/node_modules/ (holding another package)
    // is tried first, so a zod installed there is what the same import names now.
    const p = project('one');
    write(join(p.dir, 'node_modules', 'zod', 'package.json'), '{"name":"zod","version":"1.0.0"}\n');
    write(join(p.dir, 'node_modules', 'zod', 'index.js'), exporting('from zod'));
    write(join(p.dir, 'sub', 'use.ts'), "export { value } from 'zod';\n");
    write(join(p.dir, 'sub', 'node_modules', 'other', 'index.js'), exporting('other'));
    write(join(p.dir, 'entry.ts'), "import { value } from './sub/use.js';\nconsole.log(value);\n");
    const first = await builtOnce(p.bundle, 'from zod');
    write(join(p.dir, 'sub', 'node_modules', 'zod', 'package.json'), '{"name":"zod","version":"2.0.0"}\n');
    write(join(p.dir, 'sub', 'node_modules', 'zod', 'index.js'), exporting('from the nearer zod'));
    await builtAgain(p.bundle, first, 'from the nearer zod');
  });

  it("a file added in a folder on a relative import's path, to which the unchanged import now resolves, builds again", async () => {
    // ./a/b resolves to a/b/index.js; a b.js in a/, which holds no input, is taken first.
    const p = project('one');
    write(join(p.dir, 'a', 'b', 'index.js'), exporting('from a/b/index.js'));
    write(join(p.dir, 'entry.ts'), "import { value } from './a/b';\nconsole.log(value);\n");
    const first = await builtOnce(p.bundle, 'from a/b/index.js');
    write(join(p.dir, 'a', 'b.js'), exporting('from a/b.js'));
    await builtAgain(p.bundle, first, 'from a/b.js');
  });

  it('a file added beside an input, to which an unchanged import now resolves, builds again', async () => {
    const p = project('one');
    const first = await builtOnce(p.bundle, 'one');
    // './dep.js' resolved to dep.ts; a dep.js beside it is what the same import names now.
    write(join(dirname(p.dep), 'dep.js'), exporting('from dep.js'));
    await builtAgain(p.bundle, first, 'from dep.js');
  });

  it('names added beside a file imported only by its exact name (bench.json by package.json) build nothing; that file relinked builds again', async () => {
    const dir = tempDir('arcade-bundle-');
    write(
      join(dir, 'src', 'entry.ts'),
      "import info from '../info.json' with { type: 'json' };\nconsole.log(info.version);\n",
    );
    write(join(dir, 'info.json'), '{"version":"1.0.0"}\n');
    write(join(dir, 'other', 'info.json'), '{"version":"1.0.0"}\n');
    const out = join(dir, 'out', 'main.cjs');
    const bundle = async () => {
      await bundleSynthEntry(out, join(dir, 'src', 'entry.ts'));
      return { inode: statSync(out).ino, text: readFileSync(out, 'utf8') };
    };
    const first = await bundle();
    expect(first.text).toContain('"1.0.0"');
    write(join(dir, 'bench.json'), '{}\n'); // a new name at the "root": no import can resolve to it
    write(join(dir, 'info.json.swp'), 'swap\n');
    expect(await bundle()).toEqual(first);
    // The same content through a link elsewhere: the bundle names the file it read, so it builds again.
    relink(join(dir, 'info.json'), 'other/info.json');
    const relinked = await bundle();
    expect(relinked.inode).not.toBe(first.inode);
    expect(relinked.text).toContain('other/info.json');
    expect(await bundle()).toEqual(relinked);
  });

  it('a linked package (npm link, a workspace) pointed at another copy of it builds again', async () => {
    // The same names and paths in the other copy: only the link itself tells them apart.
    const { top, app, bundle, first } = await linkedZod({}, 'zod', 'index.js');
    write(join(top, 'zod2', 'package.json'), '{"name":"zod","version":"1.0.0"}\n');
    write(join(top, 'zod2', 'index.js'), exporting('from the other copy'));
    relink(join(app, 'node_modules', 'zod'), '../../zod2');
    await builtAgain(bundle, first, 'from the other copy');
  });

  it("a linked package's package.json alone changed (its main, exports or sideEffects) builds again", async () => {
    const { zod, bundle, first } = await linkedZod({ exports: { '.': './index.js' } }, 'zod', 'index.js');
    write(join(zod, 'other.js'), exporting('from other.js'));
    write(join(zod, 'package.json'), '{"name":"zod","version":"1.0.1","exports":{".":"./other.js"}}\n');
    await builtAgain(bundle, first, 'from other.js');
  });

  it("a file added where a linked package's subpath or main is tried first (no exports) builds again", async () => {
    const subpath = await linkedZod({}, 'zod/v4', 'v4/index.js');
    write(join(subpath.zod, 'v4.js'), exporting('from v4.js'));
    await builtAgain(subpath.bundle, subpath.first, 'from v4.js');
    const main = await linkedZod({ main: 'dist/lib' }, 'zod', 'dist/lib/index.js');
    write(join(main.zod, 'dist', 'lib.js'), exporting('from dist/lib.js'));
    await builtAgain(main.bundle, main.first, 'from dist/lib.js');
  });

  it('a package installed in a nearer node_modules than a linked one, which the import now resolves to, builds again', async () => {
    const linked = await linkedZod({}, 'zod', 'index.js');
    const { app, bundle } = linked;
    write(join(app, 'sub', 'node_modules', 'other', 'index.js'), exporting('other'));
    const first = await builtAgain(bundle, linked.first, 'from index.js'); // a new name beside use.ts
    write(join(app, 'sub', 'node_modules', 'zod', 'package.json'), '{"name":"zod","version":"2.0.0"}\n');
    write(join(app, 'sub', 'node_modules', 'zod', 'index.js'), exporting('from the nearer zod'));
    await builtAgain(bundle, first, 'from the nearer zod');
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
