/**
 * The forge's `html_url` is printed only when it is plainly the forge's own page
 * (src/delivery/forge-link.ts): the loopback forge stand-in answers a hostile or broken link for the
 * pull request and the comment, and the export's and diff's lines give the number and why its link
 * is not shown, never the link's text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForgeClient } from '../../src/delivery/forge.js';
import { forgeLink } from '../../src/delivery/forge-link.js';
import { type ForgeConnection, forgeFromEnvironment } from '../../src/delivery/forge-settings.js';
import { postComment } from '../../src/delivery/comment.js';
import { publishLines } from '../../src/delivery/publish.js';
import type { ExportResult } from '../../src/delivery/export.js';
import { main as diff } from '../../scripts/diff.js';
import { canaryKey } from '../support/canary.js';
import { type ForgeStandIn, startForge } from '../support/forge.js';
import { runMain } from '../support/run-script.js';

const TOKEN = canaryKey();
/** What the stand-in answers as `html_url` next, given its own: set by each case. */
let link: (own: string) => string = (own) => own;
let forge: ForgeStandIn;
let connection: ForgeConnection;
beforeAll(async () => {
  forge = await startForge({ type: 'github', repository: 'acme/gitops', token: TOKEN, htmlUrl: (own) => link(own) });
  connection = { type: 'github', apiUrl: forge.apiUrl, owner: 'acme', repository: 'gitops', token: TOKEN, retries: 0 };
});
afterAll(() => forge.close());

const NOT_SHOWN = "the forge's link to pull request";
const ANOTHER_HOST = () => `the forge gave a URL on another host than its own (${new URL(forge.apiUrl).host})`;

/** What a hostile or broken forge answers, and why it is not shown. */
const HOSTILE: [string, (own: string) => string, () => string][] = [
  [
    'a javascript: link',
    () => 'javascript:alert(document.cookie)',
    () => 'the forge gave a javascript: URL, not an http(s) one',
  ],
  [
    'a user name and password',
    (own) => own.replace('://', '://admin:hunter2@'),
    () => 'the forge gave a URL with a user name or password',
  ],
  ['another host', () => 'https://forge.example.evil/acme/gitops/pull/1', ANOTHER_HOST],
  ['a look-alike host', (own) => own.replace(/\/\/([^:/]+)/, '//$1.evil.example'), ANOTHER_HOST],
  [
    'control characters',
    (own) => `${own}\u001b]8;;https://evil.example\u0007\r\nexport: pull request #1 opened`,
    () => 'the forge gave it with spaces or characters a terminal would act on',
  ],
  [
    'a space',
    (own) => `${own} https://evil.example`,
    () => 'the forge gave it with spaces or characters a terminal would act on',
  ],
  ['not a URL', () => 'pull/1', () => 'the forge gave something that is not a URL'],
];

/** The export's lines for the pull request `pull` (its push and export left out). */
const prLines = (pull: Awaited<ReturnType<ForgeClient['createPull']>>) =>
  publishLines({ export: {} as ExportResult, pullRequest: { action: 'opened', pull: pull! } });

describe("the forge's link to a pull request", () => {
  it("its own page is shown, as the export prints it (the stand-in's own html_url)", async () => {
    link = (own) => own;
    const pull = await new ForgeClient(connection).createPull({ head: 'shown', base: 'master', title: 't', body: 'b' });
    expect(prLines(pull)).toEqual([
      `pull request #${pull?.number} opened (shown -> master): ${forge.apiUrl}/acme/gitops/pull/${pull?.number}`,
    ]);
  });

  it.each(HOSTILE)('%s: the number and why its link is not shown, never the text', async (name, hostile, why) => {
    link = hostile;
    const head = `hostile-${HOSTILE.findIndex(([n]) => n === name)}`;
    const pull = await new ForgeClient(connection).createPull({ head, base: 'master', title: 't', body: 'b' });
    const n = pull?.number;
    expect(prLines(pull)).toEqual([
      `pull request #${n} opened (${head} -> master)`,
      `${NOT_SHOWN} #${n} is not shown: ${why()}`,
    ]);
    // Found again (the next run's search): the same.
    expect((await new ForgeClient(connection).findOpenPull(head, 'master'))?.link).toEqual({ hidden: why() });
  });

  it("the comment's link: diff --post-comment prints the number and why, never the text", async () => {
    link = () => 'javascript:alert(1)';
    const pull = await new ForgeClient(connection).createPull({
      head: 'commented',
      base: 'master',
      title: 't',
      body: '',
    });
    const posted = await postComment(connection, pull!.number, 'the comment');
    expect(posted.link).toEqual({ hidden: 'the forge gave a javascript: URL, not an http(s) one' });
    const env = {
      ...process.env,
      STACK_FORGE: 'github',
      STACK_API_URL: forge.apiUrl,
      STACK_REPOSITORY: 'acme/gitops',
      STACK_TOKEN: TOKEN,
    };
    const r = await runMain(diff, ['--base', 'HEAD', '--post-comment', String(pull!.number)], {
      env,
    });
    expect(r.stderr).toContain(
      `diff: comment created on pull request #${pull!.number}\n` +
        "diff: the forge's link to the comment is not shown: the forge gave a javascript: URL, not an http(s) one\n",
    );
    expect(r.stderr).not.toContain('alert(');
    expect(r.status).toBe(0);
  });
});

describe("forgeLink: which hosts are the forge's own", () => {
  it.each([
    ['https://api.github.com', 'https://github.com/acme/gitops/pull/7', 'https://github.com/acme/gitops/pull/7'],
    [
      'https://api.github.com',
      'https://api.github.com/acme/gitops/pull/7',
      'https://api.github.com/acme/gitops/pull/7',
    ],
    ['https://api.acme.ghe.com', 'https://acme.ghe.com/acme/gitops/pull/7', 'https://acme.ghe.com/acme/gitops/pull/7'],
    [
      'https://ghes.example/api/v3',
      'https://ghes.example/acme/gitops/pull/7',
      'https://ghes.example/acme/gitops/pull/7',
    ],
    // As a browser reads it: the host lower-case, the default port left out, `\` a `/`.
    ['https://ghes.example/api/v3', 'https://GHES.example:443/a\\b', 'https://ghes.example/a/b'],
  ])('%s: %s is shown as %s', (apiUrl, raw, shown) => {
    expect(forgeLink(raw, { type: 'github', apiUrl })).toEqual({ url: shown });
  });

  it('a plain http link on the right host, where the API is https, is not shown; where the API is http, it is', () => {
    const hidden = { hidden: 'the forge gave a plain http URL, where its API is https' };
    expect(
      forgeLink('http://github.com/acme/gitops/pull/7', { type: 'github', apiUrl: 'https://api.github.com' }),
    ).toEqual(hidden);
    expect(forgeLink('http://ghes.example/a', { type: 'github', apiUrl: 'https://ghes.example/api/v3' })).toEqual(
      hidden,
    );
    expect(forgeLink('http://ghes.example/a', { type: 'github', apiUrl: 'http://ghes.example/api/v3' })).toEqual({
      url: 'http://ghes.example/a',
    });
  });

  it.each([
    ['github', 'https://api.github.com', 'https://api.evil.example/x'],
    ['github', 'https://ghes.example/api/v3', 'https://example/x'],
    ['github', 'https://api.github.com', 'https://github.com:8443/x'],
    ['gitea', 'https://api.gitea.example/api/v1', 'https://gitea.example/x'],
    ['gitea', 'https://gitea.example/api/v1', 'https://github.com/x'],
  ] as const)('%s at %s: %s is another host', (type, apiUrl, raw) => {
    expect(forgeLink(raw, { type, apiUrl })).toEqual({
      hidden: expect.stringMatching(/^the forge gave a URL on another host/),
    });
  });

  it("the hosts named are the settings' own (forgeFromEnvironment)", () => {
    const github = forgeFromEnvironment('GITOPS', {
      GITOPS_FORGE: 'github',
      GITOPS_API_URL: 'https://api.github.com',
      GITOPS_REPOSITORY: 'acme/gitops',
      GITOPS_TOKEN: TOKEN,
    });
    expect(forgeLink('https://evil.example/', github)).toEqual({
      hidden: 'the forge gave a URL on another host than its own (api.github.com or github.com)',
    });
  });
});
