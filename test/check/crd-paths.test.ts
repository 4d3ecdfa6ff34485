/**
 * `npm run crds` never writes outside its cache: a CRD's group, Kind and version names become
 * `<cache>/<group>/<Kind>/<version>.json`, so names Kubernetes refuses are refused (naming the
 * file, the document, the field and the fix; nothing stored), and writeCache refuses, as a second
 * guard, any path that would leave the cache, and replaces an entry rather than writing through it.
 * Real files in a temporary folder laid out like a checkout; the command in process (--from, and
 * --from-cluster against a loopback API server).
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as crds } from '../../scripts/crds.js';
import { type CachedSchema, CrdError, readCrdFiles, schemasOfCrd, writeCache } from '../../src/check/crd-cache.js';
import { markCache } from '../../src/check/crd-cache-paths.js';
import { writeKubeconfig } from '../../src/loopback/kubeconfig.js';
import { tempDir, widgetCrd, writeYaml } from './support.js';
import { runMain } from '../support/run-script.js';

type Rec = Record<string, unknown>;

/** widgetCrd() with its group, Kind or first version's name replaced. */
function crdNamed(names: { group?: string; kind?: string; version?: string }): Rec {
  const crd = widgetCrd();
  const spec = crd.spec as Rec;
  if (names.group !== undefined) spec.group = names.group;
  if (names.kind !== undefined) (spec.names as Rec).kind = names.kind;
  if (names.version !== undefined) (spec.versions as Rec[])[0]!.name = names.version;
  return crd;
}

/** A checkout: its package.json, a victim/v1.json beside its .cache, and where the cache goes. */
function checkout(): { root: string; cache: string; outside: Record<string, string> } {
  const root = join(tempDir('crd-paths-'), 'checkout');
  mkdirSync(join(root, 'victim'), { recursive: true });
  const outside = {
    [join(root, 'package.json')]: '{ "name": "checkout", "scripts": { "test": "vitest" } }\n',
    [join(root, 'victim', 'v1.json')]: '{ "victim": true }\n',
  };
  for (const [file, text] of Object.entries(outside)) writeFileSync(file, text);
  return { root, cache: join(root, '.cache', 'crds'), outside };
}

/** The message of the CrdError `run` throws. */
function thrown(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(CrdError);
    return (err as Error).message;
  }
  throw new Error('expected a CrdError, nothing was thrown');
}

function expectUntouched(outside: Record<string, string>): void {
  for (const [file, text] of Object.entries(outside)) expect(readFileSync(file, 'utf8')).toBe(text);
}

describe('npm run crds -- --from <file> with names that would leave the cache', () => {
  // The two shapes an audit reproduced: a version name reaching the checkout's package.json, a
  // group reaching victim/v1.json beside the cache. Each after a good CRD: nothing is stored at all.
  const shapes = [
    {
      shape: 'a version name',
      crd: crdNamed({ group: 'x', version: '../../../../package' }),
      message:
        'evil.yaml (document 2 (line 51), CustomResourceDefinition "widgets.test.arcade-stack.dev"): ' +
        'spec.group "x" is not a domain with at least one dot (fix: a domain such as example.com); ' +
        'spec.versions[0].name "../../../../package" is not a DNS-1035 label (lower-case letters, digits ' +
        "and '-', starting with a letter, at most 63 characters) (fix: a version such as v1 or v2beta1) " +
        '(the API server refuses such a CRD too); nothing was stored in',
    },
    {
      shape: 'a group',
      crd: crdNamed({ group: '../../victim/..', kind: 'victim' }),
      message:
        `spec.group "../../victim/.." is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 ` +
        'characters) (fix: a domain such as example.com) (the API server refuses such a CRD too); nothing was stored in',
    },
  ];
  for (const { shape, crd, message } of shapes) {
    it(`refuses ${shape} (exit 1, like any unsupported CRD file), naming file, document, field and fix; nothing written`, async () => {
      const { root, cache, outside } = checkout();
      const evil = writeYaml(join(root, 'evil.yaml'), [widgetCrd(), crd]);
      const r = await runMain(crds, ['--from', evil, '--cache', cache], { cwd: root });
      expect(r.status).toBe(1);
      expect(r.stdout).not.toContain('stored');
      expect(r.stderr).toContain(`${message.startsWith('evil') ? `crds: ${root}/` : ''}${message} ${cache}\n`);
      expectUntouched(outside);
      expect(readdirSync(root).sort()).toEqual(['evil.yaml', 'package.json', 'victim']);
      expect(readdirSync(join(root, 'victim'))).toEqual(['v1.json']);
    });
  }

  it("refuses a Kind that is no DNS-1035 label in mixed case, and takes the API server's own edge cases", () => {
    expect(thrown(() => schemasOfCrd(crdNamed({ kind: 'Wid/get' }), 'k.yaml', 'document 1 (line 1)'))).toBe(
      'k.yaml (document 1 (line 1), CustomResourceDefinition "widgets.test.arcade-stack.dev"): spec.names.kind ' +
        `"Wid/get" is not a Kind (letters, digits and '-', starting with a letter, at most 63 characters) ` +
        '(fix: a CamelCase name such as Widget) (the API server refuses such a CRD too)',
    );
    expect(() => schemasOfCrd(crdNamed({ kind: '..' }), 'k.yaml')).toThrow(CrdError);
    expect(() => schemasOfCrd(crdNamed({ kind: 'W'.repeat(64) }), 'k.yaml')).toThrow(/spec\.names\.kind/);
    expect(() => schemasOfCrd(crdNamed({ version: 'V1' }), 'k.yaml')).toThrow(/spec\.versions\[0\]\.name "V1"/);
    expect(() => schemasOfCrd(crdNamed({ group: 'Example.com' }), 'k.yaml')).toThrow(/spec\.group "Example\.com"/);
    expect(() => schemasOfCrd(crdNamed({ group: `${'a'.repeat(250)}.com` }), 'k.yaml')).toThrow(/spec\.group/);
    // Accepted as the API server accepts them: a hyphen in a Kind or version, a long subdomain.
    const ok = crdNamed({ group: `${'a'.repeat(63)}.b-c.example.com`, kind: 'My-Widget2', version: 'v1-beta' });
    expect(schemasOfCrd(ok, 'ok.yaml').map((s) => `${s.group}/${s.version} ${s.kind}`)).toEqual([
      `${'a'.repeat(63)}.b-c.example.com/v1-beta My-Widget2`,
    ]);
  });
});

describe('npm run crds -- --from-cluster with such names (loopback API server)', () => {
  it('refuses them the same way: the API server validates them, yet the cache does not rely on it', async () => {
    const server = createServer((req, res) => {
      res.writeHead(req.url?.startsWith('/apis/apiextensions.k8s.io/v1/customresourcedefinitions') ? 200 : 404, {
        'content-type': 'application/json',
      });
      res.end(
        JSON.stringify({
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinitionList',
          metadata: {},
          items: [widgetCrd(), crdNamed({ group: 'x.example.com', version: '../../../../package' })],
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const kubeconfig = writeKubeconfig(`http://127.0.0.1:${(server.address() as { port: number }).port}`, 'token');
    try {
      const { root, cache, outside } = checkout();
      const r = await runMain(crds, ['--from-cluster', '--kubeconfig', kubeconfig, '--cache', cache], { cwd: root });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /^crds: cluster http:\/\/127\.0\.0\.1:\d+ \(item 2 of the list, CustomResourceDefinition "widgets\.test\.arcade-stack\.dev"\): /,
      );
      expect(r.stderr).toContain(': spec.versions[0].name "../../../../package" is not a DNS-1035 label ');
      expect(r.stderr).toContain(`nothing was stored in ${cache}\n`);
      expectUntouched(outside);
      expect(existsSync(join(root, '.cache'))).toBe(false);
    } finally {
      rmSync(dirname(kubeconfig), { recursive: true, force: true });
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('writeCache, the second guard', () => {
  const good = (): CachedSchema => readCrdFiles([writeYaml(join(tempDir(), 'w.yaml'), [widgetCrd()])])[0]!;

  it('refuses a schema whose path would leave the cache, before writing any', () => {
    const { root, cache, outside } = checkout();
    for (const names of [
      { version: '../../../../package' },
      { group: '../../victim/..', kind: 'victim' },
      { group: '.', kind: '.' },
    ]) {
      const evil: CachedSchema = { ...good(), source: 'evil.yaml', ...names };
      const message = thrown(() => writeCache(cache, [good(), evil]));
      expect(message).toMatch(
        /^evil\.yaml: the schema of ".*" would be written to .*, outside the cache .*crds \(fix: /,
      );
      expect(message.slice(message.indexOf(' (fix: '))).toBe(
        ' (fix: a CRD whose group, Kind and version names Kubernetes accepts; ' +
          'a folder in the cache that links elsewhere (or, to read, an entry that does): remove it)',
      );
      expectUntouched(outside);
      expect(existsSync(join(root, '.cache'))).toBe(false);
    }
  });

  it('refuses a folder in the cache that links outside it, and replaces an entry that is a link', () => {
    const { root, cache, outside } = checkout();
    markCache(cache); // a cache npm run crds filled (src/check/crd-cache-paths.ts CACHE_MARKER)
    symlinkSync(join(root, 'victim'), join(cache, 'test.arcade-stack.dev'));
    expect(() => writeCache(cache, [good()])).toThrow(/outside the cache/);
    expect(readdirSync(join(root, 'victim'))).toEqual(['v1.json']);

    // An entry that is a link to a file outside: replaced (atomically), never written through.
    const other = join(tempDir(), 'cache');
    const entry = join(other, 'test.arcade-stack.dev', 'Widget', 'v1.json');
    mkdirSync(join(entry, '..'), { recursive: true });
    markCache(other);
    symlinkSync(join(root, 'package.json'), entry);
    expect(writeCache(other, [good()])).toEqual([entry]);
    expectUntouched(outside);
    expect(lstatSync(entry).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(entry, 'utf8'))).toMatchObject({ group: 'test.arcade-stack.dev', version: 'v1' });
  });
});
