/**
 * `npm run import` against the vendored CRDs, its command in process on a temporary copy of what
 * it reads and writes (never the checkout itself): it restores a tampered binding and leaves every
 * other file of imports/ as committed (so the committed imports/ is what cdk8s import makes of
 * contracts/crds, byte for byte); a second run changes nothing; no other file of the copy changes
 * (each compared byte for byte before and after), so no machine path lands in cdk8s.yaml. cdk8s
 * import itself is the real CLI, run once: that run makes the committed imports/ byte for byte, so
 * the second run's cdk8s is a shell stand-in that writes those bytes (the CLI's start-up alone is
 * about 2 s of CPU) and checks it is asked as the real one was. A failing cdk8s (a shell stand-in)
 * is told by describeChildFailure. How imports/ is compared and updated is tested without cdk8s;
 * the script's own process (its exit code on a mistyped option) in test/scripts/every-script.test.ts.
 */
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCommand, main } from '../../scripts/import.js';
import {
  BindingsError,
  compareBindings,
  generateBindings,
  ImportListError,
  importEntries,
  writeBindings,
} from '../../src/contracts/crd-bindings.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

/** A folder laid out like this repository, with just what `npm run import` reads and writes. */
function repositoryCopy(): string {
  const root = tempDir('import-');
  for (const path of ['contracts', 'imports', 'cdk8s.yaml', 'package.json', 'tsconfig.json']) {
    cpSync(join(REPO_ROOT, path), join(root, path), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

/** Every file of the copy (node_modules aside) and its bytes, by path: what `git status` would compare. */
function filesOf(root: string): Map<string, Buffer> {
  return new Map(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath, e.name)))
      .filter((path) => path.split(sep)[0] !== 'node_modules')
      .map((path) => [path, readFileSync(join(root, path))] as const),
  );
}

/**
 * The paths whose bytes differ between two `filesOf` of the copy, added and removed files included.
 * Compared with Buffer.equals (a memcmp): vitest's deep equality walks a Buffer element by element,
 * which cost seconds of CPU per comparison over the copy's 0.8 MB.
 */
function differing(before: ReadonlyMap<string, Buffer>, after: ReadonlyMap<string, Buffer>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])]
    .filter((path) => {
      const [was, is] = [before.get(path), after.get(path)];
      return was === undefined || is === undefined || !was.equals(is);
    })
    .sort();
}

/**
 * Makes the copy's `node_modules/.bin/cdk8s` a shell stand-in for `cdk8s import`: asked exactly as
 * generateBindings asks the real CLI (anything else fails), it writes the committed bindings, which
 * the real CLI was just shown to make byte for byte from contracts/crds.
 */
function standInCdk8s(root: string): void {
  rmSync(join(root, 'node_modules'));
  mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
  const cli = join(root, 'node_modules', '.bin', 'cdk8s');
  writeFileSync(
    cli,
    `#!/bin/sh
[ "$*" = "import --no-save --no-check-upgrade --language typescript --output $7" ] || { echo "cdk8s stand-in: $*" >&2; exit 1; }
cp '${join(REPO_ROOT, 'imports')}'/*.ts "$7"
`,
  );
  chmodSync(cli, 0o755);
}

/** `npm run import`'s command for the repository at `root`, in process. */
function runImport(root: string, ...args: string[]) {
  return runMain(importCommand(root), args, { cwd: root });
}

describe('npm run import (vendored CRDs -> imports/)', () => {
  it('reproduces imports/ byte for byte, is idempotent, and leaves every tracked file as it was', async () => {
    const root = repositoryCopy();
    const copied = filesOf(root);
    expect(copied.get('imports/helm.toolkit.fluxcd.io.ts')).toBeDefined();
    const binding = join(root, 'imports', 'helm.toolkit.fluxcd.io.ts');
    writeFileSync(binding, `${readFileSync(binding, 'utf8')}// edited by hand\n`);

    // The real cdk8s import, once (about 2 s on an idle machine).
    const first = await runImport(root);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('helm.toolkit.fluxcd.io.ts (updated)');
    expect(differing(copied, filesOf(root))).toEqual([]); // every other binding was already byte for byte

    // Again, cdk8s making the same bytes (the run above proved it does): nothing is written, and it says so.
    standInCdk8s(root);
    const second = await runImport(root);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/imports\/ was already up to date \(5 files\)/);
    expect(differing(copied, filesOf(root))).toEqual([]);
    expect(readFileSync(join(root, 'cdk8s.yaml'), 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'cdk8s.yaml'), 'utf8'));
  }, 240_000);

  it('tells changed, missing and stale bindings apart, and writes only what differs', () => {
    const dir = tempDir('bindings-');
    writeFileSync(join(dir, 'same.ts'), '// generated by cdk8s\nsame\n');
    writeFileSync(join(dir, 'changed.ts'), '// generated by cdk8s\nold\n');
    writeFileSync(join(dir, 'stale.ts'), '// generated by cdk8s\nstale\n');
    writeFileSync(join(dir, 'hand-written.ts'), 'export {};\n'); // not generated: never touched
    const generated = new Map([
      ['same.ts', '// generated by cdk8s\nsame\n'],
      ['changed.ts', '// generated by cdk8s\nnew\n'],
      ['added.ts', '// generated by cdk8s\nadded\n'],
    ]);
    expect(compareBindings(generated, dir)).toEqual({
      changed: ['changed.ts'],
      added: ['added.ts'],
      stale: ['stale.ts'],
      unchanged: ['same.ts'],
    });
    expect(readdirSync(dir).sort()).toEqual(['changed.ts', 'hand-written.ts', 'same.ts', 'stale.ts']); // comparing writes nothing
    writeBindings(generated, dir);
    expect(readdirSync(dir).sort()).toEqual(['added.ts', 'changed.ts', 'hand-written.ts', 'same.ts']);
    expect(readFileSync(join(dir, 'changed.ts'), 'utf8')).toBe('// generated by cdk8s\nnew\n');
    expect(compareBindings(generated, dir)).toMatchObject({ changed: [], added: [], stale: [] });
  });

  it('refuses a cdk8s.yaml entry that is not a vendored file (absolute path, outside contracts/, missing)', () => {
    const root = tempDir('import-config-');
    cpSync(join(REPO_ROOT, 'contracts'), join(root, 'contracts'), { recursive: true });
    const withImports = (...entries: string[]) =>
      writeFileSync(
        join(root, 'cdk8s.yaml'),
        `language: typescript\nimports:\n${entries.map((e) => `  - ${e}\n`).join('')}`,
      );
    withImports(
      'contracts/crds/fluxcd-helm-controller-v1.6.3-helmreleases.yaml',
      'flux-oci:=contracts/crds/fluxcd-source-controller-v1.9.1-ocirepositories.yaml',
    );
    expect(importEntries(root)).toEqual([
      { path: 'contracts/crds/fluxcd-helm-controller-v1.6.3-helmreleases.yaml' },
      { prefix: 'flux-oci', path: 'contracts/crds/fluxcd-source-controller-v1.9.1-ocirepositories.yaml' },
    ]);
    withImports(join(REPO_ROOT, 'contracts', 'crds', 'fluxcd-helm-controller-v1.6.3-helmreleases.yaml'));
    expect(() => importEntries(root)).toThrow(/imports\[0\] '\/.*' is not a relative path under contracts\//);
    withImports('../elsewhere/crds/fluxcd-helm-controller-v1.6.3-helmreleases.yaml');
    expect(() => importEntries(root)).toThrow(ImportListError);
    withImports('contracts/crds/missing.yaml');
    expect(() => importEntries(root)).toThrow(/no such file \(fix: restore it from contracts\/SOURCES\.md\)/);
  });

  it("names the command, how cdk8s import ended, its last lines and a timeout's fix when it fails or writes nothing", () => {
    const root = tempDir('import-failing-');
    const crd = 'contracts/crds/fluxcd-helm-controller-v1.6.3-helmreleases.yaml';
    cpSync(join(REPO_ROOT, crd), join(root, crd));
    writeFileSync(join(root, 'cdk8s.yaml'), `language: typescript\nimports:\n  - ${crd}\n`);
    mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
    const cli = join(root, 'node_modules', '.bin', 'cdk8s');
    const failing = (script: string, timeoutMs?: number) => {
      writeFileSync(cli, `#!/bin/sh\n${script}\n`);
      chmodSync(cli, 0o755);
      try {
        generateBindings(root, { ...(timeoutMs === undefined ? {} : { timeoutMs }) });
      } catch (err) {
        expect(err).toBeInstanceOf(BindingsError);
        return (err as Error).message;
      }
      throw new Error('generateBindings did not fail');
    };
    const command = `cdk8s import --no-save --no-check-upgrade --language typescript in ${root}`;
    // Its exit code and the last four lines of its stderr (stdout aside while stderr says something).
    expect(failing('echo progress; for i in 1 2 3 4 5; do echo "error $i" >&2; done; exit 3')).toBe(
      `${command} failed (exit 3): error 2 / error 3 / error 4 / error 5`,
    );
    // Stopped by a signal, having said why on stdout only.
    expect(failing('echo "Error: no such CRD"; kill -TERM $$')).toBe(
      `${command} was stopped by SIGTERM: Error: no such CRD`,
    );
    // Ended well without writing anything: what it said, and the fix.
    expect(failing('echo "Importing 1 spec"; exit 0')).toBe(
      `${command} ended with exit 0 but wrote no binding (no .ts file): Importing 1 spec (fix: reinstall the CLI ` +
        'with npm ci: the cdk8s-cli package-lock.json pins writes a file per API group cdk8s.yaml imports)',
    );
    // Stopped at its timeout (exec: the sleep itself gets spawnSync's SIGTERM), with the fix.
    expect(failing('exec sleep 60', 200)).toBe(
      `${command} timed out after 200 ms and was stopped (fix: it reads only the CRD files cdk8s.yaml lists ` +
        '(nothing from the network) and ends in seconds: run npx cdk8s import --no-save --no-check-upgrade ' +
        `--language typescript --output "$(mktemp -d)" in ${root} to see where it waits, and reinstall the CLI ` +
        '(npm ci) if it hangs there too)',
    );
  });

  // An unknown option's exit 2 and message: test/scripts/every-script.test.ts, for every script.
  it('answers --help', async () => {
    expect(await runMain(main, ['--help'])).toMatchObject({ status: 0, stdout: expect.stringContaining('--check') });
  });
});
