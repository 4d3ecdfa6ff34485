/**
 * Files git ignores in the export's folder (export-folder.ts ignoredRefusals, docs/delivery.md
 * "Ignored files"): git never held them, so the export must never remove, overwrite or adopt one.
 * Each refusal is exact, leaves the checkout untouched (snapshot) and the ignored file byte for
 * byte. The takeover case needs kubectl, as takeover.test.ts does; the others do not.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportEnvironment, type ExportOptions, type ExportSource } from '../../src/delivery/export.js';
import { OWNERSHIP_FILE } from '../../src/delivery/ownership.js';
import { KUBECTL } from '../support/kubectl.js';
import { tempDir } from '../support/temp.js';
import { gitopsRepo, takeoverEnvironment } from './gitops-fixture.js';
import { commitFiles, makeRepo, plantExport, refusal, run, sourceOf, stagingEnvironment } from './support.js';

/** A Secret written by hand and kept out of git: what an operator keeps beside the manifests. */
const LOCAL_SECRET = [
  'apiVersion: v1',
  'kind: Secret',
  'metadata:',
  '  name: arcade-local',
  '  namespace: arcade',
  'stringData:',
  '  token: not-in-git',
  '',
].join('\n');

const FIX = '(fix: move it out of apps/arcade, or stop ignoring it and commit it, then export again)';
const NEVER_HELD = 'and git cannot bring back a file it never held (Flux never applied it either)';

/** The refusal's problems; the checkout (every file, the ignored ones too) is as it was. */
async function refused(source: ExportSource, options: ExportOptions): Promise<readonly string[]> {
  return (await refusal(source, options)).problems;
}

/** Commits a .gitignore with `patterns`, then writes each of `files` (ignored by them) into the checkout. */
async function ignore(repo: string, patterns: string[], files: Record<string, string>): Promise<void> {
  await commitFiles(repo, { '.gitignore': `${patterns.join('\n')}\n` }, 'ignore local files');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  expect(await run(repo, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
}

describe.skipIf(!KUBECTL)('the takeover with an ignored manifest in the folder', () => {
  it('--adopt --commit is refused naming the ignored Secret, which stays as it was', async () => {
    const repo = await gitopsRepo();
    await ignore(repo, ['apps/arcade/local-secret.yaml'], { 'apps/arcade/local-secret.yaml': LOCAL_SECRET });
    const problems = await refused(sourceOf(takeoverEnvironment()), {
      repo,
      adopt: true,
      keep: ['namespace.yaml'],
      allowUnresolved: true,
      commit: true,
    });
    expect(problems).toEqual([
      `apps/arcade/local-secret.yaml is ignored by git: --adopt would remove it as a hand-written file, ${NEVER_HELD} ${FIX}`,
    ]);
    expect(readFileSync(join(repo, 'apps/arcade/local-secret.yaml'), 'utf8')).toBe(LOCAL_SECRET);
  });
});

describe('an ignored file in the folder of an earlier export', () => {
  it('an ignored YAML file is refused in every mode; any other ignored file is left alone', async () => {
    const source = sourceOf(stagingEnvironment('bundled'));
    const repo = await makeRepo({ 'apps/other/app.yaml': 'kind: ConfigMap\n' });
    await plantExport(repo, source);
    const local = {
      'apps/arcade/local-secret.yaml': LOCAL_SECRET,
      'apps/arcade/dev.env': 'TOKEN=local\n',
      // In a folder git ignores whole (git status names the folder, not its files).
      'apps/arcade/scratch/deeper/try.yml': 'kind: ConfigMap\n',
    };
    await ignore(repo, ['local-secret.yaml', '*.env', 'scratch/'], local);
    const adopting = (file: string) =>
      `apps/arcade/${file} is ignored by git: --adopt would remove it as a hand-written file, ${NEVER_HELD} ${FIX}`;
    const plain = (file: string) =>
      `apps/arcade/${file} is ignored by git: --adopt would remove it and --keep would name ` +
      `a file Flux cannot read, ${NEVER_HELD} ${FIX}`;
    const files = ['local-secret.yaml', 'scratch/deeper/try.yml'];
    expect(await refused(source, { repo, adopt: true, commit: true })).toEqual(files.map(adopting));
    expect(await refused(source, { repo, adopt: true, dryRun: true })).toEqual(files.map(adopting));
    expect(await refused(source, { repo })).toEqual(files.map(plain));
    // --keep of one is no way round: the same refusal, not a kept file Flux cannot read.
    expect(await refused(source, { repo, keep: ['local-secret.yaml'] })).toEqual(files.map(plain));
    for (const [path, content] of Object.entries(local)) expect(readFileSync(join(repo, path), 'utf8')).toBe(content);

    // Without the ignored YAML, the ignored dev.env stands in the way of nothing: the export never
    // writes, names or removes a file that is not YAML.
    await run(repo, ['clean', '-q', '-X', '-f', '-d', '--', 'apps/arcade/local-secret.yaml', 'apps/arcade/scratch']);
    const result = await exportEnvironment(source, { repo, adopt: true });
    expect(result.removed).toEqual([]);
    expect(readFileSync(join(repo, 'apps/arcade/dev.env'), 'utf8')).toBe('TOKEN=local\n');
  });
});

/** The refusal of a written path git ignores (export-folder.ts ignoredWrites), with the overwrite when the file is there. */
function ignoredWrite(file: string, there = false): string {
  const why =
    file === OWNERSHIP_FILE
      ? 'the commit would leave out the record of what the export wrote, and the next export would read its files as hand-written'
      : 'the commit would leave it out while kustomization.yaml lists it';
  return (
    `apps/arcade/${file} is ignored by git: the export writes that path, and git ignores it, so ${why}` +
    (there ? ', and it would overwrite the ignored file there, which git never held' : '') +
    ` (fix: remove the rule from .gitignore, or add a negation !apps/arcade/${file}` +
    (there ? ', after moving the file out of apps/arcade' : '') +
    ', then export again)'
  );
}

describe('an ignored file at a path the export writes', () => {
  it('is refused, each one named, and neither is overwritten', async () => {
    const source = sourceOf(stagingEnvironment('bundled'));
    expect(source.files.map((f) => f.path)).toContain('secrets.yaml');
    const repo = await makeRepo({ 'apps/arcade/README.md': 'Arcade\n' });
    const local = { 'apps/arcade/secrets.yaml': LOCAL_SECRET, [`apps/arcade/${OWNERSHIP_FILE}`]: '{"local": true}\n' };
    await ignore(repo, ['secrets.yaml', OWNERSHIP_FILE], local);
    for (const options of [{ adopt: true, commit: true }, {}, { dryRun: true }])
      expect(await refused(source, { repo, ...options })).toEqual([
        ignoredWrite(OWNERSHIP_FILE, true),
        ignoredWrite('secrets.yaml', true),
      ]);
    for (const [path, content] of Object.entries(local)) expect(readFileSync(join(repo, path), 'utf8')).toBe(content);
  });
});

// A first export into a folder that holds no manifest yet: kubectl builds its preview, as takeover.test.ts's do.
describe.skipIf(!KUBECTL)('a path the export writes that git ignores, not there yet', () => {
  const source = sourceOf(stagingEnvironment('bundled'));
  const first = () => makeRepo({ 'apps/other/app.yaml': 'kind: ConfigMap\n', 'apps/arcade/README.md': 'x\n' });

  it('is refused in every mode, before anything is written: the commit would leave it out', async () => {
    const repo = await first();
    await ignore(repo, ['secrets.yaml', '*.json'], {});
    for (const options of [{ commit: true }, {}, { dryRun: true }, { adopt: true, commit: true }])
      expect(await refused(source, { repo, ...options })).toEqual([
        ignoredWrite(OWNERSHIP_FILE),
        ignoredWrite('secrets.yaml'),
      ]);
  });

  it('with the negation the fix names, the commit holds every file kustomization.yaml lists', async () => {
    const repo = await first();
    await ignore(repo, ['secrets.yaml', '!apps/arcade/secrets.yaml'], {});
    const result = await exportEnvironment(source, { repo, commit: true });
    const committed = (await run(repo, ['ls-tree', '-r', '--name-only', result.commit!, '--', 'apps/arcade/']))
      .trim()
      .split('\n');
    expect(committed).toEqual(
      [...source.files.map((f) => f.path), OWNERSHIP_FILE, 'README.md'].map((f) => `apps/arcade/${f}`).sort(),
    );
  });
});

describe('a tracked file at a path the export writes that a rule matches', () => {
  // Without kubectl (a path that does not exist): an update of the export's own files needs none.
  const kubectl = join(tempDir('no-kubectl-'), 'kubectl');
  const source = sourceOf(stagingEnvironment('bundled'));

  it('is no refusal: git commits its changes', async () => {
    const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
    await plantExport(repo, source);
    await ignore(repo, ['secrets.yaml'], {});
    const changed = { ...source, files: source.files.map((f) => ({ ...f, content: `# changed\n${f.content}` })) };
    const result = await exportEnvironment(changed, { repo, kubectl, commit: true });
    expect(result.written).toContain('secrets.yaml');
    expect(await run(repo, ['show', `${result.commit!}:apps/arcade/secrets.yaml`])).toMatch(/^# changed\n/);
  });
});
