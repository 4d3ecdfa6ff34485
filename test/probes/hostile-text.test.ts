/**
 * Text from a hostile platform in the probes' details (README "Text from outside is printed
 * escaped"): a gateway lists a tool whose name carries an OSC-8 hyperlink, a bell, a bidi override,
 * Markdown and HTML, and the engine's health answers 503 with a reason that would close the
 * report's <details>, show an image, a link and bold. `npm run probe` in-process against the real
 * loopback platform (src/loopback/platform.ts), the targets not expecting that tool: the terminal,
 * the JSON's details and the JUnit show no control character raw; the Markdown report shows the hostile text
 * as text, never as live Markdown or HTML (outside code spans and code blocks, no `<`, `](`, `**`
 * from it).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startPlatform } from '../../src/loopback/platform.js';
import { tempDir } from '../support/temp.js';
import { result, runCli } from './helpers.js';
import { outsideCode } from '../support/markdown-text.js';

const HOSTILE_TOOL =
  'Evil\u001b]8;;http://evil.example\u0007click\u001b]8;;\u0007_[approve](http://evil.example)_<img src=x>_|pipe|_\u202eRTL';
const HOSTILE_REASON = 'x | col2 | </details> <img src=x onerror=alert(1)> [link](http://evil) **bold**';
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

describe('a hostile tool name and an unhealthy reason in the probe reports', () => {
  it('the terminal, JSON and JUnit escape them; the Markdown shows them as text', async () => {
    const hostile = await startPlatform({
      arcade: { gateways: [{ slug: 'evil', tools: ['Good_Tool', HOSTILE_TOOL] }], unhealthy: HOSTILE_REASON },
      latencyCalls: 2,
    });
    try {
      const targets = join(tempDir('probe-hostile-text-'), 'targets.yaml');
      writeFileSync(
        targets,
        stringify({
          ...hostile.targets,
          gateways: (hostile.targets.gateways ?? []).map((g) => ({
            ...g,
            tools: Array.isArray(g.tools) ? g.tools.filter((t) => t !== HOSTILE_TOOL) : g.tools,
          })),
        }),
      );
      const run = await runCli(['--targets', targets, '--only', 'gateway.tools-list,endpoints.health'], hostile.env, {
        files: true,
      });
      expect(run.code).toBe(1);
      const tools = result(run.report, 'gateway.tools-list');
      expect(tools.status).toBe('fail');
      expect(tools.detail).toContain('unexpected Evil\\u001b]8;;http://evil.example\\u0007click');
      expect(tools.detail).toContain('\\u202eRTL');
      expect(result(run.report, 'endpoints.health').detail).toContain(HOSTILE_REASON);
      for (const text of [
        run.stdout,
        run.stderr,
        ...(run.report?.results ?? []).map((r) => r.detail),
        run.junit ?? '',
      ]) {
        expect(text).not.toMatch(RAW);
      }
      const markdown = run.markdown ?? '';
      expect(markdown).not.toMatch(RAW);
      const shown = outsideCode(markdown);
      for (const live of ['<img', '</details> <img', '](http', '**bold**', '_[approve]', '|pipe|', '| col2 |'])
        expect(shown).not.toContain(live);
      // Each <details> the report opens is closed by the report, not by the reason.
      expect(shown.split('</details>').length).toBe(shown.split('<details>').length);
      // The table row of the unhealthy engine has the report's 6 columns (its | are escaped).
      const row = markdown.split('\n').find((l) => l.startsWith('| `endpoints.health`'));
      expect(row?.split(/(?<!\\)\|/).length).toBe(8);
    } finally {
      await hostile.close();
    }
  });
});
