/**
 * The semantic diff: field-level changes, HelmRelease values key by key, noisy and secret fields
 * summarized, Markdown for a pull request; and `npm run diff` against dist/ at a git base.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { diffManifests, isEmptyDiff } from '../../src/review/diff.js';
import { renderMarkdown, renderText } from '../../src/review/render.js';
import { expectInert, HOSTILE } from '../support/markdown-text.js';
import { reviewMarkdown, reviewText, reviewWorkingTree } from '../../src/review/review.js';
import { synthEnvironment } from '../../src/synth.js';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironment } from '../synth/helpers.js';
import { NO_AUTO_MAINTENANCE_ARGS } from '../support/git-repos.js';
import { tempDir } from '../support/temp.js';
import { runMain } from '../support/run-script.js';
import { main } from '../../scripts/diff.js';

/** The committer, for one command, and no automatic maintenance (test/support/git-repos.ts). */
const COMMITTER = ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...NO_AUTO_MAINTENANCE_ARGS];

function file(path: string, ...objects: object[]) {
  return { path, content: objects.map((o) => stringify(o)).join('---\n') };
}

const release = (values: object, extra: object = {}) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'arcade', namespace: 'arcade' },
  spec: { interval: '10m', values, ...extra },
});

describe('diffManifests', () => {
  it('lists HelmRelease values key by key with old and new values', () => {
    const before = file(
      'release.yaml',
      release({ features: { chatEnabled: true }, ingress: { hostname: 'a.example.com' }, old: { key: 1 } }),
    );
    const after = file(
      'release.yaml',
      release({
        features: { chatEnabled: false },
        ingress: { hostname: 'a.example.com' },
        gateway: { hostname: 'api.example.com', enabled: true },
      }),
    );
    const diff = diffManifests([before], [after]);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.changed).toHaveLength(1);
    expect(diff.changed[0]!.key).toBe('HelmRelease arcade/arcade');
    expect(diff.changed[0]!.fields).toEqual([
      { path: 'spec.values.features.chatEnabled', before: true, after: false },
      { path: 'spec.values.gateway.enabled', before: undefined, after: true },
      { path: 'spec.values.gateway.hostname', before: undefined, after: 'api.example.com' },
      { path: 'spec.values.old.key', before: 1, after: undefined },
    ]);
    expect(renderText(diff)).toContain('spec.values.features.chatEnabled: true → false');
  });

  it('reports added and removed objects, keyed by kind, namespace and name', () => {
    const cm = (name: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'arcade' },
      data: { a: '1' },
    });
    const diff = diffManifests([file('a.yaml', cm('one'), cm('two'))], [file('b.yaml', cm('two'), cm('three'))]);
    expect(diff.added.map((a) => [a.key, a.file])).toEqual([['ConfigMap arcade/three', 'b.yaml']]);
    expect(diff.removed.map((r) => [r.key, r.file])).toEqual([['ConfigMap arcade/one', 'a.yaml']]);
    expect(diff.changed).toEqual([]);
  });

  it('summarizes SealedSecret ciphertext and Secret data by digest, never showing them', () => {
    const oldCipher = randomBytes(300).toString('base64');
    const newCipher = randomBytes(300).toString('base64');
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const sealed = (c: string) => ({
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 's', namespace: 'arcade' },
      spec: { encryptedData: { password: c } },
    });
    const secret = (v: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'plain', namespace: 'arcade' },
      stringData: { password: v },
    });
    const diff = diffManifests(
      [file('s.yaml', sealed(oldCipher), secret('old-value'))],
      [file('s.yaml', sealed(newCipher), secret(password))],
    );
    const text = renderText(diff) + renderMarkdown(diff);
    expect(text).not.toContain(oldCipher.slice(0, 40));
    expect(text).not.toContain(newCipher.slice(0, 40));
    expect(text).not.toContain(password);
    expect(text).not.toContain('old-value');
    expect(text).toMatch(
      /spec\.encryptedData\.password: ciphertext changed \(sha256 [a-f0-9]{12}… → sha256 [a-f0-9]{12}…\)/,
    );
    expect(text).toMatch(/stringData\.password: secret value changed/);
  });

  it('keys lists of named items by name, so an insertion is one change on one line', () => {
    const env = (names: string[]) => release({}, { env: names.map((name) => ({ name, value: `${name}-v` })) });
    const diff = diffManifests([file('r.yaml', env(['A', 'B']))], [file('r.yaml', env(['NEW', 'A', 'B']))]);
    expect(diff.changed[0]!.fields).toEqual([
      { path: 'spec.env[name=NEW]', before: undefined, after: '{"name":"NEW","value":"NEW-v"}', structured: true },
    ]);
    expect(renderText(diff)).toContain('spec.env[name=NEW]: (absent) → {"name":"NEW","value":"NEW-v"}');
  });

  it('is empty when only comments and key order differ', () => {
    const a = {
      path: 'r.yaml',
      content: '# header\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: "1"\n  b: "2"\n',
    };
    const b = {
      path: 'r.yaml',
      content: 'kind: ConfigMap\napiVersion: v1\nmetadata: { name: x }\ndata: { b: "2", a: "1" }\n',
    };
    const diff = diffManifests([a], [b]);
    expect(isEmptyDiff(diff)).toBe(true);
    expect(renderText(diff)).toBe('no changes');
  });

  it('renders Markdown tables ready for a pull-request description', () => {
    const diff = diffManifests(
      [file('r.yaml', release({ a: { b: 'x|y' } }))],
      [file('r.yaml', release({ a: { b: 'z' } }))],
    );
    const md = renderMarkdown(diff, 'Changes');
    expect(md).toContain('### Changes');
    expect(md).toContain('| Field | Before | After |');
    expect(md).toContain('| `spec.values.a.b` | `"x\\|y"` | `"z"` |');
  });
});

describe('reviewWorkingTree against dist/ at a git base', () => {
  function repoWithDist(files: readonly { path: string; content: string }[]): string {
    const dir = tempDir('stack-');
    const git = (args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
    git(['init', '-q', '-b', 'main']);
    for (const f of files) {
      mkdirSync(dirname(join(dir, 'dist', f.path)), { recursive: true });
      writeFileSync(join(dir, 'dist', f.path), f.content);
    }
    git(['add', '-A']);
    git([...COMMITTER, 'commit', '-q', '-m', 'dist']);
    return dir;
  }

  it('shows the field-level change between the committed dist/ and the working tree', async () => {
    const env = fixtureEnvironment('staging');
    const old = synthEnvironment({ ...env, release: { ...env.release, interval: '30m' } });
    const repo = repoWithDist(old.files);
    const reviews = await reviewWorkingTree({ repoRoot: repo, base: 'HEAD', environmentsDir: FIXTURE_ENVIRONMENTS });
    expect(reviews.map((r) => r.env)).toEqual(['staging']);
    expect(reviews[0]!.diff.changed).toEqual([
      expect.objectContaining({
        key: 'HelmRelease arcade-staging/arcade',
        fields: [{ path: 'spec.interval', before: '30m', after: '10m' }],
      }),
    ]);
    expect(reviewText(reviews, 'abcdef0123456789')).toContain('spec.interval: "30m" → "10m"');
    expect(reviewMarkdown(reviews, 'abcdef0123456789')).toContain('| `spec.interval` | `"30m"` | `"10m"` |');
  });

  it('says "no changes" when the working tree synthesizes exactly the committed dist/', async () => {
    const repo = repoWithDist(synthEnvironment(fixtureEnvironment('staging')).files);
    const reviews = await reviewWorkingTree({ repoRoot: repo, base: 'HEAD', environmentsDir: FIXTURE_ENVIRONMENTS });
    expect(reviewText(reviews, 'abcdef0123456789')).toBe('no changes against abcdef012345');
  });
});

/** The command in process (its `main`); test/scripts/every-script.test.ts runs the script as a process. */
describe('npm run diff (scripts/diff.ts)', () => {
  const runDiff = (args: string[]) => runMain(main, args);
  /** The fixture's staging environment against HEAD, where it has no dist/ (all objects added). */
  const STAGING = ['--base', 'HEAD', '--env', 'staging', '--environments', FIXTURE_ENVIRONMENTS];

  it('compares a new environment against a base where it has no dist/ (all objects added) and writes Markdown', async () => {
    const md = join(tempDir('diff-md-'), 'pr.md');
    const r = await runDiff([...STAGING, '--markdown', md]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('+ HelmRelease arcade-staging/arcade (release.yaml)');
    expect(r.stdout).toContain('+ ExternalSecret arcade-staging/arcade-postgres (secrets.yaml)');
    expect(readFileSync(md, 'utf8')).toMatch(
      /#### Added\n\n[\s\S]*- `HelmRelease arcade-staging\/arcade` \(release\.yaml\)/,
    );
  });

  it('--markdown /dev/null --comment /dev/null: /dev/null takes both (what is written there is dropped)', async () => {
    const r = await runDiff([...STAGING, '--markdown', '/dev/null', '--comment', '/dev/null']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('diff: wrote Markdown to /dev/null\n');
    expect(r.stderr).toMatch(/diff: wrote the pull-request comment \(\d+ characters\) to \/dev\/null\n/);
    expect(r.stdout.split('#### Added').length - 1).toBe(0);
  });

  it('--markdown - --comment /dev/stdout: one stream for two outputs is refused (they would interleave)', async () => {
    const r = await runDiff([...STAGING, '--markdown', '-', '--comment', '/dev/stdout']);
    expect([r.status, r.stderr.trim()]).toEqual([
      2,
      'diff: --markdown - and --comment /dev/stdout name the same file; nothing written (fix: give --comment a file of its own); usage: npm run diff -- --help',
    ]);
    expect(r.stdout).toBe('');
  });

  it.each([
    [
      '--comment over the --gate report it reads',
      ['--comment', 'check.json', '--gate', 'check.json'],
      'gate check.json',
      'comment check.json',
    ],
    [
      '--markdown and --comment the same file',
      ['--markdown', 'same.md', '--comment', 'same.md'],
      'markdown same.md',
      'comment same.md',
    ],
    [
      '--comment through a link to the --markdown file',
      ['--markdown', 'pr.md', '--comment', 'link.md'],
      'markdown pr.md',
      'comment link.md',
    ],
    [
      '--markdown by another name of the --gate report',
      ['--markdown', 'sub/../check.json', '--gate', './check.json', '--post-comment', '1'],
      'gate ./check.json',
      'markdown sub/../check.json',
    ],
  ])('refuses %s (exit 2) before anything is written', async (_, args, earlier, later) => {
    const dir = tempDir('diff-same-');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'check.json'), '{"the gate report": "kept"}');
    // pr.md exists: a link to nothing is refused as one (test/tooling/dangling-output-file.test.ts).
    writeFileSync(join(dir, 'pr.md'), 'the last description, kept\n');
    symlinkSync('pr.md', join(dir, 'link.md'));
    const r = await runMain(main, ['--base', 'HEAD', ...args], { cwd: dir });
    expect(r).toEqual({
      status: 2,
      stdout: '',
      stderr:
        `diff: --${earlier} and --${later} name the same file; nothing written ` +
        `(fix: give --${later.split(' ')[0]} a file of its own); usage: npm run diff -- --help\n`,
    });
    expect(readFileSync(join(dir, 'check.json'), 'utf8')).toBe('{"the gate report": "kept"}');
    expect(readFileSync(join(dir, 'pr.md'), 'utf8')).toBe('the last description, kept\n');
    expect(readdirSync(dir).sort()).toEqual(['check.json', 'link.md', 'pr.md', 'sub']);
  });

  it('refuses a base that is not a commit as bad usage, with a clear message', async () => {
    const r = await runDiff(['--base', 'no-such-ref-xyz', '--environments', FIXTURE_ENVIRONMENTS]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--base no-such-ref-xyz: not a commit');
  });
});

describe('the semantic diff in Markdown: text from outside renders as text (src/core/markdown.ts)', () => {
  it("an object's key, file, field path, summary and values render as text, the table keeps 3 columns", () => {
    const markdown = renderMarkdown({
      added: [{ key: HOSTILE, kind: 'ConfigMap', name: 'a', file: HOSTILE }],
      removed: [],
      changed: [
        {
          key: `ConfigMap/${HOSTILE}`,
          kind: 'ConfigMap',
          name: 'b',
          file: HOSTILE,
          fields: [
            { path: `data.${HOSTILE}`, before: HOSTILE, after: 'b`|`c' },
            { path: 'data.y', before: 1, after: 2, summary: HOSTILE },
          ],
        },
      ],
    });
    expectInert(markdown);
    const rows = markdown.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(5);
  });
});
