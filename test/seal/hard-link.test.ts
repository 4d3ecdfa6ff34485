/**
 * `npm run seal` on an environment file with a second hard link: seal replaces a file by renaming a
 * new one over its name, so the other name would keep the values unsealed after seal said it sealed
 * them. Refused (exit 1) naming the file, the link count and the fix, before the certificate is
 * fetched, and again when a name appears while it is fetched; nothing written under any name
 * (src/seal/environment-file.ts refuseHardLinks, docs/secrets.md). Real files, `linkSync`; the
 * controller is a loopback API server (./api-server.ts).
 */
import { linkSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../scripts/seal.js';
import { shellWord } from '../../src/core/shell-word.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';
import { startApiServer } from './api-server.js';
import { copyOfEnvironments, makeSealingKeyPair, plantedValue, type SealingKeyPair } from './support.js';

const ENV = 'backstage-wus2-v4';
let pair: SealingKeyPair;

beforeAll(() => {
  pair = makeSealingKeyPair();
});

/** Seals redis/password of ENV in `dir` with the certificate fetched through `kubeconfig`. */
const sealRedis = (dir: string, kubeconfig: string) =>
  runMain(
    main,
    ['--env', ENV, '--secret', 'redis', '--key', 'password', '--controller', 'sealed/sealer'].concat([
      '--kubeconfig',
      kubeconfig,
      '--environments',
      dir,
    ]),
    {
      cwd: REPO_ROOT,
      env: { ...process.env, KUBECONFIG: join(REPO_ROOT, '.no-such-kubeconfig') },
      stdin: plantedValue(),
    },
  );

/** The refusal for `file` (as given) leading to the file `quoted` names, as a POSIX shell word, with `links` names. */
const refusal = (file: string, quoted: string, links: number) =>
  `seal: ${file}: the file has ${links} hard links (names for the same bytes): seal renames a new file over this ` +
  `name, so the ${links - 1} other name(s) would keep the values unsealed; nothing written (fix: find them with ` +
  `find <mount-point> -xdev -samefile ${quoted}, remove each or make it a symbolic ` +
  `link to ${quoted} (ln -sf ${quoted} <name>), then seal again)\n`;

describe.concurrent('npm run seal on an environment file with more than one name', () => {
  it('a second hard link: refused naming the file, the count and the fix, before any certificate is fetched', async () => {
    const api = await startApiServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pair.certificatePem);
    });
    try {
      const dir = copyOfEnvironments();
      const file = join(dir, `${ENV}.yaml`);
      const before = readFileSync(file, 'utf8');
      const backup = join(tempDir('arcade-seal-backup-'), `${ENV}.yaml`);
      linkSync(file, backup);
      const run = await sealRedis(dir, api.kubeconfig);
      expect({ status: run.status, stderr: run.stderr }).toEqual({
        status: 1,
        stderr: refusal(file, shellWord(realpathSync(file)), 2),
      });
      expect(api.requests).toEqual([]);
      expect([readFileSync(file, 'utf8'), readFileSync(backup, 'utf8')]).toEqual([before, before]);
      expect(statSync(file).ino).toBe(statSync(backup).ino);
    } finally {
      await api.close();
    }
  });

  it("through a symbolic link, the file it leads to is counted and named in the fix, quoted for the shell (a space, a ')", async () => {
    const api = await startApiServer((_req, res) => res.writeHead(404).end());
    try {
      const dir = copyOfEnvironments();
      const link = join(dir, `${ENV}.yaml`);
      const base = realpathSync(tempDir('arcade-seal-real-'));
      mkdirSync(join(base, "it's here"));
      const real = join(base, "it's here", `${ENV}.yaml`);
      writeFileSync(real, readFileSync(link));
      linkSync(real, `${real}.bak`);
      linkSync(real, `${real}.old`);
      rmSync(link);
      symlinkSync(real, link);
      const run = await sealRedis(dir, api.kubeconfig);
      expect({ status: run.status, stderr: run.stderr }).toEqual({
        status: 1,
        stderr: refusal(link, `'${base}/it'\\''s here/${ENV}.yaml'`, 3),
      });
      expect(api.requests).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it('a name added while the certificate is fetched: refused before writing, every name as it was', async () => {
    const dir = copyOfEnvironments();
    const file = join(dir, `${ENV}.yaml`);
    const before = readFileSync(file, 'utf8');
    const backup = join(tempDir('arcade-seal-backup-'), `${ENV}.yaml`);
    // The API server makes the second name, as a backup job might meanwhile, before it answers.
    const api = await startApiServer((_req, res) => {
      linkSync(file, backup);
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pair.certificatePem);
    });
    try {
      const run = await sealRedis(dir, api.kubeconfig);
      expect(api.requests).toHaveLength(1);
      expect({ status: run.status, stderr: run.stderr }).toEqual({
        status: 1,
        stderr: refusal(file, shellWord(realpathSync(file)), 2),
      });
      expect([readFileSync(file, 'utf8'), readFileSync(backup, 'utf8')]).toEqual([before, before]);
    } finally {
      await api.close();
    }
  });
});
