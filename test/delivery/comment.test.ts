/**
 * The stack's pull-request comment: one comment, found by its hidden marker and updated in place,
 * capped to GitHub's 65536 characters with a "truncated, see the artifact" line; posted against
 * the forge stand-in (GitHub and Gitea flavour), which refuses an over-long body as GitHub does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT } from '../../src/delivery/forge-api.js';
import { ForgeClient } from '../../src/delivery/forge.js';
import { forgeFromEnvironment } from '../../src/delivery/forge-settings.js';
import {
  COMMENT_MARKER,
  commentMarkdown,
  type GateJson,
  postComment,
  readGateJson,
  truncatedLine,
} from '../../src/delivery/comment.js';
import { ConfigurationError, UsageError } from '../../src/core/command-error.js';
import { canaryKey } from '../support/canary.js';
import { expectInert, HOSTILE, outsideCode } from '../support/markdown-text.js';
import { type ForgeStandIn, startForge } from '../support/forge.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';
import { main } from '../../scripts/diff.js';

const TOKEN = canaryKey();
const GATE: GateJson = {
  passed: false,
  findings: [
    { severity: 'warning', rule: 'probe-coverage', file: 'dist/a/x.yaml', message: 'w', fix: 'f' },
    {
      severity: 'error',
      rule: 'run-as-non-root',
      file: 'dist/a/release.yaml',
      line: 12,
      message: 'root',
      fix: 'set it',
    },
  ],
  excepted: [],
};

const forges: Partial<Record<'github' | 'gitea', ForgeStandIn>> = {};
beforeAll(async () => {
  forges.github = await startForge({ type: 'github', repository: 'acme/arcade-stack', token: TOKEN });
  forges.gitea = await startForge({ type: 'gitea', repository: 'acme/arcade-stack', token: TOKEN });
});
afterAll(async () => {
  await forges.github?.close();
  await forges.gitea?.close();
});

describe('commentMarkdown', () => {
  it('starts with the marker, summarizes the gate errors first, then the diff', () => {
    const body = commentMarkdown({ diffMarkdown: '### Manifest changes\n\n+ ConfigMap a/b\n', gate: GATE });
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain('**Quality gate** (`npm run check`): **FAILED**: 1 error, 1 warning, 0 exceptions');
    expect(body.indexOf('run-as-non-root')).toBeLessThan(body.indexOf('probe-coverage'));
    expect(body).toContain('dist/a/release.yaml:12: root (fix: set it)');
    expect(body).toContain('+ ConfigMap a/b');
  });

  it('caps a diff longer than a comment: marker kept, code block closed, the truncation line names the artifact', () => {
    const diffMarkdown = `### Manifest changes\n\n\`\`\`diff\n${'+ spec.values.some.key: "value"\n'.repeat(4000)}\`\`\`\n`;
    const body = commentMarkdown({ diffMarkdown, artifact: 'semantic-diff-42' });
    expect(diffMarkdown.length).toBeGreaterThan(BODY_LIMIT);
    expect(body.length).toBeLessThanOrEqual(BODY_LIMIT);
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body.trimEnd().endsWith(truncatedLine('semantic-diff-42'))).toBe(true);
    expect(body.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0);
    expect(commentMarkdown({ diffMarkdown: 'short\n' })).not.toContain('Truncated');
  });
});

describe.each(['github', 'gitea'] as const)('postComment (%s stand-in)', (type) => {
  it('creates one comment, leaves it when equal, updates it in place, and never touches the others', async () => {
    const forge = forges[type]!;
    const connection = forgeFromEnvironment('STACK', {
      STACK_FORGE: type,
      STACK_API_URL: forge.apiUrl,
      STACK_REPOSITORY: 'acme/arcade-stack',
      STACK_TOKEN: TOKEN,
    });
    const client = new ForgeClient(connection);
    const pull = await client.createPull({ head: `feature-${type}`, base: 'main', title: 'a change', body: '' });
    const issue = pull!.number;
    await client.createComment(issue, 'LGTM from a reviewer');

    const first = await postComment(connection, issue, commentMarkdown({ diffMarkdown: 'one\n' }));
    expect(first.action).toBe('created');
    const again = await postComment(connection, issue, commentMarkdown({ diffMarkdown: 'one\n' }));
    expect(again).toMatchObject({ action: 'unchanged', id: first.id });
    const huge = commentMarkdown({ diffMarkdown: `${'+ line\n'.repeat(20000)}` });
    const updated = await postComment(connection, issue, huge);
    expect(updated).toMatchObject({ action: 'updated', id: first.id });

    const mine = forge.comments.filter((c) => c.issue === issue);
    expect(mine.map((c) => c.body.startsWith(COMMENT_MARKER))).toEqual([false, true]);
    expect(mine[0]?.body).toBe('LGTM from a reviewer');
    expect(mine[1]?.body).toBe(huge);
  });
});

describe('readGateJson', () => {
  it('refuses a file that is not a check report, naming the option and the fix (exit 2)', () => {
    const dir = tempDir('gate-');
    writeFileSync(join(dir, 'bad.json'), '{"passed": "yes"}');
    expect(() => readGateJson('gate', join(dir, 'bad.json'))).toThrow(ConfigurationError);
    expect(() => readGateJson('gate', join(dir, 'bad.json'))).toThrow(
      /--gate .*passed.*fix: give the file npm run check -- --json/,
    );
    expect(() => readGateJson('gate', join(dir, 'missing.json'))).toThrow(/no such file/);
    // A folder was 'not JSON': it is read through readOptionFile, with the gate's fix.
    expect(() => readGateJson('gate', dir)).toThrow(
      new UsageError(`--gate ${dir}: a folder, not a file (fix: give the file npm run check -- --json <file> wrote)`),
    );
    writeFileSync(join(dir, 'text.json'), 'passed\n');
    expect(() => readGateJson('gate', join(dir, 'text.json'))).toThrow(
      new ConfigurationError(
        `--gate ${join(dir, 'text.json')}: not JSON (fix: give the file npm run check -- --json <file> wrote)`,
      ),
    );
  });
});

describe('npm run diff -- --comment', () => {
  it('writes the comment with the marker and the gate summary; --post-comment without STACK_* is exit 2', async () => {
    const dir = tempDir('comment-');
    writeFileSync(join(dir, 'check.json'), JSON.stringify({ ...GATE, stats: {} }));
    // The command in process (its `main`); test/scripts/every-script.test.ts runs the script as a process.
    const script = (args: string[], env: NodeJS.ProcessEnv) => runMain(main, args, { env });
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STACK_')));
    const refused = await script(['--base', 'HEAD', '--post-comment', '7'], clean);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/STACK_FORGE is not set/);
    const r = await script(
      ['--base', 'HEAD', '--comment', join(dir, 'comment.md'), '--gate', join(dir, 'check.json')],
      clean,
    );
    expect(r.stderr).toMatch(/wrote the pull-request comment/);
    expect(r.status).toBe(0);
    const body = readFileSync(join(dir, 'comment.md'), 'utf8');
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain('**FAILED**: 1 error, 1 warning');
  });
});

describe('the pull-request comment: text from outside renders as text (src/core/markdown.ts)', () => {
  it("a gate finding's message and fix (an unresolved reason) render as text", () => {
    const gate: GateJson = {
      passed: false,
      findings: [
        {
          severity: 'error',
          rule: 'unresolved`value',
          file: 'dist/<env>/x.yaml',
          message: `oidc.issuer unresolved: https://login.microsoftonline.com/<tenant>/v2.0 ${HOSTILE}`,
          fix: `set it ${HOSTILE}`,
        },
      ],
      excepted: [],
    };
    const comment = commentMarkdown({ diffMarkdown: '', gate });
    expect(comment).toContain('https://login.microsoftonline.com/&lt;tenant&gt;/v2.0');
    expect(comment).toContain('``unresolved`value``');
    expectInert(comment.replace(/^<!--.*-->$/m, ''));
    expect(outsideCode(comment)).not.toContain('<tenant>');
  });
});
