/**
 * The export's commit is signed when the checkout asks for it (commit.gpgsign), as `git commit`
 * signed it: `git commit-tree` signs only with -S, so the export reads commit.gpgsign itself. gpg is
 * a stand-in (gpg.program) that answers git as gpg does (`--status-fd=2 -bsau <key>`: the payload on
 * stdin, an armored signature on stdout, `[GNUPG:] SIG_CREATED` on the status fd); git is the real one.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catObjects } from '../../src/core/git.js';
import { exportEnvironment } from '../../src/delivery/export.js';
import { readCommit, unchangedExport } from '../../src/delivery/trailers.js';
import { tempDir } from '../support/temp.js';
import { makeRepo, plantExport, refusal, run, sourceOf, stagingEnvironment } from './support.js';

const SIGNATURE = '-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEEZmFrZQ==\n=fake\n-----END PGP SIGNATURE-----\n';

/** A gpg stand-in that signs anything with SIGNATURE and logs its arguments to `<folder>/args`. */
function fakeGpg(): { program: string; args: () => string } {
  const folder = tempDir('fake-gpg-');
  const program = join(folder, 'gpg');
  writeFileSync(
    program,
    '#!/bin/sh\n' +
      `printf '%s\\n' "$*" >> '${folder}/args'\n` +
      'cat > /dev/null\n' +
      "printf '[GNUPG:] KEY_CONSIDERED FAKE 0\\n[GNUPG:] BEGIN_SIGNING H8\\n[GNUPG:] SIG_CREATED D 1 8 00 1700000000 FAKE\\n' >&2\n" +
      `printf '%s' '${SIGNATURE}'\n`,
  );
  chmodSync(program, 0o755);
  return { program, args: () => readFileSync(join(folder, 'args'), 'utf8') };
}

/** A checkout whose folder holds an earlier export one value apart (no kubectl needed), with `config` set. */
async function checkout(config: Record<string, string>) {
  const source = sourceOf(stagingEnvironment('bundled'));
  const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
  const earlier = source.files.map((f) => ({ ...f, content: f.content.replace('interval: 10m', 'interval: 5m') }));
  await plantExport(repo, { ...source, files: earlier });
  for (const [key, value] of Object.entries(config)) await run(repo, ['config', key, value]);
  return { source, repo, options: { repo, commit: true, kubectl: join(tempDir('no-kubectl-'), 'kubectl') } };
}

describe("the export's commit and commit.gpgsign", () => {
  it('commit.gpgsign=true: the commit carries a gpgsig header by user.signingkey, and is still the export unchanged', async () => {
    const gpg = fakeGpg();
    const { source, repo, options } = await checkout({
      'commit.gpgsign': 'true',
      'gpg.program': gpg.program,
      'user.signingkey': 'EXPORT-TEST-KEY',
    });
    const result = await exportEnvironment(source, options);
    expect(result.commitProblem).toBeUndefined();
    expect(gpg.args()).toBe('--status-fd=2 -bsau EXPORT-TEST-KEY\n');
    const [object] = await catObjects(repo, [result.commit!]);
    const raw = object!.content.toString('utf8');
    const headers = raw.slice(0, raw.indexOf('\n\n'));
    expect(headers).toContain(`\ngpgsig ${SIGNATURE.trimEnd().split('\n').join('\n ')}`);
    // The signature is a header: the message, its trailers and its digest are the export's as written.
    const commit = readCommit(object);
    expect(commit.message).toBe(
      await run(repo, ['log', '-1', '--format=%B', result.commit!]).then((m) => m.slice(0, -1)),
    );
    expect(unchangedExport(commit)).toEqual({
      trailers: { environment: source.env, source: source.sourceCommit, tree: commit.tree },
    });
    expect((await run(repo, ['rev-parse', `refs/heads/${result.branch}`])).trim()).toBe(result.commit);
  });

  it('GIT_CONFIG in the environment does not decide it: git config would read that file alone, commit-tree does not', async () => {
    const gpg = fakeGpg();
    const { repo, options, source } = await checkout({
      'commit.gpgsign': 'true',
      'gpg.program': gpg.program,
      'user.signingkey': 'EXPORT-TEST-KEY',
    });
    const before = process.env.GIT_CONFIG;
    process.env.GIT_CONFIG = '/dev/null';
    try {
      const result = await exportEnvironment(source, options);
      expect(result.commitProblem).toBeUndefined();
      expect(gpg.args()).toBe('--status-fd=2 -bsau EXPORT-TEST-KEY\n');
      const [object] = await catObjects(repo, [result.commit!]);
      expect(object!.content.toString('utf8')).toContain('\ngpgsig ');
    } finally {
      if (before === undefined) delete process.env.GIT_CONFIG;
      else process.env.GIT_CONFIG = before;
    }
  });

  it('commit.gpgsign=false or not set: no signature asked for', async () => {
    for (const set of [true, false]) {
      const gpg = fakeGpg();
      const { source, repo, options } = await checkout({ 'commit.gpgsign': 'false', 'gpg.program': gpg.program });
      if (!set) await run(repo, ['config', '--unset', 'commit.gpgsign']);
      const result = await exportEnvironment(source, options);
      const [object] = await catObjects(repo, [result.commit!]);
      expect(object!.content.toString('utf8')).not.toContain('\ngpgsig ');
      expect(() => gpg.args()).toThrow(/ENOENT/);
    }
  });

  it('commit.gpgsign that is no boolean: refused before anything is written, naming it and the fix', async () => {
    const { source, repo, options } = await checkout({ 'commit.gpgsign': 'maybe' });
    const error = await refusal(source, options);
    expect(error.message).toContain(
      `${repo}: commit.gpgsign cannot be read as true or false (fatal: bad boolean config value 'maybe' for ` +
        `'commit.gpgsign') (fix: git -C ${repo} config commit.gpgsign true, or false)`,
    );
  });

  it('commit.gpgsign holding a token: git quotes the value, the refusal shows its last 4 only', async () => {
    // Built from parts: no token shape in the source.
    const token = ['gh', 'p_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY', 'WXYZ'].join('');
    const { source, options } = await checkout({ 'commit.gpgsign': token });
    const error = await refusal(source, options);
    expect(error.message).toContain("bad boolean config value '<hidden …WXYZ>'");
    expect(error.message).not.toContain(token);
  });

  it("a signer's failure quoted by the refusal has its tokens masked (git passes an ssh signer's stderr through)", async () => {
    const folder = tempDir('failing-signer-');
    const program = join(folder, 'ssh-keygen');
    // Built from parts: no token shape in the source.
    const token = ['gh', 'p_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY', 'WXYZ'].join('');
    const opaque = ['opaque', 'S3cr3t', 'Value'].join('');
    writeFileSync(
      program,
      `#!/bin/sh\necho 'signing service refused Authorization: Bearer ${opaque} and ${token}' >&2\nexit 1\n`,
    );
    chmodSync(program, 0o755);
    const { source, options } = await checkout({
      'commit.gpgsign': 'true',
      'gpg.format': 'ssh',
      'gpg.ssh.program': program,
      'user.signingkey': 'key::ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests',
    });
    const error: Error = await exportEnvironment(source, options).then(
      () => new Error('the export was not refused'),
      (e: Error) => e,
    );
    expect(error.message).toContain('signing service refused Authorization: Bearer <hidden>');
    expect(error.message).toContain('WXYZ');
    expect(error.message).not.toContain(opaque);
    expect(error.message).not.toContain(token);
  });
});
