/**
 * Which Flux Kustomizations apply the export's folder (src/delivery/flux-owners.ts), read as
 * kustomize reads the files: a Flux Kustomization defined in a UTF-16 file, and a parent
 * kustomization in UTF-16 listing the folder, both of which kustomize builds (shown with the real
 * kubectl where it is installed). No build is needed to find them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assumedOwner, findOwners } from '../../src/delivery/flux-owners.js';
import { KUBECTL } from '../support/kubectl.js';
import { tempDir } from '../support/temp.js';

/** UTF-16 with a byte order mark, little-endian or big-endian. */
const utf16 = (text: string, order: 'le' | 'be'): Buffer => {
  const le = Buffer.from(`\ufeff${text}`, 'utf16le');
  return order === 'le' ? le : le.swap16();
};

const FLUX_KUSTOMIZATION =
  'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\n' +
  'spec:\n  path: ./apps\n  prune: true\n  targetNamespace: arcade\n';

/** A checkout: the root lists the Flux Kustomization's file and `apps`; `apps` lists `arcade`; both in UTF-16. */
function checkout(order: 'le' | 'be'): { top: string; files: string[] } {
  const files: Record<string, Buffer | string> = {
    'kustomization.yaml': 'resources: [clusters/apps.yaml, apps]\n',
    'clusters/apps.yaml': utf16(FLUX_KUSTOMIZATION, order),
    'apps/kustomization.yaml': utf16('resources:\n- arcade\n', order),
    'apps/arcade/kustomization.yaml': 'resources: [configmap.yaml]\n',
    'apps/arcade/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n',
  };
  const top = tempDir('flux-owners-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(top, path)), { recursive: true });
    writeFileSync(join(top, path), content);
  }
  return { top, files: Object.keys(files) };
}

describe('the Flux Kustomizations applying the folder, read as kustomize reads their files', () => {
  it.skipIf(!KUBECTL)('kustomize builds a Flux Kustomization and a parent kustomization written in UTF-16', () => {
    const { top } = checkout('be');
    const run = spawnSync('kubectl', ['kustomize', top], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^kind: ConfigMap$/m);
    expect(run.stdout).toMatch(/^kind: Kustomization$/m);
  });

  for (const order of ['le', 'be'] as const) {
    it(`finds a Flux Kustomization defined in UTF-16 (${order}), and the way up through a UTF-16 parent`, () => {
      const { top, files } = checkout(order);
      // Read as UTF-8, neither file said anything: no owner was found, and the assumed one stopped
      // at the folder itself, though Flux applies it through apps.
      expect(findOwners(top, files, 'apps/arcade')).toEqual([
        {
          ref: 'flux-system/apps',
          file: 'clusters/apps.yaml',
          path: 'apps',
          prune: true,
          postBuild: false,
          targetNamespace: 'arcade',
        },
      ]);
      expect(assumedOwner(top, 'apps/arcade')).toMatchObject({
        path: '.',
        ref: '(assumed) a Flux Kustomization with path ./, prune: true',
      });
    });
  }
});
