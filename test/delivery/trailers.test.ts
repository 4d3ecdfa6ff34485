/**
 * The digest an export commit's last trailer names (src/delivery/trailers.ts), with real git: the
 * export's message cleaned as git cleans one (compared with `git stripspace` itself), committed by
 * the export's own `git commit` arguments in a checkout set to change messages
 * (`commit.cleanup=strip`, `i18n.commitEncoding=ISO-8859-1`), pushed by pushExport to a bare
 * repository on disk, then amended there by someone else as git amends: what keeps the message
 * leaves the commit the export's own (pushExport finds it `unchanged`), what changes it is refused
 * and kept.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pushExport } from '../../src/delivery/push.js';
import { ExportRefused } from '../../src/delivery/refused.js';
import { catObjects, git } from '../../src/core/git.js';
import {
  commitTreeCommand,
  notAsWritten,
  parseTrailers,
  readCommit,
  stripSpace,
  unchangedExport,
} from '../../src/delivery/trailers.js';
import { NO_AUTO_MAINTENANCE_ARGS } from '../support/git-repos.js';
import { runBounded } from '../support/run-bounded.js';
import { tempDir } from '../support/temp.js';
import { exportEnvironment } from '../../src/delivery/export.js';
import { makeRepo, plantExport, refAt, run, sourceOf, stagingEnvironment } from './support.js';

const SOMEONE = ['-c', 'user.name=Someone Else', '-c', 'user.email=else@example.com'];
/** The export's committer: another than SOMEONE, so an amend within the same second is another commit. */
const CI = ['-c', 'user.name=CI', '-c', 'user.email=ci@example.com'];

/**
 * A message as hard on a round trip as an export's can be: blank lines first, trailing spaces, a
 * tab and CRs, runs of blank lines, a line starting with `#`, non-ASCII with a character ISO-8859-1
 * has no byte for.
 */
const HOSTILE =
  '  \n\narcade-stack: export staging (é → ü)  \r\n\n\n\n# a line of the summary, not a comment\t\n' +
  'values: café → thé \r\n';

/**
 * A hooks folder (husky's kind, for core.hooksPath) whose prepare-commit-msg rewrites every message
 * as a ticket-prefix hook and a Change-Id hook do: `JIRA-1 ` before the subject, a trailer appended.
 */
function rewritingHooks(): string {
  const hooks = tempDir('digest-hooks-');
  const hook = join(hooks, 'prepare-commit-msg');
  writeFileSync(hook, '#!/bin/sh\nsed -i \'1s/^/JIRA-1 /\' "$1"\nprintf \'\\nChange-Id: I0123\\n\' >> "$1"\n');
  chmodSync(hook, 0o755);
  return hooks;
}

/** The export's commit of `message` on the branch HEAD names, as export.ts makes it (commit-tree, update-ref): its id. */
async function commitExport(dir: string, message: string, trailers: Parameters<typeof commitTreeCommand>[1]) {
  const parent = (await run(dir, ['rev-parse', 'HEAD'])).trim();
  const made = commitTreeCommand(message, trailers, parent);
  const id = (await git(dir, [...CI, ...made.args], { input: made.input })).trim();
  await run(dir, ['update-ref', 'HEAD', id, parent]);
  return id;
}

/**
 * A bare repository on disk and a checkout of it set to change every message it commits (git's
 * cleanup there drops `#` lines; commits are labelled ISO-8859-1; a prepare-commit-msg hook
 * rewrites them: {@link rewritingHooks}), where the export's steps made
 * `message`'s commit on branch feature (a file staged, its tree written, {@link commitExport}), pushed
 * by pushExport.
 */
async function exported(message: string): Promise<{ remote: string; checkout: string; commit: string }> {
  const seed = await makeRepo({ 'apps/arcade/README.md': 'placeholder\n' }, 'apps/arcade: placeholder');
  const remote = tempDir('digest-remote-');
  await run(remote, ['clone', '-q', '--bare', ...NO_AUTO_MAINTENANCE_ARGS, seed, '.']);
  const checkout = tempDir('digest-checkout-');
  const changing = ['-c', 'commit.cleanup=strip', '-c', 'i18n.commitEncoding=ISO-8859-1'];
  await run(checkout, ['clone', '-q', ...NO_AUTO_MAINTENANCE_ARGS, ...changing, remote, '.']);
  await run(checkout, ['config', 'core.hooksPath', rewritingHooks()]);
  await run(checkout, ['checkout', '-q', '-b', 'feature']);
  writeFileSync(join(checkout, 'apps', 'arcade', 'release.yaml'), 'kind: HelmRelease\n');
  await run(checkout, ['add', '-A']);
  const tree = (await run(checkout, ['write-tree'])).trim();
  const trailers = { environment: 'staging', source: 'f'.repeat(40), tree };
  const commit = await commitExport(checkout, message, trailers);
  expect(await pushExport({ top: checkout, branch: 'feature', commit, env: 'staging' })).toMatchObject({
    action: 'created',
  });
  return { remote, checkout, commit };
}

/** Someone else's clone of the remote's branch feature, and their amend of its tip pushed over it (the new tip). */
async function personOf(remote: string) {
  const dir = tempDir('digest-person-');
  await run(dir, ['clone', '-q', '-b', 'feature', ...NO_AUTO_MAINTENANCE_ARGS, remote, '.']);
  const amend = async (args: string[], config: string[] = []) => {
    await run(dir, [...SOMEONE, ...config, 'commit', '-q', '--amend', ...args]);
    await run(dir, ['push', '-q', '-f', 'origin', 'feature']);
    return (await run(dir, ['rev-parse', 'HEAD'])).trim();
  };
  return { dir, amend };
}

/** The next export's push of the same commit (same tree, same parent): `unchanged`, or what refused it. */
const pushAgain = ({ checkout, commit }: { checkout: string; commit: string }) =>
  pushExport({ top: checkout, branch: 'feature', commit, env: 'staging' }).catch((e: unknown) => e);

describe("an export commit's message digest, through git's own commit, amend and push", () => {
  it('the message is cleaned as git stripspace cleans it', async () => {
    const texts = [HOSTILE, '', 'a', '\n \n', 'a\n\n\n\nb', 'x \t\r\n\r\ny\v \n', '#a\n \n#b  ', 'ünï\r\ncode\n\n'];
    for (const text of texts)
      expect(stripSpace(text)).toBe(await runBounded(tempDir('strip-'), 'git', ['stripspace'], 'stripspace', text));
  });

  it("is stored byte for byte (no cleanup, no encoding header) and reads as the export's own after a push", async () => {
    const setup = await exported(HOSTILE);
    const raw = await run(setup.checkout, ['cat-file', 'commit', setup.commit]);
    const message = raw.slice(raw.indexOf('\n\n') + 2);
    expect(raw.slice(0, raw.indexOf('\n\n'))).not.toMatch(/^encoding /m);
    expect(message.startsWith(stripSpace(HOSTILE))).toBe(true);
    expect(message).toContain('\n# a line of the summary, not a comment\n');
    expect(message).toMatch(/\nArcade-Stack-Message-Sha256: [0-9a-f]{16}\n$/);
    expect(parseTrailers(message)?.tree).toBe((await run(setup.checkout, ['rev-parse', 'HEAD^{tree}'])).trim());
    expect(await pushAgain(setup)).toMatchObject({ action: 'unchanged', head: setup.commit });
    // The hook the export's commit skipped still runs on a person's own commit in that checkout.
    await run(setup.checkout, [...SOMEONE, 'commit', '-q', '--allow-empty', '-m', 'by hand']);
    expect(await run(setup.checkout, ['log', '-1', '--format=%B'])).toBe('JIRA-1 by hand\n\nChange-Id: I0123\n\n');
  });

  it("git commit --amend --no-edit keeps it the export's, also where the amend labels it ISO-8859-1", async () => {
    const setup = await exported(HOSTILE);
    const person = await personOf(setup.remote);
    const noEdit = await person.amend(['--no-edit']);
    expect(noEdit).not.toBe(setup.commit);
    expect(await pushAgain(setup)).toMatchObject({ action: 'unchanged', head: noEdit });
    // ISO-8859-1 has no byte for →: git keeps the UTF-8 bytes and labels them ISO-8859-1 all the same.
    const labelled = await person.amend(['--no-edit'], ['-c', 'i18n.commitEncoding=ISO-8859-1']);
    expect(await run(person.dir, ['cat-file', 'commit', labelled])).toMatch(/^encoding ISO-8859-1$/m);
    expect(await pushAgain(setup)).toMatchObject({ action: 'unchanged', head: labelled });
    // A message ISO-8859-1 can hold: git transcodes it, and its text is still the export's.
    const latin = await exported('arcade-stack: export staging (été)\n\nvaleur: café\n');
    const transcoded = await (await personOf(latin.remote)).amend(
      ['--no-edit'],
      ['-c', 'i18n.commitEncoding=ISO-8859-1'],
    );
    // Read as UTF-8, the byte ISO-8859-1 has for é is no character: the UTF-8 'café' is gone.
    const raw = await run(latin.remote, ['cat-file', 'commit', transcoded]);
    expect(raw).toMatch(/^encoding ISO-8859-1$/m);
    expect(raw).not.toContain('café');
    expect(await pushAgain(latin)).toMatchObject({ action: 'unchanged', head: transcoded });
  });

  it('a message-only amend, a trailer added, the digest line removed: each refused, the branch kept', async () => {
    const setup = await exported(HOSTILE);
    const person = await personOf(setup.remote);
    const original = await run(person.dir, ['log', '-1', '--format=%B']);
    const [subject = '', ...rest] = original.split('\n');
    const refusal = (tip: string, why: string) =>
      `${setup.remote} branch feature holds ${tip.slice(0, 12)} ("${subject}"), which arcade-stack did not ` +
      `write or which was changed after it was pushed (${why}): it is not replaced (fix: review that work; move ` +
      'it into the stack or delete the remote branch, or pass --branch <new name>)';
    const amended =
      'its message is not the one its Arcade-Stack-Message-Sha256 trailer names: amended after the export';
    const expectRefused = async (tip: string, why: string) => {
      const refused = await pushAgain(setup);
      expect(refused).toBeInstanceOf(ExportRefused);
      expect((refused as ExportRefused).problems).toEqual([refusal(tip, why)]);
      expect(refAt(setup.remote, 'refs/heads/feature')).toBe(tip);
    };
    // Context added by a reviewer, the trailers kept as they were.
    const context = [subject, '', 'Reviewed: the interval change is wanted.', ...rest].join('\n');
    await expectRefused(await person.amend(['-m', context]), amended);
    await run(person.dir, ['reset', '-q', '--hard', setup.commit]);
    // git appends a trailer below the digest line.
    const signed = await person.amend(['--no-edit', '-s']);
    expect(await run(person.dir, ['log', '-1', '--format=%B'])).toMatch(
      /\nSigned-off-by: Someone Else <else@example.com>\n/,
    );
    await expectRefused(signed, amended);
    // The three older trailers alone: an older export's, or a message whose digest line was removed.
    const older = original.replace(/Arcade-Stack-Message-Sha256: [0-9a-f]+\n/, '');
    expect(older).not.toBe(original);
    await expectRefused(
      await person.amend(['-m', older]),
      'no Arcade-Stack-Message-Sha256 trailer: an export by an arcade-stack older than that trailer, or one whose ' +
        'trailer was removed, so whether its message was changed cannot be told',
    );
  });

  it("a merge carrying the export's exact message and tree is refused, the branch kept", async () => {
    const setup = await exported(HOSTILE);
    const person = await personOf(setup.remote);
    // Someone's work on another line, merged under the export's own message and tree.
    await run(person.dir, ['checkout', '-q', '-b', 'work', `${setup.commit}^`]);
    writeFileSync(join(person.dir, 'apps', 'arcade', 'notes.yaml'), 'kind: ConfigMap\n');
    await run(person.dir, ['add', '-A']);
    await run(person.dir, [...SOMEONE, 'commit', '-q', '-m', 'notes']);
    const raw = await run(person.dir, ['cat-file', 'commit', setup.commit]);
    const message = raw.slice(raw.indexOf('\n\n') + 2);
    writeFileSync(join(person.dir, '.git', 'MERGE_TEXT'), message);
    const merge = (
      await run(person.dir, [
        ...SOMEONE,
        ...['commit-tree', `${setup.commit}^{tree}`, '-p', setup.commit, '-p', 'work', '-F', '.git/MERGE_TEXT'],
      ])
    ).trim();
    const stored = await run(person.dir, ['cat-file', 'commit', merge]);
    expect(stored.slice(stored.indexOf('\n\n') + 2)).toBe(message);
    expect(stored).toMatch(/^parent [0-9a-f]{40}\nparent [0-9a-f]{40}\n/m);
    await run(person.dir, ['push', '-q', '-f', 'origin', `${merge}:refs/heads/feature`]);
    const refused = await pushAgain(setup);
    expect(refused).toBeInstanceOf(ExportRefused);
    const [subject = ''] = message.split('\n');
    expect((refused as ExportRefused).problems).toEqual([
      `${setup.remote} branch feature holds ${merge.slice(0, 12)} ("${subject}"), which arcade-stack did not ` +
        "write or which was changed after it was pushed (a merge of 2 parents: an export commit has one, and the others' " +
        'work would be lost): it is not replaced (fix: review that work; move it into the stack or delete the remote ' +
        'branch, or pass --branch <new name>)',
    ]);
    expect(refAt(setup.remote, 'refs/heads/feature')).toBe(merge);
  });

  it('what git stored is checked against what the export wrote, naming the first line that differs', async () => {
    const repo = await makeRepo({ 'a.yaml': 'a: 1\n' }, 'seed');
    await run(repo, ['config', 'core.hooksPath', rewritingHooks()]);
    writeFileSync(join(repo, 'b.yaml'), 'b: 2\n');
    await run(repo, ['add', '-A']);
    const tree = (await run(repo, ['write-tree'])).trim();
    const trailers = { environment: 'staging', source: 'f'.repeat(40), tree };
    const read = async () => readCommit((await catObjects(repo, ['HEAD']))[0]);
    await commitExport(repo, 'export staging\n', trailers);
    expect(notAsWritten(await read(), 'export staging\n', trailers)).toBeUndefined();
    // The same message by git commit, which runs the prepare-commit-msg hook: it rewrites the message.
    const { input } = commitTreeCommand('export staging\n', trailers, undefined);
    await run(repo, [...CI, 'commit', '-q', '--allow-empty', '--cleanup=verbatim', '-m', input]);
    expect(notAsWritten(await read(), 'export staging\n', trailers)).toBe(
      `its message's line 1 is "JIRA-1 export staging", where the export wrote "export staging"`,
    );
    // Stored as written, but the tree is not the one its trailer names.
    const wrongTree = { ...trailers, tree: 'a'.repeat(40) };
    const named = commitTreeCommand('export staging\n', wrongTree, undefined).input;
    await run(repo, [
      ...CI,
      '-c',
      'core.hooksPath=/dev/null',
      'commit',
      '-q',
      '--allow-empty',
      '--cleanup=verbatim',
      '-m',
      named,
    ]);
    expect(notAsWritten(await read(), 'export staging\n', wrongTree)).toBe(
      'its tree is not the one its Arcade-Stack-Tree trailer names',
    );
  });

  it('a manifest value holding what git rewrites in a message is exported escaped, as written and unchanged', async () => {
    // A ConfigMap value reaches the summary as it is; git's UTF-8 check takes these code points
    // for invalid UTF-8 and stored the message's bytes re-encoded as Latin-1.
    const odd = 'a\uFDD0b\uFFFEc\u{10FFFF}d';
    const configMap = (value: string) => ({
      path: 'odd.yaml',
      content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\n  namespace: arcade-staging\ndata:\n  key: ${JSON.stringify(value)}\n`,
    });
    const source = sourceOf(stagingEnvironment('bundled'));
    const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
    await plantExport(repo, { ...source, files: [...source.files, configMap('plain')] });
    const now = { ...source, files: [...source.files, configMap(odd)] };
    const result = await exportEnvironment(now, {
      repo,
      commit: true,
      kubectl: join(tempDir('no-kubectl-'), 'kubectl'),
    });
    expect(result.summary).toContain(odd);
    expect(result.commitProblem).toBeUndefined();
    const stored = readCommit((await catObjects(repo, [result.commit ?? '']))[0]);
    expect(stored.asUtf8).toBeUndefined();
    expect(stored.message).toContain('a\\ufdd0b\\ufffec\\udbff\\udfffd');
    expect(stored.message).not.toContain(odd);
    // What the next run's push asks of the branch's tip: the export's own, unchanged.
    expect(unchangedExport(stored)).toEqual({
      trailers: { environment: source.env, source: source.sourceCommit, tree: stored.tree },
    });
  });
});
