/**
 * Whether a path lies inside a folder, and the real path of a path whose tail may not exist yet
 * (src/core/path-within.mjs): the rule of synth's --out, the CRD schema cache, the export's --path
 * and kustomize root, and the build record's linked packages; statOf, linkToNothing and linkTarget
 * directly (their callers: src/core/unreachable-path.ts, output-target.ts). Real folders and links.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { otherUser } from '../support/other-user.js';
import {
  isWithin,
  isWithinReal,
  linkTarget,
  linkToNothing,
  nearestExisting,
  realPath,
  statOf,
} from '../../src/core/path-within.mjs';
import { tempDir } from '../support/temp.js';

/** A real folder holding a/b/, a file, a link to a/ and a link to a folder outside it. */
function tree() {
  const top = realpathSync.native(tempDir('path-within-'));
  const dir = join(top, 'dir');
  mkdirSync(join(dir, 'a', 'b'), { recursive: true });
  mkdirSync(join(top, 'elsewhere'));
  writeFileSync(join(dir, 'file'), 'x');
  symlinkSync('a', join(dir, 'to-a'));
  symlinkSync('../elsewhere', join(dir, 'out'));
  symlinkSync(join(top, 'nowhere'), join(dir, 'dangling'));
  return { top, dir };
}

describe('isWithin (as written: no link followed)', () => {
  it('the folder itself and every path below it, with or without a trailing separator', () => {
    expect(isWithin('/a', '/a')).toBe(true);
    expect(isWithin('/a/', '/a')).toBe(true);
    expect(isWithin('/a', '/a/')).toBe(true);
    expect(isWithin('/a', '/a/b/c')).toBe(true);
    expect(isWithin('/a/b', '/a')).toBe(false);
  });

  it('a sibling sharing its name as a prefix is outside; a name starting with .. is inside', () => {
    expect(isWithin('/a', '/ab')).toBe(false);
    expect(isWithin('/a', '/a..')).toBe(false);
    expect(isWithin('/a', '/a/..b')).toBe(true);
    expect(isWithin('/a', '/a/...')).toBe(true);
  });

  it('.. and . are taken lexically, against the working folder for a relative path', () => {
    expect(isWithin('/a', '/a/b/..')).toBe(true);
    expect(isWithin('/a', '/a/b/../../c')).toBe(false);
    expect(isWithin('/a', '/a/./b')).toBe(true);
    expect(isWithin(process.cwd(), 'x/y')).toBe(true);
    expect(isWithin(process.cwd(), '../x')).toBe(false);
  });

  it('the root holds every path, and only the root holds it', () => {
    expect(isWithin('/', '/')).toBe(true);
    expect(isWithin('/', '/a/b')).toBe(true);
    expect(isWithin('/a', '/')).toBe(false);
  });
});

describe('realPath (links resolved, a missing tail appended)', () => {
  it('an existing path is its real path; a missing tail is appended to the real path of its existing part', () => {
    const { dir } = tree();
    expect(realPath(join(dir, 'to-a', 'b'))).toMatchObject({
      path: join(dir, 'a', 'b'),
      existing: join(dir, 'a', 'b'),
    });
    const missing = realPath(join(dir, 'to-a', 'new', 'deeper'));
    expect([missing.path, missing.existing, missing.stat?.isDirectory()]).toEqual([
      join(dir, 'a', 'new', 'deeper'),
      join(dir, 'a'),
      true,
    ]);
  });

  it('a file in the way is the existing part, with its status; a link that leads nowhere is a missing name', () => {
    const { dir } = tree();
    const through = realPath(join(dir, 'file', 'new'));
    expect([through.path, through.existing, through.stat?.isFile()]).toEqual([
      join(dir, 'file', 'new'),
      join(dir, 'file'),
      true,
    ]);
    expect(realPath(join(dir, 'dangling', 'x'))).toMatchObject({ path: join(dir, 'dangling', 'x'), existing: dir });
  });

  it('.. is taken as written, before the link before it is followed (what the caller then writes to)', () => {
    const { top, dir } = tree();
    expect(realPath(join(dir, 'out', '..', 'file')).path).toBe(join(dir, 'file'));
    expect(realPath(join(dir, 'out', 'x')).path).toBe(join(top, 'elsewhere', 'x'));
  });

  it('a link whose target climbs with .. after another link leads where the kernel takes it, not beside the link', () => {
    // b -> <top>/far/deep/z, app -> b/../sub, up -> b/../..: node's JavaScript realpathSync says
    // <dir>/sub and <top> (it takes the .. against the links' own folder); the kernel, readlink -f
    // and every write say <top>/far/deep/sub and <top>/far.
    const { top, dir } = tree();
    mkdirSync(join(top, 'far', 'deep', 'z'), { recursive: true });
    mkdirSync(join(top, 'far', 'deep', 'sub'));
    mkdirSync(join(dir, 'sub'));
    symlinkSync(join(top, 'far', 'deep', 'z'), join(dir, 'b'));
    symlinkSync('b/../sub', join(dir, 'app'));
    symlinkSync('b/../..', join(dir, 'up'));
    expect(realPath(join(dir, 'app')).path).toBe(join(top, 'far', 'deep', 'sub'));
    expect(realPath(join(dir, 'app', 'new', 'file')).path).toBe(join(top, 'far', 'deep', 'sub', 'new', 'file'));
    expect(realPath(join(dir, 'up')).path).toBe(join(top, 'far'));
    expect(isWithinReal(dir, join(dir, 'app'))).toBe(false);
    expect(isWithinReal(dir, join(dir, 'app', 'x'))).toBe(false);
    expect(isWithinReal(dir, join(dir, 'up', 'y'))).toBe(false);
    expect(isWithinReal(join(top, 'far'), join(dir, 'up', 'deep'))).toBe(true);
  });

  it('the root is its own real path; relative paths are taken against the working folder', () => {
    expect(realPath('/')).toMatchObject({ path: '/', existing: '/' });
    expect(realPath('.').path).toBe(realpathSync.native(process.cwd()));
  });
});

describe('isWithinReal (by real paths)', () => {
  it('a link inside the folder that leads out is outside, also below a missing tail; a link into it is inside', () => {
    const { top, dir } = tree();
    expect(isWithinReal(dir, join(dir, 'a', 'b'))).toBe(true);
    expect(isWithinReal(dir, join(dir, 'out'))).toBe(false);
    expect(isWithinReal(dir, join(dir, 'out', 'new', 'file'))).toBe(false);
    expect(isWithinReal(join(dir, 'a'), join(dir, 'to-a', 'new'))).toBe(true);
    expect(isWithinReal(join(dir, 'to-a'), join(dir, 'a', 'b'))).toBe(true);
    expect(isWithinReal(join(top, 'elsewhere'), join(dir, 'out', 'x'))).toBe(true);
  });

  it('a missing folder holds its own missing tail; .. out of it is outside; / holds everything', () => {
    const { top, dir } = tree();
    expect(isWithinReal(join(dir, 'new'), join(dir, 'new', 'x', 'y'))).toBe(true);
    expect(isWithinReal(join(dir, 'new'), join(dir, 'new', '..', 'file'))).toBe(false);
    expect(isWithinReal(join(dir, 'new'), join(dir, 'newer'))).toBe(false);
    expect(isWithinReal('/', join(dir, 'out'))).toBe(true);
    expect(isWithinReal(dir, top)).toBe(false);
  });
});

describe('nearestExisting (where the missing rest of an output path would be made)', () => {
  it('is the path itself when it exists, else its nearest existing parent, a file on the way included', () => {
    const dir = tempDir('nearest-');
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'file'), 'x');
    const at = (path: string) => {
      const n = nearestExisting(path);
      return [n.path, n.stat?.isDirectory()];
    };
    expect(at(join(dir, 'a'))).toEqual([join(dir, 'a'), true]);
    expect(at(join(dir, 'a/b/c'))).toEqual([join(dir, 'a'), true]);
    expect(at(join(dir, 'file/new/deeper'))).toEqual([join(dir, 'file'), false]);
    expect(at('/')).toEqual(['/', true]);
  });
});

describe('statOf (the status, links followed)', () => {
  it('undefined for a missing path, a link to nothing and a file on the way; a loop of links is thrown (ELOOP)', () => {
    const { dir } = tree();
    symlinkSync('loop', join(dir, 'loop'));
    expect(statOf(join(dir, 'to-a'))?.isDirectory()).toBe(true);
    expect(statOf(join(dir, 'missing'))).toBeUndefined();
    expect(statOf(join(dir, 'dangling'))).toBeUndefined();
    expect(statOf(join(dir, 'file', 'x'))).toBeUndefined(); // ENOTDIR
    expect(() => statOf(join(dir, 'loop'))).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(() => statOf(join(dir, 'loop', 'x'))).toThrow(expect.objectContaining({ code: 'ELOOP' }));
  });
});

describe('linkToNothing (the link on a path that leads nowhere)', () => {
  it('a link to nothing, at the end of the path or on its way, with its target as written', () => {
    const { top, dir } = tree();
    symlinkSync('made-later', join(dir, 'later')); // its target's folder exists, the target does not
    symlinkSync('dangling', join(dir, 'chain')); // a link to a link to nothing: the first one
    const dangling = { link: join(dir, 'dangling'), target: join(top, 'nowhere'), loop: false };
    expect(linkToNothing(join(dir, 'dangling'))).toEqual(dangling);
    expect(linkToNothing(join(dir, 'dangling', 'x', 'y'))).toEqual(dangling);
    expect(linkToNothing(join(dir, 'later'))).toEqual({ link: join(dir, 'later'), target: 'made-later', loop: false });
    expect(linkToNothing(join(dir, 'chain'))).toEqual({ link: join(dir, 'chain'), target: 'dangling', loop: false });
  });

  it('a loop of links: the link that starts it, on the path or at its end', () => {
    const { dir } = tree();
    symlinkSync('l2', join(dir, 'l1'));
    symlinkSync('l1', join(dir, 'l2'));
    expect(linkToNothing(join(dir, 'l1'))).toEqual({ link: join(dir, 'l1'), target: 'l2', loop: true });
    expect(linkToNothing(join(dir, 'l2', 'x'))).toEqual({ link: join(dir, 'l2'), target: 'l1', loop: true });
  });

  it('none for an existing path, a link that leads somewhere, a missing path in a real folder, a file on the way', () => {
    const { dir } = tree();
    for (const path of ['a/b', 'to-a', 'to-a/new/deeper', 'out/new', 'new/deeper', 'file/x'])
      expect(linkToNothing(join(dir, path)), path).toBeUndefined();
  });
});

describe('linkTarget (one hop, as the kernel follows it)', () => {
  it('.. in a target after a link is taken from where that link leads, not beside it (node: <dir>/sub)', () => {
    const { top, dir } = tree();
    mkdirSync(join(top, 'far', 'deep', 'z'), { recursive: true });
    symlinkSync(join(top, 'far', 'deep', 'z'), join(dir, 'b'));
    symlinkSync('b/../sub', join(dir, 'app'));
    symlinkSync('b/../..', join(dir, 'up'));
    symlinkSync('to-a', join(dir, 'chain'));
    expect(linkTarget(join(dir, 'app'))).toBe(join(top, 'far', 'deep', 'sub')); // missing, still where it leads
    expect(linkTarget(join(dir, 'up'))).toBe(join(top, 'far'));
    expect(linkTarget(join(dir, 'out'))).toBe(join(top, 'elsewhere'));
    expect(linkTarget(join(dir, 'chain'))).toBe(join(dir, 'to-a')); // one hop: itself a link
  });

  it("a link to nothing leads to its missing name; undefined when its target's folder is missing or loops", () => {
    const { top, dir } = tree();
    symlinkSync('loop', join(dir, 'loop'));
    symlinkSync(join(top, 'missing', 'x'), join(dir, 'far'));
    symlinkSync('loop/x', join(dir, 'through-loop'));
    expect(linkTarget(join(dir, 'dangling'))).toBe(join(top, 'nowhere'));
    expect(linkTarget(join(dir, 'far'))).toBeUndefined();
    expect(linkTarget(join(dir, 'through-loop'))).toBeUndefined();
  });
});

const PATH_WITHIN = join(import.meta.dirname, '..', '..', 'src', 'core', 'path-within.mjs');
/** Who runs the EACCES node (test/support/other-user.ts): nobody when this is root; why it cannot, else. */
const other = otherUser([PATH_WITHIN]);
if ('missing' in other) console.log(`[path-within] EACCES test skipped: ${other.missing}`);

describe.skipIf('missing' in other)('EACCES: a folder on the way this user may not search', () => {
  it('statOf and linkToNothing throw it; linkTarget answers undefined (as nobody when run as root)', () => {
    // Root searches every folder: the three run in a node of their own, as nobody when this is root,
    // in a folder of /tmp itself, which nobody may reach (not tmpdir(): the run's temporary folder, or
    // a $TMPDIR of mode 0700, is not searchable to nobody, and the test would pass for that reason).
    const asNobody = process.getuid?.() === 0;
    const top = mkdtempSync(join(asNobody ? '/tmp' : tmpdir(), 'path-within-eacces-'));
    try {
      chmodSync(top, 0o755);
      mkdirSync(join(top, 'locked', 'sub'), { recursive: true });
      symlinkSync(join(top, 'locked', 'sub', 'x'), join(top, 'into'));
      chmodSync(join(top, 'locked'), 0o600); // read and write, no search (x)
      const module = PATH_WITHIN;
      const code = `import { linkTarget, linkToNothing, statOf } from ${JSON.stringify(module)};
const answer = (f) => { try { return f() ?? 'undefined'; } catch (err) { return err.code; } };
const x = process.argv[1];
console.log(JSON.stringify([answer(() => statOf(x)), answer(() => linkToNothing(x)), answer(() => linkTarget(process.argv[2]))]));`;
      const as = 'as' in other ? other.as : {};
      const out = execFileSync(
        process.execPath,
        ['--input-type=module', '-e', code, join(top, 'locked', 'sub', 'x'), join(top, 'into')],
        { encoding: 'utf8', ...as },
      );
      expect(JSON.parse(out)).toEqual(['EACCES', 'EACCES', 'undefined']);
    } finally {
      // Search permission back first: without it only root may remove what is inside `locked`.
      if (existsSync(join(top, 'locked'))) chmodSync(join(top, 'locked'), 0o700);
      rmSync(top, { recursive: true, force: true });
    }
  });
});
