/**
 * A dist/ that is not what synth writes (a hand edit, a file added or removed) fails the gate and
 * is named by `npm run diff`, which compares the synthesis with dist/ at the base and said
 * "no changes" over a hand edit of the working tree's dist/ (session 16's trial: `replicas: 2` made
 * 5 in collector.yaml). Real synthesis, real git, the commands in process.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as check } from '../../scripts/check.js';
import { checkSynthesized } from '../../src/check/synthesized.js';
import { synthMismatches } from '../../src/core/synth-mismatch.js';
import { loadEnvironment } from '../../src/environments/load.js';
import { diffExit, reviewMarkdown, reviewText, reviewWorkingTree } from '../../src/review/review.js';
import { folderFiles, synthEnvironment } from '../../src/synth.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { NO_AUTO_MAINTENANCE_ARGS } from '../support/git-repos.js';
import { runMain } from '../support/run-script.js';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironment } from '../synth/helpers.js';
import { tempDir } from './support.js';

const ENV = 'backstage-wus2-v4';

/** A copy of the committed dist/ (its environment folder), with `edit` applied to collector.yaml's text. */
function distCopy(edit: (text: string) => string = (t) => t): string {
  const dist = join(tempDir(), 'dist');
  cpSync(join(REPO_ROOT, 'dist', ENV), join(dist, ENV), { recursive: true });
  const file = join(dist, ENV, 'collector.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return dist;
}

/** The Deployment's replicas made 5 (from 2 in the committed dist/, 1 in the fixture's staging). */
const fiveReplicas = (text: string) => {
  expect(text).toMatch(/^ {2}replicas: [12]$/m);
  return text.replace(/^ {2}replicas: [12]$/m, '  replicas: 5');
};

describe('npm run check: each folder is what synth writes', () => {
  it('the committed dist/ copied as it is passes; with replicas 2 made 5 it fails, naming the file, the line and npm run synth', async () => {
    const args = ['--dist-only', '--skip-kustomize', '--quiet'];
    const same = await runMain(check, ['--dist', distCopy(), ...args]);
    expect(same.stdout).not.toContain('synth.');
    expect(same.status, same.stdout).toBe(0);
    const edited = await runMain(check, ['--dist', distCopy(fiveReplicas), ...args]);
    expect(edited.status).toBe(1);
    const line = readFileSync(join(REPO_ROOT, 'dist', ENV, 'collector.yaml'), 'utf8')
      .split('\n')
      .indexOf('  replicas: 2');
    const errors = edited.stdout.split('\n').filter((l) => l.startsWith('error'));
    expect(errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `/${ENV}/collector\\.yaml:${line + 1}: \\[synth\\.not-synthesized\\] not what npm run synth writes: ` +
            `collector\\.yaml differs from line ${line + 1} \\(edited by hand, or src/ changed since the last synth\\) ` +
            '\\(fix: npm run synth ',
        ),
      ),
    ]);
  });

  it('a file added, a file removed, and a folder no environment file synthesizes are named', async () => {
    const dist = distCopy();
    writeFileSync(join(dist, ENV, 'extra.yaml'), 'a: 1\n');
    rmSync(join(dist, ENV, 'monitoring.yaml'));
    const fresh = synthEnvironment(fixtureEnvironment('staging')).files;
    const committed = folderFiles(synthEnvironment(loadEnvironment(ENV).env));
    expect(synthMismatches(join(dist, ENV), committed)).toEqual([
      { file: 'extra.yaml', problem: 'not-written-by-synth' },
      { file: 'monitoring.yaml', problem: 'missing' },
    ]);
    expect(synthMismatches(join(dist, 'staging'), fresh)).toEqual([{ file: '.', problem: 'no-folder' }]);
    mkdirSync(join(dist, 'nowhere'));
    writeFileSync(
      join(dist, 'nowhere', 'kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
    );
    const r = await runMain(check, ['--dist', dist, '--dist-only', '--skip-kustomize', '--quiet']);
    expect(r.status).toBe(1);
    const rules = r.stdout.split('\n').filter((l) => l.includes('[synth.'));
    expect(rules).toEqual([
      expect.stringMatching(
        /\/extra\.yaml: \[synth\.not-synthesized\] not what npm run synth writes: extra\.yaml is not a file synth writes/,
      ),
      expect.stringMatching(
        /\/monitoring\.yaml: \[synth\.not-synthesized\] not what npm run synth writes: monitoring\.yaml is missing/,
      ),
      expect.stringMatching(
        new RegExp(
          String.raw`/nowhere: \[synth\.no-environment\] cannot synthesize nowhere to compare the folder with: ` +
            String.raw`unknown environment: --env nowhere: no such environment .*\(fix: name the folder after an environment file`,
        ),
      ),
    ]);
  });
});

describe('synth.no-environment: the fix fits why the environment does not load', () => {
  const findingFor = (env: string) => {
    const environments = tempDir();
    writeFileSync(join(environments, 'broken.yaml'), 'name: broken\nreplicas: x\n');
    const found = checkSynthesized(env, join(tempDir(), env), `dist/${env}`, (e) => {
      loadEnvironment(e, environments); // throws: broken does not load, nowhere has no file
      return [];
    });
    expect(found.map((f) => f.rule)).toEqual(['synth.no-environment']);
    return found[0]!;
  };

  it('an environment file that does not load: correct it, never remove the folder; one fix', () => {
    const f = findingFor('broken');
    expect(f.fix).toBe('correct src/environments/broken.yaml (above), then npm run synth');
    expect(f.message).toContain('Unrecognized key: "replicas"');
    expect(f.message).not.toContain('(fix:');
  });

  it('no environment file of the name: name the folder after one, or remove it; one fix', () => {
    const f = findingFor('nowhere');
    expect(f.fix).toMatch(/^name the folder after an environment file in src\/environments .*, or remove it$/);
    expect(f.message).toBe(
      'cannot synthesize nowhere to compare the folder with: unknown environment: --env nowhere: no such environment',
    );
  });
});

describe('npm run diff: a working-tree dist/ that is not what synth writes', () => {
  const COMMITTER = ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...NO_AUTO_MAINTENANCE_ARGS];

  it('says so in one line before "no changes", and exits 1; the untouched folder says "no changes" alone, exit 0', async () => {
    const dir = tempDir('stack-');
    const git = (args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
    git(['init', '-q', '-b', 'main']);
    for (const f of synthEnvironment(fixtureEnvironment('staging')).files) {
      mkdirSync(dirname(join(dir, 'dist', f.path)), { recursive: true });
      writeFileSync(join(dir, 'dist', f.path), f.content);
    }
    git(['add', '-A']);
    git([...COMMITTER, 'commit', '-q', '-m', 'dist']);
    const review = () => reviewWorkingTree({ repoRoot: dir, base: 'HEAD', environmentsDir: FIXTURE_ENVIRONMENTS });
    const clean = await review();
    expect([reviewText(clean, 'abcdef0123456789'), diffExit(clean)]).toEqual(['no changes against abcdef012345', 0]);

    const file = join(dir, 'dist', 'staging', 'collector.yaml');
    writeFileSync(file, fiveReplicas(readFileSync(file, 'utf8')));
    const line = readFileSync(file, 'utf8').split('\n').indexOf('  replicas: 5') + 1;
    const edited = await review();
    expect(reviewText(edited, 'abcdef0123456789').split('\n')).toEqual([
      'dist/staging/ is not what npm run synth writes, and this diff does not show it: ' +
        `collector.yaml differs from line ${line} (edited by hand, or src/ changed since the last synth) ` +
        '(fix: npm run synth, then npm run diff again)',
      'no changes against abcdef012345',
    ]);
    expect(diffExit(edited)).toBe(1);
    expect(reviewMarkdown(edited, 'abcdef0123456789')).toContain('> **dist/staging/ is not what npm run synth writes');
  });
});
